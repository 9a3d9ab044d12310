"""Staffing and team-coverage charts over calendar time, summarising many replications at once.

A planner needs the likely path and how sure we are, not one lucky run: the fan chart draws the median
of each series with the middle 50% and 90% of the runs still active shaded, over a strip giving the share
of runs active (see :mod:`deploysim.plots._fan`), with the median IOC and FOC dates marked; the heatmap
shows, team by team and day by day, in what share of replications the team met its minimum manning.
:mod:`deploysim.plots.outcomes` splits the fan by how each run ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import Colormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, PercentFormatter

from deploysim.plots._fan import annotate_last, band_keys, draw_fan, draw_share, fan_axes, strip_keys, style_strip
from deploysim.plots._tables import (
    active_share,
    as_dates,
    date_quantiles,
    drawdown_share,
    replication_count,
    replications_phrase,
    require_columns,
    require_flags,
    require_numeric,
    run_count,
    runs_phrase,
    scenario_name,
)
from deploysim.plots.style import (
    GRID_COLOUR,
    LABEL_SIZE,
    MUTED_COLOUR,
    OKABE_ITO,
    SHARE_CMAP,
    TEXT_COLOUR,
    TICK_SIZE,
    format_date_axis,
    new_figure,
    place_legend,
    set_titles,
    style_axes,
)

POST_SERIES = frozenset({"authorised", "filled", "present", "in_pipeline", "vacant"})
COVERAGE_LABEL = "share of replications operational"
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

    ax.set_ylabel("posts" if set(series) <= POST_SERIES else "number")
    (strip or ax).set_xlabel("date")
    ax.set_ylim(bottom=0)
    ax.set_xlim(dates[0], dates[-1])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    format_date_axis(strip or ax)
    subtitle = (f"Medians, 50% and 90% bands over the runs still active that day; strip: share of {runs_phrase(n_runs)}"
                " active" if by_active else f"Medians, 50% and 90% bands across {replications_phrase(n_runs)}")
    set_titles(ax, title if title is not None else f"Staffing{': ' + scenario if scenario else ' over time'}", subtitle)
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


def _team_order(teams: pd.Series) -> list[object]:
    """Teams in their categorical (scenario) order, else in order of first appearance."""
    present = pd.unique(teams.dropna())
    if isinstance(teams.dtype, pd.CategoricalDtype):
        seen = set(present)
        return [c for c in teams.cat.categories if c in seen]
    return list(present)


def coverage_share(teams: pd.DataFrame) -> pd.DataFrame:
    """Share of replications in which each team was operational, as a (team x date) frame in team order."""
    frame = pd.DataFrame(
        {
            "team": teams["team"],
            "date": as_dates(teams["date"], "teams"),
            "operational": teams["operational"].astype(float),
        }
    )
    share = frame.groupby(["team", "date"], observed=True, sort=False)["operational"].mean().unstack("date")
    return share.reindex(index=_team_order(teams["team"]), columns=np.sort(frame["date"].unique()))


def _cell_edges(dates: np.ndarray) -> np.ndarray:
    """Edges halfway between consecutive dates, so each day's cell is centred on its date."""
    if len(dates) == 1:
        half = np.timedelta64(12, "h")
        return np.array([dates[0] - half, dates[0] + half])
    gaps = np.diff(dates)
    inner = dates[:-1] + gaps / 2
    return np.concatenate([[dates[0] - gaps[0] / 2], inner, [dates[-1] + gaps[-1] / 2]])


def coverage_heatmap(teams: pd.DataFrame, title: str | None = None) -> Figure:
    """Heatmap of team coverage: rows are teams (scenario order), columns dates, colour the share of
    replications in which the team met minimum manning that day; the right axis gives each team's mean.

    ``teams`` is one scenario's team table, with or without a ``replication`` column. Raises ValueError
    if a needed column is missing or ``operational`` is not a 0/1 flag.
    """
    require_columns(teams, ("date", "team", "operational"), "teams")
    require_flags(teams, ("operational",), "teams")
    scenario = scenario_name(teams, "teams")
    n_reps = replication_count(teams, ["team", "date"])
    share = coverage_share(teams)
    dates = share.columns.to_numpy(dtype="datetime64[ns]")
    values = np.ma.masked_invalid(share.to_numpy(dtype=float))
    n_teams = len(share.index)

    fig, ax = new_figure(10.0, max(3.2, 1.7 + 0.42 * n_teams))
    style_axes(ax, grid=False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    cmap = _share_cmap()
    edges = _cell_edges(dates)
    mesh = ax.pcolormesh(
        edges,
        np.arange(n_teams + 1) - 0.5,
        values,
        cmap=cmap,
        vmin=0.0,
        vmax=1.0,
        shading="flat",
        rasterized=True,
    )
    start, end = mdates.date2num(edges[[0, -1]])
    ax.hlines(np.arange(n_teams - 1) + 0.5, start, end, colors="white", linewidth=1.5)
    ax.set_ylim(n_teams - 0.5, -0.5)
    ax.set_yticks(np.arange(n_teams), labels=[str(t) for t in share.index])
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("date")
    format_date_axis(ax)

    means = share.mean(axis=1, skipna=True).to_numpy()
    right = ax.secondary_yaxis("right")
    right.set_yticks(np.arange(n_teams), labels=[f"{m:.0%}" if np.isfinite(m) else "n/a" for m in means])
    right.tick_params(length=0, labelsize=TICK_SIZE)
    right.spines["right"].set_visible(False)
    right.set_ylabel("mean over period", fontsize=LABEL_SIZE - 1, color=MUTED_COLOUR)

    colorbar = fig.colorbar(mesh, ax=ax, format=PercentFormatter(xmax=1.0, decimals=0), pad=0.02, aspect=25)
    colorbar.set_label(COVERAGE_LABEL, fontsize=LABEL_SIZE - 1)
    colorbar.ax.tick_params(labelsize=TICK_SIZE)
    colorbar.outline.set_visible(False)
    set_titles(
        ax,
        title if title is not None else f"Team coverage{': ' + scenario if scenario else ''}",
        f"Share of {replications_phrase(n_reps)} in which each team met its minimum manning, by day",
    )
    return fig


def _share_cmap() -> Colormap:
    """The share colour map with a neutral colour for days a team has no data."""
    return colormaps[SHARE_CMAP].with_extremes(bad=GRID_COLOUR)
