"""Summary tables: each measure's mean with its 95% confidence interval over replications."""

from __future__ import annotations

import pandas as pd

from deploysim.results.measures import MEASURES
from deploysim.stats.intervals import mean_ci
from deploysim.stats.runs import ok_runs


def summary_table(runs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """One row per (scenario, measure); ``n`` counts replications where the measure is defined."""
    ok = ok_runs(runs)
    rows = []
    for scenario, group in ok.groupby("scenario", sort=False):
        for measure in MEASURES:
            interval = mean_ci(group[measure].to_numpy(dtype=float), level)
            rows.append(
                {
                    "scenario": scenario,
                    "measure": measure,
                    "mean": interval.mean,
                    "ci_low": interval.low,
                    "ci_high": interval.high,
                    "half_width": interval.half_width,
                    "n": interval.n,
                }
            )
    return pd.DataFrame(rows)
