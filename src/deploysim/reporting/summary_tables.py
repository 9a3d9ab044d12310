"""The summary as HTML tables a planner reads: outcome classes, milestones, targets, then every measure.

Each table takes the summary DataFrame of :meth:`Replications.summary` or :meth:`Comparison.summary`
as it is, so the page shows exactly what ``summary.csv`` holds; with several scenarios a scenario
column is added and rows stay grouped by measure, the baseline first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from deploysim.reporting.html import Cell, Markup, element, table
from deploysim.reporting.wording import (
    amount,
    day_and_date,
    day_text,
    estimate_text,
    interval,
    kind_of,
    missing,
    percent,
    target_label,
)


def _by_measure(frame: pd.DataFrame, labels: Sequence[str]) -> list[Any]:
    """Rows grouped by measure (in the summary's order), scenarios in the experiment's order within each."""
    order = {label: i for i, label in enumerate(labels)}
    measures = {m: i for i, m in enumerate(pd.unique(frame["measure"]))}
    keyed = frame.assign(_m=frame["measure"].map(measures), _s=frame["scenario"].map(order))
    return list(keyed.sort_values(["_m", "_s"], kind="stable").itertuples(index=False))


def _named(label: str, row: Any, several: bool) -> list[Cell]:
    """The row's title, then its scenario when there are several: rows of one measure stay together."""
    return [label, str(row.scenario)] if several else [label]


def outcomes_table(outcomes: pd.DataFrame, labels: Sequence[str]) -> Markup:
    """How the runs ended: one row per outcome class, one column per scenario when there are several."""
    if outcomes.empty:
        return Markup("")
    if len(labels) == 1:
        rows = [[str(r.outcome), f"{int(r.runs)}", percent(r.share), interval(r.ci_low, r.ci_high, percent)]
                for r in outcomes.itertuples(index=False)]
        n = int(outcomes["n"].iloc[0])
        return table(["Outcome", "Runs", "Share", "95% CI"], rows, f"How the {n} runs ended", numeric=(1, 2))
    classes = list(pd.unique(outcomes["outcome"]))
    cells = {(str(r.scenario), str(r.outcome)): r for r in outcomes.itertuples(index=False)}
    rows = []
    for outcome in classes:
        row: list[Cell] = [str(outcome)]
        for label in labels:
            r = cells.get((label, outcome))
            row.append(f"{percent(r.share)} ({int(r.runs)}) {interval(r.ci_low, r.ci_high, percent)}" if r else "0%")
        rows.append(row)
    return table(["Outcome", *labels], rows, "How the runs ended: share of runs (runs) [95% CI]",
                 numeric=range(1, len(labels) + 1))


def milestones_table(summary: pd.DataFrame, labels: Sequence[str], starts: Mapping[str, dt.date]) -> Markup:
    """P(reached within the horizon), the median date with its interval, the 10th to 90th percentile."""
    frame = summary[summary["measure"].map(kind_of) == "milestone"]
    frame = frame[~frame["measure"].str.startswith("P(")]
    if frame.empty:
        return Markup("")
    several = len(labels) > 1
    rows = []
    for r in _by_measure(frame, labels):
        if missing(r.p_reached):
            rows.append([*_named(str(r.label), r, several), str(r.estimator), "", "", ""])
            continue
        start = starts.get(str(r.scenario))
        median = day_and_date(r.median_day, start)
        if day_text(r.median_day) == "not reached":
            median = "not reached in half the runs"
            if not missing(r.median_if_reached):
                median += f"; {day_and_date(r.median_if_reached, start)} where reached"
        rows.append([*_named(str(r.label), r, several),
                     f"{percent(r.p_reached)} {interval(r.p_reached_low, r.p_reached_high, percent)}", median,
                     "" if day_text(r.median_day) == "not reached" else interval(r.median_low, r.median_high, day_text),
                     f"{day_text(r.q10_day)} to {day_text(r.q90_day)}"])
    headers = ["Milestone", *(["Scenario"] if several else []), "Reached within the horizon [95% CI]",
               "Median date", "95% CI of the median", "10th to 90th percentile"]
    return table(headers, rows, "Milestones: Kaplan-Meier over all runs; a run that never reaches a milestone "
                                "counts as later than the horizon")


def targets_table(summary: pd.DataFrame, labels: Sequence[str]) -> Markup:
    frame = summary[summary["measure"].str.startswith("P(")]
    if frame.empty:
        return Markup("")
    several = len(labels) > 1
    rows = [[*_named(target_label(r), r, several), f"{percent(r.estimate)} {interval(r.ci_low, r.ci_high, percent)}"]
            for r in _by_measure(frame, labels)]
    headers = ["Target", *(["Scenario"] if several else []), "Share of runs reaching it by then [95% CI]"]
    caption = "Targets: the probability of reaching a milestone by a date"
    return table(headers, rows, caption, numeric=(len(headers) - 1,))


def measures_table(summary: pd.DataFrame, labels: Sequence[str]) -> Markup:
    """Every other measure: estimate and interval in its unit, and the estimator that made it."""
    frame = summary[summary["measure"].map(kind_of) != "milestone"]
    frame = frame[~frame["measure"].str.startswith("P(")]
    if frame.empty:
        return Markup("")
    several = len(labels) > 1
    rows = []
    for r in _by_measure(frame, labels):
        how = str(r.estimator)
        if not missing(r.median_per_run):
            how += f"; median run {amount(r, r.median_per_run)}"
        not_applicable = how.startswith("n/a")
        estimate = element("span", "n/a", class_="na") if not_applicable else Markup(estimate_text(r))
        rows.append([*_named(str(r.label), r, several), estimate, str(r.unit), how])
    headers = ["Measure", *(["Scenario"] if several else []), "Estimate [95% CI]", "Unit", "Estimator"]
    return table(headers, rows, "Measures", numeric=(len(headers) - 3,))
