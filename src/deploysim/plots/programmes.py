"""Programme charts: how a cadet programme fills the pipeline, and which phase the mission is in.

A cadet programme pays off only when classes graduate, months after they start, so
:func:`cadet_progress` shows cumulative graduates with their spread across replications beside the
cadets still in the academy and in field training. A phased mission changes shape at dates that differ
from run to run, so :func:`phase_share` stacks, day by day, the share of replications in each phase,
with runs whose mission has closed on top; :func:`phase_shares` is the table behind it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from deploysim.plots._format import compact_axis
from deploysim.plots._tables import (
    as_dates,
    date_quantiles,
    replication_count,
    replications_phrase,
    require_columns,
    require_numeric,
    scenario_name,
)
from deploysim.plots.style import (
    OKABE_ITO,
    TICK_SIZE,
    format_date_axis,
    name_text,
    new_figure,
    place_legend,
    set_titles,
)

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
    require_columns(daily, ("date", *columns), "daily")
    require_numeric(daily, columns, "daily")
    scenario = scenario_name(daily, "daily")
    n_reps = replication_count(daily, ["date"])
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
    compact_axis(ax.yaxis)
    format_date_axis(ax)
    set_titles(
        ax,
        title if title is not None else f"Cadet programme{': ' + name_text(scenario) if scenario else ''}",
        f"Lines: median across {replications_phrase(n_reps)}; shading: 90% of replications (graduates)",
    )
    handles, labels = ax.get_legend_handles_labels()
    handles.insert(1, Patch(facecolor=CADET_SERIES["cadets_graduated"][1], alpha=BAND_ALPHA, linewidth=0))
    labels.insert(1, "Graduated: 90% band (5th\u201395th percentile)")
    place_legend(ax, handles, labels, where="below", ncols=2)
    return fig


PHASE_CYCLE: tuple[str, ...] = tuple(
    OKABE_ITO[k] for k in ("blue", "reddish_purple", "orange", "sky_blue", "bluish_green", "yellow")
)
CLOSED_COLOUR = "#BBBBBB"


def phase_shares(daily: pd.DataFrame) -> pd.DataFrame:
    """Share of replications in each phase per date (columns: phase numbers, then ``"closed"`` when the
    table has ``mission_active``: runs whose mission has ended, or that have no row for the date, are counted
    there, not in their last phase, so each row sums to 1)."""
    n_reps = replication_count(daily, ["date"])
    state = pd.Series(daily["phase"].to_numpy(), index=daily.index, dtype=object)
    if "mission_active" in daily.columns:
        state = state.where(daily["mission_active"].astype(bool), "closed")
    frame = pd.DataFrame({"date": as_dates(daily["date"], "daily"), "state": state})
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
    require_columns(daily, ("date", "phase"), "daily")
    if not pd.api.types.is_integer_dtype(daily["phase"]):
        raise ValueError("daily table: column 'phase' must hold integer phase numbers")
    scenario = scenario_name(daily, "daily")
    n_reps = replication_count(daily, ["date"])
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
        labels.append(f"Phase {k}: {name_text(names[k])}" if k < len(names) else f"Phase {k}")
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
        title if title is not None else f"Mission phases{': ' + name_text(scenario) if scenario else ''}",
        f"Share of {replications_phrase(n_reps)} in each phase, by day",
    )
    place_legend(ax, where="below", ncols=min(len(labels), 3))
    return fig
