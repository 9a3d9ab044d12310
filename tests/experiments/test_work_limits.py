"""Work too large to finish is refused before anything runs, naming the field or flag that drives it;
``--allow-large`` proceeds knowingly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from deploysim.cli.main import main
from deploysim.errors import UsageError
from deploysim.experiments import work_limits
from deploysim.experiments.work_limits import check_replications, check_run, check_sweep
from deploysim.scenario.load import load_scenario
from deploysim.scenario.shipped import resolve_scenario
from deploysim.scenario.variants import variant
from deploysim.scenario.work import RunWork, estimate_run


@pytest.fixture(scope="module")
def kyrgyzstan():  # type: ignore[no-untyped-def]
    return load_scenario(resolve_scenario("kyrgyzstan-2010"))


def test_a_billion_replications_are_refused_at_once_naming_reps(kyrgyzstan) -> None:  # type: ignore[no-untyped-def]
    started = time.process_time()
    with pytest.raises(UsageError) as caught:
        check_replications({kyrgyzstan.name: kyrgyzstan}, 10**9)
    assert time.process_time() - started < 1.0  # an estimate, nothing simulated
    assert caught.value.for_cli().startswith("--reps 1,000,000,000: 1,000,000,000 runs, about ")
    assert caught.value.for_cli().endswith("at most 4.0 hours; pass --allow-large to run it anyway")
    assert str(caught.value).startswith("reps 1,000,000,000: ") and "allow_large=True" in str(caught.value)


def test_allow_large_returns_the_estimate_instead_of_refusing(kyrgyzstan) -> None:  # type: ignore[no-untyped-def]
    work = check_replications({kyrgyzstan.name: kyrgyzstan}, 10**9, allow_large=True)
    assert work.runs == 10**9 and work.seconds > work_limits.MAX_WORK_SECONDS


def test_an_adaptive_run_is_judged_at_its_cap_and_names_max_reps() -> None:
    large = load_scenario(resolve_scenario("large-mission"))  # ~10 MiB of daily and team rows a run
    with pytest.raises(UsageError, match=r"^max_reps 1,000: 1,000 runs hold about [\d.]+ GiB of tables"):
        check_replications({large.name: large}, 1000, adaptive=True)
    check_replications({large.name: large}, 100)  # the 100 replications of a plain run are fine


def test_one_run_too_long_names_the_fields_that_drive_it() -> None:
    large = load_scenario(resolve_scenario("large-mission"))
    fifty_years = variant(large, {"horizon": "50 years"})  # each field within its bound, the product not
    with pytest.raises(UsageError, match=r": teams x horizon \(15,000 posts x 18,262 days\): about [\d,]+ events"):
        check_run(fifty_years.name, estimate_run(fifty_years))
    busy = RunWork(posts=10, days=18_262, teams=1, mediator_slots=0, incidents_per_day=5_000, intakes=0)
    with pytest.raises(UsageError, match=r"incidents.rate_per_day x horizon \(5,000 incidents a day"):
        check_run("busy", busy)


def test_a_sweep_of_a_million_points_is_refused_before_its_design_is_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    started = time.process_time()
    code = main(["sweep", "kyrgyzstan-2010", "--set", "recruitment.roster.size=0:999:1",
                 "--set", "incidents.rate_per_day=0:0.999:0.001", "--reps", "1", "--out", str(out)])
    assert code == 2
    assert time.process_time() - started < 5.0  # building the 10^6-point grid alone takes seconds
    err = capsys.readouterr().err.strip()
    assert err.startswith("deploysim: error: --reps 1 x 1,000,000 design points (--set levels, --samples): ")
    assert err.endswith("pass --allow-large to run it anyway") and not out.exists()


def test_check_sweep_counts_validation_and_runs(kyrgyzstan) -> None:  # type: ignore[no-untyped-def]
    work = check_sweep(kyrgyzstan, 10, 5)
    assert work.runs == 50
    assert work.seconds == pytest.approx(50 * estimate_run(kyrgyzstan).seconds + 10 * work_limits.SECONDS_PER_POINT)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "teams.0.posts.adviser=1000000"], "teams.0.posts.adviser: must be at most"),
        (["--set", "incidents.rate_per_day=1000000"], "incidents.rate_per_day: must be at most 100"),
        (["--reps", "1000000000"], "--reps"),
    ],
)
def test_bombs_on_the_command_line_are_refused_naming_the_field(
    args: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["run", "kyrgyzstan-2010", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("deploysim: error: ") and expected in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_allow_large_runs_what_the_limits_would_refuse(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two quick replications made 'large' by lowering the limit: refused without the flag, run with it."""
    monkeypatch.setattr(work_limits, "MAX_WORK_SECONDS", 1e-6)
    command = ["run", "kyrgyzstan-2010", "--reps", "2", "--workers", "1"]
    assert main([*command, "--out", str(tmp_path / "refused")]) == 2
    assert "pass --allow-large to run it anyway" in capsys.readouterr().err
    assert main([*command, "--out", str(tmp_path / "allowed"), "--allow-large"]) == 0
    assert "2 replications" in capsys.readouterr().out
