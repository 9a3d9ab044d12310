"""Summary tables: one row per (scenario, measure), each measure estimated as its kind needs.

The registry (:mod:`deploysim.results.measures`) says what kind each measure is, and the kind decides
the estimator: milestones are time-to-event data (:mod:`deploysim.stats.milestones`), shares and
ratios are ratios of totals across runs, yes/no outcomes are proportions with Wilson intervals, and
amounts are means over runs with Student-t intervals. The ``estimator`` column names which, so a
figure never travels without what it estimates. Failed runs are left out and counted in ``failed``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from deploysim.results.measures import MEASURES, SHOWN, Measure
from deploysim.results.outcomes import OUTCOMES
from deploysim.stats.intervals import mean_ci
from deploysim.stats.milestones import Target, milestone_summary, target_summary
from deploysim.stats.proportions import wilson_interval
from deploysim.stats.ratio import pooled_share, ratio_of_totals
from deploysim.stats.runs import failed_count, ok_runs

COLUMNS = ("scenario", "measure", "label", "unit", "estimator", "estimate", "ci_low", "ci_high", "half_width", "n",
           "failed", "p_reached", "p_reached_low", "p_reached_high", "median_day", "median_low", "median_high",
           "median_date", "q10_day", "q90_day", "median_if_reached", "median_per_run", "target_day", "target_date")


def _column(group: pd.DataFrame, name: str) -> np.ndarray:
    return group[name].to_numpy(dtype=float)


def _mean_row(values: np.ndarray, level: float) -> dict[str, Any]:
    interval = mean_ci(values, level)
    return {"estimator": "mean per run", "estimate": interval.mean, "ci_low": interval.low,
            "ci_high": interval.high, "half_width": interval.half_width, "n": interval.n}


def measure_row(measure: Measure, group: pd.DataFrame, start: dt.date | None, level: float) -> dict[str, Any]:
    """The estimate of one measure over one scenario's successful runs."""
    if measure.kind == "milestone" and "observed_days" in group:
        return milestone_summary(_column(group, measure.name), _column(group, "observed_days"), start, level)
    if measure.kind == "proportion":
        flags = _column(group, measure.name)
        flags = flags[~np.isnan(flags)]
        share = wilson_interval(int(flags.sum()), int(flags.size), level)
        return {"estimator": "share of runs (Wilson)", "estimate": share.estimate, "ci_low": share.low,
                "ci_high": share.high, "half_width": (share.high - share.low) / 2, "n": share.n}
    top, bottom = measure.numerator, measure.denominator
    if top is not None and bottom is not None and {top, bottom} <= set(group.columns):
        numerator, denominator = _column(group, top), _column(group, bottom)
        if measure.kind == "share":
            ratio = pooled_share(numerator, denominator, level)
            estimator = f"pooled: total {MEASURES[top].label.lower()} / total {MEASURES[bottom].label.lower()}"
        else:
            ratio = ratio_of_totals(numerator, denominator, level)
            estimator = "ratio of totals over runs"
        scale = measure.scale
        return {"estimator": estimator, "estimate": ratio.estimate * scale, "ci_low": ratio.low * scale,
                "ci_high": ratio.high * scale, "half_width": ratio.half_width * scale, "n": ratio.n,
                "median_per_run": ratio.median_per_run * scale}
    return _mean_row(_column(group, measure.name), level)


def summary_table(runs: pd.DataFrame, level: float = 0.95, targets: Sequence[Target] = (),
                  start_dates: Mapping[str, dt.date] | None = None, currency: str | None = None,
                  not_applicable: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per (scenario, measure), then one per (scenario, target); columns as in ``COLUMNS``.

    ``n`` counts the runs an estimate uses: for a milestone every successful run (those that never
    reached it are censored, not dropped); for a mean, the runs where the measure is defined.
    """
    start_dates = start_dates or {}
    skip = not_applicable or {}
    rows = []
    for scenario, whole in runs.groupby("scenario", sort=False, observed=True):
        group = ok_runs(whole)
        failed = failed_count(whole)
        start = start_dates.get(str(scenario))
        for name in SHOWN:
            if name not in group.columns:
                continue
            measure = MEASURES[name]
            row = {"scenario": scenario, "measure": name, "label": measure.label,
                   "unit": measure.unit_text(currency), "failed": failed}
            if name in skip:
                row.update({"estimator": f"n/a: {skip[name]}", "n": 0})
            else:
                row.update(measure_row(measure, group, start, level))
            rows.append(row)
        for target in targets:
            if target.measure not in group.columns or "observed_days" not in group.columns:
                continue
            measure = MEASURES[target.measure]
            row = {"scenario": scenario, "measure": target.name, "label": f"P({measure.label} by the day)",
                   "unit": "share of runs", "failed": failed}
            row.update(target_summary(target, _column(group, target.measure), _column(group, "observed_days"),
                                      start, level))
            rows.append(row)
    table = pd.DataFrame(rows)
    for column in COLUMNS:
        if column not in table.columns:
            table[column] = math.nan
    return table[list(COLUMNS)]


def outcome_table(runs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per scenario, how many runs fell into each outcome class, with the share's Wilson interval."""
    rows = []
    for scenario, group in runs.groupby("scenario", sort=False, observed=True):
        n = len(group)
        counts = group["outcome"].value_counts() if "outcome" in group else pd.Series(dtype=int)
        for outcome in [o for o in OUTCOMES if o in counts.index] + [o for o in counts.index if o not in OUTCOMES]:
            share = wilson_interval(int(counts[outcome]), n, level)
            rows.append({"scenario": scenario, "outcome": outcome, "runs": int(counts[outcome]),
                         "share": share.estimate, "ci_low": share.low, "ci_high": share.high, "n": n})
    return pd.DataFrame(rows, columns=["scenario", "outcome", "runs", "share", "ci_low", "ci_high", "n"])
