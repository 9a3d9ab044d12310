"""Checks and reductions of the tidy result tables that every chart module shares.

Charts are drawn from tables a planner may have filtered, concatenated or typed in a notebook, so each
chart checks its input first and fails with a message naming the table and the column, rather than with
a KeyError deep inside pandas or, worse, a plausible-looking chart of the wrong thing. The checks live
here, once, so every chart words the same problem the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

# Quantiles a fan chart draws: 90% band, 50% band, median.
FAN_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str, *, allow_empty: bool = False) -> None:
    """Fail early with the missing column names, and on a table with no rows unless ``allow_empty``."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} table is missing required column(s) {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, frame.columns)) or 'no columns'}"
        )
    if frame.empty and not allow_empty:
        raise ValueError(f"{what} table has no rows to plot")


def require_numeric(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Quantiles of text are meaningless: name the columns that are not numbers."""
    non_numeric = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise ValueError(f"{what} table: column(s) {', '.join(map(repr, non_numeric))} must be numeric to plot")


def require_flags(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Shares of replications are means of 0/1 flags; any other value would give a share outside [0, 1]."""
    for column in columns:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values):
            continue
        numeric = pd.to_numeric(values, errors="coerce")
        if numeric.isna().any() or not numeric.isin([0, 1]).all():
            raise ValueError(f"{what} table: column {column!r} must be a boolean (or 0/1) flag")


def scenario_name(frame: pd.DataFrame, what: str) -> str | None:
    """The one scenario a frame holds, if it says; quantiles over a mix of scenarios would mean nothing."""
    if "scenario" not in frame.columns:
        return None
    names = pd.unique(frame["scenario"].dropna())
    if len(names) > 1:
        raise ValueError(
            f"{what} table holds {len(names)} scenarios ({', '.join(map(str, names[:4]))}"
            f"{', ...' if len(names) > 4 else ''}); select one before plotting"
        )
    return str(names[0]) if len(names) else None


def scenario_order(frame: pd.DataFrame, order: Sequence[str] | None) -> list[str]:
    """Scenarios in the order asked for (the baseline first), else as they appear, so colours stay put."""
    present = [str(s) for s in pd.unique(frame["scenario"])]
    if order is None:
        return present
    unknown = [s for s in order if s not in present]
    if unknown:
        raise ValueError(f"scenario(s) {', '.join(map(repr, unknown))} are not in the table")
    return list(order)


def replication_count(frame: pd.DataFrame, per: Sequence[str]) -> int:
    """Replications behind each plotted value: the `replication` column if present, else rows per key."""
    if "replication" in frame.columns:
        return int(frame["replication"].nunique())
    return int(frame.groupby(list(per), observed=True).size().max())


def replications_phrase(n: int) -> str:
    """The phrase "1 replication" or "n replications", for subtitles that say what a line summarises."""
    return "1 replication" if n == 1 else f"{n} replications"


def as_dates(values: pd.Series, what: str) -> pd.Series:
    """The ``date`` column as datetimes, so every chart shares one calendar axis whatever the file gave."""
    try:
        return pd.to_datetime(values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} table: column 'date' must hold calendar dates ({exc})") from exc


def date_quantiles(
    daily: pd.DataFrame, series: Sequence[str], quantiles: Sequence[float] = FAN_QUANTILES
) -> pd.DataFrame:
    """Quantiles of each series across replications, per date, in one vectorised groupby.

    Returns a frame indexed by date (sorted) with columns (series, quantile).
    """
    values = daily[list(series)].astype(float)
    values.insert(0, "date", as_dates(daily["date"], "daily"))
    table = values.groupby("date", sort=True).quantile(list(quantiles))
    return table.unstack(level=-1)
