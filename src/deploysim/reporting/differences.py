"""For a comparison: each scenario's paired difference from the baseline, in the measure's own terms.

Under common random numbers replication r of every scenario shares its random draws, so a difference
is taken run by run and its interval is far narrower than the two scenarios' intervals suggest; the
table says which intervals exclude zero, and for milestones also the difference in P(reached).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from deploysim.reporting.html import Markup, element, table
from deploysim.reporting.wording import difference_text, excludes_zero, kind_of, missing, target_label


def _measure_title(row: Any) -> str:
    return target_label(row) if str(row.measure).startswith("P(") else str(row.label)


def _pairs(row: Any) -> str:
    if missing(row.diff_n):
        return ""
    used, pairs = int(row.diff_n), (int(row.pairs) if not missing(row.pairs) else int(row.diff_n))
    return f"{used}" if used == pairs else f"{used} of {pairs}"


def _reached_text(row: Any) -> str:
    """For a milestone: the paired difference in P(reached) and how the pairs split."""
    if kind_of(str(row.measure)) != "milestone" or missing(row.p_difference):
        return ""
    text = difference_text("P(", "", row.p_difference, row.p_difference_low, row.p_difference_high)
    both, base, other = (int(row.reached_both), int(row.reached_only_baseline), int(row.reached_only_other))
    return f"P(reached) {text}; reached in both {both}, only the baseline {base}, only this scenario {other}"


def _verdict(significant: bool) -> Markup:
    return element("span", "yes", class_="yes") if significant else element("span", "no", class_="no")


def differences_table(comparison: pd.DataFrame, baseline: str) -> Markup:
    """One row per (measure, scenario other than the baseline) of :meth:`Comparison.table`."""
    rows = []
    for r in comparison[comparison["scenario"] != baseline].itertuples(index=False):
        if str(r.estimator).startswith("n/a") or missing(r.difference):
            continue
        significant = excludes_zero(r.diff_low, r.diff_high)
        text = difference_text(str(r.measure), str(r.unit), r.difference, r.diff_low, r.diff_high)
        rows.append([_measure_title(r), str(r.scenario), text, _verdict(significant), str(r.diff_estimator),
                     _pairs(r), _reached_text(r)])
    headers = ["Measure", "Scenario", "Difference from the baseline [95% CI]", "Excludes zero", "Estimator", "Pairs",
               "Milestone reached"]
    return table(headers, rows, f"Paired differences from the baseline, {baseline}: milestones in days of the "
                                "restricted mean, shares and proportions in percentage points", numeric=(2,))
