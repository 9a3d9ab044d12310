"""Fans over the runs still active: hand-built tables whose right answer is known, drawn and rendered.

Four runs start together: runs 0 and 1 close on day 50 (run 1 draws down from day 40), runs 2 and 3 run
on with 40 and 44 posts filled, and run 3's authorised strength doubles on day 60. Over all runs the
median filled after day 50 would be 20, the mean of a closed mission's 0 and an open one's 40; over the
runs still active it is 42, and the strip beneath says it rests on half the runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib.image as mimage
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

import deploysim
from deploysim.experiments.replications import PLOT_FILES
from deploysim.plots import (
    active_share,
    date_quantiles,
    median_milestones,
    save_png,
    scenario_fans,
    staffing_by_outcome,
    staffing_fan,
)
from deploysim.plots.output import PNG_DPI

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "kyrgyzstan-2010.yaml"
START = pd.Timestamp("2010-07-22")
DAYS = 100
CLOSE = 50
DRAWDOWN = 40
FILLED_BEFORE = (10, 20, 30, 40)  # median 25
FILLED_AFTER = {2: 40, 3: 44}  # median 42


def _run(replication: int, scenario: str = "Test") -> pd.DataFrame:
    day = np.arange(DAYS)
    closes = replication in (0, 1)
    active = (day < CLOSE) | (not closes)
    mandate = active & ~((replication == 1) & (day >= DRAWDOWN))
    filled = np.where(day < CLOSE, FILLED_BEFORE[replication], FILLED_AFTER.get(replication, 0))
    authorised = np.where(mandate, np.where((replication == 3) & (day >= 60), 100, 50), 0)
    return pd.DataFrame({
        "scenario": scenario, "point": 0, "replication": replication, "day": day,
        "date": START + pd.to_timedelta(day, unit="D"), "authorised": authorised, "filled": filled,
        "present": filled, "mission_active": active, "mandate_active": mandate,
    })


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    return pd.concat([_run(r) for r in range(4)], ignore_index=True)


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    outcomes = ["mandate ended", "mandate ended", "running at the horizon", "running at the horizon", "run failed"]
    return pd.DataFrame({"scenario": "Test", "point": 0, "replication": range(5), "outcome": outcomes})


def _line(ax: Axes, gid: str) -> Line2D:
    lines = [line for line in ax.get_lines() if line.get_gid() == gid]
    assert len(lines) == 1, f"expected one line {gid!r}, found {[line.get_gid() for line in ax.get_lines()]}"
    return lines[0]


def _by_day(line: Line2D) -> pd.Series:
    days = (pd.to_datetime(np.asarray(line.get_xdata())) - START).days
    return pd.Series(np.asarray(line.get_ydata(), dtype=float), index=days)


def _legend_texts(fig: Figure) -> list[str]:
    return [text.get_text() for legend in fig.legends for text in legend.get_texts()]


def _check_png(path: Path, fig: Figure) -> None:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    pixels = mimage.imread(path)
    width, height = fig.get_size_inches() * PNG_DPI
    assert abs(pixels.shape[0] - height) <= 1 and abs(pixels.shape[1] - width) <= 1, pixels.shape


def _texts_inside_figure(fig: Figure) -> None:
    """Every title, subtitle and legend text lies within the figure, so nothing is cut off in the PNG."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    frame = fig.bbox
    texts = [t for ax in fig.axes for t in (*ax.texts, ax.title, ax._left_title)] + list(fig.texts)
    texts += [t for legend in fig.legends for t in legend.get_texts()]
    for text in texts:
        if text.get_text() and text.get_visible():
            box = text.get_window_extent(renderer)
            assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1, f"{text.get_text()!r} runs off the figure"


# -- staffing fan --------------------------------------------------------------------------------------------


def test_median_after_closures_stays_at_the_active_runs_level(daily: pd.DataFrame) -> None:
    fig = staffing_fan(daily)
    filled = _by_day(_line(fig.axes[0], "median:filled"))
    assert (filled.loc[: CLOSE - 1] == 25).all()
    assert (filled.loc[CLOSE:] == 42).all(), "closed missions' zeros must not drag the median down"
    everyone = daily.groupby("day")["filled"].median()
    assert (everyone.loc[CLOSE:] == 20).all(), "over all runs it would have been 20"


def test_strip_shows_the_share_of_runs_active_and_those_drawing_down(daily: pd.DataFrame) -> None:
    fig = staffing_fan(daily)
    ax, strip = fig.axes
    assert strip.get_shared_x_axes().joined(ax, strip)
    share = _by_day(_line(strip, "share-active"))
    assert (share.loc[: CLOSE - 1] == 1.0).all() and (share.loc[CLOSE:] == 0.5).all()
    assert strip.get_ylim() == pytest.approx((0.0, 1.08))
    assert {c.get_gid() for c in strip.collections} >= {"share-active:mandate", "share-active:drawing-down"}
    assert "Strip: runs drawing down (mandate over)" in _legend_texts(fig)
    assert [t.get_text() for t in strip.texts if t.get_gid() == "share-active-last"] == ["last day: 50% (2 of 4)"]
    subtitle = " ".join(t.get_text() for t in ax.texts)
    assert "over the runs still active that day; strip: share of 4 runs active" in subtitle


def test_authorised_strength_is_a_band_of_its_own(daily: pd.DataFrame) -> None:
    fig = staffing_fan(daily)
    ax = fig.axes[0]
    (band,) = [c for c in ax.collections if c.get_gid() == "band90:authorised"]
    assert band.get_hatch() and not band.get_facecolor().any(), "hatched, not filled like the outcome bands"
    top = _by_day(_line(ax, "edge95:authorised"))
    median = _by_day(_line(ax, "median:authorised"))
    # from day 60 the active runs are authorised 50 and 100: the band spans them, the median sits between
    assert top.loc[60:].to_numpy() == pytest.approx(np.quantile([50, 100], 0.95))
    assert (median.loc[60:] == 75).all()
    assert not any(c.get_gid() == "band50:authorised" for c in ax.collections)
    assert "Authorised: 90% band (hatched)" in _legend_texts(fig)


def test_milestones_are_marked_with_their_dates_and_a_missing_one_is_said(daily: pd.DataFrame) -> None:
    ioc = dt.date(2010, 8, 1)
    fig = staffing_fan(daily, milestones={"IOC": ioc, "FOC": None, "Exit": dt.date(2012, 1, 1)})
    ax = fig.axes[0]
    marker = _line(ax, "milestone:IOC")
    assert pd.Timestamp(marker.get_xdata()[0]).date() == ioc
    assert not [line for line in ax.get_lines() if line.get_gid() == "milestone:FOC"]
    dates = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("milestone-date:")]
    assert dates == ["median IOC\n01 Aug 2010"]
    legend = _legend_texts(fig)
    assert "Median IOC: 01 Aug 2010" in legend and "Median FOC: not reached in half the runs" in legend
    assert "Median Exit: 01 Jan 2012, off the chart" in legend
    assert not [line for line in ax.get_lines() if line.get_gid() == "milestone:Exit"]


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NaT])
def test_no_milestones_no_markers(daily: pd.DataFrame, missing: object) -> None:
    for fig in (staffing_fan(daily), staffing_fan(daily, milestones={"FOC": missing})):  # type: ignore[dict-item]
        assert not [line for line in fig.axes[0].get_lines() if (line.get_gid() or "").startswith("milestone")]
    assert not any(text.startswith("Median") for text in _legend_texts(staffing_fan(daily)))


def test_median_milestones_read_the_summary_median_dates() -> None:
    summary = pd.DataFrame({"scenario": "Test", "measure": ["ioc_day", "foc_day", "mean_fill"],
                            "median_date": [dt.date(2010, 10, 16), None, np.nan]})
    assert median_milestones(summary) == {"IOC": dt.date(2010, 10, 16), "FOC": None}
    assert median_milestones(summary.iloc[:1]) == {"IOC": dt.date(2010, 10, 16)}
    with pytest.raises(ValueError, match="missing required column"):
        median_milestones(summary.drop(columns="median_date"))


def test_staffing_fan_renders_with_a_strip(daily: pd.DataFrame, tmp_path: Path) -> None:
    fig = staffing_fan(daily, title="Test staffing", milestones={"IOC": dt.date(2010, 8, 1), "FOC": None})
    path = save_png(fig, tmp_path / "staffing.png")
    _check_png(path, fig)
    ax, strip = fig.axes
    assert ax.get_title(loc="left") == "Test staffing" and ax.get_ylabel() == "posts"
    assert strip.get_xlabel() == "date" and strip.get_ylabel() == "runs\nactive"
    assert strip.get_window_extent().height < ax.get_window_extent().height / 3, "the strip is narrow"
    _texts_inside_figure(fig)


def test_without_mission_active_the_fan_is_over_all_runs_and_has_no_strip(daily: pd.DataFrame) -> None:
    fig = staffing_fan(daily.drop(columns="mission_active"))
    assert len(fig.axes) == 1 and fig.axes[0].get_xlabel() == "date"
    assert (_by_day(_line(fig.axes[0], "median:filled")).loc[CLOSE:] == 20).all()
    assert "across 4 replications" in " ".join(t.get_text() for t in fig.axes[0].texts)


def test_quantiles_of_a_day_with_no_active_run_are_missing(daily: pd.DataFrame) -> None:
    closed = daily.assign(mission_active=daily["day"] < 10)
    table = date_quantiles(closed, ["filled"], (0.5,), active_only=True)
    assert len(table) == DAYS and table[("filled", 0.5)].iloc[10:].isna().all()
    assert active_share(closed).iloc[10:].eq(0.0).all()


# -- split by outcome ----------------------------------------------------------------------------------------


def test_one_panel_per_outcome_class_with_its_count(daily: pd.DataFrame, runs: pd.DataFrame) -> None:
    fig = staffing_by_outcome(daily, runs)
    mains, strips = fig.axes[0::2], fig.axes[1::2]
    assert [ax.get_title(loc="left") for ax in mains] == [
        "mandate ended: 2 of 5 runs", "running at the horizon: 2 of 5 runs", "run failed: 1 of 5 runs"]
    running = _by_day(_line(mains[1], "median:filled"))
    assert (running == np.where(running.index < CLOSE, 35, 42)).all(), "each class has its own median"
    ended = _by_day(_line(mains[0], "median:filled"))
    assert (ended.loc[: CLOSE - 1] == 15).all() and ended.loc[CLOSE:].isna().all()
    assert (_by_day(_line(strips[0], "share-active")).loc[CLOSE:] == 0.0).all()
    assert (_by_day(_line(strips[1], "share-active")) == 1.0).all()
    assert "no daily records: these runs failed" in [t.get_text() for t in mains[2].texts]
    for ax in fig.axes[1:]:
        assert ax.get_shared_x_axes().joined(fig.axes[0], ax)
    for ax in mains[1:]:
        assert ax.get_shared_y_axes().joined(mains[0], ax)


def test_outcome_split_renders_to_png(daily: pd.DataFrame, runs: pd.DataFrame, tmp_path: Path) -> None:
    fig = staffing_by_outcome(daily, runs.iloc[:4], title="Test by outcome")
    path = save_png(fig, tmp_path / "outcomes.png")
    _check_png(path, fig)
    assert len(fig.axes) == 4
    assert fig.get_suptitle().strip() == "Test by outcome"
    assert [ax.get_xlabel() for ax in fig.axes] == ["", "", "", "date"]
    legend = _legend_texts(fig)
    assert {"Authorised", "Filled", "Authorised: 90% band (hatched)"} <= set(legend)
    _texts_inside_figure(fig)


def test_outcome_split_needs_every_run_in_the_runs_table(daily: pd.DataFrame, runs: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="daily table has runs the runs table does not"):
        staffing_by_outcome(daily, runs.iloc[1:])
    with pytest.raises(ValueError, match="missing required column\\(s\\) 'outcome'"):
        staffing_by_outcome(daily, runs.drop(columns="outcome"))


# -- scenarios compared --------------------------------------------------------------------------------------


def test_scenario_fans_use_active_runs_and_draw_one_share_line_each(daily: pd.DataFrame) -> None:
    other = pd.concat([_run(r, "Other") for r in (2, 3)], ignore_index=True)
    fig = scenario_fans(pd.concat([daily, other], ignore_index=True), "filled", ["Test", "Other"])
    ax, strip = fig.axes
    assert (_by_day(_line(ax, "median:Test")).loc[CLOSE:] == 42).all()
    assert (_by_day(_line(strip, "share-active:Test")).loc[CLOSE:] == 0.5).all()
    assert (_by_day(_line(strip, "share-active:Other")) == 1.0).all()
    assert strip.get_xlabel() == "date" and "still active each day" in " ".join(t.get_text() for t in ax.texts)


# -- the charts a run writes ---------------------------------------------------------------------------------


def test_replications_mark_the_summary_median_dates_and_split_by_outcome() -> None:
    result = deploysim.run(SCENARIO, reps=20, seed=3, workers=1)
    summary = result.summary().set_index("measure")
    fig = result.plot_staffing()
    legend = _legend_texts(fig)
    for label, measure in (("IOC", "ioc_day"), ("FOC", "foc_day")):
        when = summary.loc[measure, "median_date"]
        markers = [line for line in fig.axes[0].get_lines() if line.get_gid() == f"milestone:{label}"]
        if isinstance(when, dt.date):
            assert [pd.Timestamp(m.get_xdata()[0]).date() for m in markers] == [when]
            assert f"Median {label}: {when:%d %b %Y}" in legend
        else:
            assert not markers and f"Median {label}: not reached in half the runs" in legend
    split = result.plot_outcomes()
    counts = result.runs["outcome"].value_counts()
    titles = [ax.get_title(loc="left") for ax in split.axes[0::2]]
    assert sorted(titles) == sorted(f"{name}: {n} of 20 runs" for name, n in counts.items())
    assert "outcomes.png" in result.plots() and "outcomes.png" in PLOT_FILES


def test_a_cost_fan_reads_in_thousands_or_millions(daily: pd.DataFrame) -> None:
    costly = daily.assign(cost_to_date=daily["day"].astype(float) * 41_000.0)
    fig = staffing_fan(costly, series=("cost_to_date",))
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert all("e+" not in label for label in labels) and any(label.endswith(("M", "k")) for label in labels), labels
    assert not ax.yaxis.get_offset_text().get_text()
    assert ax.get_ylabel() == "cost to date"
