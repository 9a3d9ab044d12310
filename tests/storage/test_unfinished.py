"""Reading an unfinished result says so, with how many runs of how many."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deploysim.cli import main
from deploysim.errors import UnfinishedResultsWarning
from deploysim.storage.directory import load_results

SCENARIO = """\
name: unfinished test
start_date: 2010-07-22
horizon: 2 months
mandate: {initial_length: 2 months}
units: [{name: North}]
teams:
  - {name: Team 1, unit: North, posts: {team_leader: 1, adviser: 2}, min_manning: {team_leader: 1, adviser: 1}}
"""
SWEEP = ["--set", "recruitment.roster.size=0,2", "--reps", "2", "--batch-size", "1", "--workers", "1"]


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SCENARIO)
    return path


def _interrupt(out: Path) -> None:
    """Make a finished directory look like one killed part-way: one batch fewer, manifest unfinished."""
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "complete": False}))
    sorted((out / "runs").glob("part-*.parquet"))[-1].unlink()


def test_an_unfinished_run_warns_and_report_says_how_many_runs_are_there(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert main(["run", str(scenario_file), "--reps", "4", "--workers", "1", "--out", str(out)]) == 0
    parts = len(list((out / "runs").glob("part-*.parquet")))
    _interrupt(out)
    capsys.readouterr()
    with pytest.warns(UnfinishedResultsWarning, match=r"unfinished run.*: [0-9]+ of 4 runs on disk.*--resume"):
        stored = load_results(out)
    assert len(stored.runs) < 4 and parts > 1
    assert main(["report", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{len(stored.runs)} of 4 runs on disk" in err[0]


def test_analyze_of_an_unfinished_sweep_notes_it_in_one_line(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    assert main(["sweep", str(scenario_file), *SWEEP, "--out", str(out)]) == 0
    _interrupt(out)
    capsys.readouterr()
    assert main(["analyze", str(out), "--no-plots"]) == 0
    captured = capsys.readouterr()
    assert "3 of 4 runs on disk" in captured.out
    assert "Warning" not in captured.err  # the CLI prints the note itself, not Python's two-line warning
