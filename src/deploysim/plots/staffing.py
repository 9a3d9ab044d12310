"""Staffing and team-coverage charts over calendar time, summarising many replications at once.

A planner needs the likely path and how sure we are, not one lucky run: the fan chart draws the median
of each series with the middle 50% and 90% of replications shaded; the heatmap shows, team by team and
day by day, in what share of replications the team met its minimum manning.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import Colormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from deploysim.plots._tables import (
    FAN_QUANTILES,
    as_dates,
    date_quantiles,
    replication_count,
    replications_phrase,
    require_columns,
    require_flags,
    require_numeric,
    scenario_name,
)
from deploysim.plots.style import (
    GRID_COLOUR,
    LABEL_SIZE,
    MUTED_COLOUR,
    SHARE_CMAP,
    TICK_SIZE,
    format_date_axis,
    new_figure,
    place_legend,
    series_colour,
    series_label,
    series_linestyle,
    set_titles,
    style_axes,
)

BAND_90_ALPHA = 0.13
BAND_50_ALPHA = 0.30
POST_SERIES = frozenset({"authorised", "filled", "present", "in_pipeline", "vacant"})
COVERAGE_LABEL = "share of replications operational"


def staffing_fan(
    daily: pd.DataFrame,
    title: str | None = None,
    series: Sequence[str] = ("authorised", "filled", "present"),
) -> Figure:
    """Fan chart of daily staffing series: median line, 50% and 90% bands across replications, by date.

    ``daily`` is one scenario's daily table, with or without a ``replication`` column (one replication
    gives bands of zero width). Raises ValueError if a needed column is missing.
    """
    series = (series,) if isinstance(series, str) else tuple(series)
    if not series:
        raise ValueError("staffing_fan: give at least one series to plot")
    require_columns(daily, ("date", *series), "daily")
    require_numeric(daily, series, "daily")
    scenario = scenario_name(daily, "daily")
    n_reps = replication_count(daily, ["date"])
    table = date_quantiles(daily, series)
    dates = table.index.to_numpy()

    fig, ax = new_figure(9.0, 5.2)
    for name in series:
        _draw_fan(ax, dates, table, name)
    if "mandate_active" in daily.columns:
        _mark_mandate_end(ax, daily)

    ax.set_ylabel("posts" if set(series) <= POST_SERIES else "number")
    ax.set_xlabel("date")
    ax.set_ylim(bottom=0)
    ax.set_xlim(dates[0], dates[-1])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    format_date_axis(ax)
    set_titles(
        ax,
        title if title is not None else f"Staffing{': ' + scenario if scenario else ' over time'}",
        f"Lines: median across {replications_phrase(n_reps)}; shading: middle 50% and 90% of replications",
    )
    _fan_legend(ax, len(series))
    return fig


def _draw_fan(ax: Axes, dates: np.ndarray, table: pd.DataFrame, name: str) -> None:
    """One series: its 90% and 50% bands under its median line, all in the series' own colour."""
    colour = series_colour(name)
    q = {level: table[(name, level)].to_numpy() for level in FAN_QUANTILES}
    if name != "authorised":  # the target is a decision, not an outcome: its spread only clutters
        ax.fill_between(dates, q[0.05], q[0.95], color=colour, alpha=BAND_90_ALPHA, linewidth=0)
        ax.fill_between(dates, q[0.25], q[0.75], color=colour, alpha=BAND_50_ALPHA, linewidth=0)
    ax.plot(
        dates,
        q[0.5],
        color=colour,
        linestyle=series_linestyle(name),
        linewidth=2.0,
        label=series_label(name),
        gid=f"median:{name}",
    )


def _fan_legend(ax: Axes, n_series: int) -> None:
    """Series lines, then one grey swatch per band: the bands mean the same in every colour."""
    handles: list[Artist]
    handles, labels = ax.get_legend_handles_labels()
    # The 50% band is drawn over the 90% band, so its legend swatch shows the two alphas combined.
    handles += [
        Patch(facecolor=MUTED_COLOUR, alpha=BAND_50_ALPHA + 0.1, linewidth=0),
        Patch(facecolor=MUTED_COLOUR, alpha=BAND_90_ALPHA, linewidth=0),
    ]
    labels += ["50% band (25th\u201375th percentile)", "90% band (5th\u201395th percentile)"]
    place_legend(ax, handles, labels, where="below", ncols=min(max(n_series, 2), 4))


def _mark_mandate_end(ax: Axes, daily: pd.DataFrame) -> None:
    """Dotted line where the mandate has ended in most replications: it explains the drop to zero."""
    active = daily.assign(date=as_dates(daily["date"], "daily")).groupby("date", sort=True)["mandate_active"]
    share_active = active.mean().astype(float)
    was_active = share_active.cummax() >= 0.5
    ended = share_active.index[was_active & (share_active < 0.5)]
    if len(ended) == 0:
        return
    ax.axvline(ended[0], color=MUTED_COLOUR, linestyle=":", linewidth=1.2, zorder=1)
    ax.annotate(
        "mandate over in half the runs",
        xy=(ended[0], 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(4, -4),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=TICK_SIZE,
        color=MUTED_COLOUR,
    )


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
