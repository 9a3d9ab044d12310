"""Team coverage by day: in what share of the runs each team met its minimum manning.

A team that does not exist yet (created by a later phase or expansion) or no longer exists (abolished,
or its mission closed) is greyed, never painted 0%: an absent team has not failed. At a few teams every
row is readable; at a hundred and fifty a planner needs the teams in trouble and the spread of the rest,
so above :data:`MAX_ROWS` teams the heatmap keeps the :data:`WORST_ROWS` teams with the lowest coverage
over the days they exist, and a panel beneath gives the median and 10-90% band across all teams by date.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection, QuadMesh
from matplotlib.colors import Colormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import PercentFormatter

from deploysim.plots._tables import (
    as_dates,
    replication_count,
    replications_phrase,
    require_columns,
    require_flags,
    scenario_name,
)
from deploysim.plots.style import (
    LABEL_SIZE,
    MUTED_COLOUR,
    OKABE_ITO,
    SHARE_CMAP,
    TICK_SIZE,
    format_date_axis,
    name_text,
    place_legend,
    set_titles,
    style_axes,
)

COVERAGE_LABEL = "share of replications operational"
NOT_EXISTING_LABEL = "team does not exist"
# Mid grey with white hatching: apart from every colour of the share map, in colour and in grey print.
NOT_EXISTING_COLOUR = "#9E9E9E"
NOT_EXISTING_HATCH = "////"
MAX_ROWS = 30
WORST_ROWS = 20
SPREAD = (0.1, 0.5, 0.9)
SPREAD_COLOUR = OKABE_ITO["blue"]
SPREAD_ALPHA = 0.22


def team_exists(teams: pd.DataFrame) -> pd.Series:
    """Per row, whether the team exists that day in that run: an ``active`` flag where the table has one,
    else authorised posts (a team not yet created, abolished or in a closed mission has none); a table
    with neither column is taken to have every team throughout."""
    if "active" in teams.columns:
        return teams["active"].astype(bool)
    if "authorised" in teams.columns:
        return pd.to_numeric(teams["authorised"], errors="coerce").fillna(0).gt(0)
    return pd.Series(True, index=teams.index)


def _team_order(teams: pd.Series) -> list[object]:
    """Teams in their categorical (scenario) order, else in order of first appearance."""
    present = pd.unique(teams.dropna())
    if isinstance(teams.dtype, pd.CategoricalDtype):
        seen = set(present)
        return [c for c in teams.cat.categories if c in seen]
    return list(present)


def coverage_share(teams: pd.DataFrame) -> pd.DataFrame:
    """Share of the runs in which a team exists that day in which it was operational, as a (team x date)
    frame in team order; NaN where the team exists in no run, so absence never reads as 0% coverage."""
    exists = team_exists(teams).to_numpy()
    frame = pd.DataFrame(
        {
            "team": teams["team"],
            "date": as_dates(teams["date"], "teams"),
            "operational": teams["operational"].astype(float).where(exists),
        }
    )
    share = frame.groupby(["team", "date"], observed=True, sort=False)["operational"].mean().unstack("date")
    return share.reindex(index=_team_order(teams["team"]), columns=np.sort(frame["date"].unique()))


def worst_teams(share: pd.DataFrame, count: int = WORST_ROWS) -> pd.DataFrame:
    """The ``count`` teams with the lowest mean coverage over the days they exist, worst first (ties in
    team order); teams that never exist are left out, having nothing to rank."""
    means = share.mean(axis=1, skipna=True).dropna()
    return share.loc[means.sort_values(kind="stable").index[:count]]


def _cell_edges(dates: np.ndarray) -> np.ndarray:
    """Edges halfway between consecutive dates, so each day's cell is centred on its date."""
    if len(dates) == 1:
        half = np.timedelta64(12, "h")
        return np.array([dates[0] - half, dates[0] + half])
    gaps = np.diff(dates)
    inner = dates[:-1] + gaps / 2
    return np.concatenate([[dates[0] - gaps[0] / 2], inner, [dates[-1] + gaps[-1] / 2]])


def _share_cmap() -> Colormap:
    """The share colour map, with the not-existing grey for cells that have no share."""
    return colormaps[SHARE_CMAP].with_extremes(bad=NOT_EXISTING_COLOUR)


def _hatch_absent(ax: Axes, absent: np.ndarray, edges: np.ndarray) -> int:
    """Hatch each row's stretches of days on which the team does not exist; returns the stretch count.

    The grey alone comes from the mesh's masked cells; the hatching makes it read as "nothing here" to a
    reader who cannot tell mid grey from a mid share.
    """
    x = mdates.date2num(edges)
    boxes = []
    for row, flags in enumerate(absent):
        padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
        starts, stops = np.flatnonzero(np.diff(padded) == 1), np.flatnonzero(np.diff(padded) == -1)
        boxes += [Rectangle((x[a], row - 0.5), x[b] - x[a], 1.0) for a, b in zip(starts, stops, strict=True)]
    if boxes:
        ax.add_collection(PatchCollection(boxes, facecolor="none", edgecolor="white", hatch=NOT_EXISTING_HATCH,
                                          linewidth=0, zorder=2, gid="not-existing"))
    return len(boxes)


def _draw_cells(ax: Axes, share: pd.DataFrame) -> tuple[QuadMesh, bool]:
    """The team x date mesh, rows top to bottom as given, greyed and hatched where the team does not exist.

    Returns the mesh (for the colour bar) and whether any cell is greyed.
    """
    dates = share.columns.to_numpy(dtype="datetime64[ns]")
    values = np.ma.masked_invalid(share.to_numpy(dtype=float))
    n_rows = len(share.index)
    edges = _cell_edges(dates)
    mesh = ax.pcolormesh(edges, np.arange(n_rows + 1) - 0.5, values, cmap=_share_cmap(), vmin=0.0, vmax=1.0,
                         shading="flat", rasterized=True)
    greyed = _hatch_absent(ax, np.ma.getmaskarray(values), edges) > 0
    start, end = mdates.date2num(edges[[0, -1]])
    ax.hlines(np.arange(n_rows - 1) + 0.5, start, end, colors="white", linewidth=1.5 if n_rows <= MAX_ROWS else 0.6)
    ax.set_xlim(start, end)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_yticks(np.arange(n_rows), labels=[name_text(t) for t in share.index])
    ax.tick_params(axis="y", length=0)
    means = share.mean(axis=1, skipna=True).to_numpy()
    right = ax.secondary_yaxis("right")
    right.set_yticks(np.arange(n_rows), labels=[f"{m:.0%}" if np.isfinite(m) else "n/a" for m in means])
    right.tick_params(length=0, labelsize=TICK_SIZE)
    right.spines["right"].set_visible(False)
    right.set_ylabel("mean over the days\nit exists", fontsize=LABEL_SIZE - 1, color=MUTED_COLOUR)
    return mesh, greyed


def _draw_spread(ax: Axes, share: pd.DataFrame) -> list[Line2D | Patch]:
    """Median and 10-90% band of coverage across the teams existing each day; returns legend handles."""
    dates = share.columns.to_numpy(dtype="datetime64[ns]")
    levels = share.quantile(list(SPREAD), axis=0)  # NaN cells (teams not existing) are skipped
    low, mid, high = (levels.loc[q].to_numpy(dtype=float) for q in SPREAD)
    ax.fill_between(dates, low, high, color=SPREAD_COLOUR, alpha=SPREAD_ALPHA, linewidth=0, gid="spread:band")
    (line,) = ax.plot(dates, mid, color=SPREAD_COLOUR, linewidth=2.0, gid="spread:median")
    ax.set_ylim(-0.03, 1.03)
    ax.set_yticks([0.0, 0.5, 1.0])
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_ylabel("coverage,\nall teams", fontsize=LABEL_SIZE - 1)
    return [line, Patch(facecolor=SPREAD_COLOUR, alpha=SPREAD_ALPHA, linewidth=0)]


def coverage_heatmap(teams: pd.DataFrame, title: str | None = None, max_rows: int = MAX_ROWS) -> Figure:
    """Heatmap of team coverage: rows are teams (scenario order), columns dates, colour the share of the
    runs in which the team exists that day in which it met its minimum manning; grey and hatched where
    it exists in no run. The right axis gives each team's mean over the days it exists.

    Above ``max_rows`` teams the rows would be too thin to read, so only the :data:`WORST_ROWS` teams
    with the lowest mean coverage are drawn, worst first, over a panel of the median and 10-90% band
    across all teams by date; the subtitle says so.

    ``teams`` is one scenario's team table, with or without a ``replication`` column. Raises ValueError
    if a needed column is missing or ``operational`` is not a 0/1 flag.
    """
    require_columns(teams, ("date", "team", "operational"), "teams")
    require_flags(teams, ("operational",), "teams")
    scenario = scenario_name(teams, "teams")
    n_reps = replication_count(teams, ["team", "date"])
    share = coverage_share(teams)
    n_teams = len(share.index)
    shown = worst_teams(share, WORST_ROWS) if n_teams > max_rows else share
    fig, ax, spread_ax = _heatmap_panels(len(shown.index), spread=shown is not share)
    mesh, greyed = _draw_cells(ax, shown)
    colorbar = fig.colorbar(mesh, ax=[ax] if spread_ax is None else [ax, spread_ax],
                            format=PercentFormatter(xmax=1.0, decimals=0), pad=0.02, aspect=25)
    colorbar.set_label(COVERAGE_LABEL, fontsize=LABEL_SIZE - 1)
    colorbar.ax.tick_params(labelsize=TICK_SIZE)
    colorbar.outline.set_visible(False)
    handles: list[Line2D | Patch] = []
    labels: list[str] = []
    if greyed:
        handles.append(Patch(facecolor=NOT_EXISTING_COLOUR, edgecolor="white", hatch=NOT_EXISTING_HATCH,
                             linewidth=0))
        labels.append(NOT_EXISTING_LABEL)
    subtitle = (f"Share of the runs in which each team exists that day ({replications_phrase(n_reps)}) in which"
                " it met its minimum manning")
    if spread_ax is not None:
        handles += _draw_spread(spread_ax, share)
        labels += ["median team (lower panel)", "10-90% of teams (lower panel)"]
        subtitle += (f"\nThe {len(shown.index)} of {n_teams} teams with the lowest coverage over the days they"
                     f" exist, worst first; lower panel: all {n_teams} teams")
    (spread_ax or ax).set_xlabel("date")
    format_date_axis(spread_ax or ax)
    heading = f"Team coverage{': ' + name_text(scenario) if scenario else ''}"
    set_titles(ax, title if title is not None else heading, subtitle)
    if handles:
        place_legend(ax, handles, labels, where="below", ncols=len(handles))
    return fig


def _heatmap_panels(n_rows: int, spread: bool) -> tuple[Figure, Axes, Axes | None]:
    """The heatmap, sized to its rows, over a panel of the spread across teams when rows were left out."""
    row_in = 0.3 if spread else 0.42 if n_rows <= MAX_ROWS else 0.2
    height = max(3.2, 1.9 + row_in * n_rows)
    fig = Figure(figsize=(10.0, height + (2.3 if spread else 0.0)), layout="constrained", facecolor="white")
    grid = fig.add_gridspec(2 if spread else 1, 1, height_ratios=[height, 2.0] if spread else [1.0])
    ax = fig.add_subplot(grid[0])
    style_axes(ax, grid=False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    if not spread:
        return fig, ax, None
    spread_ax = fig.add_subplot(grid[1], sharex=ax)
    style_axes(spread_ax)
    ax.tick_params(labelbottom=False)
    return fig, ax, spread_ax
