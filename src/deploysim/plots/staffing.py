"""Staffing and team-coverage charts over calendar time, summarising many replications at once.

A planner needs the likely path and how sure we are, not one lucky run: the fan chart draws the median
of each series with the middle 50% and 90% of the runs still active shaded, over a strip giving the share
of runs active (see :mod:`deploysim.plots._fan`), with the median IOC and FOC dates marked. The team
coverage heatmap is in :mod:`deploysim.plots.coverage` (re-exported here).
:mod:`deploysim.plots.outcomes` splits the fan by how each run ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from deploysim.plots._fan import annotate_last, band_keys, draw_fan, draw_share, fan_axes, strip_keys, style_strip
from deploysim.plots._format import compact_axis
from deploysim.plots._tables import (
    active_share,
    date_quantiles,
    drawdown_share,
    replications_phrase,
    require_columns,
    require_flags,
    require_numeric,
    run_count,
    runs_phrase,
    scenario_name,
)
from deploysim.plots.coverage import coverage_heatmap as coverage_heatmap  # re-exported: it was defined here
from deploysim.plots.coverage import coverage_share as coverage_share
from deploysim.plots.style import (
    MUTED_COLOUR,
    OKABE_ITO,
    TEXT_COLOUR,
    TICK_SIZE,
    format_date_axis,
    name_text,
    place_legend,
    set_titles,
    style_axes,
)

POST_SERIES = frozenset({"authorised", "filled", "present", "in_pipeline", "vacant"})
# Milestones are dash-dotted, unlike any series or band edge, in colours the default series do not use.
MILESTONE_COLOURS: tuple[str, ...] = tuple(OKABE_ITO[k] for k in ("vermillion", "reddish_purple", "orange", "sky_blue"))
MILESTONE_DASH = (0, (5.0, 1.8, 1.2, 1.8))
MEDIAN_MILESTONES: dict[str, str] = {"IOC": "ioc_day", "FOC": "foc_day"}
NOT_REACHED = "not reached in half the runs"


def staffing_fan(
    daily: pd.DataFrame,
    title: str | None = None,
    series: Sequence[str] = ("authorised", "filled", "present"),
    milestones: Mapping[str, dt.date | None] | None = None,
) -> Figure:
    """Fan chart of daily staffing series: median line with 50% and 90% bands across runs, by date.

    With a ``mission_active`` column the bands are over the runs whose mission is still active that day
    (a closed mission's zeros are not staffing), and a strip beneath gives the share of runs active, so
    the reader sees what each day's band rests on. Authorised strength gets its own median and hatched
    90% band: runs that expand have a higher target than runs that do not.

    ``milestones`` maps a label (``"IOC"``) to the milestone's median date, e.g. from
    :func:`median_milestones`; each is marked on the chart, and one whose median is None (NaN, NaT),
    because fewer than half the runs reach it, is said to be so in the legend instead.

    ``daily`` is one scenario's daily table, with or without a ``replication`` column (one replication
    gives bands of zero width). Raises ValueError if a needed column is missing.
    """
    series = (series,) if isinstance(series, str) else tuple(series)
    if not series:
        raise ValueError("staffing_fan: give at least one series to plot")
    require_columns(daily, ("date", *series), "daily")
    require_numeric(daily, series, "daily")
    by_active = "mission_active" in daily.columns
    if by_active:
        require_flags(daily, ("mission_active",), "daily")
    scenario = scenario_name(daily, "daily")
    n_runs = run_count(daily)
    table = date_quantiles(daily, series, active_only=by_active)
    dates = table.index.to_numpy()

    fig = Figure(figsize=(9.6, 6.3 if by_active else 5.2), layout="constrained", facecolor="white")
    ax, strip = _fan_panels(fig, by_active)
    for name in series:
        draw_fan(ax, dates, table, name)
    keys = _draw_strip(strip, daily, n_runs) if strip is not None else ([], [])
    marks = _mark_milestones(ax, strip, milestones or {}, (dates[0], dates[-1]))

    ax.set_ylabel("posts" if set(series) <= POST_SERIES else "cost to date" if series == ("cost_to_date",)
                  else "number")
    (strip or ax).set_xlabel("date")
    ax.set_ylim(bottom=0)
    ax.set_xlim(dates[0], dates[-1])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    compact_axis(ax.yaxis)
    format_date_axis(strip or ax)
    subtitle = (f"Medians, 50% and 90% bands over the runs still active that day; strip: share of {runs_phrase(n_runs)}"
                " active" if by_active else f"Medians, 50% and 90% bands across {replications_phrase(n_runs)}")
    heading = f"Staffing{': ' + name_text(scenario) if scenario else ' over time'}"
    set_titles(ax, title if title is not None else heading, subtitle)
    _fan_legend(ax, series, (keys[0] + marks[0], keys[1] + marks[1]))
    return fig


def _draw_strip(strip: Axes, daily: pd.DataFrame, n_runs: int) -> tuple[list[Artist | tuple[Artist, ...]], list[str]]:
    """The share of runs active, its drawing-down part shaded where the table says; returns legend keys."""
    share = active_share(daily, n_runs)
    drawing_down = drawdown_share(daily, n_runs) if "mandate_active" in daily.columns else None
    draw_share(strip, share, MUTED_COLOUR, "share-active", drawing_down=drawing_down)
    style_strip(strip)
    annotate_last(strip, share, TEXT_COLOUR, n_runs)
    return strip_keys(drawing_down is not None and bool((drawing_down > 0).any()))


def _fan_panels(fig: Figure, with_strip: bool) -> tuple[Axes, Axes | None]:
    """The fan panel, over a share-active strip when the table says which runs are active."""
    if with_strip:
        return fan_axes(fig, fig.add_gridspec(1, 1)[0])
    ax = fig.add_subplot()
    style_axes(ax)
    return ax, None


def _fan_legend(
    ax: Axes, series: tuple[str, ...], extra: tuple[list[Artist | tuple[Artist, ...]], list[str]]
) -> None:
    """Series lines, then the band keys, then the milestones, in rows under the chart."""
    found, labels = ax.get_legend_handles_labels()
    bands, band_labels = band_keys(series)
    handles: list[Artist | tuple[Artist, ...]] = [*found, *bands, *extra[0]]
    labels = [*labels, *band_labels, *extra[1]]
    place_legend(ax, handles, labels, where="below", ncols=min(max(len(series), 2), 4))


def _as_timestamp(value: object) -> pd.Timestamp | None:
    """A date from a summary cell, or None for a milestone not reached (None, NaN or NaT)."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    return pd.Timestamp(value)


def _mark_milestones(
    ax: Axes, strip: Axes | None, milestones: Mapping[str, object], span: tuple[np.datetime64, np.datetime64]
) -> tuple[list[Artist | tuple[Artist, ...]], list[str]]:
    """A dash-dotted line per milestone at its median date, dated at the top of the panel; returns legend
    entries, which for a milestone not reached by half the runs (or dated off the chart) say so instead."""
    handles: list[Artist | tuple[Artist, ...]] = []
    labels: list[str] = []
    first, last = pd.Timestamp(span[0]), pd.Timestamp(span[1])
    drawn = 0
    for i, (label, value) in enumerate(milestones.items()):
        when = _as_timestamp(value)
        if when is None or not first <= when <= last:
            handles.append(Line2D([], [], linestyle="none"))
            labels.append(f"Median {label}: {NOT_REACHED if when is None else f'{when:%d %b %Y}, off the chart'}")
            continue
        colour = MILESTONE_COLOURS[i % len(MILESTONE_COLOURS)]
        ax.axvline(when, color=colour, linestyle=MILESTONE_DASH, linewidth=1.5, zorder=1.8, gid=f"milestone:{label}")
        if strip is not None:
            strip.axvline(when, color=colour, linestyle=MILESTONE_DASH, linewidth=1.2, zorder=1.8)
        ax.annotate(f"median {label}\n{when:%d %b %Y}", xy=(when, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -3 - 26 * drawn), textcoords="offset points", ha="left", va="top",
                    fontsize=TICK_SIZE - 0.5, color=colour, fontweight="bold", gid=f"milestone-date:{label}",
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        drawn += 1
        handles.append(Line2D([], [], color=colour, linestyle=MILESTONE_DASH, linewidth=1.5))
        labels.append(f"Median {label}: {when:%d %b %Y}")
    return handles, labels


def median_milestones(
    summary: pd.DataFrame, measures: Mapping[str, str] = MEDIAN_MILESTONES
) -> dict[str, dt.date | None]:
    """Each milestone's median date from a summary table, by label, for :func:`staffing_fan`.

    The summary's ``median_date`` is the Kaplan-Meier median, which counts runs that never reach the
    milestone instead of dropping them; it is None where fewer than half the runs reach it, and so is the
    value here. Measures the table lacks are left out. ``summary`` must hold one scenario.
    """
    require_columns(summary, ("measure", "median_date"), "summary")
    scenario_name(summary, "summary")
    dates: dict[str, dt.date | None] = {}
    for label, measure in measures.items():
        cells = summary.loc[summary["measure"] == measure, "median_date"]
        if cells.empty:
            continue
        when = _as_timestamp(cells.iloc[0])
        dates[label] = None if when is None else when.date()
    return dates
