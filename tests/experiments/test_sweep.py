"""``deploysim sweep``: identical tables whatever runs them, failures as data, resumable after SIGKILL,
and one-line errors for bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from deploysim.cli import main
from deploysim.experiments.sweep import sweep
from deploysim.storage.directory import load_results
from deploysim.storage.tables import read_table

SCENARIO = """\
name: sweep test
start_date: 2010-07-22
horizon: 4 months
mandate: {initial_length: 3 months}
units:
  - {name: North}
  - {name: South}
teams:
  - {name: Team 1, unit: North, posts: {team_leader: 1, adviser: 3}, min_manning: {team_leader: 1, adviser: 2}}
  - {name: Team 2, unit: South, posts: {team_leader: 1, adviser: 3}, min_manning: {team_leader: 1, adviser: 2}}
recruitment:
  selection: triangular(7, 14, 28) d
"""
SETS = ["recruitment.roster.size=0,4,8", "teams.Team 2.posts.adviser=3,5"]


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SCENARIO)
    return path


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """A table without wall-clock columns, which differ from run to run by nature."""
    return frame.drop(columns=[c for c in ("runtime_s",) if c in frame.columns]).reset_index(drop=True)


def test_tables_do_not_depend_on_workers_or_batch_size(scenario_file: Path, tmp_path: Path) -> None:
    here = sweep(scenario_file, SETS, tmp_path / "one", reps=3, seed=7, workers=1, batch_size=5)
    pool = sweep(scenario_file, SETS, tmp_path / "two", reps=3, seed=7, workers=2, batch_size=2)
    assert len(here.runs) == 6 * 3 and (here.runs["status"] == "ok").all()
    pd.testing.assert_frame_equal(comparable(here.runs), comparable(pool.runs))
    pd.testing.assert_frame_equal(here.daily, pool.daily)
    assert here.runs["param:recruitment.roster.size"].tolist()[:6] == [0, 0, 0, 0, 0, 0]
    assert sorted(here.runs["param:teams.Team 2.posts.adviser"].unique()) == [3, 5]


def test_daily_series_thinned_or_left_out_and_other_tables_off(scenario_file: Path, tmp_path: Path) -> None:
    thin = sweep(scenario_file, SETS[:1], tmp_path / "thin", reps=2, workers=1)
    assert set(thin.daily["day"] % 7) == {0}
    assert thin.teams.empty and thin.events.empty
    full = sweep(scenario_file, SETS[:1], tmp_path / "full", reps=2, workers=1, daily="full", teams=True, events=True)
    assert full.daily["day"].nunique() == full.daily["day"].max() + 1
    assert not full.teams.empty and not full.events.empty
    pd.testing.assert_frame_equal(thin.daily, full.daily[full.daily["day"] % 7 == 0].reset_index(drop=True))
    none = sweep(scenario_file, SETS[:1], tmp_path / "none", reps=2, workers=1, daily="none")
    assert none.daily.empty and len(none.runs) == 6


def test_manifest_records_what_reproduces_the_sweep(scenario_file: Path, tmp_path: Path) -> None:
    stored = sweep(scenario_file, SETS, tmp_path / "out", design="grid", reps=2, seed=3, workers=1, batch_size=4)
    manifest = stored.manifest
    assert manifest["kind"] == "sweep" and manifest["complete"] is True
    assert manifest["root_seed"] == 3 and manifest["replications"] == 2 and manifest["batch_size"] == 4
    assert manifest["design"]["kind"] == "grid" and manifest["design"]["points"] == 6
    assert [f["spec"] for f in manifest["design"]["factors"]] == ["0,4,8", "3,5"]
    assert len(manifest["scenario_hash"]) == 16 and manifest["tasks"] == 3
    assert "deploysim_version" in manifest and "git_commit" in manifest
    design = pd.read_parquet(tmp_path / "out" / "design.parquet")
    assert list(design.columns) == ["point", "recruitment.roster.size", "teams.Team 2.posts.adviser"]


def test_failing_design_points_and_runs_are_recorded_and_the_rest_completes(
    scenario_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import deploysim.experiments.runner

    real = deploysim.experiments.runner.simulate

    def flaky(scenario, seed, replication, point, **options):  # type: ignore[no-untyped-def]
        if point == 0 and replication == 1:
            raise RuntimeError("engine fault for the test")
        return real(scenario, seed, replication, point, **options)

    monkeypatch.setattr(deploysim.experiments.runner, "simulate", flaky)
    out = tmp_path / "out"
    code = main(["sweep", str(scenario_file), "--set", "teams.0.min_manning.adviser=2,9", "--reps", "3",
                 "--workers", "1", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "1 design point(s) are not valid scenarios" in printed
    runs = load_results(out).runs
    assert len(runs) == 6
    invalid = runs[runs["point"] == 1]
    assert (invalid["status"] == "error").all()
    assert invalid["error"].str.contains("design point 1 .*needs 9 adviser present", regex=True).all()
    assert invalid["mean_fill"].isna().all()
    valid = runs[runs["point"] == 0].set_index("replication")
    assert valid.loc[1, "status"] == "error" and "engine fault for the test" in valid.loc[1, "error"]
    assert (valid.loc[[0, 2], "status"] == "ok").all()


def test_no_valid_point_stops_before_running(scenario_file: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["sweep", str(scenario_file), "--set", "teams.0.min_manning.adviser=8,9", "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("deploysim: error: sweep: no design point is a valid scenario")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "recruitment.rooster.size=1,2"], "--set: recruitment.rooster: unknown key 'rooster'; valid keys"),
        (["--set", "teams.Team 9.posts.adviser=1,2"], "no item named 'Team 9' in teams; use an index 0-1 or a name"),
        (["--set", "recruitment.roster.size"], "expected PATH=SPEC"),
        (["--set", "recruitment.roster.size=5:1:1"], "lo must be below hi"),
        (["--set", "recruitment.roster.size=int(1,5)"], "needs --design lhs or sobol"),
        (["--design", "sobol", "--set", "recruitment.roster.size=int(1,5)"], "needs --samples"),
        (["--design", "sobol", "--samples", "5", "--set", "recruitment.roster.size=int(1,5)"], "power of two"),
        ([], "give at least one --set"),
        (["--set", "incidents.rate_per_day=1,2", "--daily", "some"], "invalid choice: 'some'"),
    ],
)
def test_bad_sets_and_specs_are_one_line_errors(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    code = main(["sweep", str(scenario_file), "--out", str(tmp_path / "o"), *args])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deploysim: error:") and expected in lines[0]
    assert not (tmp_path / "o").exists()


def test_a_real_process_shows_no_traceback(scenario_file: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "deploysim", "sweep", str(scenario_file), "--set", "teams.0.postz.adviser=1,2",
         "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith("deploysim: error: --set: teams.0.postz: unknown key 'postz'; valid keys at teams.0:")
    assert "posts" in lines[0] and "min_manning" in lines[0]


def test_existing_results_need_resume_and_resume_must_match(scenario_file: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    base = ["sweep", str(scenario_file), "--set", SETS[0], "--reps", "2", "--workers", "1", "--out", str(out)]
    assert main(base) == 0
    assert main(base) == 2
    assert "already holds results; pass --resume" in capsys.readouterr().err
    assert main([*base, "--resume"]) == 0
    assert "resumed: 6 runs were already on disk, 0 run now" in capsys.readouterr().out
    assert main([*base, "--resume", "--seed", "9"]) == 2
    assert "differs from the one stored there in root_seed" in capsys.readouterr().err
    other = ["sweep", str(scenario_file), "--set", "recruitment.roster.size=0,5", "--reps", "2", "--out", str(out)]
    assert main([*other, "--resume"]) == 2
    assert "differs from the one stored there" in capsys.readouterr().err


def test_sigkill_part_way_then_resume_equals_an_uninterrupted_sweep(scenario_file: Path, tmp_path: Path) -> None:
    sets = ["--set", "recruitment.roster.size=0:7:1", "--set", "incidents.rate_per_day=0.1,0.3,0.5"]
    common = ["sweep", str(scenario_file), *sets, "--reps", "10", "--seed", "5"]
    total_runs, tasks = 8 * 3 * 10, 8 * 3 * 10 // 4
    killed = tmp_path / "killed"
    process = subprocess.Popen(
        [sys.executable, "-m", "deploysim", *common, "--batch-size", "4", "--workers", "2", "--out", str(killed)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(list((killed / "runs").glob("part-*.parquet"))) < 5:
            assert process.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no parts appeared within 60 s"
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGKILL)  # the CLI and its pool workers, as kill -9 of the job would
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    before = {p.name: p.stat().st_mtime_ns for p in (killed / "runs").glob("part-*.parquet")}
    assert 0 < len(before) < tasks, "the kill should land part-way"
    assert json.loads((killed / "manifest.json").read_text())["complete"] is False

    assert main([*common, "--workers", "1", "--out", str(killed), "--resume"]) == 0  # batch size from the manifest
    after = {p.name: p.stat().st_mtime_ns for p in (killed / "runs").glob("part-*.parquet")}
    assert len(after) == tasks
    assert all(after[name] == stamp for name, stamp in before.items()), "finished tasks must not run again"

    assert main([*common, "--batch-size", "40", "--workers", "1", "--out", str(tmp_path / "straight")]) == 0
    resumed, straight = read_table(killed, "runs"), read_table(tmp_path / "straight", "runs")
    assert len(resumed) == total_runs
    assert not resumed.duplicated(["point", "replication"]).any()
    pd.testing.assert_frame_equal(comparable(resumed), comparable(straight))
    pd.testing.assert_frame_equal(read_table(killed, "daily"), read_table(tmp_path / "straight", "daily"))
    assert load_results(killed).manifest["complete"] is True


def test_common_random_numbers_give_every_point_the_same_luck(scenario_file: Path, tmp_path: Path) -> None:
    costs_only = ["costs.mediator_daily=40,60"]  # changes cost, not a single draw of the simulation
    shared = sweep(scenario_file, costs_only, tmp_path / "crn", reps=4, seed=2, workers=1).runs  # the default
    fill = shared.pivot(index="replication", columns="point", values="mean_fill")
    assert (fill[0] == fill[1]).all()
    assert set(shared["seed_spawn_key"]) == {f"0,{r}" for r in range(4)}
    assert sorted(shared["point"].unique()) == [0, 1]
    assert shared.groupby("point")["total_cost"].mean().diff().iloc[1] > 0
    independent = sweep(scenario_file, costs_only, tmp_path / "ind", reps=4, seed=2, workers=1, crn=False).runs
    fill = independent.pivot(index="replication", columns="point", values="mean_fill")
    assert not (fill[0] == fill[1]).all()


def test_common_random_numbers_are_the_default_and_independent_opts_out(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    base = ["sweep", str(scenario_file), "--set", SETS[0], "--reps", "2", "--workers", "1", "--out", str(out)]
    assert main(base) == 0
    assert "seeds: common random numbers" in capsys.readouterr().out
    stored = load_results(out)
    assert stored.manifest["common_random_numbers"] is True
    assert set(stored.runs["seed_spawn_key"]) == {"0,0", "0,1"}
    assert main([*base, "--resume", "--crn"]) == 0  # --crn: the default, still accepted
    assert main([*base, "--resume", "--independent"]) == 2
    assert "differs from the one stored there in common_random_numbers (True there, False now)" in (
        capsys.readouterr().err)
    assert main([*base, "--crn", "--independent"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
    apart = tmp_path / "apart"
    assert main([*base[:-1], str(apart), "--independent"]) == 0
    assert "independent seeds per point" in capsys.readouterr().out
    stored = load_results(apart)
    assert stored.manifest["common_random_numbers"] is False
    assert set(stored.runs["seed_spawn_key"]) == {f"{p},{r}" for p in range(3) for r in range(2)}


def test_the_dummy_factor_is_stored_and_analysed_but_applied_to_no_field(scenario_file: Path, tmp_path: Path) -> None:
    stored = sweep(scenario_file, SETS[:1], tmp_path / "out", reps=2, seed=4, workers=1, dummy=True)
    runs = stored.runs
    assert len(runs) == 3 * 2 * 2 and sorted(runs["param:dummy"].unique()) == [0, 1]  # a grid doubles its points
    assert list(pd.read_parquet(tmp_path / "out" / "design.parquet").columns)[-1] == "dummy"
    factor = stored.manifest["design"]["factors"][-1]
    assert factor["path"] == "dummy" and factor["inert"] is True
    assert "inert" not in stored.manifest["design"]["factors"][0]
    # Under common random numbers the two dummy levels of each roster size run identically.
    measures = ["mean_fill", "foc_day", "total_cost"]
    by_dummy = runs.set_index(["param:recruitment.roster.size", "replication", "param:dummy"])[measures].unstack()
    for measure in measures:
        pd.testing.assert_series_equal(by_dummy[(measure, 0)], by_dummy[(measure, 1)], check_names=False)
    sampled = sweep(scenario_file, ["recruitment.roster.size=int(0,8)"], tmp_path / "lhs", design="lhs", samples=4,
                    reps=1, workers=1, dummy=True)
    assert sampled.runs["param:dummy"].between(0, 1).all() and sampled.runs["param:dummy"].nunique() == 4


def test_targets_are_checked_before_running_and_stored_for_the_analysis(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["sweep", str(scenario_file), "--set", SETS[0], "--reps", "2", "--workers", "1"]
    assert main([*base, "--target", "foc_day<=400", "--out", str(tmp_path / "late")]) == 2
    assert "--target foc_day<=400: day 400 is after the horizon" in capsys.readouterr().err
    assert main([*base, "--target", "mean_fill<=3", "--out", str(tmp_path / "bad")]) == 2
    assert "'mean_fill' is not a milestone" in capsys.readouterr().err
    assert not (tmp_path / "late").exists() and not (tmp_path / "bad").exists()
    out = tmp_path / "out"
    assert main([*base, "--target", "foc_day<=90", "--target", "ioc_day<=2010-09-01", "--out", str(out)]) == 0
    assert load_results(out).manifest["targets"] == ["foc_day<=90", "ioc_day<=2010-09-01"]
