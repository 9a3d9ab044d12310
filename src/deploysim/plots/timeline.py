"""Mandate timelines: when the decisions that make or end a mission fall, and how often each way.

A mission plan hangs on decisions the planner does not control: host consent, mandate extensions, an
expansion, a change of shape. :func:`mandate_timeline` shows them across many replications on one
calendar: on top, the share of replications in which the mission is still active, its mandate in force
and host consent granted; below, one row per kind of decision with a faint tick for every occurrence, so
dense stretches show when things typically happen and each row says in how many runs it happened at all.
:func:`cadet_progress` follows a cadet programme and :func:`phase_share` the mission's phases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from deploysim.plots.staffing import (
    _as_dates,
    _replication_count,
    _replications_phrase,
    _require,
    _scenario_name,
    date_quantiles,
)
from deploysim.plots.style import (
    GRID_COLOUR,
    LABEL_SIZE,
    MUTED_COLOUR,
    OKABE_ITO,
    SUBTITLE_SIZE,
    TEXT_COLOUR,
    TICK_SIZE,
    format_date_axis,
    new_figure,
    place_legend,
    set_titles,
    style_axes,
)

# Top panel: the mission line is the headline, the mandate dashed like other ceilings, consent in green.
SHARE_SERIES: dict[str, tuple[str, str, str | tuple[float, tuple[float, float]], float]] = {
    # column: (legend label, colour, line style, width)
    "mission_active": ("Mission active (incl. drawdown)", OKABE_ITO["blue"], "-", 3.2),
    "mandate_active": ("Mandate in force", OKABE_ITO["black"], (0, (5.0, 2.5)), 1.6),
    "consent_granted": ("Host consent granted", OKABE_ITO["bluish_green"], "-", 1.6),
}

# Decision rows are coloured by what the decision does to the mission, so the strip reads at a glance.
TONE_COLOURS: dict[str, str] = {
    "keeps": OKABE_ITO["bluish_green"],
    "ends": OKABE_ITO["vermillion"],
    "step": MUTED_COLOUR,
    "change": OKABE_ITO["reddish_purple"],
}
TONE_LABELS: dict[str, str] = {
    "keeps": "decision that keeps or grows the mission",
    "ends": "decision or step that ends or shrinks it",
    "step": "procedural step",
    "change": "change of shape (phase)",
}


@dataclass(frozen=True)
class EventRow:
    """One row of the decision strip: the event it draws, the planner's words for it, and its tone."""

    event: str
    label: str
    tone: str
    group: str


PHASE_PREFIX = "phase started: "

# Rows top to bottom, in the order a mission meets them; rows that never occur are left out.
EVENT_ROWS: tuple[EventRow, ...] = (
    EventRow("consent granted", "Host consent granted", "keeps", "consent"),
    EventRow("consent refused", "Host consent refused", "ends", "consent"),
    EventRow("consent withdrawn", "Host consent withdrawn", "ends", "consent"),
    EventRow("expansion triggered", "Expansion requested (trigger met)", "step", "expansion"),
    EventRow("expansion approved", "Expansion approved", "keeps", "expansion"),
    EventRow("expansion refused", "Expansion refused", "ends", "expansion"),
    EventRow("mandate review", "Mandate review", "step", "mandate"),
    EventRow("extension granted", "Mandate extension granted", "keeps", "mandate"),
    EventRow("technical rollover", "Technical rollover (decision late)", "step", "mandate"),
    EventRow("extension refused", "Mandate extension refused", "ends", "mandate"),
    EventRow("mandate ended", "Mandate ended", "ends", "mandate"),
    EventRow(PHASE_PREFIX, "Phase started", "change", "phase"),  # expanded to one row per phase name
    EventRow("cohort graduated", "Cadet class graduated", "keeps", "training"),
    EventRow("budget ceiling reached", "Budget ceiling reached", "ends", "end"),
    EventRow("drawdown started", "Drawdown started", "ends", "end"),
    EventRow("mission closed", "Mission closed", "ends", "end"),
)

MAX_LABEL_CHARS = 44
ROW_HEIGHT_IN = 0.30
MEDIAN_MIN_RUNS = 3


def _single_scenario(daily: pd.DataFrame, events: pd.DataFrame | None) -> str | None:
    scenario = _scenario_name(daily, "daily")
    if events is not None and len(events):
        other = _scenario_name(events, "events")
        if scenario is not None and other is not None and other != scenario:
            raise ValueError(f"daily table is for scenario {scenario!r} but events table is for {other!r}")
        scenario = scenario or other
    return scenario


def _shares(daily: pd.DataFrame, n_reps: int) -> pd.DataFrame:
    """Share of replications per date in which each flag holds; a run with no row for a date counts as not."""
    flags = pd.DataFrame(
        {
            "date": _as_dates(daily["date"], "daily"),
            "mission_active": daily["mission_active"].astype(bool),
            "mandate_active": daily["mandate_active"].astype(bool),
            "consent_granted": daily["consent_state"].astype(str).eq("granted"),
        }
    )
    return flags.groupby("date", sort=True).sum().astype(float) / n_reps


def _check_flags(daily: pd.DataFrame, columns: Sequence[str]) -> None:
    for column in columns:
        values = daily[column]
        if pd.api.types.is_bool_dtype(values):
            continue
        numeric = pd.to_numeric(values, errors="coerce")
        if numeric.isna().any() or not numeric.isin([0, 1]).all():
            raise ValueError(f"daily table: column {column!r} must be a boolean (or 0/1) flag")


def _mission_events(events: pd.DataFrame, daily: pd.DataFrame, n_reps: int) -> pd.DataFrame:
    """Mission-level events with a replication key, their kind as text and their calendar date."""
    if not isinstance(events, pd.DataFrame):
        raise ValueError(f"events must be a pandas DataFrame, got {type(events).__name__}")
    needed = ["date", "event"]
    if n_reps > 1 or "replication" in daily.columns:
        needed.append("replication")
    missing = [c for c in needed if c not in events.columns]
    if missing:
        raise ValueError(
            f"events table is missing required column(s) {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, events.columns)) or 'no columns'}"
        )
    frame = pd.DataFrame(
        {
            "date": _as_dates(events["date"], "events"),
            "event": events["event"].astype(str),
            "replication": events["replication"].to_numpy() if "replication" in events.columns else 0,
        },
        index=events.index,
    )
    if "team" in events.columns:
        team = events["team"].astype(object)
        frame = frame[team.isna() | team.eq("")]
    return frame.dropna(subset=["date"])


def _rows(events: pd.DataFrame) -> list[tuple[EventRow, pd.DataFrame]]:
    """The strip's rows that occur, in the fixed order, each phase name in a row of its own."""
    rows: list[tuple[EventRow, pd.DataFrame]] = []
    for row in EVENT_ROWS:
        if row.event == PHASE_PREFIX:
            phases = events[events["event"].str.startswith(PHASE_PREFIX)]
            for name in pd.unique(phases.sort_values("date")["event"]):
                label = f"Phase started: {name[len(PHASE_PREFIX) :].strip()}"
                if len(label) > MAX_LABEL_CHARS:
                    label = label[: MAX_LABEL_CHARS - 1].rstrip() + "\u2026"
                rows.append((EventRow(name, label, row.tone, row.group), phases[phases["event"] == name]))
            continue
        hits = events[events["event"] == row.event]
        if len(hits):
            rows.append((row, hits))
    return rows


def _tick_alpha(n: int) -> float:
    """Faint enough that ticks at the same date build up to a solid mark, strong enough to see one."""
    return float(np.clip(2.2 / np.sqrt(max(n, 1)), 0.14, 0.85))


def _draw_strip(ax: Axes, rows: list[tuple[EventRow, pd.DataFrame]], n_reps: int, row_pts: float) -> bool:
    """Ticks per occurrence, a median marker on rows that happen at most once per run; True if any median."""
    any_median = False
    for y, (row, hits) in enumerate(rows):
        colour = TONE_COLOURS[row.tone]
        dates = hits["date"].to_numpy()
        ax.plot(
            dates,
            np.full(len(dates), y, dtype=float),
            linestyle="none",
            marker="|",
            markersize=row_pts * 0.7,
            markeredgewidth=1.6,
            color=colour,
            alpha=_tick_alpha(len(dates)),
            gid=f"events:{row.event}",
        )
        runs = hits["replication"].nunique()
        once_per_run = runs == len(hits)
        if once_per_run and runs >= MEDIAN_MIN_RUNS:
            median = hits["date"].sort_values().iloc[(len(hits) - 1) // 2 : len(hits) // 2 + 1].mean()
            ax.plot(
                [median.to_datetime64()],
                [y],
                linestyle="none",
                marker="D",
                markersize=min(row_pts * 0.38, 7.5),
                markerfacecolor="white",
                markeredgecolor=colour,
                markeredgewidth=1.8,
                zorder=4,
                gid=f"median:{row.event}",
            )
            any_median = True
    # Light separators between groups of related decisions.
    for y in range(1, len(rows)):
        if rows[y][0].group != rows[y - 1][0].group:
            ax.axhline(y - 0.5, color=GRID_COLOUR, linewidth=1.0, zorder=0)
    return any_median


def _annotate_end(ax: Axes, dates: np.ndarray, share: np.ndarray) -> None:
    """Say at the right edge what share of runs is still active at the end of the horizon."""
    last = float(share[-1])
    ax.annotate(
        f"{last:.0%} still\nactive",
        xy=(dates[-1], last),
        xytext=(6, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=TICK_SIZE,
        color=SHARE_SERIES["mission_active"][1],
        fontweight="bold",
        annotation_clip=False,
    )


def mandate_timeline(daily: pd.DataFrame, events: pd.DataFrame, title: str | None = None) -> Figure:
    """Mandate timeline across replications, on calendar dates.

    Top panel: share of replications, per day, in which the mission is still active (``mission_active``,
    which includes any drawdown), the mandate is in force (``mandate_active``) and host consent is
    granted (``consent_state == "granted"``; left out when granted throughout). Bottom panel, sharing the
    date axis: one row per kind of mission-level decision that occurs (consent, expansion, reviews and
    extensions, phase changes, cadet graduations, drawdown, closure), a faint tick per occurrence in any
    replication, a diamond at the median date for rows that happen at most once per run, and, on the right,
    in how many runs the row happened at all.

    ``daily`` and ``events`` are one scenario's tables, concatenated over replications with a
    ``replication`` column (a single run may omit it). Raises ValueError naming any missing column.
    """
    _require(daily, ("date", "mission_active", "mandate_active", "consent_state"), "daily")
    _check_flags(daily, ("mission_active", "mandate_active"))
    n_reps = _replication_count(daily, ["date"])
    found = _mission_events(events, daily, n_reps)
    scenario = _single_scenario(daily, events)
    shares = _shares(daily, n_reps)
    dates = shares.index.to_numpy()
    rows = _rows(found)

    strip_height = max(len(rows), 1) * ROW_HEIGHT_IN + 0.35
    fig = Figure(figsize=(10.0, 2.9 + strip_height + 1.6), layout="constrained", facecolor="white")
    grid = fig.add_gridspec(2, 1, height_ratios=[2.9, strip_height])
    top = fig.add_subplot(grid[0])
    strip = fig.add_subplot(grid[1], sharex=top)
    style_axes(top)
    style_axes(strip, grid=False)
    strip.grid(True, axis="x", color=GRID_COLOUR, linewidth=0.7)

    handles: list = []
    labels: list[str] = []
    consent_throughout = bool((shares["consent_granted"] >= 1.0).all())
    for column, (label, colour, style, width) in SHARE_SERIES.items():
        if column == "consent_granted" and consent_throughout:
            continue
        (line,) = top.plot(
            dates, shares[column].to_numpy(), color=colour, linestyle=style, linewidth=width, gid=f"share:{column}"
        )
        if column == "mission_active":
            line.set_alpha(0.75)
            line.set_zorder(1.5)
        handles.append(line)
        labels.append(label)
    _annotate_end(top, dates, shares["mission_active"].to_numpy())
    top.set_ylim(-0.04, 1.06)
    top.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    top.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    top.set_ylabel("share of runs")
    top.tick_params(labelbottom=False)

    row_pts = strip_height / max(len(rows), 1) * 72.0 * 0.8
    any_median = _draw_strip(strip, rows, n_reps, row_pts)
    strip.set_ylim(len(rows) - 0.5 if rows else 0.5, -0.5)
    strip.set_yticks(np.arange(len(rows)), labels=[row.label for row, _ in rows])
    strip.tick_params(axis="y", length=0)
    strip.spines["left"].set_visible(False)
    if rows:
        right = strip.secondary_yaxis("right")
        right.set_yticks(
            np.arange(len(rows)), labels=[f"{hits['replication'].nunique()} of {n_reps}" for _, hits in rows]
        )
        right.tick_params(length=0, labelsize=TICK_SIZE, labelcolor=MUTED_COLOUR)
        right.spines["right"].set_visible(False)
        right.set_ylabel("runs with this decision", fontsize=LABEL_SIZE - 1, color=MUTED_COLOUR)
    else:
        strip.set_yticks([])
        strip.text(
            0.5,
            0.5,
            "no mandate decisions recorded",
            transform=strip.transAxes,
            ha="center",
            va="center",
            fontsize=TICK_SIZE,
            color=MUTED_COLOUR,
        )
    strip.set_xlabel("date")
    first, last = dates[0], dates[-1]
    if len(found):
        first, last = min(first, found["date"].min().to_datetime64()), max(last, found["date"].max().to_datetime64())
    top.set_xlim(first, last)
    format_date_axis(strip)

    tones = [tone for tone in TONE_COLOURS if any(row.tone == tone for row, _ in rows)]
    handles += [
        Line2D([], [], linestyle="none", marker="|", markersize=11, markeredgewidth=2.0, color=TONE_COLOURS[tone])
        for tone in tones
    ]
    labels += [TONE_LABELS[tone] for tone in tones]
    if any_median:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="D",
                markersize=6.5,
                markerfacecolor="white",
                markeredgecolor=TEXT_COLOUR,
                markeredgewidth=1.6,
            )
        )
        labels.append("median date")
    place_legend(top, handles, labels, where="below", ncols=3)

    consent_note = "; host consent granted throughout" if consent_throughout else ""
    set_titles(
        top,
        title if title is not None else f"Mandate timeline{': ' + scenario if scenario else ''}",
        f"Share of {_replications_phrase(n_reps)} in which each holds, by day{consent_note}",
    )
    strip.set_title(
        "Each tick: one decision in one run, darker where runs agree; right: how many runs had it",
        loc="left",
        fontsize=SUBTITLE_SIZE,
        color=MUTED_COLOUR,
        pad=6,
    )
    return fig


# -- cadet programme ----------------------------------------------------------------------------------------------

CADET_SERIES: dict[str, tuple[str, str]] = {
    "cadets_graduated": ("Graduated (cumulative)", OKABE_ITO["blue"]),
    "cadets_in_academy": ("In the academy", OKABE_ITO["orange"]),
    "cadets_in_field": ("In field training", OKABE_ITO["reddish_purple"]),
}
BAND_ALPHA = 0.18


def cadet_progress(daily: pd.DataFrame, title: str | None = None) -> Figure:
    """Cadets over time: median and 90% band (5th-95th percentile across replications) of cumulative
    graduates, with the median numbers in the academy and in field training.

    ``daily`` is one scenario's daily table, with or without a ``replication`` column. Raises ValueError
    naming any missing column.
    """
    columns = tuple(CADET_SERIES)
    _require(daily, ("date", *columns), "daily")
    non_numeric = [c for c in columns if not pd.api.types.is_numeric_dtype(daily[c])]
    if non_numeric:
        raise ValueError(f"daily table: column(s) {', '.join(map(repr, non_numeric))} must be numeric")
    scenario = _scenario_name(daily, "daily")
    n_reps = _replication_count(daily, ["date"])
    table = date_quantiles(daily, columns, (0.05, 0.5, 0.95))
    dates = table.index.to_numpy()

    fig, ax = new_figure(9.0, 5.2)
    label, colour = CADET_SERIES["cadets_graduated"]
    low, median, high = (table[("cadets_graduated", q)].to_numpy() for q in (0.05, 0.5, 0.95))
    ax.fill_between(dates, low, high, color=colour, alpha=BAND_ALPHA, linewidth=0, gid="band:cadets_graduated")
    ax.plot(dates, median, color=colour, linewidth=2.4, label=label, gid="median:cadets_graduated")
    for column in ("cadets_in_academy", "cadets_in_field"):
        label, colour = CADET_SERIES[column]
        ax.plot(
            dates, table[(column, 0.5)].to_numpy(), color=colour, linewidth=1.6, label=label, gid=f"median:{column}"
        )
    ax.annotate(
        f"{median[-1]:,.0f} graduated\n(90%: {low[-1]:,.0f}\u2013{high[-1]:,.0f})",
        xy=(dates[-1], median[-1]),
        xytext=(-6, 10),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=TICK_SIZE,
        color=CADET_SERIES["cadets_graduated"][1],
        fontweight="bold",
    )
    ax.set_ylabel("cadets")
    ax.set_xlabel("date")
    ax.set_ylim(bottom=0, top=max(float(np.nanmax(high)) * 1.12, 1.0))
    ax.set_xlim(dates[0], dates[-1])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    format_date_axis(ax)
    set_titles(
        ax,
        title if title is not None else f"Cadet programme{': ' + scenario if scenario else ''}",
        f"Lines: median across {_replications_phrase(n_reps)}; shading: 90% of replications (graduates)",
    )
    handles, labels = ax.get_legend_handles_labels()
    handles.insert(1, Patch(facecolor=CADET_SERIES["cadets_graduated"][1], alpha=BAND_ALPHA, linewidth=0))
    labels.insert(1, "Graduated: 90% band (5th\u201395th percentile)")
    place_legend(ax, handles, labels, where="below", ncols=2)
    return fig


# -- phases -------------------------------------------------------------------------------------------------------

PHASE_CYCLE: tuple[str, ...] = tuple(
    OKABE_ITO[k] for k in ("blue", "reddish_purple", "orange", "sky_blue", "bluish_green", "yellow")
)
CLOSED_COLOUR = "#BBBBBB"


def phase_shares(daily: pd.DataFrame) -> pd.DataFrame:
    """Share of replications in each phase per date (columns: phase numbers, then ``"closed"`` when the
    table has ``mission_active``: runs whose mission has ended, or that have no row for the date, are counted
    there, not in their last phase, so each row sums to 1)."""
    n_reps = _replication_count(daily, ["date"])
    state = pd.Series(daily["phase"].to_numpy(), index=daily.index, dtype=object)
    if "mission_active" in daily.columns:
        state = state.where(daily["mission_active"].astype(bool), "closed")
    frame = pd.DataFrame({"date": _as_dates(daily["date"], "daily"), "state": state})
    counts = frame.groupby(["date", "state"], sort=True).size().unstack("state", fill_value=0)
    phases = sorted(c for c in counts.columns if c != "closed")
    order = phases + (["closed"] if "mission_active" in daily.columns else [])
    counts = counts.reindex(columns=order, fill_value=0)
    # Runs with no row on a date (ended early) count as closed.
    if "closed" in counts.columns:
        counts["closed"] += n_reps - counts.sum(axis=1)
    return counts.astype(float) / n_reps


def phase_share(daily: pd.DataFrame, phase_names: Sequence[str] = (), title: str | None = None) -> Figure:
    """Stacked share of replications in each phase per day, with runs whose mission has closed on top.

    ``phase_names`` are the scenario's phases in order (``[p.name for p in scenario.phases]``): phase 0
    is the initial set-up, phase k the k-th named phase. Raises ValueError naming any missing column.
    """
    _require(daily, ("date", "phase"), "daily")
    if not pd.api.types.is_integer_dtype(daily["phase"]):
        raise ValueError("daily table: column 'phase' must hold integer phase numbers")
    scenario = _scenario_name(daily, "daily")
    n_reps = _replication_count(daily, ["date"])
    shares = phase_shares(daily)
    dates = shares.index.to_numpy()
    names = ["Initial set-up", *phase_names]

    fig, ax = new_figure(9.0, 4.8)
    colours, labels = [], []
    for column in shares.columns:
        if column == "closed":
            colours.append(CLOSED_COLOUR)
            labels.append("Mission closed")
            continue
        k = int(column)
        colours.append(PHASE_CYCLE[k % len(PHASE_CYCLE)])
        labels.append(f"Phase {k}: {names[k]}" if k < len(names) else f"Phase {k}")
    polys = ax.stackplot(dates, shares.to_numpy().T, colors=colours, labels=labels, alpha=0.85, linewidth=0)
    for poly, column in zip(polys, shares.columns, strict=True):
        poly.set_gid(f"phase:{column}")
    ax.set_ylim(0, 1)
    ax.set_xlim(dates[0], dates[-1])
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_ylabel("share of runs")
    ax.set_xlabel("date")
    format_date_axis(ax)
    set_titles(
        ax,
        title if title is not None else f"Mission phases{': ' + scenario if scenario else ''}",
        f"Share of {_replications_phrase(n_reps)} in each phase, by day",
    )
    place_legend(ax, where="below", ncols=min(len(labels), 3))
    return fig
