"""The mandate timeline, cadet and phase charts draw what the runs say, on calendar dates, as real PNGs."""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.image as mimage
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

import deploysim
from deploysim.plots import cadet_progress, mandate_timeline, phase_share, phase_shares, save_png
from deploysim.plots.output import PNG_DPI

ROOT = Path(__file__).resolve().parents[2]
KYRGYZSTAN_REPS = 30
FYROM_REPS = 10


def _run(name: str, replications: int) -> tuple[pd.DataFrame, pd.DataFrame, deploysim.Scenario]:
    scenario = deploysim.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    runs = [deploysim.simulate(scenario, seed=1, replication=r) for r in range(replications)]

    def stack(table: str) -> pd.DataFrame:
        return pd.concat(
            [getattr(r, table).assign(replication=r.identity.replication, scenario=r.scenario) for r in runs],
            ignore_index=True,
        )

    return stack("daily"), stack("events"), scenario


@pytest.fixture(scope="module")
def kyrgyzstan() -> tuple[pd.DataFrame, pd.DataFrame, deploysim.Scenario]:
    return _run("kyrgyzstan-2010", KYRGYZSTAN_REPS)


@pytest.fixture(scope="module")
def fyrom() -> tuple[pd.DataFrame, pd.DataFrame, deploysim.Scenario]:
    return _run("fyrom-2001", FYROM_REPS)


@pytest.fixture(scope="module")
def kyrgyzstan_fig(kyrgyzstan) -> Figure:
    daily, events, _ = kyrgyzstan
    return mandate_timeline(daily, events)


@pytest.fixture(scope="module")
def fyrom_fig(fyrom) -> Figure:
    daily, events, _ = fyrom
    return mandate_timeline(daily, events)


def _panels(fig: Figure) -> tuple[Axes, Axes]:
    assert len(fig.axes) == 2, "a share panel and a decision strip"
    return fig.axes[0], fig.axes[1]


def _line(ax: Axes, gid: str) -> Line2D:
    found = [line for line in ax.get_lines() if line.get_gid() == gid]
    assert len(found) == 1, f"expected one line {gid!r}, found {[line.get_gid() for line in ax.get_lines()]}"
    return found[0]


def _row_labels(fig: Figure) -> list[str]:
    return [t.get_text() for t in _panels(fig)[1].get_yticklabels()]


def _row_counts(fig: Figure) -> dict[str, str]:
    """Row label -> the right-hand "k of N" label."""
    strip = _panels(fig)[1]
    (right,) = strip.child_axes
    return dict(zip(_row_labels(fig), [t.get_text() for t in right.get_yticklabels()], strict=True))


def _check_png(path: Path, fig: Figure) -> None:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000, "a real chart compresses to well over 10 kB"
    pixels = mimage.imread(path)
    width, height = fig.get_size_inches() * PNG_DPI
    assert abs(pixels.shape[0] - height) <= 1 and abs(pixels.shape[1] - width) <= 1, pixels.shape
    assert pixels[..., :3].std() > 0.05, "image is not blank"


def _mission_level(events: pd.DataFrame, kind: str) -> pd.DataFrame:
    return events[(events["team"].astype(str) == "") & (events["event"].astype(str) == kind)]


def _independent_share(daily: pd.DataFrame, values: pd.Series) -> pd.Series:
    table = pd.DataFrame({"date": daily["date"], "replication": daily["replication"], "v": values.astype(float)})
    return table.pivot(index="date", columns="replication", values="v").sort_index().mean(axis=1)


# -- mandate timeline: Kyrgyzstan 2010 (consent risk, extensions, expansion) -------------------------------------


def test_kyrgyzstan_timeline_renders_png_with_labels(kyrgyzstan_fig: Figure, tmp_path: Path) -> None:
    path = save_png(kyrgyzstan_fig, tmp_path / "timeline.png")
    _check_png(path, kyrgyzstan_fig)
    top, strip = _panels(kyrgyzstan_fig)
    assert top.get_ylabel() == "share of runs"
    assert strip.get_xlabel() == "date"
    assert "Kyrgyzstan PAG 2010" in top.get_title(loc="left")
    assert f"{KYRGYZSTAN_REPS} replications" in " ".join(t.get_text() for t in top.texts)
    labels = _row_labels(kyrgyzstan_fig)
    assert "Mandate extension granted" in labels
    assert any(label.startswith("Host consent") for label in labels), labels
    assert "Mission closed" in labels
    # Rows that never happen in this scenario are left out.
    assert not any("Phase started" in label or "Cadet" in label for label in labels), labels


def test_kyrgyzstan_mission_active_line_is_the_share_of_replications(kyrgyzstan, kyrgyzstan_fig: Figure) -> None:
    daily, _, _ = kyrgyzstan
    top, _ = _panels(kyrgyzstan_fig)
    for column, values in (
        ("mission_active", daily["mission_active"]),
        ("mandate_active", daily["mandate_active"]),
        ("consent_granted", daily["consent_state"].astype(str) == "granted"),
    ):
        expected = _independent_share(daily, values)
        line = _line(top, f"share:{column}")
        y = np.asarray(line.get_ydata(), dtype=float)
        np.testing.assert_allclose(y, expected.to_numpy())
        np.testing.assert_array_equal(pd.to_datetime(line.get_xdata()), expected.index)
        assert ((y >= 0) & (y <= 1)).all()
    mission = np.asarray(_line(top, "share:mission_active").get_ydata(), dtype=float)
    assert mission[0] == 1.0 and 0 < mission[-1] < 1, "the scenario ends some missions but not all"


def test_kyrgyzstan_rows_count_each_occurrence_and_each_run(kyrgyzstan, kyrgyzstan_fig: Figure) -> None:
    _, events, _ = kyrgyzstan
    _, strip = _panels(kyrgyzstan_fig)
    counts = _row_counts(kyrgyzstan_fig)
    rows = (("extension granted", "Mandate extension granted"), ("consent refused", "Host consent refused"))
    for kind, label in rows:
        hits = _mission_level(events, kind)
        assert len(hits) > 0
        ticks = _line(strip, f"events:{kind}")
        assert len(ticks.get_xdata()) == len(hits)
        np.testing.assert_allclose(
            np.sort(mdates.date2num(pd.to_datetime(ticks.get_xdata()))), np.sort(mdates.date2num(hits["date"]))
        )
        assert counts[label] == f"{hits['replication'].nunique()} of {KYRGYZSTAN_REPS}"
    # Extensions happen several times per run, so no median; consent is refused at most once per run.
    assert not [line for line in strip.get_lines() if line.get_gid() == "median:extension granted"]
    refused = _mission_level(events, "consent refused")["date"]
    median = pd.Timestamp(_line(strip, "median:consent refused").get_xdata()[0])
    assert abs(median - refused.median()) < pd.Timedelta(seconds=1)


def test_timeline_x_axis_is_calendar_dates(kyrgyzstan, kyrgyzstan_fig: Figure) -> None:
    daily, _, _ = kyrgyzstan
    top, strip = _panels(kyrgyzstan_fig)
    assert isinstance(strip.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    assert top.get_xlim() == strip.get_xlim(), "the panels share one date axis"
    left, right = (pd.Timestamp(mdates.num2date(x)).tz_localize(None) for x in strip.get_xlim())
    assert left <= daily["date"].min() and right >= daily["date"].max()
    assert right - left < pd.Timedelta(days=400), "the axis spans the horizon, not some default range"


def test_timeline_legend_sits_below_the_panels(kyrgyzstan_fig: Figure) -> None:
    canvas = FigureCanvasAgg(kyrgyzstan_fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    legend_box = kyrgyzstan_fig.legends[0].get_window_extent(renderer)
    for ax in kyrgyzstan_fig.axes:
        assert legend_box.y1 <= ax.get_window_extent(renderer).y0
    texts = [t.get_text() for t in kyrgyzstan_fig.legends[0].get_texts()]
    assert any("Mission active" in t for t in texts) and any("consent" in t.lower() for t in texts)


def test_team_level_events_stay_off_the_strip(kyrgyzstan) -> None:
    daily, events, _ = kyrgyzstan
    fake = events.iloc[[0]].copy()
    fake["event"] = "extension granted"
    fake["team"] = events["team"].cat.categories[0]
    assert fake["team"].iloc[0] != ""
    with_fake = pd.concat([events, fake], ignore_index=True)
    fig = mandate_timeline(daily, with_fake)
    assert len(_line(fig.axes[1], "events:extension granted").get_xdata()) == len(
        _mission_level(events, "extension granted")
    )


# -- mandate timeline: FYROM (phase change, cadets, consent not at issue) --------------------------------------


def test_fyrom_timeline_shows_the_phase_change(fyrom, fyrom_fig: Figure, tmp_path: Path) -> None:
    _, events, scenario = fyrom
    _check_png(save_png(fyrom_fig, tmp_path / "fyrom.png"), fyrom_fig)
    labels = _row_labels(fyrom_fig)
    phase = scenario.phases[0].name
    assert f"Phase started: {phase}" in labels
    assert "Cadet class graduated" in labels
    assert not any(label.startswith("Host consent") for label in labels), "consent is never at issue in FYROM"
    top, strip = _panels(fyrom_fig)
    assert not [line for line in top.get_lines() if line.get_gid() == "share:consent_granted"]
    assert "consent granted throughout" in " ".join(t.get_text() for t in top.texts)
    starts = _mission_level(events, f"phase started: {phase}")
    assert _row_counts(fyrom_fig)[f"Phase started: {phase}"] == f"{starts['replication'].nunique()} of {FYROM_REPS}"
    assert len(_line(strip, f"events:phase started: {phase}").get_xdata()) == len(starts)


def test_timeline_single_run_and_no_decisions() -> None:
    scenario = deploysim.load_scenario(ROOT / "scenarios" / "croatia-1998.yaml")
    run = deploysim.simulate(scenario, seed=3, replication=0)
    fig = mandate_timeline(run.daily, run.events.iloc[0:0])  # no replication column, no events
    top, strip = _panels(fig)
    assert _row_labels(fig) == []
    assert "no mandate decisions recorded" in [t.get_text() for t in strip.texts]
    y = np.asarray(_line(top, "share:mission_active").get_ydata(), dtype=float)
    np.testing.assert_array_equal(y, run.daily["mission_active"].astype(float).to_numpy())


# -- bad input --------------------------------------------------------------------------------------------------


def test_timeline_missing_columns_are_named(kyrgyzstan) -> None:
    daily, events, _ = kyrgyzstan
    with pytest.raises(ValueError, match=r"daily table is missing required column.*'mission_active'"):
        mandate_timeline(daily.drop(columns=["mission_active"]), events)
    with pytest.raises(ValueError, match=r"events table is missing required column.*'event'"):
        mandate_timeline(daily, events.drop(columns=["event"]))
    with pytest.raises(ValueError, match=r"events table is missing required column.*'replication'"):
        mandate_timeline(daily, events.drop(columns=["replication"]))
    with pytest.raises(ValueError, match="'mandate_active' must be a boolean"):
        mandate_timeline(daily.assign(mandate_active="yes"), events)


def test_timeline_refuses_mixed_scenarios(kyrgyzstan) -> None:
    daily, events, _ = kyrgyzstan
    mixed = pd.concat([daily, daily.assign(scenario="other", replication=daily["replication"] + 100)])
    with pytest.raises(ValueError, match="2 scenarios"):
        mandate_timeline(mixed, events)
    with pytest.raises(ValueError, match="events table is for 'other'"):
        mandate_timeline(daily, events.assign(scenario="other"))


def test_cadet_and_phase_charts_name_missing_columns(fyrom) -> None:
    daily, _, _ = fyrom
    with pytest.raises(ValueError, match="'cadets_graduated'"):
        cadet_progress(daily.drop(columns=["cadets_graduated"]))
    with pytest.raises(ValueError, match="'phase'"):
        phase_share(daily.drop(columns=["phase"]))


# -- cadet programme ------------------------------------------------------------------------------------------


def test_cadet_progress_median_and_band(fyrom, tmp_path: Path) -> None:
    daily, _, _ = fyrom
    fig = cadet_progress(daily)
    _check_png(save_png(fig, tmp_path / "cadets.png"), fig)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "cadets" and ax.get_xlabel() == "date"
    by_date = daily.pivot(index="date", columns="replication", values="cadets_graduated").sort_index()
    values = by_date.to_numpy(dtype=float)
    median = _line(ax, "median:cadets_graduated")
    np.testing.assert_allclose(np.asarray(median.get_ydata(), dtype=float), np.median(values, axis=1))
    assert values[-1].min() > 500, "FYROM graduates classes of cadets, so the check is not comparing zeros"
    low, high = np.quantile(values, [0.05, 0.95], axis=1)
    band = next(c for c in ax.collections if c.get_gid() == "band:cadets_graduated")
    vertices = band.get_paths()[0].vertices
    x_days = mdates.date2num(by_date.index.to_numpy())
    index = np.clip(np.searchsorted(x_days, vertices[:, 0] - 1e-9), 0, len(x_days) - 1)
    assert (np.isclose(vertices[:, 1], low[index]) | np.isclose(vertices[:, 1], high[index])).all()
    for column in ("cadets_in_academy", "cadets_in_field"):
        assert np.asarray(_line(ax, f"median:{column}").get_ydata(), dtype=float).max() > 0
    assert f"{np.median(values[-1]):,.0f} graduated" in " ".join(t.get_text() for t in ax.texts)


# -- phases -------------------------------------------------------------------------------------------------------


def test_phase_share_stacks_to_one_and_matches_the_runs(fyrom, tmp_path: Path) -> None:
    daily, _, scenario = fyrom
    names = [p.name for p in scenario.phases]
    shares = phase_shares(daily)
    np.testing.assert_allclose(shares.sum(axis=1).to_numpy(), 1.0)
    assert ((shares >= 0) & (shares <= 1)).all().all()
    in_phase_1 = _independent_share(daily, daily["mission_active"] & (daily["phase"] == 1))
    np.testing.assert_allclose(shares[1].to_numpy(), in_phase_1.to_numpy())
    assert shares[0].iloc[0] == 1.0 and shares[1].iloc[-1] > 0.5, "FYROM starts in phase 0 and changes shape"
    fig = phase_share(daily, names)
    _check_png(save_png(fig, tmp_path / "phases.png"), fig)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert f"Phase 1: {names[0]}" in texts and "Mission closed" in texts


# -- mandate timeline: shapes as well as colours, and rows that never vary ---------------------------------------


def _tone_keys(fig: Figure) -> dict[str, Line2D]:
    """Legend key by tone, from the figure legend's handles and their texts."""
    from deploysim.plots.timeline import TONE_LABELS

    tones = {label: tone for tone, label in TONE_LABELS.items()}
    return {tones[text.get_text()]: handle for legend in fig.legends
            for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True)
            if text.get_text() in tones and isinstance(handle, Line2D)}


def test_each_kind_of_decision_has_its_own_marker(kyrgyzstan_fig: Figure, fyrom_fig: Figure) -> None:
    from deploysim.plots.timeline import EVENT_ROWS, TONE_LABELS

    keys = {**_tone_keys(kyrgyzstan_fig), **_tone_keys(fyrom_fig)}
    assert set(keys) == set(TONE_LABELS), "between them the two scenarios have every kind of decision"
    markers = {tone: key.get_marker() for tone, key in keys.items()}
    assert len(set(markers.values())) == len(markers), markers
    tones = {row.label: row.tone for row in EVENT_ROWS}
    strip = _panels(kyrgyzstan_fig)[1]
    for label in _row_labels(kyrgyzstan_fig):
        line = _line(strip, f"events:{next(r.event for r in EVENT_ROWS if r.label == label)}")
        assert line.get_marker() == markers[tones[label]], label


def test_rows_that_never_happen_are_named_in_a_note(fyrom_fig: Figure) -> None:
    strip = _panels(fyrom_fig)[1]
    note = strip.get_title(loc="left").replace("\n", " ")
    assert "Not shown, in no run:" in note
    for label in ("Host consent granted", "expansion approved", "budget ceiling reached"):
        assert label in note
        assert label.capitalize() not in _row_labels(fyrom_fig)
    assert "mandate review" not in note.lower(), "a row that is drawn is not listed as dropped"


def test_a_state_that_never_changes_is_dropped_and_said(kyrgyzstan) -> None:
    daily, events, _ = kyrgyzstan
    steady = daily.assign(mandate_active=True, mission_active=True)
    fig = mandate_timeline(steady, events)
    top = _panels(fig)[0]
    gids = [line.get_gid() for line in top.get_lines()]
    assert "share:mandate_active" not in gids
    assert "share:mission_active" in gids, "the mission line is the headline and always drawn"
    assert "mandate in force throughout" in " ".join(t.get_text() for t in top.texts)
