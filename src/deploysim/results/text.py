"""Tables as plain text for the terminal, in the registry's words.

The CLI prints these; notebooks show the DataFrames themselves. Kept apart from the statistics so
that estimates stay pure numbers and their wording has one home.
"""

from __future__ import annotations

import pandas as pd

from deploysim.results.measures import measure_description


def format_summary(table: pd.DataFrame) -> str:
    """A plain-text table for the terminal."""
    lines = [f"{'measure':<24} {'mean':>14} {'95% CI':>31} {'n':>6}"]
    for row in table.itertuples(index=False):
        ci = "" if pd.isna(row.half_width) else f"[{row.ci_low:>13,.2f}, {row.ci_high:>13,.2f}]"
        mean = "never" if pd.isna(row.mean) else f"{row.mean:,.2f}"
        lines.append(f"{row.measure:<24} {mean:>14} {ci:>31} {row.n:>6}")
    return "\n".join(lines)


def _number(value: float) -> str:
    if pd.isna(value):
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if magnitude >= 10 else f"{value:,.3f}"


def _interval(low: float, high: float) -> str:
    return "" if pd.isna(low) or pd.isna(high) else f"[{_number(low)}, {_number(high)}]"


def format_comparison(table: pd.DataFrame, baseline: str, level: float = 0.95) -> str:
    """Plain text for the terminal: per measure, each scenario's mean and CI and its paired difference.

    A difference computed over fewer pairs than the scenario has replications (a measure undefined in
    some, e.g. FOC never reached) shows its own n.
    """
    pct = f"{level:.0%}"
    rows = []
    for row in table.itertuples(index=False):
        mean = "never" if pd.isna(row.mean) else _number(row.mean)
        if row.scenario == baseline:
            diff, diff_ci = "(baseline)", ""
        else:
            diff = _number(row.difference)
            diff_ci = _interval(row.diff_low, row.diff_high)
            if pd.notna(row.diff_n) and row.diff_n < row.n:
                diff_ci += f" n={int(row.diff_n)}"
            diff_ci += " *" if row.significant else ""
        rows.append((row.measure, str(row.scenario), mean, _interval(row.ci_low, row.ci_high), str(row.n), diff,
                     diff_ci))
    name_w = min(max([len(r[1]) for r in rows] + [8]), 40)
    widths = [max([len(r[k]) for r in rows] + [len(h)]) for k, h in
              ((2, "mean"), (3, pct + " CI"), (4, "n"), (5, "difference"))]
    lines = [f"{'':<{name_w + 2}} {'mean':>{widths[0]}} {pct + ' CI':^{widths[1]}} {'n':>{widths[2]}}   "
             f"{'difference':>{widths[3]}} {pct + ' CI of difference'}"]
    current = None
    for measure, name, mean, ci, n, diff, diff_ci in rows:
        if measure != current:
            current = measure
            lines.append(f"{measure}: {measure_description(str(measure))}")
        name = name if len(name) <= name_w else name[: name_w - 1] + "~"
        lines.append(f"  {name:<{name_w}} {mean:>{widths[0]}} {ci:>{widths[1]}} {n:>{widths[2]}}   "
                     f"{diff:>{widths[3]}} {diff_ci}".rstrip())
    lines.append(f"* the paired {pct} CI of the difference from the baseline excludes zero "
                 f"(common random numbers); baseline: {baseline}")
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
    lines.append(f"R^2 = {indices['r2'].iloc[0]:.2f} over {int(indices['n'].iloc[0])} runs")
    return "\n".join(lines)
