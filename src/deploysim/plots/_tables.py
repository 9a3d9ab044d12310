"""Checks and reductions of the tidy result tables that every chart module shares.

Charts are drawn from tables a planner may have filtered, concatenated or typed in a notebook, so each
chart checks its input first and fails with a message naming the table and the column, rather than with
a KeyError deep inside pandas or, worse, a plausible-looking chart of the wrong thing. The checks live
here, once, so every chart words the same problem the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

# Columns that together name one run within a scenario's table.
RUN_KEYS: tuple[str, ...] = ("point", "replication")

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


def runs_phrase(n: int) -> str:
    """The phrase "1 run" or "n runs"."""
    return "1 run" if n == 1 else f"{n} runs"


def as_dates(values: pd.Series, what: str) -> pd.Series:
    """The ``date`` column as datetimes, so every chart shares one calendar axis whatever the file gave."""
    try:
        return pd.to_datetime(values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} table: column 'date' must hold calendar dates ({exc})") from exc


def run_count(frame: pd.DataFrame) -> int:
    """Runs behind a table: distinct (point, replication) pairs, else the most rows any date has.

    Unlike :func:`replication_count` this counts the runs of a sweep's points separately, so a share of
    runs computed with it never exceeds one.
    """
    keys = [k for k in RUN_KEYS if k in frame.columns]
    if keys:
        return int(frame.groupby(keys, observed=True).ngroups)
    return int(frame.groupby("date").size().max()) if len(frame) else 0


def share_of_runs(daily: pd.DataFrame, flags: pd.Series, runs: int | None = None) -> pd.Series:
    """Per date, the share of runs whose row has ``flags`` set, out of every run in the table (or ``runs``),
    so a run with no row for a date counts as not set. Returns a float Series indexed by sorted date."""
    total = run_count(daily) if runs is None else runs
    counts = flags.astype(bool).astype(float).groupby(as_dates(daily["date"], "daily").to_numpy(), sort=True).sum()
    counts.index = pd.DatetimeIndex(counts.index, name="date")
    return counts / total if total else counts


def active_share(daily: pd.DataFrame, runs: int | None = None) -> pd.Series:
    """Share of runs whose mission is still active (``mission_active``, drawdown included), per date."""
    return share_of_runs(daily, daily["mission_active"], runs).rename("share_active")


def drawdown_share(daily: pd.DataFrame, runs: int | None = None) -> pd.Series:
    """Share of runs drawing down, per date: the mission still active but its mandate over. These runs
    count among the active ones while their staff leave, which is why a median can dip after a review."""
    flags = daily["mission_active"].astype(bool) & ~daily["mandate_active"].astype(bool)
    return share_of_runs(daily, flags, runs).rename("share_drawing_down")


def date_quantiles(
    daily: pd.DataFrame,
    series: Sequence[str],
    quantiles: Sequence[float] = FAN_QUANTILES,
    *,
    active_only: bool = False,
) -> pd.DataFrame:
    """Quantiles of each series across replications, per date, in one vectorised groupby.

    With ``active_only`` the quantiles are over the runs whose mission is still active that day: a closed
    mission's zeros say the mission is over, not how well it is staffed, and counting them drags the
    median to zero as soon as half the runs have closed. Dates on which no run is active stay in the
    table as NaN, so every fan shares the full calendar.

    Returns a frame indexed by date (sorted) with columns (series, quantile).
    """
    dates = as_dates(daily["date"], "daily")
    values = daily[list(series)].astype(float)
    values.insert(0, "date", dates)
    if active_only:
        values = values[daily["mission_active"].astype(bool).to_numpy()]
    columns = pd.MultiIndex.from_product([list(series), list(quantiles)])
    index = pd.DatetimeIndex(np.sort(dates.unique()), name="date")
    if values.empty:
        return pd.DataFrame(np.nan, index=index, columns=columns)
    table = values.groupby("date", sort=True).quantile(list(quantiles)).unstack(level=-1)
    return table.reindex(index=index, columns=columns)
