"""Scenarios side by side on one calendar: overlaid fan charts of a daily series, with each mandate's end.

A planner compares options by eye before reading numbers, so every scenario keeps one colour (in the
order given, the baseline first, as in :mod:`deploysim.plots.measure_panels`), the chart says what the
lines and bands are, and the scenarios must share a start date: one calendar axis is the point. As in
:func:`~deploysim.plots.staffing.staffing_fan`, the bands are over the runs still active each day, with a
strip of each scenario's share of runs active beneath.
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
from matplotlib.ticker import FuncFormatter, MaxNLocator

from deploysim.plots._fan import draw_share, fan_axes, style_strip
from deploysim.plots._format import compact
from deploysim.plots._tables import (
    active_share,
    date_quantiles,
    replications_phrase,
    require_columns,
    require_flags,
    run_count,
    runs_phrase,
    scenario_order,
)
from deploysim.plots.style import (
    MUTED_COLOUR,
    TICK_SIZE,
    format_date_axis,
    name_text,
    place_legend,
    scenario_colour,
    series_label,
    set_figure_titles,
    set_titles,
    style_axes,
)

SERIES_UNITS: dict[str, str] = {
    "teams_operational": "teams",
    "mediators_certified": "mediators",
    "incidents": "incidents per day",
    "cost_to_date": "cost to date",
}
# Series measured against the authorised level, which is then drawn as their ceiling.
AUTHORISED_SERIES = frozenset({"filled", "present", "vacant"})

BASELINE_GREY = "#8C8C8C"
BASELINE_BAND_GREY = "#BDBDBD"
GRID_COLUMNS = 3
BAND_ALPHA = 0.10
EDGE_ALPHA = 0.8
AUTHORISED_DASH = (0, (5.0, 2.5))
END_DASH = (0, (2.5, 2.5))


def check_same_start(daily: pd.DataFrame, order: Sequence[str] | None = None) -> None:
    """Raise ValueError unless every scenario's first day is the same date: one calendar axis needs it."""
    starts = pd.to_datetime(daily["date"]).groupby(daily["scenario"], sort=False).min()
    if order is not None:
        starts = starts.reindex(list(order))
    if starts.nunique() > 1:
        listed = ", ".join(f"{name}: {date:%Y-%m-%d}" for name, date in starts.items())
        raise ValueError(f"scenarios start on different dates ({listed}); give them the same start_date to "
                         "compare them on one calendar axis")


def mandate_end_days(daily: pd.DataFrame) -> pd.Series:
    """Per replication, the first day the mandate is inactive after having been active (NaN if never)."""
    frame = daily[["replication", "day", "mandate_active"]].sort_values(["replication", "day"])
    active = frame["mandate_active"].astype(bool)
    started = active.groupby(frame["replication"]).cummax()
    ended = frame[started & ~active]
    first = ended.groupby("replication")["day"].min().astype(float)
    return first.reindex(pd.unique(frame["replication"]))


def median_mandate_end(daily: pd.DataFrame) -> float:
    """Median end day over replications, counting 'never ended' as later than any day; NaN if most never end."""
    ends = mandate_end_days(daily).to_numpy(dtype=float)
    if ends.size == 0:
        return math.nan
    ends = np.where(np.isnan(ends), np.inf, ends)
    median = float(np.quantile(ends, 0.5, method="lower"))
    return median if math.isfinite(median) else math.nan


def _with_day(daily: pd.DataFrame) -> pd.DataFrame:
    if "day" in daily.columns:
        return daily
    dates = pd.to_datetime(daily["date"])
    return daily.assign(day=(dates - dates.groupby(daily["scenario"]).transform("min")).dt.days)


def scenario_fans(
    daily: pd.DataFrame,
    series: str = "filled",
    order: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Overlaid fan charts of one daily series, one colour per scenario, on one calendar axis.

    Each scenario gets its median (thick line) and middle 50% of replications (thin lines, light
    shading: outer bands of several scenarios would bury each other; ``staffing_fan`` draws one
    scenario's 90% band), with a dotted marker where its mandate ends in the median replication.
    With a ``mission_active`` column the quantiles are over each scenario's runs still active that
    day (a closed mission's zeros would drag the median to zero), and a strip beneath gives each
    scenario's share of runs active. The authorised level (its median) is dashed: once in black if
    every scenario shares it. Raises ValueError if the scenarios start on different dates.
    """
    require_columns(daily, ("scenario", "date", series), "daily")
    names = scenario_order(daily, order)
    daily = daily[daily["scenario"].isin(names)]
    check_same_start(daily, names)
    by_active = "mission_active" in daily.columns
    if by_active:
        require_flags(daily, ("mission_active",), "daily")
    fig = Figure(figsize=(9.5, 6.8 if by_active else 5.6), layout="constrained", facecolor="white")
    ax, strip = fan_axes(fig, fig.add_gridspec(1, 1)[0]) if by_active else _single_axes(fig)
    authorised = _authorised_medians(daily, names) if series in AUTHORISED_SERIES else {}
    shared = _shared(authorised)
    if shared is not None:
        ax.plot(shared.index, shared.to_numpy(), color="black", linestyle=AUTHORISED_DASH, linewidth=1.3,
                gid="authorised")
    handles, ends = _draw_scenarios(ax, strip, daily, series, names, authorised if shared is None else {})
    _mark_ends(ax, ends, names)
    keys, notes = _key_entries(shared is not None, bool(authorised), bool(ends))
    ax.set_ylabel(SERIES_UNITS.get(series, "posts"))
    (strip or ax).set_xlabel("date")
    ax.set_ylim(bottom=0)
    _value_axis(ax, series)
    format_date_axis(strip or ax)
    n_reps = max(run_count(daily[daily["scenario"] == name]) for name in names)
    subtitle = (f"Medians (thick) and middle 50% (shaded) of the runs still active each day; strip: share of "
                f"{runs_phrase(n_reps)} active" if by_active
                else f"Medians (thick) and middle 50% (shaded) of {replications_phrase(n_reps)}")
    set_titles(ax, title or f"{series_label(series)}: {len(names)} scenarios compared", f"{subtitle} per scenario")
    place_legend(ax, [*handles, *keys], [*(name_text(n) for n in names), *notes], where="below", ncols=2)
    return fig


def _single_axes(fig: Figure) -> tuple[Axes, None]:
    """One panel and no strip, for a table that does not say which runs are active."""
    ax = fig.add_subplot()
    style_axes(ax)
    return ax, None


def _draw_scenarios(
    ax: Axes, strip: Axes | None, daily: pd.DataFrame, series: str, names: Sequence[str],
    authorised: dict[str, pd.Series],
) -> tuple[list[Artist | tuple[Artist, ...]], dict[pd.Timestamp, list[int]]]:
    """Each scenario's fan, its own authorised line where given, and its share of runs active on the strip.

    Returns the median lines for the legend and the scenarios by the date their mandate ends.
    """
    handles: list[Artist | tuple[Artist, ...]] = []
    ends: dict[pd.Timestamp, list[int]] = {}
    for i, name in enumerate(names):
        frame = daily[daily["scenario"] == name]
        colour = scenario_colour(i)
        handles.append(_draw_scenario_fan(ax, frame, series, colour, name))
        if name in authorised:
            # interleaved dashes: where several scenarios share the authorised level, every colour shows
            ax.plot(authorised[name].index, authorised[name].to_numpy(), color=colour, linewidth=1.2,
                    linestyle=_interleaved(i, len(names), 4.0), gid=f"authorised:{name}")
        if strip is not None:
            draw_share(strip, active_share(frame), colour, f"share-active:{name}", fill=False)
        end = _median_end_date(frame)
        if end is not None:
            ends.setdefault(end, []).append(i)
    if strip is not None:
        style_strip(strip)
    return handles, ends


def _draw_scenario_fan(ax: Axes, frame: pd.DataFrame, series: str, colour: str, name: str) -> Artist:
    """One scenario's middle 50% (shaded, edged with thin lines) under its median; returns the median line."""
    q = date_quantiles(frame, [series], (0.25, 0.5, 0.75), active_only="mission_active" in frame.columns)[series]
    dates = q.index.to_numpy()
    ax.fill_between(dates, q[0.25], q[0.75], color=colour, alpha=BAND_ALPHA, linewidth=0)
    for edge in (0.25, 0.75):
        ax.plot(dates, q[edge], color=colour, linewidth=0.8, alpha=EDGE_ALPHA)
    median: Artist = ax.plot(dates, q[0.5], color=colour, linewidth=2.2, gid=f"median:{name}")[0]
    return median


def _median_end_date(frame: pd.DataFrame) -> pd.Timestamp | None:
    """The calendar date one scenario's mandate ends in its median replication, if it ends in most."""
    if "mandate_active" not in frame.columns or "replication" not in frame.columns:
        return None
    end = median_mandate_end(_with_day(frame))
    if math.isnan(end):
        return None
    return pd.to_datetime(frame["date"]).min() + pd.Timedelta(days=end)


def _key_entries(
    shared: bool, authorised: bool, ends: bool
) -> tuple[list[Artist | tuple[Artist, ...]], list[str]]:
    """Legend entries that explain the marks common to every scenario, after the scenarios' own."""
    handles: list[Artist | tuple[Artist, ...]] = []
    labels: list[str] = []
    if shared:
        handles.append(Line2D([], [], color="black", linestyle=AUTHORISED_DASH, linewidth=1.3))
        labels.append("Authorised, median (all scenarios)")
    elif authorised:
        handles.append(Line2D([], [], color=MUTED_COLOUR, linestyle=AUTHORISED_DASH, linewidth=1.2))
        labels.append("Authorised, median (dashed, in each scenario's colour)")
    if ends:
        handles.append(Line2D([], [], color=MUTED_COLOUR, linestyle=END_DASH, linewidth=1.6))
        labels.append("Mandate end, median replication (dotted, in each scenario's colour)")
    handles.append((Patch(facecolor=MUTED_COLOUR, alpha=BAND_ALPHA + 0.1, linewidth=0),
                    Line2D([], [], color=MUTED_COLOUR, linewidth=0.8)))
    labels.append("middle 50% (25th to 75th percentile)")
    return handles, labels


def _interleaved(index: int, count: int, segment: float) -> tuple[float, tuple[float, float]]:
    """Dash pattern ``index`` of ``count``: on coinciding lines the dashes alternate, so every colour shows."""
    period = 2 * segment * count
    return (2 * segment * index, (segment, period - segment))


def _mark_ends(ax: Axes, ends: dict[pd.Timestamp, list[int]], names: Sequence[str]) -> None:
    """A dotted line per scenario where its mandate ends in the median replication, dated on the chart.

    Scenarios ending on the same day share one line of interleaved dashes; dates of different ends are
    staggered so that close ones do not overprint.
    """
    for k, (when, which) in enumerate(sorted(ends.items())):
        for j, i in enumerate(which):
            ax.axvline(when, color=scenario_colour(i), linestyle=_interleaved(j, len(which), 2.5), linewidth=1.6,
                       zorder=1, gid=f"mandate-end:{names[i]}")
        colour = scenario_colour(which[0]) if len(which) == 1 else MUTED_COLOUR
        ax.annotate(f"{when:%d %b %Y}", xy=(when, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -3 - 13 * k),
                    textcoords="offset points", ha="left", va="top", fontsize=TICK_SIZE - 1, color=colour,
                    gid="mandate-end-date")


def _authorised_medians(daily: pd.DataFrame, names: Sequence[str]) -> dict[str, pd.Series]:
    """Each scenario's median authorised level by date, over the runs still active like the fans."""
    if "authorised" not in daily.columns:
        return {}
    active_only = "mission_active" in daily.columns
    out = {}
    for name in names:
        frame = daily[daily["scenario"] == name]
        out[name] = date_quantiles(frame, ["authorised"], (0.5,), active_only=active_only)[("authorised", 0.5)]
    return out


def _shared(medians: dict[str, pd.Series]) -> pd.Series | None:
    """The common authorised path when all scenarios have the same one (closed days alike), else None."""
    if not medians:
        return None
    first, *rest = medians.values()
    return first if all(s.index.equals(first.index) and np.array_equal(s.to_numpy(), first.to_numpy(), equal_nan=True)
                        for s in rest) else None


def _value_axis(ax: Axes, series: str) -> None:
    """Whole numbers for counts, and every value axis in compact form ("4.5M", "15k"), never "1e7"."""
    ax.yaxis.set_major_locator(MaxNLocator(integer=series != "cost_to_date"))
    ax.yaxis.set_major_formatter(FuncFormatter(compact))


def scenario_fans_grid(
    daily: pd.DataFrame,
    series: str = "filled",
    order: Sequence[str] | None = None,
    title: str | None = None,
    ncols: int | None = None,
) -> Figure:
    """Small multiples against the baseline: one panel per other scenario, the baseline in grey behind it.

    Overlaid fans of many scenarios bury each other; here each panel holds two, the baseline (the first
    of ``order``, or of the table) as a grey median and middle-50% band, and one scenario in its colour,
    so every option is read against the same reference. Axes are shared, so panels compare by eye too.
    As in :func:`scenario_fans` the quantiles are over the runs still active each day when the table has
    ``mission_active``. Raises ValueError for fewer than two scenarios or different start dates.
    """
    require_columns(daily, ("scenario", "date", series), "daily")
    names = scenario_order(daily, order)
    if len(names) < 2:
        raise ValueError("scenario_fans_grid: give at least two scenarios, the baseline first")
    daily = daily[daily["scenario"].isin(names)]
    check_same_start(daily, names)
    if "mission_active" in daily.columns:
        require_flags(daily, ("mission_active",), "daily")
    baseline, others = names[0], names[1:]
    cols = min(ncols or GRID_COLUMNS, len(others))
    rows = math.ceil(len(others) / cols)
    fig = Figure(figsize=(3.9 * cols + 0.8, 2.9 * rows + 1.6), layout="constrained", facecolor="white")
    grid = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    base = daily[daily["scenario"] == baseline]
    for k, ax in enumerate(grid.flat):
        if k >= len(others):
            ax.set_visible(False)
            continue
        _grid_panel(ax, base, daily[daily["scenario"] == others[k]], series, (baseline, others[k]), k + 1)
        ax.tick_params(labelbottom=k + cols >= len(others))
        if k % cols == 0:
            ax.set_ylabel(SERIES_UNITS.get(series, "posts"))
    n_reps = max(run_count(daily[daily["scenario"] == name]) for name in names)
    over = "the runs still active each day" if "mission_active" in daily.columns else replications_phrase(n_reps)
    shown = name_text(baseline)
    set_figure_titles(fig, title or f"{series_label(series)}: {len(others)} scenarios against {shown}",
                      f"Medians (thick) and middle 50% (shaded) of {over}; grey: the baseline, {shown}")
    keys: list[Artist | tuple[Artist, ...]] = [
        (Patch(facecolor=BASELINE_BAND_GREY, alpha=0.5, linewidth=0), Line2D([], [], color=BASELINE_GREY,
                                                                             linewidth=1.8)),
        (Patch(facecolor=MUTED_COLOUR, alpha=BAND_ALPHA + 0.1, linewidth=0), Line2D([], [], color=MUTED_COLOUR,
                                                                                  linewidth=2.2)),
    ]
    place_legend(grid.flat[0], keys, [f"Baseline: {shown} (grey)", "Scenario in its panel (its colour)"],
                 where="below", ncols=2)
    return fig


def _grid_panel(ax: Axes, base: pd.DataFrame, frame: pd.DataFrame, series: str, names: tuple[str, str],
                index: int) -> None:
    """One small multiple: the baseline's grey band and median under one scenario's fan in its colour."""
    style_axes(ax)
    active_only = "mission_active" in base.columns
    q = date_quantiles(base, [series], (0.25, 0.5, 0.75), active_only=active_only)[series]
    dates = q.index.to_numpy()
    ax.fill_between(dates, q[0.25], q[0.75], color=BASELINE_BAND_GREY, alpha=0.5, linewidth=0, zorder=1,
                    gid=f"baseline-band:{names[0]}")
    ax.plot(dates, q[0.5], color=BASELINE_GREY, linewidth=1.8, zorder=1.5, gid=f"baseline:{names[0]}")
    _draw_scenario_fan(ax, frame, series, scenario_colour(index), names[1])
    ax.set_title(name_text(names[1]), loc="left", fontsize=TICK_SIZE + 1.5, fontweight="bold",
                 color=scenario_colour(index))
    ax.set_ylim(bottom=0)
    _value_axis(ax, series)
    format_date_axis(ax)
