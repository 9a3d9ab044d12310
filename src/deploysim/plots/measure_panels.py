"""Summary measures of several scenarios as small multiples: mean bars, and a forest of paired differences.

Measures have different units, so each gets a panel of its own with its own scale, titled in the
planner's words and with its unit on the axis, rather than being squeezed onto one meaningless common
axis. Scenario colours match :func:`deploysim.plots.compare.scenario_fans`: the order given, baseline first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from deploysim.plots._format import format_value, measure_formatter
from deploysim.plots._tables import require_columns, scenario_order
from deploysim.plots.style import (
    MUTED_COLOUR,
    TEXT_COLOUR,
    TICK_SIZE,
    name_text,
    new_figure,
    place_legend,
    scenario_colour,
    set_figure_titles,
    style_axes,
)
from deploysim.results.measures import KEY_MEASURES, measure_label, measure_unit


def measure_bars(
    summary: pd.DataFrame,
    measures: Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    title: str | None = None,
    currency: str | None = None,
) -> Figure:
    """One panel per measure: each scenario's mean as a bar with its 95% confidence interval.

    ``summary`` has columns scenario, measure, mean, ci_low, ci_high, n (as ``summary_table`` gives).
    A measure that no replication reached (e.g. FOC within the horizon) says so instead of a bar.
    """
    require_columns(summary, ("scenario", "measure", "estimate", "ci_low", "ci_high", "n"), "summary")
    names = scenario_order(summary, order)
    chosen = _measures(summary, measures)
    fig, axes = _panels(len(chosen), 3, 1.15 + 0.38 * len(names), 12.0)
    n_reps = int(summary["n"].max())
    for ax, measure in zip(axes, chosen, strict=True):
        rows = summary[summary["measure"] == measure].set_index("scenario").reindex(names)
        _start_panel(ax, measure, measure_unit(measure, currency), (len(names) - 0.4, -0.6))
        _draw_bars(ax, rows, names, measure, n_reps, currency)
    handles: list[Artist] = [Patch(facecolor=scenario_colour(i), alpha=0.85) for i in range(len(names))]
    handles.append(Line2D([], [], color="black", linewidth=1.2, marker="|", markersize=8))
    labels = [*(name_text(n) for n in names), "95% confidence interval of the mean"]
    place_legend(axes[0], handles, labels, where="below", ncols=2)
    set_figure_titles(fig, title or "Summary measures by scenario",
            f"Bars: mean over {n_reps} replications per scenario, with its 95% CI; n is shown where a measure "
            "is undefined in some replications")
    return fig


def _draw_bars(ax: Axes, rows: pd.DataFrame, names: Sequence[str], measure: str, n_reps: int,
               currency: str | None = None) -> None:
    """One measure's panel: a bar per scenario with its CI and value, or a note where it was never reached."""
    means = rows["estimate"].to_numpy(dtype=float)
    if np.isnan(means).all():
        _undefined(ax, "not reached in any replication")
        return
    for y, name in enumerate(names):
        row = rows.loc[name]
        if math.isnan(row["estimate"]):
            ax.text(0, y, " not reached", va="center", fontsize=TICK_SIZE, color=MUTED_COLOUR)
            continue
        ax.barh(y, row["estimate"], height=0.62, color=scenario_colour(y), alpha=0.85)
        if not math.isnan(row["ci_low"]):
            spread = [[row["estimate"] - row["ci_low"]], [row["ci_high"] - row["estimate"]]]
            ax.errorbar(row["estimate"], y, xerr=spread, fmt="none", ecolor="black", elinewidth=1.2, capsize=3)
        partial = "" if row["n"] >= n_reps else f" (n={int(row['n'])})"
        ax.annotate(f"{format_value(measure, row['estimate'], currency)}{partial}",
                    xy=(max(row["estimate"], row["ci_high"] if not math.isnan(row["ci_high"]) else row["estimate"]), y),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=TICK_SIZE - 0.5,
                    color=TEXT_COLOUR)
    ax.margins(x=0.18)
    if np.nanmin(means) >= 0:
        ax.set_xlim(left=0)
    _format_axis(ax, measure)


def difference_forest(
    differences: pd.DataFrame,
    measures: Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    title: str | None = None,
    currency: str | None = None,
    colour_offset: int = 1,
) -> Figure:
    """Forest plot of paired differences from the baseline: one panel per measure, zero line in each.

    ``differences`` has columns scenario, baseline, measure, difference, ci_low, ci_high, n,
    excludes_zero (as ``paired.difference_table`` gives). Filled markers: the 95% interval excludes
    zero; hollow: it does not. Scenario colours start at ``colour_offset`` so that, in a comparison,
    each scenario keeps the colour it has in the other charts (the baseline has colour 0).
    """
    require_columns(differences, ("scenario", "measure", "difference", "ci_low", "ci_high", "excludes_zero"),
                    "differences")
    names = scenario_order(differences, order)
    chosen = _measures(differences, measures)
    baseline = str(differences["baseline"].iloc[0]) if "baseline" in differences.columns else "the baseline"
    fig, axes = _panels(len(chosen), 2, 0.95 + 0.5 * len(names), 11.0)
    n_pairs = int(differences["n"].max()) if "n" in differences.columns else 0
    for ax, measure in zip(axes, chosen, strict=True):
        rows = differences[differences["measure"] == measure].set_index("scenario").reindex(names)
        _start_panel(ax, measure, f"difference, {measure_unit(measure, currency)}", (len(names) - 0.5, -0.5))
        ax.axvline(0.0, color="black", linewidth=1.0, zorder=1)
        _draw_differences(ax, rows, names, measure, n_pairs, colour_offset)
    handles: list[Artist] = [
        Line2D([], [], color=scenario_colour(i + colour_offset), linewidth=2.2) for i in range(len(names))
    ]
    labels = [f"{name_text(name)} minus {name_text(baseline)}" for name in names]
    handles += [
        Line2D([], [], marker="o", color=MUTED_COLOUR, markerfacecolor=MUTED_COLOUR, linestyle="none"),
        Line2D([], [], marker="o", color=MUTED_COLOUR, markerfacecolor="white", linestyle="none"),
    ]
    labels += ["95% CI excludes zero (a real difference)", "95% CI includes zero (could be noise)"]
    place_legend(axes[0], handles, labels, where="below", ncols=2)
    set_figure_titles(fig, title or f"Paired differences from {name_text(baseline)}",
            "Mean difference over replications run with common random numbers, and its 95% confidence interval")
    return fig


def _draw_differences(
    ax: Axes, rows: pd.DataFrame, names: Sequence[str], measure: str, n_pairs: int, colour_offset: int
) -> None:
    """One measure's panel: each scenario's difference with its CI, filled where the CI excludes zero.

    The x range always takes in zero, so a reader sees on which side of "no difference" each point lies.
    """
    if rows["difference"].isna().all():
        _undefined(ax, "not defined: measure never reached in both scenarios of a pair")
        return
    for y, name in enumerate(names):
        row = rows.loc[name]
        if math.isnan(row["difference"]):
            continue
        colour = scenario_colour(y + colour_offset)
        low, high = row["ci_low"], row["ci_high"]
        if not math.isnan(low):
            ax.hlines(y, low, high, color=colour, linewidth=2.2)
        significant = bool(row["excludes_zero"])
        ax.plot(row["difference"], y, marker="o", markersize=8, color=colour,
                markerfacecolor=colour if significant else "white", markeredgewidth=1.8, linestyle="none",
                gid=f"diff:{measure}:{name}")
        ax.annotate(_difference_label(measure, row, n_pairs), xy=(row["difference"], y), xytext=(0, 7),
                    textcoords="offset points", ha="center", va="bottom", fontsize=TICK_SIZE - 1,
                    color=TEXT_COLOUR)
    _format_axis(ax, measure)
    left, right = ax.get_xlim()
    pad = 0.08 * max(right - left, 1e-9)
    ax.set_xlim(min(left, -pad), max(right, pad))


def _difference_label(measure: str, row: pd.Series, n_pairs: int) -> str:
    """The difference as text; says so when no replication differed, and shows n when pairs are missing."""
    if row.get("half_width", math.nan) == 0.0 and row["difference"] == 0.0:
        return "identical in every replication"
    text = f"{'+' if row['difference'] > 0 else ''}{format_value(measure, row['difference'])}"
    n = row.get("n", n_pairs)
    return text if pd.isna(n) or n >= n_pairs else f"{text} (n={int(n)})"


def _measures(table: pd.DataFrame, measures: Sequence[str] | None) -> list[str]:
    """The measures to draw: those asked for (all must be in the table), else the key measures present."""
    present = list(pd.unique(table["measure"]))
    if measures is None:
        chosen = [m for m in KEY_MEASURES if m in present] or present
    else:
        unknown = [m for m in measures if m not in present]
        if unknown:
            raise ValueError(f"measure(s) {', '.join(unknown)} not in the table (it has {', '.join(present)})")
        chosen = list(measures)
    return chosen


def _panels(n: int, ncols: int, panel_height: float, width: float) -> tuple[Figure, list[Axes]]:
    """``n`` styled panels in rows of ``ncols``, the figure growing with the rows; spare cells removed."""
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, first = new_figure(width, 1.4 + panel_height * nrows)
    fig.delaxes(first)
    grid = fig.subplots(nrows, ncols, squeeze=False)
    axes = list(grid.flat)
    for ax in axes[n:]:
        fig.delaxes(ax)
    for ax in axes[:n]:
        style_axes(ax)
    return fig, axes[:n]


def _start_panel(ax: Axes, measure: str, xlabel: str, ylim: tuple[float, float]) -> None:
    """A panel's title (the measure in words), its unit on x, and one row per scenario, first on top."""
    ax.set_title(measure_label(measure), loc="left", fontsize=TICK_SIZE + 1, fontweight="bold", color=TEXT_COLOUR)
    ax.set_xlabel(xlabel)
    ax.set_yticks([])
    ax.set_ylim(*ylim)
    ax.grid(False, axis="y")


def _format_axis(ax: Axes, measure: str) -> None:
    ax.xaxis.set_major_formatter(measure_formatter(measure))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))


def _undefined(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=TICK_SIZE,
            color=MUTED_COLOUR)
    ax.set_xticks([])
