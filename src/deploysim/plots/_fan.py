"""The pieces fan charts share: a fan over the runs still active, and the strip saying how many those are.

Once missions start to close, a fan over every run mixes the open missions' staffing with the closed
ones' zeros, and its median falls to zero when half the runs have closed although no open mission is
empty. Fans are therefore drawn over the runs still active each day, and a narrow strip beneath the
panel gives the share of runs still active, so the reader sees how many runs each day's band rests on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.gridspec import SubplotSpec
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from deploysim.plots._tables import FAN_QUANTILES
from deploysim.plots.style import (
    GRID_COLOUR,
    MUTED_COLOUR,
    OKABE_ITO,
    TICK_SIZE,
    series_colour,
    series_label,
    series_linestyle,
    style_axes,
)

BAND_90_ALPHA = 0.13
BAND_50_ALPHA = 0.30
# The authorised level is a decision, not an outcome: its band is hatched and edged, never filled like the
# outcome bands, so it cannot be mistaken for one where the two overlap.
AUTHORISED_HATCH = "///"
AUTHORISED_HATCH_COLOUR = "#AAAAAA"
AUTHORISED_HATCH_WIDTH = 0.6
AUTHORISED_EDGE = (0, (1.0, 1.5))
STRIP_RATIO = 0.24
STRIP_LABEL = "runs\nactive"
STRIP_FILL_ALPHA = 0.15
# Runs drawing down are active while their staff leave; the strip shades them apart so a dip has a cause.
DRAWDOWN_COLOUR = OKABE_ITO["yellow"]
DRAWDOWN_ALPHA = 0.7
DRAWDOWN_LABEL = "Strip: runs drawing down (mandate over)"


def fan_axes(fig: Figure, spec: SubplotSpec, sharex: Axes | None = None,
             sharey: Axes | None = None) -> tuple[Axes, Axes]:
    """A fan panel over its share-active strip in one grid cell, both on the same date axis."""
    inner = spec.subgridspec(2, 1, height_ratios=[1.0, STRIP_RATIO], hspace=0.0)
    main = fig.add_subplot(inner[0], sharex=sharex, sharey=sharey)
    strip = fig.add_subplot(inner[1], sharex=main)
    style_axes(main)
    style_axes(strip)
    main.tick_params(labelbottom=False)
    return main, strip


def draw_fan(ax: Axes, dates: np.ndarray, table: pd.DataFrame, name: str) -> None:
    """One series: its 90% and 50% bands under its median line, all in the series' own colour.

    ``table`` has columns (series, quantile) as :func:`~deploysim.plots._tables.date_quantiles` gives.
    The authorised level gets its median and its 90% band only, hatched, so the target reads as a range
    of decisions across runs (an expansion is approved in some runs, not in others), not as one certain line.
    """
    colour = series_colour(name)
    q = {level: table[(name, level)].to_numpy(dtype=float) for level in FAN_QUANTILES}
    if name == "authorised":
        band = ax.fill_between(dates, q[0.05], q[0.95], facecolor="none", edgecolor=AUTHORISED_HATCH_COLOUR,
                               hatch=AUTHORISED_HATCH, linewidth=0, zorder=1.2, gid="band90:authorised")
        band.set_hatch_linewidth(AUTHORISED_HATCH_WIDTH)
        for level in (0.05, 0.95):
            ax.plot(dates, q[level], color=colour, linestyle=AUTHORISED_EDGE, linewidth=0.9, alpha=0.7,
                    gid=f"edge{round(level * 100):02d}:authorised")
    else:
        ax.fill_between(dates, q[0.05], q[0.95], color=colour, alpha=BAND_90_ALPHA, linewidth=0,
                        gid=f"band90:{name}")
        ax.fill_between(dates, q[0.25], q[0.75], color=colour, alpha=BAND_50_ALPHA, linewidth=0,
                        gid=f"band50:{name}")
    ax.plot(dates, q[0.5], color=colour, linestyle=series_linestyle(name), linewidth=2.0,
            label=series_label(name), gid=f"median:{name}")


def band_keys(series: tuple[str, ...]) -> tuple[list[Artist | tuple[Artist, ...]], list[str]]:
    """Legend keys for the bands: one grey swatch per outcome band (they mean the same in every colour),
    and the hatched authorised band when it is drawn."""
    handles: list[Artist | tuple[Artist, ...]] = []
    labels: list[str] = []
    if "authorised" in series:
        handles.append((Patch(facecolor="none", edgecolor=AUTHORISED_HATCH_COLOUR, hatch=AUTHORISED_HATCH,
                              linewidth=0),
                        Line2D([], [], color=series_colour("authorised"), linestyle=AUTHORISED_EDGE, linewidth=0.9)))
        labels.append("Authorised: 90% band (hatched)")
    if any(name != "authorised" for name in series):
        # The 50% band is drawn over the 90% band, so its legend swatch shows the two alphas combined.
        handles += [Patch(facecolor=MUTED_COLOUR, alpha=BAND_50_ALPHA + 0.1, linewidth=0),
                    Patch(facecolor=MUTED_COLOUR, alpha=BAND_90_ALPHA, linewidth=0)]
        labels += ["50% band (25th\u201375th percentile)", "90% band (5th\u201395th percentile)"]
    return handles, labels


def draw_share(strip: Axes, share: pd.Series, colour: str, gid: str, fill: bool = True,
               drawing_down: pd.Series | None = None) -> Line2D:
    """The share of runs still active by date, as a line, filled beneath for a single scenario; with
    ``drawing_down``, the top of the fill that is runs whose mandate is over is shaded apart."""
    dates = share.index.to_numpy()
    values = share.to_numpy(dtype=float)
    if fill:
        lower = values if drawing_down is None else values - drawing_down.reindex(share.index).to_numpy(dtype=float)
        strip.fill_between(dates, 0.0, lower, color=colour, alpha=STRIP_FILL_ALPHA, linewidth=0, gid=f"{gid}:mandate")
        if drawing_down is not None:
            strip.fill_between(dates, lower, values, color=DRAWDOWN_COLOUR, alpha=DRAWDOWN_ALPHA, linewidth=0,
                               gid=f"{gid}:drawing-down")
    line: Line2D = strip.plot(dates, values, color=colour, linewidth=1.6, gid=gid)[0]
    return line


def strip_keys(drawing_down: bool) -> tuple[list[Artist | tuple[Artist, ...]], list[str]]:
    """The legend key for a strip's drawdown shading, if any was drawn (the strip's own label names the line)."""
    if not drawing_down:
        return [], []
    return [Patch(facecolor=DRAWDOWN_COLOUR, alpha=DRAWDOWN_ALPHA, linewidth=0)], [DRAWDOWN_LABEL]


def style_strip(strip: Axes, label: str = STRIP_LABEL) -> None:
    """0 to 100% on a strip too short for more than three ticks, with a rule at 50%, where a median
    starts to rest on fewer than half the runs."""
    strip.set_ylim(0.0, 1.08)
    strip.set_yticks([0.0, 0.5, 1.0])
    strip.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    strip.tick_params(axis="y", labelsize=TICK_SIZE - 1)
    strip.grid(False, axis="y")
    strip.axhline(0.5, color=GRID_COLOUR, linewidth=0.9, zorder=0)
    strip.set_ylabel(label, fontsize=TICK_SIZE, color=MUTED_COLOUR)


def annotate_last(strip: Axes, share: pd.Series, colour: str, runs: int) -> None:
    """Say at the right edge how many runs the last day's band rests on, on the side of the strip away
    from the line's last value so the two never overprint."""
    last = float(share.iloc[-1])
    high = last >= 0.5
    strip.annotate(f"last day: {last:.0%} ({round(last * runs)} of {runs})", xy=(1.0, 0.04 if high else 0.96),
                   xycoords="axes fraction", xytext=(-3, 0), textcoords="offset points", ha="right",
                   va="bottom" if high else "top", fontsize=TICK_SIZE - 1, color=colour, gid="share-active-last")
