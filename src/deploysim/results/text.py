"""Tables as plain text for the terminal, in the registry's words.

The CLI prints these; notebooks show the DataFrames themselves. Kept apart from the statistics so
that estimates stay pure numbers and their wording has one home.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from deploysim.results.measures import MEASURES


def _significant(value: float, digits: int = 3) -> str:
    """Three significant figures with thousands separators: 11,600 and 0.583, never 1.16e+04."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    exponent = math.floor(math.log10(abs(value)))
    if exponent >= digits - 1:
        return f"{round(value, -(exponent - digits + 1)):,.0f}"
    return f"{value:,.{digits - 1 - exponent}f}"


def format_amount(value: float, unit: str, kind: str) -> str:
    """A value as a planner reads it: percent for shares and proportions, money with its currency and
    M/k for large sums, days as whole days, other amounts to three significant figures."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if kind in ("share", "proportion"):
        return f"{value:.1%}"
    if kind == "milestone" or unit == "days from start":
        return f"day {value:,.0f}"
    if unit == "days":
        return f"{_significant(value)} days"
    currency = unit.split(" ", 1)[0] if kind in ("money",) or unit.endswith("per person-month") else ""
    if currency:
        magnitude = abs(value)
        if magnitude >= 1e6:
            return f"{currency} {value / 1e6:.3g}M"
        return f"{currency} {_significant(value)}"
    return _significant(value)


def _row_amount(row: Any, value: float) -> str:
    return format_amount(value, str(row.unit), MEASURES[row.measure].kind if row.measure in MEASURES else "share")


def _interval_text(row: Any) -> str:
    if pd.isna(row.ci_low) or pd.isna(row.ci_high):
        return ""
    return f"[{_row_amount(row, row.ci_low)}, {_row_amount(row, row.ci_high)}]"


def _day_and_date(day: float, date: Any) -> str:
    if pd.isna(day) or math.isinf(day):
        return "not reached in half the runs"
    return f"{date} (day {day:,.0f})" if date is not None and not pd.isna(date) else f"day {day:,.0f}"


def _day(day: float) -> str:
    return "not reached" if pd.isna(day) or math.isinf(day) else f"day {day:,.0f}"


def format_summary(table: pd.DataFrame, outcomes: pd.DataFrame | None = None) -> str:
    """The summary of one scenario for the terminal: outcome classes, milestones with the probability of
    reaching them and when, the planner's targets, then every other measure with its estimator."""
    lines: list[str] = []
    if outcomes is not None and not outcomes.empty:
        lines.append(f"Outcomes of the {int(outcomes['n'].iloc[0])} runs    runs  share [95% CI]")
        for row in outcomes.itertuples(index=False):
            lines.append(f"  {row.outcome:<29} {row.runs:>5}  {row.share:.0%} [{row.ci_low:.0%}, {row.ci_high:.0%}]")
        lines.append("")
    milestones = table[table["measure"].map(lambda m: m in MEASURES and MEASURES[m].kind == "milestone")]
    if not milestones.empty:
        width = max(len(str(label)) for label in milestones["label"]) + 2
        lines.append(f"{'Milestones':<{width}} reached [95% CI]     median date [95% CI]"
                     f"{'':<28} 10th-90th percentile")
        for row in milestones.itertuples(index=False):
            if pd.isna(row.p_reached):
                lines.append(f"  {row.label:<{width - 2}} n/a: {row.estimator}")
                continue
            reached = f"{row.p_reached:.0%} [{row.p_reached_low:.0%}, {row.p_reached_high:.0%}]"
            median = _day_and_date(row.median_day, row.median_date)
            if not math.isfinite(row.median_day) and not pd.isna(row.median_if_reached):
                median += f"; day {row.median_if_reached:,.0f} where reached"
            band = f"[{_day(row.median_low)}, {_day(row.median_high)}]" if math.isfinite(row.median_day) else ""
            spread = f"{_day(row.q10_day)} to {_day(row.q90_day)}"
            lines.append(f"  {row.label:<{width - 2}} {reached:<20} {median + ' ' + band:<48} {spread}")
        lines.append("  (median and percentiles of the day, over all runs: Kaplan-Meier, runs that never reach a "
                     "milestone count as later than the horizon)")
        lines.append("")
    targets = table[table["measure"].str.startswith("P(")]
    if not targets.empty:
        lines.append("Targets")
        for row in targets.itertuples(index=False):
            when = f"day {row.target_day:,.0f}" + (f", {row.target_date}" if not pd.isna(row.target_date) else "")
            share = "n/a" if pd.isna(row.estimate) else f"{row.estimate:.0%} [{row.ci_low:.0%}, {row.ci_high:.0%}]"
            label = str(row.label).replace("by the day", f"by {when}")
            lines.append(f"  {label:<60} {share}")
        lines.append("")
    others = table[table["measure"].map(lambda m: m in MEASURES and MEASURES[m].kind != "milestone")]
    if not others.empty:
        width = max(len(str(label)) for label in others["label"]) + 2
        lines.append(f"{'Measures':<{width}} {'estimate':>16} {'95% CI':<34} estimator")
        for row in others.itertuples(index=False):
            estimate = _row_amount(row, row.estimate) if not pd.isna(row.estimate) else "n/a"
            how = str(row.estimator)
            if not pd.isna(row.median_per_run):
                how += f"; median run {_row_amount(row, row.median_per_run)}"
            lines.append(f"  {row.label:<{width - 2}} {estimate:>16} {_interval_text(row):<34} {how}")
    failed = int(table["failed"].max()) if "failed" in table and len(table) else 0
    if failed:
        lines.append(f"{failed} run(s) failed and are left out of every estimate")
    return "\n".join(lines).rstrip()


def _signed(row: Any, value: float) -> str:
    text = _row_amount(row, abs(value))
    return ("-" if value < 0 else "+") + text


def _difference_text(row: Any) -> str:
    """One scenario's paired difference from the baseline, with its interval and how many pairs it used."""
    if pd.isna(row.difference):
        return str(row.diff_estimator) if isinstance(row.diff_estimator, str) and "n/a" in row.diff_estimator else ""
    milestone = row.measure in MEASURES and MEASURES[row.measure].kind == "milestone"
    amount = (lambda v: f"{'-' if v < 0 else '+'}{abs(v):,.1f} d") if milestone else (lambda v: _signed(row, v))
    if row.measure.startswith("P(") or (row.measure in MEASURES and MEASURES[row.measure].kind in ("proportion",
                                                                                                  "share")):
        amount = lambda v: f"{100 * v:+.1f} pp"  # noqa: E731  percentage points
    text = f"{amount(row.difference)} [{amount(row.diff_low)}, {amount(row.diff_high)}]"
    text += " *" if row.significant else ""
    if not pd.isna(row.pairs) and not pd.isna(row.diff_n) and row.diff_n < row.pairs:
        text += f" (over {int(row.diff_n)} of {int(row.pairs)} pairs: the measure is undefined in the others)"
    if milestone and not pd.isna(row.p_difference):
        text += (f"; P(reached) {100 * row.p_difference:+.1f} pp [{100 * row.p_difference_low:+.1f}, "
                 f"{100 * row.p_difference_high:+.1f}]"
                 f"{' *' if row.p_difference_low > 0 or row.p_difference_high < 0 else ''}"
                 f" (reached in both {int(row.reached_both)}, only baseline {int(row.reached_only_baseline)}, "
                 f"only this {int(row.reached_only_other)})")
    return text


def _estimate_text(row: Any) -> str:
    if pd.isna(row.estimate):
        return "n/a"
    if row.measure.startswith("P("):
        return f"{row.estimate:.0%} [{row.ci_low:.0%}, {row.ci_high:.0%}]"
    if row.measure in MEASURES and MEASURES[row.measure].kind == "milestone":
        median = "not reached in half" if not math.isfinite(row.median_day) else f"day {row.median_day:,.0f}"
        return (f"reached {row.p_reached:.0%}, median {median}, restricted mean day {row.estimate:,.0f} "
                f"[{row.ci_low:,.0f}, {row.ci_high:,.0f}]")
    return f"{_row_amount(row, row.estimate)} {_interval_text(row)}"


def format_comparison(table: pd.DataFrame, baseline: str, level: float = 0.95) -> str:
    """Plain text for the terminal: per measure, each scenario's estimate and its paired difference from
    the baseline. Milestones show P(reached), the median and the restricted mean, and their differences
    both in the restricted mean (days) and in P(reached), with the pairs that reached it in each."""
    pct = f"{level:.0%}"
    names = [str(s) for s in pd.unique(table["scenario"])]
    width = min(max([len(n) for n in names] + [8]), 40)
    lines: list[str] = []
    for measure, group in table.groupby("measure", sort=False):
        first = group.iloc[0]
        label = str(first.label) if isinstance(first.label, str) else str(measure)
        if str(measure).startswith("P("):
            when = f"day {first.target_day:,.0f}" if not pd.isna(first.target_day) else ""
            label = label.replace("by the day", f"by {when}")
        estimator = str(first.estimator)
        lines.append(f"{label} ({estimator})")
        for row in group.itertuples(index=False):
            name = str(row.scenario)
            name = name if len(name) <= width else name[: width - 1] + "~"
            diff = "(baseline)" if row.scenario == baseline else _difference_text(row)
            lines.append(f"  {name:<{width}} {_estimate_text(row):<46} {diff}".rstrip())
    lines.append(f"[...]: {pct} confidence intervals; * the paired {pct} CI of the difference from the baseline "
                 f"excludes zero (common random numbers); baseline: {baseline}")
    return "\n".join(lines)


def format_indices(indices: pd.DataFrame) -> str:
    """Indices as a plain-text table for the terminal."""
    if indices.empty:
        return "(no indices)"
    if indices["method"].iloc[0] == "sobol":
        lines = [f"{'parameter':<44} {'S1':>7} {'+/-':>6} {'ST':>7} {'+/-':>6}"]
        for row in indices.itertuples(index=False):
            lines.append(f"{row.parameter:<44} {row.S1:>7.3f} {row.S1_conf:>6.3f} {row.ST:>7.3f} {row.ST_conf:>6.3f}")
        return "\n".join(lines)
    lines = [f"{'parameter':<44} {'SRC':>7} {'95% CI':>17}"]
    for row in indices.itertuples(index=False):
        lines.append(f"{row.parameter:<44} {row.SRC:>7.3f} [{row.ci_low:>6.3f}, {row.ci_high:>6.3f}]")
    lines.append(f"R^2 = {indices['r2'].iloc[0]:.2f} over {int(indices['n'].iloc[0])} design points")
    return "\n".join(lines)


def format_noise(share: float, method: str) -> str:
    """The noise share line under a measure's indices: how much of the point-to-point variance is luck."""
    if math.isnan(share):
        return f"replication noise: {method}"
    return f"replication noise: {share:.0%} of the variance of the point values ({method})"


def format_selection(table: pd.DataFrame, levers: list[str], objective: str, requirements: list[str],
                     currency: str | None = None) -> str:
    """The plans of a selection, one line each: levers, verdict, replications, each required probability
    with its Wilson interval, the objective's mean and its MCB interval (difference from the best other)."""
    measure = MEASURES[objective]
    unit = measure.unit_text(currency)

    def amount(value: float) -> str:
        return format_amount(value, unit, measure.kind)

    header = ["plan", *levers, "verdict", "reps", *requirements, measure.label, "MCB vs best other"]
    lines = [header]
    for row in table.to_dict("records"):
        cells = [str(row["plan"]), *(str(row[lever]) for lever in levers), str(row["verdict"]),
                 str(row["replications"])]
        if row["verdict"] == "invalid":
            lines.append(cells + ["" for _ in requirements] + ["", str(row.get("error", ""))[:60]])
            continue
        cells += [f"{row[r]:.2f} [{row[r + '_low']:.2f}, {row[r + '_high']:.2f}]" for r in requirements]
        mcb = "" if math.isnan(row["mcb_low"]) else f"[{amount(row['mcb_low'])}, {amount(row['mcb_high'])}]"
        lines.append([*cells, amount(row[objective]), mcb])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
                     for line in lines)


def failure_report(runs: pd.DataFrame, where: str) -> str:
    """How many runs failed, of how many, and why: each kind of error (its type, or the watchdog budget
    that stopped the run) with its count and its first message. Empty when every run finished."""
    if "status" not in runs.columns:
        return ""
    failed = runs[runs["status"] != "ok"]
    if failed.empty:
        return ""
    kinds: dict[str, list[str]] = {}
    for error in failed["error"].astype(str):
        kinds.setdefault(_failure_kind(error), []).append(error)
    reasons = "; ".join(f"{len(errors)} x {kind} (first: {errors[0]})" for kind, errors in kinds.items())
    return f"{len(failed)} of {len(runs)} run(s) failed: {reasons}; see the 'error' column of {where}"


def _failure_kind(error: str) -> str:
    """``RunStopped: no progress: ...`` -> ``RunStopped: no progress``; ``ValueError: ...`` -> ``ValueError``."""
    kind, _, rest = error.partition(": ")
    if kind == "RunStopped":
        budget = rest.split(" of ", 1)[0].split(":", 1)[0]
        return f"{kind}: {budget}"
    return kind
