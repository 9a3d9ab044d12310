"""Staffing split by how each run ended: one fan per outcome class, on one calendar.

Runs of one scenario can end in very different ways (the host refuses consent, the mandate ends at a
review, the mission runs on and expands); a fan over all of them is a mixture that describes no run.
:func:`staffing_by_outcome` draws one small panel per class that occurs, titled with how many runs
ended that way, each with its own median and bands over its runs still active and its own strip of the
share of them active, so the reader sees each path and how often it happens.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from deploysim.plots._fan import (
    STRIP_LABEL,
    annotate_last,
    band_keys,
    draw_fan,
    draw_share,
    fan_axes,
    strip_keys,
    style_strip,
)
from deploysim.plots._format import compact_axis
from deploysim.plots._tables import (
    RUN_KEYS,
    active_share,
    as_dates,
    date_quantiles,
    drawdown_share,
    require_columns,
    require_flags,
    require_numeric,
    run_count,
    scenario_name,
)
from deploysim.plots.style import (
    MUTED_COLOUR,
    TEXT_COLOUR,
    TICK_SIZE,
    format_date_axis,
    place_legend,
    set_figure_titles,
)
from deploysim.results.outcomes import OUTCOMES

# Small panels hold two fans legibly; "present" follows "filled" closely and is in the main fan chart.
OUTCOME_SERIES: tuple[str, ...] = ("authorised", "filled")
PANEL_HEIGHT = 2.6
PANEL_WIDTH = 5.8
NO_DATA = "no-daily-rows"
SINGLE_WIDTH = 9.6  # one column of panels is as wide as the staffing fan, so the legend and subtitle fit


def staffing_by_outcome(
    daily: pd.DataFrame,
    runs: pd.DataFrame,
    title: str | None = None,
    series: Sequence[str] = OUTCOME_SERIES,
) -> Figure:
    """Small multiples of the staffing fan, one panel per outcome class that occurs, on a shared date axis.

    Each panel is titled "<class>: k of N runs", with the median and bands of its runs still active each
    day and a strip of the share of them active; panels share the staffing scale so their levels compare.
    ``runs`` gives each run's ``outcome`` (see :mod:`deploysim.results.outcomes`) by run identity
    (``replication``, and ``point``/``scenario`` where both tables have them); failed runs, which have no
    daily rows, get a panel saying so, so the counts add up to every run. Raises ValueError if a needed
    column is missing or a daily row belongs to no run in ``runs``.
    """
    series = (series,) if isinstance(series, str) else tuple(series)
    if not series:
        raise ValueError("staffing_by_outcome: give at least one series to plot")
    require_columns(daily, ("date", "replication", "mission_active", *series), "daily")
    require_numeric(daily, series, "daily")
    require_flags(daily, ("mission_active",), "daily")
    require_columns(runs, ("replication", "outcome"), "runs")
    scenario = scenario_name(daily, "daily")
    runs = _scenario_runs(runs, scenario)
    outcome = outcome_per_row(daily, runs)
    counts = outcome_counts(runs["outcome"])
    dates = np.sort(as_dates(daily["date"], "daily").unique())

    fig, panels = _panels(len(counts))
    drawdown = False
    for (name, count), (main, strip) in zip(counts.items(), panels, strict=True):
        main.set_title(f"{name}: {count} of {len(runs)} runs", loc="left", fontsize=TICK_SIZE + 1.5,
                       fontweight="bold", color=TEXT_COLOUR)
        rows = daily[(outcome == name).to_numpy()]
        if rows.empty:
            _no_daily_rows(main, strip)
        else:
            drawdown |= _draw_class(main, strip, rows, series, dates)
    _finish_axes(panels, dates)
    set_figure_titles(
        fig,
        title if title is not None else f"Staffing by outcome{': ' + scenario if scenario else ''}",
        "A panel per outcome: medians, 50% and 90% bands over its runs still active that day; strip: share of them "
        "active",
    )
    _legend([main for main, _ in panels], series, drawdown)
    return fig


def outcome_counts(outcomes: pd.Series) -> dict[str, int]:
    """Runs per outcome class, in the order of :data:`~deploysim.results.outcomes.OUTCOMES` (others after,
    as they appear), classes that do not occur left out."""
    counts = outcomes.astype(str).value_counts(sort=False)
    order = [c for c in OUTCOMES if c in counts.index] + [c for c in counts.index if c not in OUTCOMES]
    return {name: int(counts[name]) for name in order}


def outcome_per_row(daily: pd.DataFrame, runs: pd.DataFrame) -> pd.Series:
    """Each daily row's outcome class, looked up by run identity; raises ValueError on a row of no known run."""
    keys = [k for k in ("scenario", *RUN_KEYS) if k in daily.columns and k in runs.columns]
    left = daily[keys].astype({"scenario": str} if "scenario" in keys else {})
    right = runs[[*keys, "outcome"]].astype({"scenario": str} if "scenario" in keys else {})
    if right.duplicated(keys).any():
        raise ValueError(f"runs table: more than one row per run ({', '.join(keys)}); select one scenario's runs")
    found = left.merge(right, on=keys, how="left", validate="many_to_one")["outcome"]
    if found.isna().any():
        missing = left[found.isna().to_numpy()].drop_duplicates().head(3).to_dict("records")
        raise ValueError(f"daily table has runs the runs table does not (e.g. {missing}); pass the runs of the "
                         "same experiment")
    return pd.Series(found.astype(str).to_numpy(), index=daily.index, name="outcome")


def _scenario_runs(runs: pd.DataFrame, scenario: str | None) -> pd.DataFrame:
    """The runs of the daily table's scenario, so titles count that scenario's runs only."""
    if scenario is None or "scenario" not in runs.columns:
        return runs
    return runs[runs["scenario"].astype(str) == scenario]


def _panels(n: int) -> tuple[Figure, list[tuple[Axes, Axes]]]:
    """``n`` fan panels with strips, in one column up to three and two columns beyond, all on one date
    axis and one staffing scale."""
    ncols = 1 if n <= 3 else 2
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(SINGLE_WIDTH if ncols == 1 else PANEL_WIDTH * ncols, 1.9 + PANEL_HEIGHT * nrows),
                 layout="constrained", facecolor="white")
    grid = fig.add_gridspec(nrows, ncols)
    panels: list[tuple[Axes, Axes]] = []
    for i in range(n):
        first = panels[0][0] if panels else None
        panels.append(fan_axes(fig, grid[i // ncols, i % ncols], sharex=first, sharey=first))
    return fig, panels


def _draw_class(main: Axes, strip: Axes, rows: pd.DataFrame, series: tuple[str, ...], dates: np.ndarray) -> bool:
    """One class's fans over its active runs and its strip; returns whether any of its runs drew down."""
    table = date_quantiles(rows, series, active_only=True).reindex(pd.DatetimeIndex(dates, name="date"))
    for name in series:
        draw_fan(main, dates, table, name)
    n_runs = run_count(rows)
    share = active_share(rows, n_runs).reindex(pd.DatetimeIndex(dates, name="date"), fill_value=0.0)
    drawing_down = None
    if "mandate_active" in rows.columns:
        drawing_down = drawdown_share(rows, n_runs).reindex(share.index, fill_value=0.0)
    draw_share(strip, share, MUTED_COLOUR, "share-active", drawing_down=drawing_down)
    annotate_last(strip, share, TEXT_COLOUR, n_runs)
    return drawing_down is not None and bool((drawing_down > 0).any())


def _no_daily_rows(main: Axes, strip: Axes) -> None:
    """A class with runs but no daily rows (failed runs record none): say so rather than draw nothing."""
    main.text(0.5, 0.5, "no daily records: these runs failed", transform=main.transAxes, ha="center",
              va="center", fontsize=TICK_SIZE, color=MUTED_COLOUR)
    strip.set_gid(NO_DATA)


def _finish_axes(panels: list[tuple[Axes, Axes]], dates: np.ndarray) -> None:
    """Axis labels on the outer panels only: posts on the left column, dates under the last of each column.

    A panel without daily rows keeps its strip's date axis (it may be the one under its column) but no scale.
    """
    ncols = 1 if len(panels) <= 3 else 2
    for i, (main, strip) in enumerate(panels):
        left, bottom = i % ncols == 0, i + ncols >= len(panels)
        if strip.get_gid() == NO_DATA:
            strip.set_yticks([])
            strip.spines["left"].set_visible(False)
            strip.grid(False, axis="y")
        else:
            style_strip(strip, STRIP_LABEL if left else "")
        main.set_ylabel("posts" if left else "")
        strip.tick_params(labelbottom=bottom)
        if bottom:
            strip.set_xlabel("date")
    first = panels[0][0]
    first.set_ylim(bottom=0)
    first.set_xlim(dates[0], dates[-1])
    first.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    compact_axis(first.yaxis)
    format_date_axis(first)


def _legend(mains: list[Axes], series: tuple[str, ...], drawdown: bool) -> None:
    """One legend under all panels: the series, their bands, and the strip's drawdown shading if any."""
    ax = next((main for main in mains if main.get_lines()), mains[0])
    found, labels = ax.get_legend_handles_labels()
    bands, band_labels = band_keys(series)
    strip, strip_labels = strip_keys(drawdown)
    handles: list[Artist | tuple[Artist, ...]] = [*found, *bands, *strip]
    ncols = 3 if len(mains) > 3 or len(handles) > 4 else 2
    place_legend(ax, handles, [*labels, *band_labels, *strip_labels], where="below", ncols=ncols)
