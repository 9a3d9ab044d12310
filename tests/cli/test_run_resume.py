"""``deploysim run --resume``: a run killed part-way and resumed equals an uninterrupted run."""

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
from deploysim.storage.tables import TABLES, read_table

SCENARIO = """\
name: resume test
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


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """A table without wall-clock columns, which differ from run to run by nature."""
    return frame.drop(columns=["runtime_s"], errors="ignore").reset_index(drop=True)


def _kill_part_way(command: list[str], out: Path, parts: int) -> None:
    process = subprocess.Popen([sys.executable, "-m", "deploysim", *command], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(list((out / "runs").glob("part-*.parquet"))) < parts:
            assert process.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no parts appeared within 60 s"
            time.sleep(0.005)
        os.killpg(process.pid, signal.SIGKILL)  # the CLI and its pool workers, as kill -9 of the job would
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def test_sigkill_part_way_then_resume_equals_an_uninterrupted_run(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reps = 400
    killed, straight = tmp_path / "killed", tmp_path / "straight"
    command = ["run", str(scenario_file), "--reps", str(reps), "--seed", "3"]
    _kill_part_way([*command, "--workers", "2", "--out", str(killed)], killed, parts=3)
    assert json.loads((killed / "manifest.json").read_text())["complete"] is False
    on_disk = len(read_table(killed, "runs", ["replication"]))
    assert 0 < on_disk < reps, "the kill should land part-way"
    # what a kill can leave: a temporary file and a batch whose daily part is written but not its runs part
    (killed / "runs" / ".part-x.parquet.0123.tmp").write_bytes(b"half")
    orphan = killed / "daily" / "part-orphan.parquet"
    orphan.write_bytes((killed / "daily" / next(iter(sorted(os.listdir(killed / "daily"))))).read_bytes())

    assert main([*command, "--workers", "1", "--out", str(killed)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unfinished run" in err[0] and f"{on_disk} of {reps} runs" in err[0]
    assert "--resume" in err[0]

    assert main([*command, "--workers", "1", "--out", str(killed), "--resume"]) == 0
    assert f"resumed: {on_disk} runs were already on disk, {reps - on_disk} run now" in capsys.readouterr().out
    assert main([*command, "--workers", "1", "--out", str(straight)]) == 0
    resumed = read_table(killed, "runs")
    assert len(resumed) == reps and not resumed.duplicated(["replication"]).any()
    pd.testing.assert_frame_equal(comparable(resumed), comparable(read_table(straight, "runs")))
    for table in TABLES[1:]:
        pd.testing.assert_frame_equal(read_table(killed, table), read_table(straight, table))
    assert not orphan.exists() and not list(killed.rglob("*.tmp"))
    assert json.loads((killed / "manifest.json").read_text())["complete"] is True
    assert (killed / "summary.csv").read_text() == (straight / "summary.csv").read_text()


def test_resume_must_match_the_stored_run(scenario_file: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    command = ["run", str(scenario_file), "--reps", "4", "--workers", "1", "--out", str(out)]
    assert main(command) == 0
    assert main([*command, "--resume"]) == 0
    assert "resumed: 4 runs were already on disk, 0 run now" in capsys.readouterr().out
    assert main([*command, "--resume", "--seed", "9"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "differs from the one stored there in root_seed" in err[0]
    assert main([*command[:-2], "--out", str(tmp_path / "none"), "--resume"]) == 0  # nothing to resume: a new run
