"""A damaged manifest (a truncated file) is one line for every command that reads it, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploysim.cli import main
from deploysim.errors import ResultsError
from deploysim.storage.directory import load_results

SCENARIO = """\
name: damaged test
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


@pytest.mark.parametrize("damage", [b'{"kind": "run", "compl', b'{"kind": "caf\xc3'])
def test_a_damaged_manifest_is_one_line_everywhere(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: bytes
) -> None:
    run_out, sweep_out = tmp_path / "run", tmp_path / "sweep"
    run_command = ["run", str(scenario_file), "--reps", "2", "--workers", "1", "--out", str(run_out)]
    sweep_command = ["sweep", str(scenario_file), *SWEEP, "--out", str(sweep_out)]
    assert main(run_command) == 0 and main(sweep_command) == 0
    for out in (run_out, sweep_out):
        (out / "manifest.json").write_bytes(damage)
    with pytest.raises(ResultsError, match="unreadable manifest"):
        load_results(run_out)
    capsys.readouterr()
    for command in (["report", str(run_out)], ["analyze", str(sweep_out)], [*run_command, "--resume"],
                    [*sweep_command, "--resume"], run_command):
        assert main(command) == 2, command
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "manifest.json: unreadable manifest" in err[0], (command, err)
