"""A damaged manifest (a truncated file) is one line for every command that reads it, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploysim.cli import main
from deploysim.errors import ResultsError
from deploysim.storage.directory import load_results

SWEEP = ["--set", "recruitment.roster.size=0,2", "--reps", "2", "--batch-size", "1", "--workers", "1"]


@pytest.mark.parametrize("damage", [b'{"kind": "run", "compl', b'{"kind": "caf\xc3'])
def test_a_damaged_manifest_is_one_line_everywhere(
    tiny_scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: bytes
) -> None:
    run_out, sweep_out = tmp_path / "run", tmp_path / "sweep"
    run_command = ["run", str(tiny_scenario), "--reps", "2", "--workers", "1", "--out", str(run_out)]
    sweep_command = ["sweep", str(tiny_scenario), *SWEEP, "--out", str(sweep_out)]
    for out in (run_out, sweep_out):  # what a full disk or a copy cut short leaves; nothing else is read first
        out.mkdir()
        (out / "manifest.json").write_bytes(damage)
    with pytest.raises(ResultsError, match="unreadable manifest"):
        load_results(run_out)
    capsys.readouterr()
    for command in (["report", str(run_out)], ["analyze", str(sweep_out)], [*run_command, "--resume"],
                    [*sweep_command, "--resume"], run_command):
        assert main(command) == 2, command
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "manifest.json: unreadable manifest" in err[0], (command, err)
