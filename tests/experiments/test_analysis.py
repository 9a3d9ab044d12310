"""Sensitivity indices and response tables on runs with known answers, the sweep plots, and
``deploysim analyze`` on a real sweep."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from deploysim.cli import main
from deploysim.errors import AnalysisError
from deploysim.experiments.analyze import analyze
from deploysim.experiments.design import make_design, parse_sets
from deploysim.experiments.sweep import sweep
from deploysim.plots.sweep import measure_vs_parameter, parameter_heatmap, sensitivity_bars
from deploysim.stats.intervals import mean_ci
from deploysim.stats.sensitivity import (
    by_level,
    heatmap_table,
    point_means,
    ranked_parameters,
    regression_indices,
    sobol_indices,
)


def runs_from(points: pd.DataFrame, response, reps: int = 1, noise: float = 0.0, seed: int = 0) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """A runs table shaped like a sweep's, with ``y = response(points) + noise``."""
    rng = np.random.default_rng(seed)
    frames = []
    for replication in range(reps):
        frame = points.reset_index().rename(columns={c: f"param:{c}" for c in points.columns})
        frame["replication"] = replication
        frame["status"] = "ok"
        frame["y"] = response(points).to_numpy() + noise * rng.standard_normal(len(points))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).sort_values(["point", "replication"], ignore_index=True)


def test_standardised_regression_coefficients_recover_a_linear_model() -> None:
    design = make_design("lhs", parse_sets(["a=uniform(0,1)", "b=uniform(0,1)", "c=uniform(0,1)", "k=7"]), 200, seed=1)
    runs = runs_from(design.points, lambda p: 3 * p["a"] - 1 * p["b"], reps=2, noise=0.05)
    indices = regression_indices(runs, "y", seed=3).set_index("parameter")
    assert list(indices.index) == ["a", "b", "c"]  # the constant k is not regressed on
    true_a, true_b = 3 / np.sqrt(10), -1 / np.sqrt(10)  # equal spreads: SRC_i = beta_i / sqrt(sum beta^2)
    assert indices.loc["a", "ci_low"] <= true_a + 0.02 and indices.loc["a", "ci_high"] >= true_a - 0.02
    assert indices.loc["b", "SRC"] == pytest.approx(true_b, abs=0.05)
    assert abs(indices.loc["c", "SRC"]) < 0.05
    assert indices["r2"].iloc[0] > 0.98
    assert ranked_parameters(indices.reset_index()) == ["a", "b", "c"]
    again = regression_indices(runs, "y", seed=3)
    pd.testing.assert_frame_equal(again.set_index("parameter"), indices)  # seeded bootstrap


def test_sobol_indices_on_an_additive_function() -> None:
    design = make_design("sobol", parse_sets(["a=uniform(0,1)", "b=uniform(0,1)"]), samples=256, seed=2)
    runs = runs_from(design.points, lambda p: 2 * p["a"] + 0.5 * p["b"], reps=2)
    indices = sobol_indices(runs, design.problem, "y", seed=1).set_index("parameter")
    share_a = 4 / (4 + 0.25)  # variances of 2a and 0.5b for uniform inputs: 4/12 and 0.25/12
    assert indices.loc["a", "S1"] == pytest.approx(share_a, abs=0.05)
    assert indices.loc["a", "ST"] == pytest.approx(share_a, abs=0.05)
    assert indices.loc["b", "ST"] == pytest.approx(1 - share_a, abs=0.03)
    assert (indices["S1_conf"] > 0).all()


def test_sobol_refuses_points_with_failed_or_undefined_runs() -> None:
    design = make_design("sobol", parse_sets(["a=uniform(0,1)", "b=uniform(0,1)"]), samples=8, seed=2)
    runs = runs_from(design.points, lambda p: p["a"])
    failed = runs.copy()
    failed.loc[3, "status"] = "error"
    with pytest.raises(AnalysisError, match="have failed runs"):
        sobol_indices(failed, design.problem, "y")
    undefined = runs.copy()
    undefined.loc[5, "y"] = np.nan
    with pytest.raises(AnalysisError, match="undefined at 1 design point"):
        sobol_indices(undefined, design.problem, "y")
    with pytest.raises(AnalysisError, match="no measure 'nope'"):
        sobol_indices(runs, design.problem, "nope")


def test_levels_heatmap_and_point_means_match_direct_computation() -> None:
    design = make_design("grid", parse_sets(["a=1,2,3", "b=10,20"]))
    runs = runs_from(design.points, lambda p: p["a"] * p["b"], reps=5, noise=1.0, seed=4)
    levels = by_level(runs, "a", "y")
    assert list(levels["level"]) == [1, 2, 3] and not levels["binned"].any()
    expected = mean_ci(runs.loc[runs["param:a"] == 2, "y"].to_numpy())
    row = levels.set_index("level").loc[2]
    assert (row["mean"], row["ci_low"], row["n"]) == pytest.approx((expected.mean, expected.low, 10))
    table = heatmap_table(runs, "a", "b", "y")
    assert table.shape == (3, 2)
    assert table.loc[3, 20] == pytest.approx(runs.loc[(runs["param:a"] == 3) & (runs["param:b"] == 20), "y"].mean())
    means = point_means(runs, "y")
    assert len(means) == 6 and (means["n"] == 5).all()


def test_sampled_parameters_are_binned_for_level_tables() -> None:
    design = make_design("lhs", parse_sets(["a=uniform(0,100)", "b=uniform(0,1)"]), 60, seed=3)
    runs = runs_from(design.points, lambda p: p["a"])
    levels = by_level(runs, "a", "y")
    assert len(levels) == 10 and levels["binned"].all() and levels["n"].sum() == 60
    assert levels["level"].is_monotonic_increasing
    assert heatmap_table(runs, "a", "b", "y").shape == (6, 6)


def test_plots_are_figures() -> None:
    design = make_design("grid", parse_sets(["a=1,2,3", "b=x,y"]))
    runs = runs_from(design.points, lambda p: p["a"] + (p["b"] == "y"), reps=3, noise=0.1)
    numeric = measure_vs_parameter(by_level(runs, "a", "y"))
    categorical = measure_vs_parameter(by_level(runs, "b", "y"))
    heat = parameter_heatmap(heatmap_table(runs, "a", "b", "y"))
    bars = sensitivity_bars(regression_indices(runs, "y"))
    sobol_design = make_design("sobol", parse_sets(["a=uniform(0,1)", "b=uniform(0,1)"]), 16, 1)
    sobol_runs = runs_from(sobol_design.points, lambda p: p["a"])
    sobol_bars = sensitivity_bars(sobol_indices(sobol_runs, sobol_design.problem, "y"))
    for figure in (numeric, categorical, heat, bars, sobol_bars):
        assert isinstance(figure, Figure)
    assert numeric.axes[0].get_xlabel() == "a" and numeric.axes[0].get_ylabel() == "Y"  # no unit: its label
    assert [t.get_text() for t in categorical.axes[0].get_xticklabels()] == ["x", "y"]


def test_analyze_a_real_sweep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: analysis test\nstart_date: 2010-07-22\nhorizon: 4 months\nmandate: {initial_length: 3 months}\n"
        "units: [{name: North}]\nteams:\n  - {name: Team 1, unit: North, posts: {team_leader: 1, adviser: 3}}\n"
    )
    out = tmp_path / "out"
    sweep(scenario, ["recruitment.roster.size=0,2,4", "mediators.training=1 w,6 w"], out, reps=4, seed=1, workers=1)
    report = analyze(out, ["mean_fill"], plots=False)
    indices = report.indices.set_index("parameter")
    assert indices.loc["recruitment.roster.size", "SRC"] > 0.5  # a roster fills posts at once
    assert (out / "analysis" / "sensitivity.csv").is_file() and (out / "analysis" / "points.csv").is_file()

    code = main(["analyze", str(out), "--measure", "mean_fill", "--measure", "foc_day"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "mean_fill" in printed and "standardised regression coefficients" in printed
    pngs = sorted(p.name for p in (out / "analysis").glob("*.png"))
    assert "sensitivity-mean-fill.png" in pngs and "heatmap-mean-fill.png" in pngs
    assert "mean-fill-by-recruitment-roster-size.png" in pngs

    assert main(["analyze", str(out), "--measure", "nope"]) == 2
    assert main(["analyze", str(tmp_path / "missing")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and "no measure 'nope'" in errors[0] and "no such results directory" in errors[1]
