"""Runs the watchdog stops are data: the command says how many failed and why, and goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploysim import load_results
from deploysim.cli.main import main

TOO_SHORT = "1e-9"  # seconds: every run is past its time budget at the first check (croatia has ~5,800 events)


def test_a_run_whose_every_replication_failed_says_why_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["run", "croatia-1998", "--reps", "2", "--workers", "1", "--run-timeout", TOO_SHORT,
                 "--out", str(out)])
    assert code == 2
    stderr = capsys.readouterr().err
    err = stderr.strip().splitlines()[-1]  # the lines above it are progress
    assert err.startswith("deploysim: error: ") and "Traceback" not in stderr
    assert "no run finished, so there is nothing to summarise; 2 of 2 run(s) failed: 2 x RunStopped: time budget" in err
    assert "at simulated day" in err and "--run-timeout" in err
    runs = load_results(out).runs
    assert len(runs) == 2 and (runs["status"] == "error").all()  # the failed rows are stored as data


def test_a_sweep_records_stopped_runs_and_reports_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sweep"
    code = main(["sweep", "croatia-1998", "--set", "recruitment.roster.size=0,5", "--reps", "1", "--workers", "1",
                 "--run-timeout", TOO_SHORT, "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "2 of 2 run(s) failed: 2 x RunStopped: time budget (first: RunStopped: time budget of 0 s" in printed
    assert len(load_results(out).runs) == 2


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_run_timeout_must_be_positive_and_finite(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "croatia-1998", "--run-timeout", value]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("deploysim: error: ") and "--run-timeout" in err and len(err.splitlines()) == 1
