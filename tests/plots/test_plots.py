"""Plots render the shipped scenario to real PNGs and draw what the data say, not just something."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import matplotlib.image as mimage
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import QuadMesh
from matplotlib.figure import Figure

import deploysim
from deploysim.plots import coverage_heatmap, save_png, staffing_fan
from deploysim.plots.output import PNG_DPI
from deploysim.plots.style import SERIES_COLOURS

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "kyrgyzstan-2010.yaml"
REPLICATIONS = 20


@pytest.fixture(scope="module")
def runs() -> list[deploysim.RunResult]:
    scenario = deploysim.load_scenario(SCENARIO)
    return [deploysim.simulate(scenario, seed=1, replication=r) for r in range(REPLICATIONS)]


@pytest.fixture(scope="module")
def daily(runs: list[deploysim.RunResult]) -> pd.DataFrame:
    return pd.concat(
        [r.daily.assign(replication=r.identity.replication, scenario=r.scenario) for r in runs], ignore_index=True
    )


@pytest.fixture(scope="module")
def teams(runs: list[deploysim.RunResult]) -> pd.DataFrame:
    return pd.concat(
        [r.teams.assign(replication=r.identity.replication, scenario=r.scenario) for r in runs], ignore_index=True
    )


def _median_line(fig: Figure, series: str):
    lines = [line for line in fig.axes[0].get_lines() if line.get_gid() == f"median:{series}"]
    assert len(lines) == 1, f"expected one median line for {series}"
    return lines[0]


def _legend_texts(fig: Figure) -> list[str]:
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    return [text.get_text() for legend in legends for text in legend.get_texts()]


def _check_png(path: Path, fig: Figure) -> None:
    assert path.is_file()
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000, "a real chart compresses to well over 10 kB"
    pixels = mimage.imread(path)
    width, height = fig.get_size_inches() * PNG_DPI
    assert abs(pixels.shape[0] - height) <= 1 and abs(pixels.shape[1] - width) <= 1, pixels.shape
    assert pixels[..., :3].std() > 0.05, "image is not blank"
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")], "temporary file left behind"


def _check_date_axis(ax, first: pd.Timestamp, last: pd.Timestamp) -> None:
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    left, right = (pd.Timestamp(mdates.num2date(x)).tz_localize(None) for x in ax.get_xlim())
    assert left <= first <= left + pd.Timedelta(days=1)
    assert right - pd.Timedelta(days=1) <= last <= right


# -- staffing fan -----------------------------------------------------------------------------------------------


def test_staffing_fan_renders_png_with_labels(daily: pd.DataFrame, tmp_path: Path) -> None:
    fig = staffing_fan(daily, title="PAG staffing")
    path = save_png(fig, tmp_path / "out" / "staffing.png")
    assert path == tmp_path / "out" / "staffing.png"
    _check_png(path, fig)
    ax, strip = fig.axes
    assert ax.get_title(loc="left") == "PAG staffing"
    assert ax.get_ylabel() == "posts"
    assert strip.get_xlabel() == "date" and strip.get_ylabel() == "runs\nactive"
    texts = _legend_texts(fig)
    for name in ("authorised", "filled", "present"):
        assert any(name in t.lower() for t in texts), f"{name} missing from legend {texts}"
    assert any("50%" in t for t in texts) and any("90%" in t for t in texts)
    assert _median_line(fig, "filled").get_color() == SERIES_COLOURS["filled"]


def test_staffing_fan_legend_does_not_cover_the_axes(daily: pd.DataFrame) -> None:
    fig = staffing_fan(daily)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    legend_box = fig.legends[0].get_window_extent(renderer)
    axes_box = fig.axes[0].get_window_extent(renderer)
    assert legend_box.y1 <= axes_box.y0


def test_staffing_fan_default_title_names_the_scenario(daily: pd.DataFrame) -> None:
    fig = staffing_fan(daily)
    assert daily["scenario"].iloc[0] in fig.axes[0].get_title(loc="left")


def _active_pivot(daily: pd.DataFrame, column: str) -> pd.DataFrame:
    """Values by date (rows) and replication (columns), NaN where that run's mission is over."""
    values = daily[column].astype(float).where(daily["mission_active"].astype(bool))
    return daily.assign(value=values).pivot(index="date", columns="replication", values="value").sort_index()


def test_staffing_fan_median_matches_independent_median_of_active_runs(daily: pd.DataFrame) -> None:
    fig = staffing_fan(daily)
    by_date = _active_pivot(daily, "filled")
    expected = np.nanmedian(by_date.to_numpy(dtype=float), axis=1)
    line = _median_line(fig, "filled")
    np.testing.assert_allclose(np.asarray(line.get_ydata(), dtype=float), expected)
    np.testing.assert_array_equal(pd.to_datetime(line.get_xdata()), by_date.index)
    assert expected.max() > 0, "the scenario fills posts, so the check above is not comparing zeros"
    assert by_date.isna().any().any(), "some missions close, so the check above differs from all runs' median"


def test_staffing_fan_bands_are_the_5th_and_95th_percentiles(daily: pd.DataFrame) -> None:
    fig = staffing_fan(daily, series=("filled",))
    ax = fig.axes[0]
    by_date = _active_pivot(daily, "filled")
    low, high = np.nanquantile(by_date.to_numpy(dtype=float), [0.05, 0.95], axis=1)
    assert (high > low).any(), "replications differ, so the 90% band has width somewhere"
    (band_90,) = [c for c in ax.collections if c.get_gid() == "band90:filled"]
    vertices = band_90.get_paths()[0].vertices
    x_days = mdates.date2num(by_date.index.to_numpy())
    index = np.clip(np.searchsorted(x_days, vertices[:, 0] - 1e-9), 0, len(x_days) - 1)
    on_edge = np.isclose(vertices[:, 1], low[index]) | np.isclose(vertices[:, 1], high[index])
    assert on_edge.all()


def test_staffing_fan_x_axis_is_calendar_dates(daily: pd.DataFrame) -> None:
    fig = staffing_fan(daily)
    _check_date_axis(fig.axes[0], daily["date"].min(), daily["date"].max())


def test_staffing_fan_single_replication_has_degenerate_bands(runs: list[deploysim.RunResult]) -> None:
    one = runs[3].daily  # no replication column at all
    fig = staffing_fan(one, series=("filled", "present"))
    active = one["mission_active"].astype(bool)
    np.testing.assert_allclose(np.asarray(_median_line(fig, "present").get_ydata(), dtype=float),
                               one["present"].where(active))
    assert "share of 1 run active" in " ".join(t.get_text() for t in fig.axes[0].texts)
    (band_50,) = [c for c in fig.axes[0].collections if c.get_gid() == "band50:filled"]
    vertices = band_50.get_paths()[0].vertices
    x_days = mdates.date2num(one["date"].to_numpy())
    index = np.clip(np.searchsorted(x_days, vertices[:, 0] - 1e-9), 0, len(x_days) - 1)
    np.testing.assert_allclose(vertices[:, 1], one["filled"].to_numpy(dtype=float)[index])


def test_staffing_fan_labels_units_by_series(daily: pd.DataFrame) -> None:
    assert staffing_fan(daily, series="vacant").axes[0].get_ylabel() == "posts"
    fig = staffing_fan(daily, series=("teams_operational", "mediators_certified"))
    assert fig.axes[0].get_ylabel() == "number"
    assert {line.get_gid() for line in fig.axes[0].get_lines()} >= {"median:teams_operational"}


@pytest.mark.parametrize("column", ["date", "filled"])
def test_staffing_fan_missing_column_is_a_clear_error(daily: pd.DataFrame, column: str) -> None:
    with pytest.raises(ValueError, match=rf"missing required column\(s\) '{column}'"):
        staffing_fan(daily.drop(columns=column))


def test_staffing_fan_refuses_a_mix_of_scenarios(daily: pd.DataFrame) -> None:
    mixed = pd.concat([daily, daily.assign(scenario="other")], ignore_index=True)
    with pytest.raises(ValueError, match="2 scenarios"):
        staffing_fan(mixed)


# -- coverage heatmap -------------------------------------------------------------------------------------------


def test_coverage_heatmap_renders_png_with_shares(teams: pd.DataFrame, tmp_path: Path) -> None:
    fig = coverage_heatmap(teams, title="PAG coverage")
    path = save_png(fig, tmp_path / "coverage.png")
    _check_png(path, fig)
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "PAG coverage"
    assert ax.get_xlabel() == "date"
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    values = np.ma.asarray(mesh.get_array())
    n_teams = len(teams["team"].cat.categories)
    n_days = teams["date"].nunique()
    assert values.shape == (n_teams, n_days)
    assert values.min() >= 0.0 and values.max() <= 1.0
    assert values.max() > 0.0, "teams become operational in this scenario"
    assert mesh.colorbar is not None
    assert mesh.colorbar.ax.get_ylabel() == "share of replications operational"
    assert [t.get_text() for t in ax.get_yticklabels()] == list(teams["team"].cat.categories)


def test_coverage_heatmap_values_match_independent_share(teams: pd.DataFrame) -> None:
    fig = coverage_heatmap(teams)
    mesh = next(c for c in fig.axes[0].collections if isinstance(c, QuadMesh))
    values = np.ma.asarray(mesh.get_array())
    for row, team in enumerate(teams["team"].cat.categories):
        subset = teams[teams["team"] == team]
        flags = subset.pivot(index="date", columns="replication", values="operational").sort_index()
        exists = subset.pivot(index="date", columns="replication", values="authorised").sort_index() > 0
        # over the runs in which the team exists that day: a closed mission's team is absent, not failing
        expected = flags.astype(float).where(exists).mean(axis=1).to_numpy()
        np.testing.assert_allclose(np.ma.filled(values[row].astype(float), np.nan), expected)


def test_coverage_heatmap_x_axis_is_calendar_dates(teams: pd.DataFrame) -> None:
    fig = coverage_heatmap(teams)
    _check_date_axis(fig.axes[0], teams["date"].min(), teams["date"].max())


def test_coverage_heatmap_single_replication(runs: list[deploysim.RunResult]) -> None:
    one = runs[0].teams
    fig = coverage_heatmap(one)
    mesh = next(c for c in fig.axes[0].collections if isinstance(c, QuadMesh))
    values = np.ma.asarray(mesh.get_array())
    operational = one.pivot(index="team", columns="date", values="operational").astype(float)
    exists = one.pivot(index="team", columns="date", values="authorised") > 0
    np.testing.assert_array_equal(np.ma.filled(values.astype(float), np.nan), operational.where(exists).to_numpy())
    assert set(np.unique(values.compressed())) <= {0.0, 1.0}


def test_coverage_heatmap_missing_column_is_a_clear_error(teams: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"missing required column\(s\) 'operational'"):
        coverage_heatmap(teams.drop(columns="operational"))


# -- output and hygiene -----------------------------------------------------------------------------------------


def test_save_png_keeps_the_old_file_when_writing_fails(
    runs: list[deploysim.RunResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "chart.png"
    target.write_bytes(b"previous result")
    fig = staffing_fan(runs[0].daily)

    def broken_savefig(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(fig, "savefig", broken_savefig)
    with pytest.raises(OSError, match="disk full"):
        save_png(fig, target)
    assert target.read_bytes() == b"previous result"
    assert [p.name for p in tmp_path.iterdir()] == ["chart.png"]


def test_plotting_leaves_rcparams_alone(daily: pd.DataFrame, teams: pd.DataFrame) -> None:
    before = dict(matplotlib.rcParams)
    staffing_fan(daily)
    coverage_heatmap(teams)
    assert dict(matplotlib.rcParams) == before


def test_plots_never_import_pyplot() -> None:
    code = (
        "import sys, deploysim, deploysim.plots as p\n"
        "s = deploysim.load_scenario(sys.argv[1])\n"
        "r = deploysim.simulate(s, seed=2)\n"
        "p.staffing_fan(r.daily); p.coverage_heatmap(r.teams)\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(SCENARIO)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_first_date_tick_names_its_year(daily: pd.DataFrame) -> None:
    # The scenario starts in July 2010; month ticks name the year only at January, so without the
    # first-tick year the chart would never say "2010".
    fig = staffing_fan(daily)
    fig.canvas.draw()
    ax = fig.axes[-1]  # the dates are written under the share-active strip
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "2010" in labels[0]
    assert any(label.startswith("2011") for label in labels)
