"""Sensitivity indices and response tables on runs with known answers, the sweep plots, and
``deploysim analyze`` on a real sweep."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import SMALL_TWO_TEAMS, merge
from matplotlib.figure import Figure

from deploysim.cli import main
from deploysim.errors import AnalysisError
from deploysim.experiments.analyze import analyze
from deploysim.experiments.design import make_design, parse_sets
from deploysim.experiments.sweep import sweep
from deploysim.plots.sweep import measure_vs_parameter, parameter_heatmap, sensitivity_bars
from deploysim.stats.intervals import mean_ci
from deploysim.stats.noise import INTERACTION, ONE_REPLICATION, WITHIN, noise_share
from deploysim.stats.proportions import wilson_interval
from deploysim.stats.responses import response, run_values
from deploysim.stats.sensitivity import (
    analyse_measure,
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
    assert (row["estimate"], row["ci_low"], row["n"]) == pytest.approx((expected.mean, expected.low, 10))
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
    sweep(scenario, ["recruitment.roster.size=0,2,4", "mediators.training=1 w,6 w"], out, reps=4, seed=1, workers=1,
          targets=["foc_day<=90"])
    report = analyze(out, ["mean_fill"], plots=False, targets=["ioc_day<=2010-09-01"])
    assert list(report.measures) == ["mean_fill", "P(foc_day<=90)", "P(ioc_day<=2010-09-01)"]  # stored, then given
    indices = report.indices.set_index("parameter")
    assert indices.loc["recruitment.roster.size", "SRC"].iloc[0] > 0.5  # a roster fills posts at once
    assert set(report.indices["estimator"]) >= {"pooled share (total over total)"}
    assert list(report.noise["measure"]) == list(report.measures)
    for name in ("sensitivity.csv", "points.csv", "noise.csv"):
        assert (out / "analysis" / name).is_file()

    code = main(["analyze", str(out), "--measure", "mean_fill", "--measure", "foc_day"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "mean_fill" in printed and "standardised regression coefficients" in printed
    assert "restricted mean to the horizon" in printed and "replication noise: " in printed
    pngs = sorted(p.name for p in (out / "analysis").glob("*.png"))
    assert "sensitivity-mean-fill.png" in pngs and "heatmap-mean-fill.png" in pngs
    assert "mean-fill-by-recruitment-roster-size.png" in pngs

    assert main(["analyze", str(out), "--measure", "nope"]) == 2
    assert main(["analyze", str(tmp_path / "missing")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and "no measure 'nope'" in errors[0] and "no such results directory" in errors[1]


def two_way(points: int, reps: int, signal: float, common: float, interaction: float, seed: int = 0) -> pd.DataFrame:
    """``y = a_p + b_r + e_pr`` with standard deviations ``signal``, ``common`` and ``interaction``: the
    shape of a sweep's runs under common random numbers (``b_r`` is replication r's luck at every point)."""
    rng = np.random.default_rng(seed)
    a = signal * rng.standard_normal((points, 1))
    b = common * rng.standard_normal((1, reps))
    y = a + b + interaction * rng.standard_normal((points, reps))
    grid = np.indices((points, reps)).reshape(2, -1)
    return pd.DataFrame({"point": grid[0], "replication": grid[1], "value": y.ravel()})


def test_noise_share_is_the_share_of_the_point_variance_that_luck_explains() -> None:
    # Independent luck of sd 2 over 4 replications adds 4 / 4 = 1 to a point variance of 1: share 1/2.
    independent = noise_share(two_way(400, 4, 1.0, 0.0, 2.0, seed=1), common=False)
    assert independent.method == WITHIN and independent.share == pytest.approx(0.5, abs=0.06)
    # Under common random numbers the luck shared by all points (sd 5) moves no index; only the
    # interaction (sd 1) counts: 0.25 / (1 + 0.25) = 0.2. Read as independent, the same runs look all noise.
    runs = two_way(400, 4, 1.0, 5.0, 1.0, seed=2)
    shared = noise_share(runs, common=True)
    assert shared.method == INTERACTION and shared.share == pytest.approx(0.2, abs=0.04)
    assert noise_share(runs, common=False).share == 1.0
    single = noise_share(two_way(50, 1, 1.0, 0.0, 1.0), common=True)
    assert np.isnan(single.share) and single.method == ONE_REPLICATION


def milestone_runs() -> pd.DataFrame:
    return pd.DataFrame({"point": [0, 0, 0, 0, 1, 1, 1, 1], "replication": [0, 1, 2, 3] * 2, "status": "ok",
                         "param:a": [1, 1, 1, 1, 2, 2, 2, 2], "observed_days": 100.0,
                         "foc_day": [10.0, np.nan, 30.0, np.nan, 20.0, 40.0, 60.0, 80.0],
                         "filled_post_days": [90.0, 10.0, 50.0, 50.0, 1.0, 2.0, 3.0, 4.0],
                         "mandate_post_days": [100.0, 50.0, 100.0, 100.0, 4.0, 4.0, 4.0, 4.0],
                         "mean_fill": [0.9, 0.2, 0.5, 0.5, 0.25, 0.5, 0.75, 1.0]})


def test_milestones_count_every_run_as_restricted_means_with_p_reached() -> None:
    runs = milestone_runs()
    means = point_means(runs, "foc_day").set_index("point")
    # Point 0 reached FOC in 2 of 4 runs: the restricted mean counts the others at the horizon (100),
    # where a mean over the runs that reached it would say day 20.
    assert means.loc[0, "estimate"] == pytest.approx((10 + 100 + 30 + 100) / 4)
    assert means.loc[0, "estimator"].startswith("restricted mean")
    assert means.loc[0, "ci_high"] <= 100  # the range of min(T, horizon)
    expected = wilson_interval(2, 4)
    assert (means.loc[0, "p_reached"], means.loc[0, "p_reached_low"]) == pytest.approx((0.5, expected.low))
    by_day = point_means(runs, "foc_day<=30").set_index("point")
    assert list(by_day["measure"].unique()) == ["P(foc_day<=30)"]
    assert list(by_day["estimate"]) == [0.5, 0.25]
    assert by_day.loc[1, "ci_low"] == pytest.approx(wilson_interval(1, 4).low)
    with pytest.raises(AnalysisError, match="after the horizon"):
        point_means(runs, "foc_day<=150")
    with pytest.raises(AnalysisError, match="observed_days"):
        point_means(runs.drop(columns="observed_days"), "foc_day")


def test_shares_are_ratios_of_totals_and_their_run_values_average_to_them() -> None:
    runs = milestone_runs()
    means = point_means(runs, "mean_fill").set_index("point")
    assert means.loc[0, "estimate"] == pytest.approx(200 / 350)  # not the mean of per-run fills, 0.525
    assert means.loc[0, "estimator"] == "pooled share (total over total)"
    values = run_values(runs, response("mean_fill", runs))
    assert values.groupby("point")["value"].mean().to_numpy() == pytest.approx(means["estimate"].to_numpy())
    assert point_means(runs.drop(columns="filled_post_days"), "mean_fill")["estimator"].iloc[0] == "mean per run"


def test_an_inert_factor_gets_no_index_under_common_random_numbers(tmp_path: Path) -> None:
    """A small real Sobol sweep (two teams, four months; selection time and the inert ``dummy``; N = 16,
    two replications: 64 points, 128 runs) analysed for team coverage, whose runs are noisy.

    Under common random numbers (the default) the dummy's points run identically, so its total index
    is 0 up to rounding; the bound 0.05 is the planner's "negligible", not a statistical allowance.
    With independent seeds the same factor gets ST of about the noise share (0.69 here, with the
    noise share at 1.0; 0.37 to 1.51 over root seeds 1 to 8), so ST > 0.3 holds with room for engine
    changes that move the numbers. The noise share separates the two: high with independent seeds,
    low with common random numbers, and the analysis warns about the first."""
    data = merge(SMALL_TWO_TEAMS, {"horizon": "4 months"})
    options = {"design": "sobol", "samples": 16, "reps": 2, "seed": 1, "workers": 1, "daily": "none", "dummy": True}
    sets = ["recruitment.selection=uniform(7,28)"]
    shared = sweep(data, sets, tmp_path / "crn", **options)  # type: ignore[arg-type]
    independent = sweep(data, sets, tmp_path / "ind", crn=False, **options)  # type: ignore[arg-type]
    assert shared.manifest["common_random_numbers"] and not independent.manifest["common_random_numbers"]

    crn = analyse_measure(shared.runs, shared.manifest, "team_coverage")
    ind = analyse_measure(independent.runs, independent.manifest, "team_coverage")
    crn_st, ind_st = (a.indices.set_index("parameter").loc["dummy", "ST"] for a in (crn, ind))
    assert abs(crn_st) < 0.05
    assert ind_st > 0.3
    assert crn.noise is not None and ind.noise is not None
    assert crn.noise.share < 0.25 < 0.5 < ind.noise.share
    assert not crn.warnings and "mostly replication noise" in ind.warnings[0]
    report = analyze(tmp_path / "ind", ["team_coverage"], plots=False)
    assert any("keep common random numbers" in note for note in report.notes)
    assert report.noise.set_index("measure").loc["team_coverage", "noise_share"] == pytest.approx(ind.noise.share)
