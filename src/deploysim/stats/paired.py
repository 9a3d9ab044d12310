"""Paired differences between scenarios, replication by replication.

deploysim derives every random stream from (root seed, design point, replication) and the process's
name, never from the scenario, so replication 7 of scenario A and replication 7 of scenario B see the
same recruitment delays, incidents and departures wherever the scenarios agree (common random
numbers). Differencing them replication by replication cancels that shared noise: the interval of the
mean difference is then a Student-t interval over the per-replication differences, which is usually
much narrower than an interval built from two independent samples, and exactly zero for identical
scenarios.

Pure functions over the ``runs`` table (one row per replication, one column per measure).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from deploysim.results.measures import MEASURES
from deploysim.stats.intervals import Interval, mean_ci
from deploysim.stats.runs import ok_runs

PAIR_KEYS = ("point", "replication")


def paired_interval(baseline: np.ndarray | Sequence[float], other: np.ndarray | Sequence[float],
                    level: float = 0.95) -> Interval:
    """t-interval for the mean of ``other - baseline`` over pairs where both values are defined.

    A pair with a NaN on either side (e.g. FOC never reached in one of them) is left out and shows
    up as a smaller ``n``: the difference of a defined and an undefined day is not a number.
    """
    a = np.asarray(baseline, dtype=float)
    b = np.asarray(other, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired_interval: {a.shape[0]} baseline values but {b.shape[0]} others; pairs must match")
    return mean_ci(b - a, level)


def excludes_zero(interval: Interval) -> bool:
    """True when the interval lies wholly above or wholly below zero (never for an undefined interval)."""
    if math.isnan(interval.half_width):
        return False
    return interval.low > 0.0 or interval.high < 0.0


def _check(runs: pd.DataFrame, scenarios: Sequence[str], measures: Sequence[str]) -> None:
    missing = [c for c in ("scenario", *PAIR_KEYS) if c not in runs.columns]
    if missing:
        raise ValueError(f"runs table lacks column(s) {', '.join(missing)}; it is not a deploysim runs table")
    known = set(runs["scenario"].unique())
    absent = [s for s in scenarios if s not in known]
    if absent:
        raise ValueError(f"scenario(s) {', '.join(map(repr, absent))} not in the runs table "
                         f"(it has {', '.join(map(repr, sorted(known)))})")
    unknown = [m for m in measures if m not in runs.columns]
    if unknown:
        raise ValueError(f"measure(s) {', '.join(unknown)} not in the runs table")


def replication_differences(runs: pd.DataFrame, baseline: str, others: Sequence[str] | None = None,
                            measures: Sequence[str] | None = None) -> pd.DataFrame:
    """Per replication, each other scenario's value minus the baseline's, for every measure.

    Rows: one per (scenario, point, replication) present and successful in both; columns: scenario,
    point, replication and one column per measure holding the difference (NaN where either side
    is undefined).
    """
    measures = list(measures or MEASURES)
    ok = ok_runs(runs)
    others = list(others) if others is not None else [s for s in pd.unique(ok["scenario"]) if s != baseline]
    _check(runs, [baseline, *others], measures)
    base = ok[ok["scenario"] == baseline].set_index(list(PAIR_KEYS))[measures]
    frames = []
    for name in others:
        theirs = ok[ok["scenario"] == name].set_index(list(PAIR_KEYS))[measures]
        common = theirs.index.intersection(base.index).sort_values()
        diff = theirs.loc[common].astype(float) - base.loc[common].astype(float)
        frames.append(diff.reset_index().assign(scenario=name))
    if not frames:
        return pd.DataFrame(columns=["scenario", *PAIR_KEYS, *measures])
    table = pd.concat(frames, ignore_index=True)
    return table[["scenario", *PAIR_KEYS, *measures]]


def difference_table(runs: pd.DataFrame, baseline: str, others: Sequence[str] | None = None,
                     measures: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """Mean paired difference from the baseline with its t-interval, per (scenario, measure).

    Columns: scenario, baseline, measure, difference, ci_low, ci_high, half_width, n (pairs where the
    measure is defined on both sides) and ``excludes_zero`` (the interval lies wholly on one side
    of zero: at this level, the scenarios differ in that measure).
    """
    measures = list(measures or MEASURES)
    diffs = replication_differences(runs, baseline, others, measures)
    names = list(others) if others is not None else list(pd.unique(diffs["scenario"]))
    rows = []
    for name in names:
        group = diffs[diffs["scenario"] == name]
        for measure in measures:
            interval = mean_ci(group[measure].to_numpy(dtype=float), level)
            rows.append({
                "scenario": name,
                "baseline": baseline,
                "measure": measure,
                "difference": interval.mean,
                "ci_low": interval.low,
                "ci_high": interval.high,
                "half_width": interval.half_width,
                "n": interval.n,
                "excludes_zero": excludes_zero(interval),
            })
    columns = ["scenario", "baseline", "measure", "difference", "ci_low", "ci_high", "half_width", "n",
               "excludes_zero"]
    return pd.DataFrame(rows, columns=columns)
