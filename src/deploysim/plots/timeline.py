"""Mandate timelines: when the decisions that make or end a mission fall, and how often each way.

A mission plan hangs on decisions the planner does not control: host consent, mandate extensions, an
expansion, a change of shape. :func:`mandate_timeline` shows them across many replications on one
calendar: on top, the share of replications in which the mission is still active, its mandate in force
and host consent granted; below, one row per kind of decision with a faint tick for every occurrence, so
dense stretches show when things typically happen and each row says in how many runs it happened at all.
The cadet programme and phase charts are in :mod:`deploysim.plots.programmes`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from deploysim.engine import events
from deploysim.engine.events import CONSENT_NAMES, ConsentState
from deploysim.plots._tables import (
    as_dates,
    replication_count,
    replications_phrase,
    require_columns,
    require_flags,
    scenario_name,
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
    name_text,
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
# ... and shaped by it, so the strip survives colour blindness and grey print: up for what keeps or grows the
# mission, down for what ends or shrinks it, a plain tick for a procedural step, a dot for a change of shape.
TONE_MARKERS: dict[str, str] = {"keeps": "^", "ends": "v", "step": "|", "change": "o"}
# Marker size as a share of the row height: filled shapes look larger than a tick of the same size.
TONE_SIZES: dict[str, float] = {"keeps": 0.42, "ends": 0.42, "step": 0.7, "change": 0.36}
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


PHASE_PREFIX = events.PHASE_STARTED_PREFIX

# Rows top to bottom, in the order a mission meets them; rows that never occur are left out, and named in a note.
EVENT_ROWS: tuple[EventRow, ...] = (
    EventRow(events.CONSENT_GRANTED, "Host consent granted", "keeps", "consent"),
    EventRow(events.CONSENT_REFUSED, "Host consent refused", "ends", "consent"),
    EventRow(events.CONSENT_WITHDRAWN, "Host consent withdrawn", "ends", "consent"),
    EventRow(events.EXPANSION_TRIGGERED, "Expansion requested (trigger met)", "step", "expansion"),
    EventRow(events.EXPANSION_APPROVED, "Expansion approved", "keeps", "expansion"),
    EventRow(events.EXPANSION_REFUSED, "Expansion refused", "ends", "expansion"),
    EventRow(events.REVIEW, "Mandate review", "step", "mandate"),
    EventRow(events.EXTENSION_GRANTED, "Mandate extension granted", "keeps", "mandate"),
    EventRow(events.ROLLOVER, "Technical rollover (decision late)", "step", "mandate"),
    EventRow(events.EXTENSION_REFUSED, "Mandate extension refused", "ends", "mandate"),
    EventRow(events.MANDATE_END, "Mandate ended", "ends", "mandate"),
    EventRow(PHASE_PREFIX, "Phase started", "change", "phase"),  # expanded to one row per phase name
    EventRow(events.COHORT_GRADUATED, "Cadet class graduated", "keeps", "training"),
    EventRow(events.BUDGET_REACHED, "Budget ceiling reached", "ends", "end"),
    EventRow(events.DRAWDOWN, "Drawdown started", "ends", "end"),
    EventRow(events.CLOSED, "Mission closed", "ends", "end"),
)

# Top-panel states that are dropped, and said in the subtitle, when they never change over the horizon.
STATE_WORDS: dict[str, str] = {"mandate_active": "mandate in force", "consent_granted": "host consent granted"}

MAX_LABEL_CHARS = 44
NOTE_CHARS = 95
ROW_HEIGHT_IN = 0.30
MEDIAN_MIN_RUNS = 3


def _single_scenario(daily: pd.DataFrame, events: pd.DataFrame | None) -> str | None:
    scenario = scenario_name(daily, "daily")
    if events is not None and len(events):
        other = scenario_name(events, "events")
        if scenario is not None and other is not None and other != scenario:
            raise ValueError(f"daily table is for scenario {scenario!r} but events table is for {other!r}")
        scenario = scenario or other
    return scenario


def _shares(daily: pd.DataFrame, n_reps: int) -> pd.DataFrame:
    """Share of replications per date in which each flag holds; a run with no row for a date counts as not."""
    flags = pd.DataFrame(
        {
            "date": as_dates(daily["date"], "daily"),
            "mission_active": daily["mission_active"].astype(bool),
            "mandate_active": daily["mandate_active"].astype(bool),
            "consent_granted": daily["consent_state"].astype(str).eq(CONSENT_NAMES[ConsentState.GRANTED]),
        }
    )
    return flags.groupby("date", sort=True).sum().astype(float) / n_reps


def _mission_events(events: pd.DataFrame, daily: pd.DataFrame, n_reps: int) -> pd.DataFrame:
    """Mission-level events with a replication key, their kind as text and their calendar date."""
    needed = ["date", "event"]
    if n_reps > 1 or "replication" in daily.columns:
        needed.append("replication")
    # A mission with no decisions at all is a result worth drawing, so an empty table is fine.
    require_columns(events, needed, "events", allow_empty=True)
    frame = pd.DataFrame(
        {
            "date": as_dates(events["date"], "events"),
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
                label = name_text(f"Phase started: {name[len(PHASE_PREFIX) :].strip()}", MAX_LABEL_CHARS)
                rows.append((EventRow(name, label, row.tone, row.group), phases[phases["event"] == name]))
            continue
        hits = events[events["event"] == row.event]
        if len(hits):
            rows.append((row, hits))
    return rows


def _absent_rows(rows: list[tuple[EventRow, pd.DataFrame]]) -> list[str]:
    """Labels of the decision rows that happen in no run, which the strip leaves out."""
    drawn = {row.event for row, _ in rows} | ({PHASE_PREFIX} if any(
        row.event.startswith(PHASE_PREFIX) for row, _ in rows) else set())
    return [row.label for row in EVENT_ROWS if row.event not in drawn]


def _absent_note(absent: list[str]) -> str:
    """"Not shown, in no run: ..." wrapped to the strip's width, or nothing when every row occurs."""
    if not absent:
        return ""
    words = ", ".join([absent[0], *(label[0].lower() + label[1:] for label in absent[1:])])
    return "\n" + "\n".join(textwrap.wrap(f"Not shown, in no run: {words}", NOTE_CHARS))


def _constant_states(shares: pd.DataFrame) -> dict[str, str]:
    """The top-panel states that never change over the horizon, each with the words that say so instead.

    A flat line carries one number and hides the lines under it; the mission line stays, as the headline.
    """
    notes: dict[str, str] = {}
    for column, words in STATE_WORDS.items():
        values = shares[column].to_numpy(dtype=float)
        if len(values) and np.allclose(values, values[0]):
            level = float(values[0])
            notes[column] = (f"{words} throughout" if level >= 1.0 else f"{words} in no run" if level <= 0.0
                             else f"{words} in {level:.0%} of runs throughout")
    return notes


def _tick_alpha(n: int) -> float:
    """Faint enough that ticks at the same date build up to a solid mark, strong enough to see one."""
    return float(np.clip(2.2 / np.sqrt(max(n, 1)), 0.14, 0.85))


def _draw_strip(ax: Axes, rows: list[tuple[EventRow, pd.DataFrame]], n_reps: int, row_pts: float) -> bool:
    """A mark per occurrence, shaped and coloured by the row's tone, and a median marker on rows that happen
    at most once per run; True if any median."""
    any_median = False
    for y, (row, hits) in enumerate(rows):
        colour = TONE_COLOURS[row.tone]
        dates = hits["date"].to_numpy()
        ax.plot(
            dates,
            np.full(len(dates), y, dtype=float),
            linestyle="none",
            marker=TONE_MARKERS[row.tone],
            markersize=row_pts * TONE_SIZES[row.tone],
            markeredgewidth=1.6 if row.tone == "step" else 0.0,
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
    require_columns(daily, ("date", "mission_active", "mandate_active", "consent_state"), "daily")
    require_flags(daily, ("mission_active", "mandate_active"), "daily")
    n_reps = replication_count(daily, ["date"])
    found = _mission_events(events, daily, n_reps)
    scenario = _single_scenario(daily, events)
    shares = _shares(daily, n_reps)
    rows = _rows(found)

    fig, top, strip, row_pts = _panels(len(rows))
    constant = _constant_states(shares)
    handles, labels = _draw_shares(top, shares, set(constant))
    any_median = _draw_strip(strip, rows, n_reps, row_pts)
    _draw_strip_axes(strip, rows, n_reps)
    _set_date_range(top, strip, shares.index.to_numpy(), found)
    _legend(top, handles, labels, rows, any_median)

    state_notes = "".join(f"; {note}" for note in constant.values())
    set_titles(
        top,
        title if title is not None else f"Mandate timeline{': ' + name_text(scenario) if scenario else ''}",
        f"Share of {replications_phrase(n_reps)} in which each holds, by day{state_notes}",
    )
    strip.set_title(
        "Each mark: one decision in one run, darker where runs agree; right: how many runs had it"
        + _absent_note(_absent_rows(rows)),
        loc="left",
        fontsize=SUBTITLE_SIZE,
        color=MUTED_COLOUR,
        pad=6,
    )
    return fig


def _panels(n_rows: int) -> tuple[Figure, Axes, Axes, float]:
    """The share panel over a decision strip that grows with its rows, sharing one date axis.

    Returns the figure, both axes and the height of one strip row in points, which sizes the ticks.
    """
    strip_height = max(n_rows, 1) * ROW_HEIGHT_IN + 0.35
    fig = Figure(figsize=(10.0, 2.9 + strip_height + 1.6), layout="constrained", facecolor="white")
    grid = fig.add_gridspec(2, 1, height_ratios=[2.9, strip_height])
    top = fig.add_subplot(grid[0])
    strip = fig.add_subplot(grid[1], sharex=top)
    style_axes(top)
    style_axes(strip, grid=False)
    strip.grid(True, axis="x", color=GRID_COLOUR, linewidth=0.7)
    return fig, top, strip, strip_height / max(n_rows, 1) * 72.0 * 0.8


def _draw_shares(top: Axes, shares: pd.DataFrame, constant: set[str]) -> tuple[list[Artist], list[str]]:
    """The top panel's share lines, mission first and widest; returns their legend handles and labels.

    States in ``constant`` never change and are said in the subtitle instead: a flat line at 100% would
    only hide the mandate line under it.
    """
    dates = shares.index.to_numpy()
    handles: list[Artist] = []
    labels: list[str] = []
    for column, (label, colour, style, width) in SHARE_SERIES.items():
        if column in constant:
            continue
        (line,) = top.plot(
            dates, shares[column].to_numpy(), color=colour, linestyle=style, linewidth=width, gid=f"share:{column}"
        )
        if column == "mission_active":
            # Translucent and below the others, so the mandate line stays visible where the two coincide.
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
    return handles, labels


def _draw_strip_axes(strip: Axes, rows: list[tuple[EventRow, pd.DataFrame]], n_reps: int) -> None:
    """Row labels on the left, "k of N" runs on the right, or a note when no decision was recorded."""
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


def _set_date_range(top: Axes, strip: Axes, dates: np.ndarray, found: pd.DataFrame) -> None:
    """One calendar for both panels, wide enough for the daily table and for any event outside it."""
    first, last = dates[0], dates[-1]
    if len(found):
        first, last = min(first, found["date"].min().to_datetime64()), max(last, found["date"].max().to_datetime64())
    top.set_xlim(first, last)
    format_date_axis(strip)


def _legend(
    top: Axes, handles: list[Artist], labels: list[str], rows: list[tuple[EventRow, pd.DataFrame]], any_median: bool
) -> None:
    """One legend under the chart for both panels: share lines, then the tones that occur, then the median."""
    tones = [tone for tone in TONE_COLOURS if any(row.tone == tone for row, _ in rows)]
    handles = handles + [
        Line2D([], [], linestyle="none", marker=TONE_MARKERS[tone], markersize=11 if tone == "step" else 8,
               markeredgewidth=2.0 if tone == "step" else 0.0, color=TONE_COLOURS[tone], gid=f"tone:{tone}")
        for tone in tones
    ]
    labels = labels + [TONE_LABELS[tone] for tone in tones]
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
