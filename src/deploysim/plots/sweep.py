"""Sweep charts: a measure against one parameter, a heatmap over two, and sensitivity bars.

They take the tables of :mod:`deploysim.stats.sensitivity` (so what is drawn is what is written to CSV) and
return Figures built without pyplot, in the house style of :mod:`deploysim.plots.style`. Measures are
named as planners read them, with their units, from the registry in :mod:`deploysim.results.measures`;
parameters keep the dotted names the sweep was given (``recruitment.roster.size``), since that is what
the planner typed and will type again to change them.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from deploysim.plots._format import axis_label, compact, format_value, measure_formatter
from deploysim.plots._tables import require_columns
from deploysim.plots.style import (
    GRID_COLOUR,
    LABEL_SIZE,
    MAX_NAME_CHARS,
    MUTED_COLOUR,
    OKABE_ITO,
    TICK_SIZE,
    name_text,
    new_figure,
    place_legend,
    set_titles,
    style_axes,
)
from deploysim.results.measures import measure_label
from deploysim.results.readings import NOISY, NOISY_SHARE, NOT_LINEAR, linearity_warning

HEATMAP_CMAP = "cividis"  # perceptually uniform and readable with colour-vision deficiencies
LINE_COLOUR = OKABE_ITO["blue"]
S1_COLOUR = OKABE_ITO["sky_blue"]
ST_COLOUR = OKABE_ITO["blue"]
UP_COLOUR = OKABE_ITO["vermillion"]
DOWN_COLOUR = OKABE_ITO["blue"]
WIDTH = 7.5  # inches, of the level and heatmap charts
# Characters of a bold title that fit in one inch of figure width, with room for the axis labels.
TITLE_CHARS_PER_INCH = 8.0
SUBTITLE_CHARS_PER_INCH = 11.5  # of the muted subtitle, on charts whose axes start near the left edge
# Characters of a subtitle line on the sensitivity bars, whose axes start right of long parameter names.
BARS_SUBTITLE_CHARS = 84
DUMMY = "dummy"  # the inert factor of ``sweep --dummy``: no scenario field has this path


def measure_vs_parameter(levels: pd.DataFrame, title: str | None = None) -> Figure:
    """Estimate of a measure at each level of one parameter with its 95% CI as a band (numeric levels)
    or error bars (categories); ``levels`` is :func:`deploysim.stats.sensitivity.by_level` output
    (a table with ``mean`` instead of ``estimate`` is read the same way)."""
    value = "estimate" if "estimate" in levels.columns else "mean"
    require_columns(levels, ("parameter", "level", "measure", value, "ci_low", "ci_high", "n"), "by-level")
    parameter, measure = _path(levels["parameter"].iloc[0]), str(levels["measure"].iloc[0])
    fig, ax = new_figure(WIDTH, 4.6)
    mean = levels[value].to_numpy(dtype=float)
    low = levels["ci_low"].to_numpy(dtype=float)
    high = levels["ci_high"].to_numpy(dtype=float)
    numeric = pd.api.types.is_numeric_dtype(levels["level"]) and not pd.api.types.is_bool_dtype(levels["level"])
    if numeric:
        x = levels["level"].to_numpy(dtype=float)
        ax.fill_between(x, low, high, color=LINE_COLOUR, alpha=0.2, linewidth=0, label="95% confidence interval")
        ax.plot(x, mean, color=LINE_COLOUR, marker="o", linewidth=2.0, label="estimate")
        if np.all(np.mod(x, 1) == 0):  # a count such as a roster size has no level 2.5
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        x = np.arange(len(levels))
        yerr = np.vstack([mean - low, high - mean])
        ax.errorbar(x, mean, yerr=np.nan_to_num(yerr), color=LINE_COLOUR, marker="o", linestyle="none", capsize=4,
                    label="estimate with 95% confidence interval")
        ax.set_xticks(x, labels=[str(v) for v in levels["level"]])
    binned = bool(levels["binned"].iloc[0]) if "binned" in levels.columns else False
    ax.set_xlabel(parameter + (" (binned)" if binned else ""))
    ax.set_ylabel(axis_label(measure))
    ax.yaxis.set_major_formatter(measure_formatter(measure))
    runs = int(levels["n"].sum())
    estimator = str(levels["estimator"].iloc[0]) if "estimator" in levels.columns else "mean"
    subtitle = f"{estimator[:1].upper()}{estimator[1:]}; {runs} runs in {len(levels)} groups, pooled over the others"
    set_titles(ax, title or _by_title(measure_label(measure), parameter, WIDTH),
               textwrap.fill(subtitle, int(WIDTH * SUBTITLE_CHARS_PER_INCH)))
    place_legend(ax, where="best")
    return fig


def parameter_heatmap(table: pd.DataFrame, title: str | None = None) -> Figure:
    """Mean of a measure over two parameters (rows down, columns across), each cell labelled with its
    value; ``table`` is :func:`deploysim.analysis.heatmap_table` output."""
    if table.empty:
        raise ValueError("heatmap table has no cells to plot")
    measure = str(table.attrs.get("measure", "value"))
    values = table.to_numpy(dtype=float)
    fig, ax = new_figure(WIDTH, max(3.6, 1.6 + 0.5 * len(table.index)))
    style_axes(ax, grid=False)
    cmap = colormaps[HEATMAP_CMAP].with_extremes(bad=GRID_COLOUR)
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, aspect="auto", origin="lower")
    ax.set_xticks(np.arange(len(table.columns)), labels=[_tick(v) for v in table.columns])
    ax.set_yticks(np.arange(len(table.index)), labels=[_tick(v) for v in table.index])
    ax.set_xlabel(_path(table.columns.name))
    ax.set_ylabel(_path(table.index.name))
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            ax.text(j, i, format_value(measure, value), ha="center", va="center", fontsize=TICK_SIZE,
                    color="black" if value > middle else "white")
    colorbar = fig.colorbar(image, ax=ax, format=measure_formatter(measure), pad=0.02, aspect=25)
    colorbar.set_label(axis_label(measure), fontsize=LABEL_SIZE - 1)
    colorbar.ax.tick_params(labelsize=TICK_SIZE)
    colorbar.outline.set_visible(False)
    by = f"{_path(table.index.name)} and {_path(table.columns.name)}"
    set_titles(ax, title or _by_title(measure_label(measure), by, WIDTH),
               "Estimate over the runs in each cell; grey: no runs")
    return fig


def _by_title(subject: str, by: str, width: float) -> str:
    """The title "<measure> by <parameters>", broken before "by" where one line would run off the figure."""
    one_line = f"{subject} by {by}"
    return one_line if len(one_line) <= width * TITLE_CHARS_PER_INCH else f"{subject}\nby {by}"


def _tick(value: object) -> str:
    if isinstance(value, float):
        return compact(value) if abs(value) >= 1e4 else f"{value:,.3g}"
    return name_text(value)


def _path(parameter: object) -> str:
    """A swept field's dotted path, which may hold a team or role name, as chart text."""
    return name_text(parameter, 2 * MAX_NAME_CHARS)


def sensitivity_bars(indices: pd.DataFrame, title: str | None = None) -> Figure:
    """Horizontal bars, most influential parameter on top: S1 and ST with CIs for Sobol indices, or
    signed standardised regression coefficients with CIs; ``indices`` is from
    :func:`deploysim.stats.sensitivity.sensitivity` or ``analyse_measure``.

    Regression bars are grey, with the reason in the subtitle, when R^2 is below
    :data:`~deploysim.results.readings.LOW_R2`: a straight line then misdescribes the response, and
    a coloured bar would still read as a verdict. A ``noise_share`` column (from the analysis) is
    stated in the subtitle, with its warning when most of the indices is replication noise."""
    require_columns(indices, ("measure", "parameter", "method"), "sensitivity")
    measure = str(indices["measure"].iloc[0])
    sobol = indices["method"].iloc[0] == "sobol"
    key = indices["ST"] if sobol else indices["SRC"].abs()
    table = indices.assign(_key=key.to_numpy()).sort_values("_key", ascending=True)
    y = np.arange(len(table))
    fig, ax = new_figure(9.0, max(3.2, 2.0 + 0.45 * len(table)))
    ax.grid(True, axis="x", color=GRID_COLOUR)
    ax.grid(False, axis="y")
    if sobol:
        height = 0.38
        ax.barh(y + height / 2, table["ST"], height, xerr=table["ST_conf"], color=ST_COLOUR, capsize=3,
                label="total effect ST")
        ax.barh(y - height / 2, table["S1"], height, xerr=table["S1_conf"], color=S1_COLOUR, capsize=3,
                label="first-order S1")
        ax.set_xlabel("Sobol index")
        subtitle = "Share of variance; ST \u2212 S1 acts through interactions; whiskers: 95% CI"
    else:
        subtitle = _src_bars(ax, table, y)
    ax.set_yticks(y, labels=[f"{p} (inert)" if p == DUMMY else _path(p) for p in table["parameter"]])
    set_titles(ax, title or f"{measure_label(measure)}: what moves it", _wrapped(_with_noise(subtitle, table)))
    if sobol:
        place_legend(ax, where="below", ncols=2)
    return fig


def _src_bars(ax: Axes, table: pd.DataFrame, y: np.ndarray) -> str:
    """Signed SRC bars, grey when R^2 is low; returns the subtitle."""
    src = table["SRC"].to_numpy(dtype=float)
    err = np.vstack([src - table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float) - src])
    r2 = float(table["r2"].iloc[0]) if "r2" in table.columns else float("nan")
    warning = linearity_warning(r2)
    colours = [MUTED_COLOUR if warning else UP_COLOUR if v > 0 else DOWN_COLOUR for v in src]
    ax.barh(y, src, 0.6, xerr=np.nan_to_num(np.abs(err)), color=colours, capsize=3,
            alpha=0.5 if warning else 1.0)
    ax.axvline(0, color=MUTED_COLOUR, linewidth=0.8)
    ax.set_xlabel("standardised regression coefficient")
    if warning:
        return f"R\u00b2 = {r2:.2f}: {NOT_LINEAR}"
    return f"Positive: the measure rises with the parameter; 95% bootstrap CI; R\u00b2 = {r2:.2f}"


def _with_noise(subtitle: str, table: pd.DataFrame) -> str:
    """The subtitle with the measure's noise share, and its warning when above the threshold."""
    if "noise_share" not in table.columns or not np.isfinite(float(table["noise_share"].iloc[0])):
        return subtitle
    share = float(table["noise_share"].iloc[0])
    line = f"Replication noise: {share:.0%} of the variance of the point values"
    if share > NOISY_SHARE:
        line += f": {NOISY}"
    return f"{subtitle}\n{line}"


def _wrapped(subtitle: str) -> str:
    """Each line of the subtitle broken to fit the bars' axes, so a warning is read whole, not cut at the edge."""
    return "\n".join(textwrap.fill(line, BARS_SUBTITLE_CHARS) for line in subtitle.split("\n"))
