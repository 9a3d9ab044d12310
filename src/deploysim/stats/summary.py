"""Summary tables: each measure's mean with its 95% confidence interval over replications."""

from __future__ import annotations

import pandas as pd

from deploysim.results.measures import MEASURES
from deploysim.stats.intervals import mean_ci


def summary_table(runs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """One row per (scenario, measure); ``n`` counts replications where the measure is defined."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
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


def format_summary(table: pd.DataFrame) -> str:
    """A plain-text table for the terminal."""
    lines = [f"{'measure':<24} {'mean':>14} {'95% CI':>31} {'n':>6}"]
    for row in table.itertuples(index=False):
        ci = "" if pd.isna(row.half_width) else f"[{row.ci_low:>13,.2f}, {row.ci_high:>13,.2f}]"
        mean = "never" if pd.isna(row.mean) else f"{row.mean:,.2f}"
        lines.append(f"{row.measure:<24} {mean:>14} {ci:>31} {row.n:>6}")
    return "\n".join(lines)
