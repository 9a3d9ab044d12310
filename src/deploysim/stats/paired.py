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

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from deploysim.results.measures import MEASURES, SHOWN, Measure
from deploysim.stats.intervals import Interval, mean_ci
from deploysim.stats.milestones import Target, observations
from deploysim.stats.proportions import paired_proportion_difference
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


def paired_ratio_difference(baseline_num: np.ndarray, baseline_den: np.ndarray, other_num: np.ndarray,
                            other_den: np.ndarray, level: float = 0.95) -> Interval:
    """Difference of two ratios of totals over the same replications, ``R_other - R_baseline``.

    Linearisation (delta method) over pairs: replication i contributes
    ``z_i = (y_oi - R_o x_oi) / mean(x_o) - (y_bi - R_b x_bi) / mean(x_b)``, whose mean is zero and whose
    Student-t interval, shifted to the difference of the ratios, keeps the pairing that common random
    numbers give. A pair with a non-finite value on either side is left out.
    """
    arrays = [np.asarray(a, dtype=float) for a in (baseline_num, baseline_den, other_num, other_den)]
    keep = np.logical_and.reduce([np.isfinite(a) for a in arrays])
    yb, xb, yo, xo = (a[keep] for a in arrays)
    n = int(keep.sum())
    if n == 0 or xb.sum() <= 0 or xo.sum() <= 0:
        return Interval(math.nan, math.nan, n)
    rb, ro = yb.sum() / xb.sum(), yo.sum() / xo.sum()
    z = (yo - ro * xo) / xo.mean() - (yb - rb * xb) / xb.mean()
    spread = mean_ci(z, level)
    return Interval(float(ro - rb), spread.half_width, n)


def _paired(runs: pd.DataFrame, baseline: str, other: str, columns: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two scenarios' successful runs, aligned replication by replication (pairs present in both)."""
    ok = ok_runs(runs)
    base = ok[ok["scenario"] == baseline].set_index(list(PAIR_KEYS))
    theirs = ok[ok["scenario"] == other].set_index(list(PAIR_KEYS))
    common = theirs.index.intersection(base.index).sort_values()
    present = [c for c in columns if c in base.columns]
    return base.loc[common, present].astype(float), theirs.loc[common, present].astype(float)


def _milestone_difference(a: pd.DataFrame, b: pd.DataFrame, name: str, level: float) -> dict[str, Any]:
    """Restricted means (every pair counts, censored at the horizon) and P(reached), paired."""
    tau = float(min(a["observed_days"].min(), b["observed_days"].min()))
    times_a, reached_a = observations(a[name].to_numpy(), a["observed_days"].to_numpy())
    times_b, reached_b = observations(b[name].to_numpy(), b["observed_days"].to_numpy())
    interval = mean_ci(np.minimum(times_b, tau) - np.minimum(times_a, tau), level)
    reached = paired_proportion_difference(reached_a, reached_b, level)
    return {"estimator": f"paired difference of restricted means to day {tau:g}", **_interval_columns(interval),
            "p_difference": reached.estimate, "p_difference_low": reached.low, "p_difference_high": reached.high,
            "reached_both": reached.both, "reached_only_baseline": reached.only_a,
            "reached_only_other": reached.only_b, "reached_neither": reached.neither}


def _interval_columns(interval: Interval) -> dict[str, Any]:
    return {"difference": interval.mean, "ci_low": interval.low, "ci_high": interval.high,
            "half_width": interval.half_width, "n": interval.n, "excludes_zero": excludes_zero(interval)}


def _proportion_columns(flags_a: np.ndarray, flags_b: np.ndarray, estimator: str, level: float) -> dict[str, Any]:
    diff = paired_proportion_difference(flags_a, flags_b, level)
    return {"estimator": estimator, "difference": diff.estimate, "ci_low": diff.low, "ci_high": diff.high,
            "half_width": (diff.high - diff.low) / 2, "n": diff.n,
            "excludes_zero": bool(diff.low > 0 or diff.high < 0), "reached_both": diff.both,
            "reached_only_baseline": diff.only_a, "reached_only_other": diff.only_b, "reached_neither": diff.neither}


def measure_difference(measure: Measure, a: pd.DataFrame, b: pd.DataFrame, level: float) -> dict[str, Any]:
    """The paired difference of one measure between two aligned sets of runs, by the measure's kind."""
    name = measure.name
    if measure.kind == "milestone" and "observed_days" in a:
        return _milestone_difference(a, b, name, level)
    if measure.kind == "proportion":
        return _proportion_columns(a[name].to_numpy() > 0, b[name].to_numpy() > 0,
                                   "paired difference of shares (Newcombe)", level)
    if measure.numerator in a and measure.denominator in a:
        interval = paired_ratio_difference(a[measure.numerator].to_numpy(), a[measure.denominator].to_numpy(),
                                           b[measure.numerator].to_numpy(), b[measure.denominator].to_numpy(), level)
        scaled = Interval(interval.mean * measure.scale, interval.half_width * measure.scale, interval.n)
        return {"estimator": "paired difference of ratios of totals", **_interval_columns(scaled)}
    interval = mean_ci(b[name].to_numpy() - a[name].to_numpy(), level)
    return {"estimator": "mean paired difference", **_interval_columns(interval)}


def difference_table(runs: pd.DataFrame, baseline: str, others: Sequence[str] | None = None,
                     measures: Sequence[str] | None = None, level: float = 0.95,
                     targets: Sequence[Target] = (), start_dates: Mapping[str, dt.date] | None = None,
                     ) -> pd.DataFrame:
    """Each scenario's paired difference from the baseline, per measure, estimated as its kind needs.

    Columns: scenario, baseline, measure, estimator, difference, ci_low, ci_high, half_width, n (pairs
    used), pairs (pairs run, both successful), ``excludes_zero``; for milestones also the paired
    difference in P(reached) and how many pairs reached it in both, only one or neither scenario.
    A statistic that uses fewer pairs than ``pairs`` (a measure undefined in some) says so by its n.
    """
    chosen = [m for m in (measures or SHOWN) if m in MEASURES]
    names = list(others) if others is not None else [s for s in pd.unique(runs["scenario"]) if s != baseline]
    _check(runs, [baseline, *names], [m for m in chosen if m in runs.columns])
    rows = []
    for name in names:
        columns = {*chosen, "observed_days", *(c for m in chosen for c in (MEASURES[m].numerator,
                                                                            MEASURES[m].denominator) if c)}
        a, b = _paired(runs, baseline, name, sorted(columns))
        for measure in chosen:
            if measure not in a.columns:
                continue
            row = {"scenario": name, "baseline": baseline, "measure": measure, "pairs": len(a)}
            row.update(measure_difference(MEASURES[measure], a, b, level))
            rows.append(row)
        for target in targets:
            if target.measure not in a.columns:
                continue
            day = target.day_for((start_dates or {}).get(str(name)))
            valid = math.isfinite(day) and day <= float(min(a["observed_days"].min(), b["observed_days"].min()))
            row = {"scenario": name, "baseline": baseline, "measure": target.name, "pairs": len(a)}
            if valid:
                row.update(_proportion_columns((a[target.measure] <= day).to_numpy(),
                                               (b[target.measure] <= day).to_numpy(),
                                               "paired difference of P(by the day) (Newcombe)", level))
            else:
                row.update({"estimator": "n/a: the day lies beyond the horizon", "n": 0})
            rows.append(row)
    table = pd.DataFrame(rows)
    for column in DIFFERENCE_COLUMNS:
        if column not in table.columns:
            table[column] = math.nan
    table["excludes_zero"] = table["excludes_zero"].astype("boolean").fillna(False).astype(bool)
    return table[list(DIFFERENCE_COLUMNS)]


DIFFERENCE_COLUMNS = ("scenario", "baseline", "measure", "estimator", "difference", "ci_low", "ci_high", "half_width",
                      "n", "pairs", "excludes_zero", "p_difference", "p_difference_low", "p_difference_high",
                      "reached_both", "reached_only_baseline", "reached_only_other", "reached_neither")
