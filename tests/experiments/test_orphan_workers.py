"""Pool workers end with the command that started them, even when it is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deploysim.experiments.runner import START_METHOD_VARIABLE

SCENARIO = """\
name: orphan test
start_date: 2010-07-22
horizon: 2 months
mandate: {initial_length: 2 months}
units: [{name: North}]
teams:
  - {name: Team 1, unit: North, posts: {team_leader: 1, adviser: 2}, min_manning: {team_leader: 1, adviser: 1}}
"""


def _children(pid: int) -> set[int]:
    """Child process ids from /proc (Linux), over all threads of ``pid``."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found |= {int(c) for c in text.split()}
    return found


def _alive(pid: int) -> bool:
    """Running, not a zombie: a process that exited but was not yet reaped counts as gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finding child processes needs Linux's /proc")
@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_workers_exit_when_their_parent_is_killed(tmp_path: Path, method: str) -> None:
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SCENARIO)
    out = tmp_path / "out"
    parent = subprocess.Popen(
        [sys.executable, "-m", "deploysim", "run", str(scenario), "--reps", "5000", "--workers", "2",
         "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, START_METHOD_VARIABLE: method},
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while not list((out / "runs").glob("part-*.parquet")):  # the pool is running batches
            assert parent.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no parts appeared within 60 s"
            time.sleep(0.02)
        workers = _children(parent.pid)
        workers |= {grandchild for child in workers for grandchild in _children(child)}  # under a forkserver
        assert len(workers) >= 2
        os.kill(parent.pid, signal.SIGKILL)  # the parent only: its workers must notice by themselves
        parent.wait(timeout=30)
        deadline = time.monotonic() + 10  # workers poll every 0.2 s; allow for a loaded machine
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)], "workers outlived their parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(timeout=30)
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
