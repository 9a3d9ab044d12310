"""The chart of a selection: every plan's objective against its probability of meeting the target.

It shows why the answer is the answer: plans left of the threshold were declared infeasible, plans
above the selected one were eliminated as dearer, and the selected plan is marked. Takes the plans
table of :mod:`deploysim.experiments.selection` (what is drawn is what is written to CSV).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from deploysim.plots._format import axis_label, measure_formatter
from deploysim.plots._tables import require_columns
from deploysim.plots.style import MUTED_COLOUR, OKABE_ITO, new_figure, place_legend, set_titles
from deploysim.results.measures import measure_label

VERDICT_STYLE: dict[str, tuple[str, str]] = {
    "selected": (OKABE_ITO["vermillion"], "*"),
    "feasible": (OKABE_ITO["bluish_green"], "o"),
    "eliminated": (OKABE_ITO["blue"], "o"),
    "infeasible": (MUTED_COLOUR, "x"),
    "undecided": (OKABE_ITO["orange"], "D"),
    "screened out": (MUTED_COLOUR, "."),  # by the search phase, on the first-stage estimates
}


def selection_chart(table: pd.DataFrame, objective: str, requirements: Sequence[str], currency: str | None = None,
                    selected: int | None = None, thresholds: Sequence[float] = (), tolerance: float = 0.0) -> Figure:
    """Objective (y) against P(first requirement) (x, with its Wilson interval) per plan, by verdict, the
    threshold dashed and its tolerance zone shaded; without requirements, the objective against the plan."""
    require_columns(table, ("plan", "verdict", objective), "plans")
    shown = table[table["verdict"] != "invalid"]
    fig, ax = new_figure(8.0, 5.0)
    x_name = requirements[0] if requirements else "plan"
    handles = []
    for verdict, (colour, marker) in VERDICT_STYLE.items():
        rows = shown[shown["verdict"] == verdict]
        if rows.empty:
            continue
        x = rows[x_name].to_numpy(float)
        y = rows[objective].to_numpy(float)
        if requirements:
            err = [x - rows[f"{x_name}_low"].to_numpy(float), rows[f"{x_name}_high"].to_numpy(float) - x]
            ax.errorbar(x, y, xerr=err, fmt="none", ecolor=colour, alpha=0.5, linewidth=1)
        size = 220 if verdict == "selected" else 36
        ax.scatter(x, y, s=size, marker=marker, color=colour, zorder=3, linewidths=1.2)
        handles.append(Line2D([], [], linestyle="", marker=marker, color=colour, markersize=9 if size > 100 else 6,
                              label=f"{verdict} ({len(rows)})"))
    for threshold in thresholds[:1]:
        ax.axvline(threshold, color=MUTED_COLOUR, linestyle="--", linewidth=1)
        if tolerance > 0:
            ax.axvspan(threshold - tolerance, threshold + tolerance, color=MUTED_COLOUR, alpha=0.12, linewidth=0)
    if selected is not None:
        row = shown[shown["plan"] == selected].iloc[0]
        ax.annotate(f"plan {selected}", (float(row[x_name]), float(row[objective])), xytext=(8, -14),
                    textcoords="offset points", fontsize=9.5, color=OKABE_ITO["vermillion"])
    if requirements:
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0))
        ax.set_xlabel(f"{x_name}, share of replications (bars: Wilson interval)")
    else:
        ax.set_xlabel("plan")
    ax.yaxis.set_major_formatter(measure_formatter(objective))
    ax.set_ylabel(axis_label(objective, currency))
    what = f"{measure_label(objective)} against {x_name}" if requirements else measure_label(objective)
    set_titles(ax, f"Choosing a plan: {what}",
               "one mark per plan; dashed: the required probability, shaded: its tolerance")
    place_legend(ax, handles, [str(h.get_label()) for h in handles], ncols=min(len(handles), 5))
    return fig
