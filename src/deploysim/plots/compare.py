"""Charts that put scenarios side by side: overlaid fans on one calendar, measure bars, a forest of differences.

A planner compares options by eye before reading numbers, so every chart here keeps one colour per
scenario (in the order given, the baseline first), says what the lines and bands are, and keeps units
on the axes. Measures have different units, so bars and differences are drawn as small multiples, one
panel per measure with its own scale, rather than squeezed onto one meaningless common axis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Annotation
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from deploysim.plots.style import (
    MUTED_COLOUR,
    SUBTITLE_SIZE,
    TEXT_COLOUR,
    TICK_SIZE,
    TITLE_SIZE,
    format_date_axis,
    new_figure,
    place_legend,
    scenario_colour,
    series_label,
    set_titles,
    style_axes,
)
from deploysim.results.measures import KEY_MEASURES, MEASURES, measure_label, measure_unit

SERIES_UNITS: dict[str, str] = {
    "teams_operational": "teams",
    "mediators_certified": "mediators",
    "incidents": "incidents per day",
    "cost_to_date": "cost to date",
}

BAND_ALPHA = 0.10
EDGE_ALPHA = 0.8
AUTHORISED_DASH = (0, (5.0, 2.5))
END_DASH = (0, (2.5, 2.5))


def _is_share(measure: str) -> bool:
    known = MEASURES.get(measure)
    return known is not None and known.kind == "share"


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} table is missing column(s) {', '.join(map(repr, missing))}")
    if frame.empty:
        raise ValueError(f"{what} table has no rows to plot")


def _order(frame: pd.DataFrame, order: Sequence[str] | None) -> list[str]:
    present = [str(s) for s in pd.unique(frame["scenario"])]
    if order is None:
        return present
    unknown = [s for s in order if s not in present]
    if unknown:
        raise ValueError(f"scenario(s) {', '.join(map(repr, unknown))} are not in the table")
    return list(order)


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
    The authorised level is dashed: once in black if every scenario shares it. Raises ValueError
    if the scenarios start on different dates.
    """
    _require(daily, ("scenario", "date", series), "daily")
    names = _order(daily, order)
    daily = daily[daily["scenario"].isin(names)]
    check_same_start(daily, names)
    fig, ax = new_figure(9.5, 5.6)
    handles: list = []
    labels: list[str] = []
    authorised = _authorised_medians(daily, names) if series in ("filled", "present", "vacant") else {}
    shared = _shared(authorised)
    if shared is not None:
        ax.plot(shared.index, shared.to_numpy(), color="black", linestyle=AUTHORISED_DASH, linewidth=1.3,
                gid="authorised")
    ends: dict[pd.Timestamp, list[int]] = {}
    n_reps = 0
    for i, name in enumerate(names):
        colour = scenario_colour(i)
        frame = daily[daily["scenario"] == name]
        n_reps = max(n_reps, int(frame["replication"].nunique()) if "replication" in frame else 1)
        values = frame[[series]].astype(float).assign(date=pd.to_datetime(frame["date"]))
        q = values.groupby("date", sort=True)[series].quantile([0.25, 0.5, 0.75]).unstack()
        dates = q.index.to_numpy()
        ax.fill_between(dates, q[0.25], q[0.75], color=colour, alpha=BAND_ALPHA, linewidth=0)
        for edge in (0.25, 0.75):
            ax.plot(dates, q[edge], color=colour, linewidth=0.8, alpha=EDGE_ALPHA)
        line = ax.plot(dates, q[0.5], color=colour, linewidth=2.2, gid=f"median:{name}")[0]
        handles.append(line)
        labels.append(name)
        if shared is None and name in authorised:
            # interleaved dashes: where several scenarios share the authorised level, every colour shows
            ax.plot(authorised[name].index, authorised[name].to_numpy(), color=colour, linewidth=1.2,
                    linestyle=_interleaved(i, len(names), 4.0), gid=f"authorised:{name}")
        if "mandate_active" in frame.columns and "replication" in frame.columns:
            end = median_mandate_end(_with_day(frame))
            if not math.isnan(end):
                ends.setdefault(pd.to_datetime(frame["date"]).min() + pd.Timedelta(days=end), []).append(i)
    _mark_ends(ax, ends, names)
    if shared is not None:
        handles.append(Line2D([], [], color="black", linestyle=AUTHORISED_DASH, linewidth=1.3))
        labels.append("Authorised (all scenarios)")
    elif authorised:
        handles.append(Line2D([], [], color=MUTED_COLOUR, linestyle=AUTHORISED_DASH, linewidth=1.2))
        labels.append("Authorised (dashed, in each scenario's colour)")
    if ends:
        handles.append(Line2D([], [], color=MUTED_COLOUR, linestyle=END_DASH, linewidth=1.6))
        labels.append("Mandate end, median replication (dotted, in each scenario's colour)")
    handles.append((Patch(facecolor=MUTED_COLOUR, alpha=BAND_ALPHA + 0.1, linewidth=0),
                    Line2D([], [], color=MUTED_COLOUR, linewidth=0.8)))
    labels.append("middle 50% of replications (25th to 75th percentile)")
    ax.set_ylabel(SERIES_UNITS.get(series, "posts"))
    ax.set_xlabel("date")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=series != "cost_to_date"))
    format_date_axis(ax)
    set_titles(
        ax,
        title or f"{series_label(series)}: {len(names)} scenarios compared",
        f"Thick lines: median of {n_reps} replications per scenario; thin lines and shading: middle 50%",
    )
    place_legend(ax, handles, labels, where="below", ncols=2)
    return fig


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
    if "authorised" not in daily.columns:
        return {}
    out = {}
    for name in names:
        frame = daily[daily["scenario"] == name]
        out[name] = frame["authorised"].astype(float).groupby(pd.to_datetime(frame["date"])).median()
    return out


def _shared(medians: dict[str, pd.Series]) -> pd.Series | None:
    """The common authorised path when all scenarios have the same one, else None."""
    if not medians:
        return None
    first, *rest = medians.values()
    return first if all(s.index.equals(first.index) and np.array_equal(s.to_numpy(), first.to_numpy())
                        for s in rest) else None


def _compact(value: float, _pos: object = None) -> str:
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.3g}M"
    if magnitude >= 1e4:
        return f"{value / 1e3:.3g}k"
    return f"{value:,.4g}"


def _format_value(measure: str, value: float) -> str:
    """A value for a label: percent for shares, three significant figures below 10,000, compact above."""
    if math.isnan(value):
        return "n/a"
    if _is_share(measure):
        return f"{value:.1%}"
    return f"{value:,.3g}" if abs(value) < 1e4 else _compact(value)


def _difference_label(measure: str, row: pd.Series, n_pairs: int) -> str:
    """The difference as text; says so when no replication differed, and shows n when pairs are missing."""
    if row.get("half_width", math.nan) == 0.0 and row["difference"] == 0.0:
        return "identical in every replication"
    text = f"{'+' if row['difference'] > 0 else ''}{_format_value(measure, row['difference'])}"
    n = row.get("n", n_pairs)
    return text if pd.isna(n) or n >= n_pairs else f"{text} (n={int(n)})"


def _panels(n: int, ncols: int, panel_height: float, width: float) -> tuple[Figure, list[Axes]]:
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


def _format_axis(ax: Axes, measure: str) -> None:
    if _is_share(measure):
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    else:
        ax.xaxis.set_major_formatter(FuncFormatter(_compact))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))


def _measures(table: pd.DataFrame, measures: Sequence[str] | None) -> list[str]:
    present = list(pd.unique(table["measure"]))
    if measures is None:
        chosen = [m for m in KEY_MEASURES if m in present] or present
    else:
        unknown = [m for m in measures if m not in present]
        if unknown:
            raise ValueError(f"measure(s) {', '.join(unknown)} not in the table (it has {', '.join(present)})")
        chosen = list(measures)
    return chosen


def _undefined(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=TICK_SIZE,
            color=MUTED_COLOUR)
    ax.set_xticks([])


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
    _require(summary, ("scenario", "measure", "mean", "ci_low", "ci_high", "n"), "summary")
    names = _order(summary, order)
    chosen = _measures(summary, measures)
    fig, axes = _panels(len(chosen), 3, 1.15 + 0.38 * len(names), 12.0)
    n_reps = int(summary["n"].max())
    for ax, measure in zip(axes, chosen, strict=True):
        rows = summary[summary["measure"] == measure].set_index("scenario").reindex(names)
        ax.set_title(measure_label(measure), loc="left", fontsize=TICK_SIZE + 1, fontweight="bold",
                     color=TEXT_COLOUR)
        ax.set_xlabel(measure_unit(measure, currency))
        ax.set_yticks([])
        ax.set_ylim(len(names) - 0.4, -0.6)
        ax.grid(False, axis="y")
        means = rows["mean"].to_numpy(dtype=float)
        if np.isnan(means).all():
            _undefined(ax, "not reached in any replication")
            continue
        for y, name in enumerate(names):
            row = rows.loc[name]
            if math.isnan(row["mean"]):
                ax.text(0, y, " not reached", va="center", fontsize=TICK_SIZE, color=MUTED_COLOUR)
                continue
            ax.barh(y, row["mean"], height=0.62, color=scenario_colour(y), alpha=0.85)
            if not math.isnan(row["ci_low"]):
                ax.errorbar(row["mean"], y, xerr=[[row["mean"] - row["ci_low"]], [row["ci_high"] - row["mean"]]],
                            fmt="none", ecolor="black", elinewidth=1.2, capsize=3)
            partial = "" if row["n"] >= n_reps else f" (n={int(row['n'])})"
            ax.annotate(f"{_format_value(measure, row['mean'])}{partial}",
                        xy=(max(row["mean"], row["ci_high"] if not math.isnan(row["ci_high"]) else row["mean"]), y),
                        xytext=(4, 0), textcoords="offset points", va="center", fontsize=TICK_SIZE - 0.5,
                        color=TEXT_COLOUR)
        ax.margins(x=0.18)
        if np.nanmin(means) >= 0:
            ax.set_xlim(left=0)
        _format_axis(ax, measure)
    handles = [Patch(facecolor=scenario_colour(i), alpha=0.85) for i in range(len(names))]
    handles.append(Line2D([], [], color="black", linewidth=1.2, marker="|", markersize=8))
    labels = [*names, "95% confidence interval of the mean"]
    place_legend(axes[0], handles, labels, where="below", ncols=2)
    _titles(fig, title or "Summary measures by scenario",
            f"Bars: mean over {n_reps} replications per scenario, with its 95% CI; n is shown where a measure "
            "is undefined in some replications")
    return fig


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
    _require(differences, ("scenario", "measure", "difference", "ci_low", "ci_high", "excludes_zero"),
             "differences")
    names = _order(differences, order)
    chosen = _measures(differences, measures)
    baseline = str(differences["baseline"].iloc[0]) if "baseline" in differences.columns else "the baseline"
    fig, axes = _panels(len(chosen), 2, 0.95 + 0.5 * len(names), 11.0)
    n_pairs = int(differences["n"].max()) if "n" in differences.columns else 0
    for ax, measure in zip(axes, chosen, strict=True):
        rows = differences[differences["measure"] == measure].set_index("scenario").reindex(names)
        ax.set_title(measure_label(measure), loc="left", fontsize=TICK_SIZE + 1, fontweight="bold",
                     color=TEXT_COLOUR)
        ax.set_xlabel(f"difference, {measure_unit(measure, currency)}")
        ax.set_yticks([])
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.grid(False, axis="y")
        ax.axvline(0.0, color="black", linewidth=1.0, zorder=1)
        if rows["difference"].isna().all():
            _undefined(ax, "not defined: measure never reached in both scenarios of a pair")
            continue
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
    handles: list = [Line2D([], [], color=scenario_colour(i + colour_offset), linewidth=2.2) for i in range(len(names))]
    labels = [f"{name} minus {baseline}" for name in names]
    handles += [
        Line2D([], [], marker="o", color=MUTED_COLOUR, markerfacecolor=MUTED_COLOUR, linestyle="none"),
        Line2D([], [], marker="o", color=MUTED_COLOUR, markerfacecolor="white", linestyle="none"),
    ]
    labels += ["95% CI excludes zero (a real difference)", "95% CI includes zero (could be noise)"]
    place_legend(axes[0], handles, labels, where="below", ncols=2)
    _titles(fig, title or f"Paired differences from {baseline}",
            "Mean difference over replications run with common random numbers, and its 95% confidence interval")
    return fig


def _titles(fig: Figure, title: str, note: str) -> None:
    """Bold figure title with a muted line under it saying what the marks are.

    The title holds an empty second line so that constrained layout reserves room for the note, which
    is then anchored to the bottom of the title block.
    """
    heading = fig.suptitle(f"{title}\n", x=0.01, ha="left", fontsize=TITLE_SIZE, fontweight="bold",
                           color=TEXT_COLOUR)
    line = Annotation(note, xy=(0.0, 0.0), xycoords=heading, xytext=(0, 1), textcoords="offset points",
                      ha="left", va="bottom", fontsize=SUBTITLE_SIZE, color=MUTED_COLOUR)
    line.set_in_layout(False)
    fig.add_artist(line)
