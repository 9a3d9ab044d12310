"""The question and the answer that open the report, in sentences a planner can read out in a briefing.

The question is the planner's first target (``--target``), else full operational capability by the end
of the first mandate; the answer is the share of runs that make it, with its interval, then how far the
mission gets within the horizon, the key measures and how the runs end. Every figure is a row of the
summary (or, for a comparison, of the paired differences), never a number computed here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from deploysim.reporting.wording import (
    day_and_date,
    difference_text,
    estimate_text,
    excludes_zero,
    interval,
    milestone_label,
    missing,
    percent,
    target_label,
    target_when,
)

HEADLINE_MEASURES = ("mean_fill", "team_coverage", "total_cost")


@dataclass(frozen=True)
class Headline:
    question: str
    answers: tuple[str, ...]


def _headline_target(summary: pd.DataFrame, given: int) -> Any | None:
    """The planner's first target, else FOC by the end of the first mandate, else the first target row."""
    rows = list(summary[summary["measure"].str.startswith("P(")].drop_duplicates("measure").itertuples(index=False))
    if not rows:
        return None
    if given:
        return rows[0]
    return next((r for r in rows if str(r.measure).startswith("P(foc_day<=")), rows[0])


def _question(target: Any, mandate_end: float, subject: str) -> str:
    milestone = milestone_label(str(target.measure))
    if not missing(target.target_day) and float(target.target_day) == mandate_end:
        return f"Will {subject} reach {milestone} by {target_when(target)}, the end of its first mandate?"
    return f"Will {subject} reach {milestone} by {target_when(target)}?"


def _reach_sentence(summary: pd.DataFrame, measure: str, start: dt.date | None) -> str | None:
    rows = summary[summary["measure"] == measure]
    if rows.empty or missing(rows.iloc[0].p_reached):
        return None
    r = rows.iloc[0]
    median = f"the median date is {day_and_date(r.median_day, start)}"
    if day_and_date(r.median_day, start).startswith("not reached"):
        median = "it is not reached in half the runs"
        if not missing(r.median_if_reached):
            median += f"; where reached, the median is {day_and_date(r.median_if_reached, start)}"
    return (f"Within the horizon, {r.label} is reached in {percent(r.p_reached)} of runs "
            f"{interval(r.p_reached_low, r.p_reached_high, percent)}; {median}.")


def _measures_sentence(summary: pd.DataFrame) -> str | None:
    rows = summary[summary["measure"].isin(HEADLINE_MEASURES)]
    found = [r for r in rows.itertuples(index=False) if not missing(r.estimate)]
    parts = [f"{r.label.lower() if i else r.label} {estimate_text(r)}" for i, r in enumerate(found)]
    return "; ".join(parts) + "." if parts else None


def _outcomes_sentence(outcomes: pd.DataFrame) -> str | None:
    if outcomes.empty:
        return None
    parts = [f"{r.outcome} {percent(r.share)}" for r in outcomes.itertuples(index=False)]
    return "How the runs end: " + ", ".join(parts) + "."


def run_headline(summary: pd.DataFrame, outcomes: pd.DataFrame, subject: str, mandate_end: float,
                 start: dt.date | None, given_targets: int) -> Headline:
    """One scenario: the target's share of runs first, then reach, key measures and outcome classes."""
    target = _headline_target(summary, given_targets)
    n = int(summary["n"].max()) if len(summary) else 0
    answers: list[str] = []
    question = f"What happens to {subject}?"
    if target is not None:
        question = _question(target, mandate_end, subject)
        answers.append(f"{target_label(target)} in {percent(target.estimate)} of the {n} runs "
                       f"{interval(target.ci_low, target.ci_high, percent)}.")
        for r in summary[summary["measure"].str.startswith("P(")].itertuples(index=False):
            if r.measure != target.measure:
                answers.append(f"{target_label(r)}: {percent(r.estimate)} {interval(r.ci_low, r.ci_high, percent)}.")
        milestone = str(target.measure)[2:].split("<=", 1)[0]
        answers.append(_reach_sentence(summary, milestone, start) or "")
    answers += [_measures_sentence(summary) or "", _outcomes_sentence(outcomes) or ""]
    return Headline(question, tuple(a for a in answers if a))


def _difference_sentence(comparison: pd.DataFrame, measure: str, label: str) -> str | None:
    row = comparison[(comparison["measure"] == measure) & (comparison["scenario"] == label)]
    if row.empty or missing(row.iloc[0].difference):
        return None
    r = row.iloc[0]
    verdict = "excludes zero" if excludes_zero(r.diff_low, r.diff_high) else "does not exclude zero"
    title = target_label(r) if measure.startswith("P(") else str(r.label)
    return f"{title}: {difference_text(measure, str(r.unit), r.difference, r.diff_low, r.diff_high)} ({verdict})"


def compare_headline(comparison: pd.DataFrame, labels: Sequence[str], mandate_end: float,
                     given_targets: int) -> Headline:
    """Several scenarios: the target in each, and every scenario's paired differences from the baseline."""
    baseline, others = labels[0], list(labels[1:])
    subjects = ", ".join(others)
    question = f"How does {subjects} compare with the baseline, {baseline}?"  # without a target row
    answers: list[str] = []
    target = _headline_target(comparison[comparison["scenario"] == baseline], given_targets)
    if target is not None:
        question = (f"Compared with the baseline, {baseline}: does {subjects} reach "
                    f"{milestone_label(str(target.measure))} by {target_when(target)} more often, and what changes "
                    "in fill, team coverage and cost?")
        rows = comparison[comparison["measure"] == target.measure]
        shares = "; ".join(f"{r.scenario} {percent(r.estimate)} {interval(r.ci_low, r.ci_high, percent)}"
                           for r in rows.itertuples(index=False))
        answers.append(f"{target_label(target)}, share of runs: {shares}.")
    for label in others:
        measures = [target.measure] if target is not None else []
        measures += [m for m in HEADLINE_MEASURES if m in set(comparison["measure"])]
        parts = [s for s in (_difference_sentence(comparison, m, label) for m in measures) if s]
        if parts:
            answers.append(f"{label} against the baseline, run by run: " + "; ".join(parts) + ".")
    return Headline(question, tuple(answers))
