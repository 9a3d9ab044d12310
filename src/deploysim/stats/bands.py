"""The numbers behind the charts, as tables a planner can open in a spreadsheet.

A fan chart is a picture of quantiles: this module computes them as a tidy table, so the bands can be
checked, re-drawn in another tool or quoted in a briefing without reading pixels. The quantiles of a
day are taken over the runs whose mission is still active that day: a closed mission's zeros say the
mission is over, not how well it is staffed, and counting them would drag the median to zero as soon
as half the runs have closed. ``runs_active`` says how many runs each day's quantiles rest on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
"""The fan chart's quantiles: the 90% band, the 50% band and the median."""
STAFFING_SERIES: tuple[str, ...] = ("authorised", "filled", "present")
QUANTILE_COLUMNS: tuple[str, ...] = tuple(f"p{round(100 * q):02d}" for q in QUANTILES)
BAND_COLUMNS: tuple[str, ...] = ("scenario", "series", "date", "day", "runs", "runs_active", *QUANTILE_COLUMNS)
COVERAGE_COLUMNS: tuple[str, ...] = ("scenario", "team", "date", "day", "runs", "share_operational")


def _group_keys(frame: pd.DataFrame) -> list[str]:
    """Scenario always; a sweep's point only where the table holds several, since each is its own fan."""
    keys = ["scenario"] if "scenario" in frame.columns else []
    if "point" in frame.columns and frame["point"].nunique() > 1:
        keys.append("point")
    return keys


def _order(frame: pd.DataFrame, column: str) -> list[object]:
    """A column's values in categorical (scenario) order, else in order of first appearance."""
    values = frame[column]
    present = list(pd.unique(values.dropna()))
    if isinstance(values.dtype, pd.CategoricalDtype):
        seen = set(present)
        return [c for c in values.cat.categories if c in seen]
    return present


def staffing_quantiles(daily: pd.DataFrame, series: Sequence[str] = STAFFING_SERIES,
                       quantiles: Sequence[float] = QUANTILES, scenarios: Sequence[str] | None = None) -> pd.DataFrame:
    """Per scenario, series and date: p05 ... p95 over the runs still active that day (all runs when the
    table has no ``mission_active``), with ``runs`` (rows that day) and ``runs_active`` beside them.

    Dates on which no run is active keep their row with empty quantiles, so every series covers the
    whole calendar. Rows are ordered by scenario (``scenarios``, the baseline first, else as the table
    orders them), series, then date.
    """
    columns = (*BAND_COLUMNS[:6], *(f"p{round(100 * q):02d}" for q in quantiles))
    if daily.empty:
        return pd.DataFrame(columns=list(columns))
    frame = daily.assign(date=pd.to_datetime(daily["date"]))
    if "scenario" not in frame.columns:
        frame = frame.assign(scenario="")
    keys = [*_group_keys(frame), "date"]
    active = frame["mission_active"].astype(bool) if "mission_active" in frame.columns else pd.Series(True,
                                                                                                      frame.index)
    counts = frame.groupby(keys, observed=True, sort=True).agg(
        day=("day", "min") if "day" in frame.columns else ("date", "size"), runs=("date", "size"))
    counts["runs_active"] = active.groupby([frame[k] for k in keys], observed=True, sort=True).sum()
    names = [f"p{round(100 * q):02d}" for q in quantiles]
    values = frame.loc[active, [*keys, *series]]
    parts = []
    for name in series:
        q = values.groupby(keys, observed=True, sort=True)[name].quantile(list(quantiles)).unstack(level=-1)
        q.columns = names
        part = counts.join(q.reindex(counts.index), how="left").reset_index()
        parts.append(part.assign(series=name))
    table = pd.concat(parts, ignore_index=True)
    if "day" not in frame.columns:
        table["day"] = (table["date"] - table["date"].min()).dt.days
    table = _sort(table, frame, [*keys[:-1], "series", "date"], {"series": list(series), **_given(scenarios)})
    ordered = [c for c in (*columns[:1], "point", *columns[1:]) if c in table.columns]
    return table[ordered].reset_index(drop=True)


def _given(scenarios: Sequence[str] | None) -> dict[str, list[object]]:
    return {"scenario": list(scenarios)} if scenarios else {}


def _sort(table: pd.DataFrame, source: pd.DataFrame, by: list[str],
          orders: dict[str, list[object]]) -> pd.DataFrame:
    """Sort by ``by``, with scenarios (and teams, series) in their own order rather than alphabetically."""
    rank: dict[str, pd.Series] = {}
    for column in by:
        order = orders.get(column) or (_order(source, column) if column in ("scenario", "team") else None)
        if order is not None:
            position = {value: i for i, value in enumerate(order)}
            rank[column] = table[column].map(position).astype(float)
        else:
            rank[column] = table[column]
    keys = pd.DataFrame(rank)
    index = keys.sort_values(by, kind="stable").index
    out = table.loc[index]
    for column in ("scenario", "team"):
        if column in out.columns:
            out[column] = out[column].astype(str)
    return out


def team_coverage(teams: pd.DataFrame, scenarios: Sequence[str] | None = None) -> pd.DataFrame:
    """Per scenario, team and date: the share of runs in which the team met its minimum manning, the
    numbers behind the coverage heatmap, teams in the scenario's order."""
    if teams.empty:
        return pd.DataFrame(columns=list(COVERAGE_COLUMNS))
    frame = teams.assign(date=pd.to_datetime(teams["date"]), operational=teams["operational"].astype(float))
    if "scenario" not in frame.columns:
        frame = frame.assign(scenario="")
    keys = [*_group_keys(frame), "team", "date"]
    table = frame.groupby(keys, observed=True, sort=False).agg(
        day=("day", "min") if "day" in frame.columns else ("date", "size"), runs=("operational", "size"),
        share_operational=("operational", "mean")).reset_index()
    table = _sort(table, frame, keys, _given(scenarios))
    ordered = [c for c in (*COVERAGE_COLUMNS[:1], "point", *COVERAGE_COLUMNS[1:]) if c in table.columns]
    return table[ordered].reset_index(drop=True)


def monotone(table: pd.DataFrame) -> bool:
    """Whether every row's quantiles rise (or stay) from p05 to p95; rows with no active run pass."""
    values = table[[c for c in table.columns if c.startswith("p") and c[1:].isdigit()]].to_numpy(dtype=float)
    rows = ~np.isnan(values).any(axis=1)
    return bool((np.diff(values[rows], axis=1) >= -1e-9).all())
