"""House style for deploysim figures, applied per figure so importing deploysim never changes rcParams.

Planners read these charts in print and on projectors, and some of them are colour-blind: colours come
from the Okabe-Ito palette, each daily series keeps one colour in every chart, and text is sized to be
read without zooming.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.dates as mdates
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Annotation

# Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision deficiencies.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

# One colour per daily series, the same in every chart, so a reader learns it once.
SERIES_COLOURS: dict[str, str] = {
    "authorised": OKABE_ITO["black"],
    "filled": OKABE_ITO["blue"],
    "present": OKABE_ITO["bluish_green"],
    "in_pipeline": OKABE_ITO["orange"],
    "vacant": OKABE_ITO["vermillion"],
    "teams_operational": OKABE_ITO["reddish_purple"],
    "mediators_certified": OKABE_ITO["sky_blue"],
    "incidents": OKABE_ITO["yellow"],
    "cost_to_date": OKABE_ITO["black"],
}

# Targets are dashed so they read as a ceiling rather than as an outcome.
SERIES_LINESTYLES: dict[str, str | tuple[float, tuple[float, float]]] = {"authorised": (0, (5.0, 2.5))}

# Words a planner uses, for legends; unknown series fall back to their column name.
SERIES_LABELS: dict[str, str] = {
    "authorised": "Authorised",
    "filled": "Filled",
    "present": "Present (not on leave)",
    "in_pipeline": "In recruitment pipeline",
    "vacant": "Vacant",
    "teams_operational": "Teams operational",
    "mediators_certified": "Mediators certified",
    "incidents": "Incidents",
    "cost_to_date": "Cost to date",
}

# Scenarios cycle through the palette, black last: it is reserved for targets such as "authorised".
SCENARIO_CYCLE: tuple[str, ...] = tuple(
    OKABE_ITO[k]
    for k in (
        "blue",
        "vermillion",
        "bluish_green",
        "orange",
        "reddish_purple",
        "sky_blue",
        "yellow",
        "black",
    )
)

# Colour scale for shares in [0, 1]: pale = never, dark = always; ColorBrewer rates YlGnBu colour-blind safe.
SHARE_CMAP = "YlGnBu"

TITLE_SIZE = 13.0
SUBTITLE_SIZE = 10.0
LABEL_SIZE = 11.0
TICK_SIZE = 9.5
LEGEND_SIZE = 9.5
GRID_COLOUR = "#DDDDDD"
TEXT_COLOUR = "#222222"
MUTED_COLOUR = "#555555"


MAX_NAME_CHARS = 60
"""Longest name (scenario, team, unit, role, phase) drawn in full; a longer one ends in an ellipsis."""


def name_text(name: object, limit: int = MAX_NAME_CHARS) -> str:
    """A name from a scenario file as chart text: drawn as written and at most ``limit`` characters.

    Matplotlib reads text between two ``$`` as mathematics, so ``$\\alpha$ team`` would be drawn as a
    Greek letter and ``$x^$`` would raise at drawing time; each ``$`` is escaped, which matplotlib
    draws as a plain dollar sign. A name of hundreds of characters would squeeze the plot to nothing,
    so it is cut at a word-independent ``limit`` with an ellipsis (names are unique well within 60).
    """
    text = str(name)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "\u2026"
    return text.replace("$", r"\$")


def series_colour(name: str) -> str:
    """Colour of a daily series; series without a fixed colour get a stable one from the scenario cycle."""
    if name in SERIES_COLOURS:
        return SERIES_COLOURS[name]
    return SCENARIO_CYCLE[sum(map(ord, name)) % len(SCENARIO_CYCLE)]


def series_label(name: str) -> str:
    """Legend text for a daily series."""
    return SERIES_LABELS.get(name, name.replace("_", " ").capitalize())


def series_linestyle(name: str) -> str | tuple[float, tuple[float, float]]:
    """Line style of a daily series: dashed for targets, solid for outcomes."""
    return SERIES_LINESTYLES.get(name, "-")


def scenario_colour(index: int) -> str:
    """Colour of the index-th scenario in a comparison; cycles so any number of scenarios get a colour."""
    return SCENARIO_CYCLE[index % len(SCENARIO_CYCLE)]


def style_axes(ax: Axes, grid: bool = True) -> None:
    """Trim spines, lighten the grid and size the text of one Axes, touching no global state."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED_COLOUR)
        ax.spines[side].set_linewidth(0.8)
        # Set the axis lines slightly apart so a series lying on zero stays visible above the spine.
        ax.spines[side].set_position(("outward", 4))
    ax.tick_params(labelsize=TICK_SIZE, colors=MUTED_COLOUR, labelcolor=TEXT_COLOUR, length=3)
    ax.xaxis.label.set_fontsize(LABEL_SIZE)
    ax.yaxis.label.set_fontsize(LABEL_SIZE)
    ax.xaxis.label.set_color(TEXT_COLOUR)
    ax.yaxis.label.set_color(TEXT_COLOUR)
    ax.set_axisbelow(True)
    if grid:
        ax.grid(True, color=GRID_COLOUR, linewidth=0.7)
    else:
        ax.grid(False)


def new_figure(width: float = 9.0, height: float = 5.0) -> tuple[Figure, Axes]:
    """A pyplot-free Figure with one styled Axes and constrained layout, so labels and legends never clip."""
    fig = Figure(figsize=(width, height), layout="constrained", facecolor="white")
    ax = fig.add_subplot()
    style_axes(ax)
    return fig, ax


def set_titles(ax: Axes, title: str, subtitle: str | None = None) -> None:
    """Left-aligned bold title with an optional muted subtitle saying what the chart shows; a subtitle of
    several lines (``\n``) pushes the title up by a line each."""
    pad = 8 + 12 * (subtitle.count("\n") + 1) if subtitle else 8
    ax.set_title(title, loc="left", fontsize=TITLE_SIZE, fontweight="bold", color=TEXT_COLOUR, pad=pad)
    if subtitle:
        # Offset in points, not in axes fractions, so a tall panel does not push the subtitle into the title.
        ax.annotate(
            subtitle,
            xy=(0.0, 1.0),
            xycoords="axes fraction",
            xytext=(0, 5),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=SUBTITLE_SIZE,
            color=MUTED_COLOUR,
        )


def set_figure_titles(fig: Figure, title: str, subtitle: str) -> None:
    """Bold figure title with a muted line under it saying what the marks are, for multi-panel figures.

    The title holds an empty second line so that constrained layout reserves room for the subtitle, which
    is then anchored to the bottom of the title block.
    """
    heading = fig.suptitle(f"{title}\n", x=0.01, ha="left", fontsize=TITLE_SIZE, fontweight="bold",
                           color=TEXT_COLOUR)
    line = Annotation(subtitle, xy=(0.0, 0.0), xycoords=heading, xytext=(0, 1), textcoords="offset points",
                      ha="left", va="bottom", fontsize=SUBTITLE_SIZE, color=MUTED_COLOUR)
    line.set_in_layout(False)
    fig.add_artist(line)


class _DatedConciseFormatter(mdates.ConciseDateFormatter):
    """A concise formatter whose first tick also names its year.

    Month ticks show the year only at January, so a chart running from September 2010 would
    otherwise never say "2010"; when the offset text already carries the year, nothing changes.
    """

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        labels = list(super().format_ticks(values))
        if labels and not self.get_offset():
            year = str(mdates.num2date(values[0]).year)
            if year not in labels[0]:
                labels[0] = f"{labels[0]}\n{year}"
        return labels


def format_date_axis(ax: Axes) -> None:
    """Calendar dates on x with a concise formatter: months once, the year where it changes and at the start."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(_DatedConciseFormatter(locator))
    ax.xaxis.get_offset_text().set_fontsize(TICK_SIZE)


def _row_major(items: list, ncols: int) -> list:
    """Reorder so matplotlib's column-major legend reads left to right, row by row."""
    return [item for column in range(ncols) for item in items[column::ncols]]


def place_legend(
    ax: Axes,
    handles: Sequence[Artist | tuple[Artist, ...]] | None = None,
    labels: Sequence[str] | None = None,
    where: str = "below",
    ncols: int | None = None,
) -> Legend:
    """Add a legend that does not cover data.

    ``where="below"`` puts it in rows under the x axis as a figure legend (constrained layout reserves the
    room, so it never overlaps tick labels), the safe default for dense time series; ``where="best"`` keeps
    it inside the axes with a translucent frame, for sparse charts. A tuple of artists is drawn as one
    overlaid key, e.g. a band's swatch with its edge line.
    """
    if handles is None or labels is None:
        found_handles, found_labels = ax.get_legend_handles_labels()
        handles = found_handles if handles is None else handles
        labels = found_labels if labels is None else labels
    fig = ax.get_figure()
    if where == "below" and fig is not None and fig.get_layout_engine() is not None:
        ncols = ncols or min(max(len(labels), 1), 3)
        handles, labels = _row_major(list(handles), ncols), _row_major(list(labels), ncols)
        return fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=ncols,
            frameon=False,
            fontsize=LEGEND_SIZE,
            handlelength=2.0,
            columnspacing=1.8,
        )
    if where not in ("below", "best"):
        raise ValueError(f"place_legend: where must be 'below' or 'best', not {where!r}")
    return ax.legend(handles, labels, loc="best", framealpha=0.85, fontsize=LEGEND_SIZE, ncols=ncols or 1)
