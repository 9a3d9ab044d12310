"""A command that fails before its first result leaves ``--out`` as it found it, so the same command can
simply be run again; once a result is on disk, the directory is kept for ``--resume``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deploysim.cli import main
from deploysim.errors import OutputError
from deploysim.experiments import replications
from deploysim.experiments.replications import run
from deploysim.storage.session import REPLACED, OutputSession
from deploysim.storage.tables import write_part

SCENARIO = """\
name: session test
start_date: 2010-07-22
horizon: 2 months
mandate: {initial_length: 2 months}
units: [{name: North}]
teams:
  - {name: Team 1, unit: North, posts: {team_leader: 1, adviser: 2}, min_manning: {team_leader: 1, adviser: 1}}
"""


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SCENARIO)
    return path


def _fail_in_setup(*args: object, **kwargs: object) -> None:
    raise RuntimeError("setup failed")


def test_a_failure_before_the_first_result_removes_the_directory_it_made(
    scenario_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "new" / "deeper"
    monkeypatch.setattr(replications, "replicate", _fail_in_setup)
    with pytest.raises(RuntimeError, match="setup failed"):
        run(scenario_file, reps=2, workers=1, out=out)
    assert not (tmp_path / "new").exists(), "every directory the command made is gone, parents too"
    monkeypatch.undo()
    assert run(scenario_file, reps=2, workers=1, out=out).replications == 2  # the same command now works


def test_a_failed_overwrite_puts_the_previous_results_back(
    scenario_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    run(scenario_file, reps=2, workers=1, out=out)
    (out / "notes.txt").write_text("mine")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr(replications, "replicate", _fail_in_setup)
    with pytest.raises(RuntimeError):
        run(scenario_file, reps=3, workers=1, out=out, overwrite=True)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_a_directory_that_had_files_keeps_only_them(scenario_file: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "readme.txt").write_text("planning notes")
    monkeypatch.setattr(replications, "replicate", _fail_in_setup)
    with pytest.raises(RuntimeError):
        run(scenario_file, reps=2, workers=1, out=out)
    assert sorted(p.name for p in out.iterdir()) == ["readme.txt"]


def test_once_a_result_is_on_disk_a_failure_keeps_the_directory(tmp_path: Path) -> None:
    import pandas as pd

    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt), OutputSession(out):
        (out / "manifest.json").write_text(json.dumps({"kind": "run", "complete": False}))
        write_part(out, "runs", "a", pd.DataFrame({"replication": [0]}))
        raise KeyboardInterrupt
    assert (out / "manifest.json").is_file() and (out / "runs" / "part-a.parquet").is_file()


def test_overwrite_sets_aside_and_deletes_only_after_a_result(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(scenario_file, reps=2, workers=1, out=out)
    run(scenario_file, reps=3, workers=1, out=out, overwrite=True)
    assert not (out / REPLACED).exists()
    assert json.loads((out / "manifest.json").read_text())["replications"] == 3


def test_an_out_the_system_refuses_is_one_line(scenario_file: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="cannot create the directory"):
        run(scenario_file, reps=2, workers=1, out=blocker / "sub")
    assert main(["run", str(scenario_file), "--reps", "2", "--workers", "1", "--out", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--out" in err[0] and "cannot create the directory" in err[0]
