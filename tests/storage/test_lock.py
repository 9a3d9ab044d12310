"""One writer per output directory: a second command on the same ``--out`` refuses at once, with one line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deploysim.errors import OutputError
from deploysim.storage.lock import LOCK_FILE, DirectoryLock

SCENARIO = """\
name: lock test
start_date: 2010-07-22
horizon: 2 months
mandate: {initial_length: 2 months}
units: [{name: North}]
teams:
  - {name: Team 1, unit: North, posts: {team_leader: 1, adviser: 2}, min_manning: {team_leader: 1, adviser: 1}}
"""


def _deploysim(*args: str) -> list[str]:
    return [sys.executable, "-m", "deploysim", *args]


def test_a_second_command_on_the_same_out_refuses_while_the_first_writes(tmp_path: Path) -> None:
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SCENARIO)
    out = tmp_path / "out"
    first = subprocess.Popen(_deploysim("run", str(scenario), "--reps", "3000", "--workers", "1", "--out", str(out)),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not list((out / "runs").glob("part-*.parquet")):  # the first is writing results
            assert first.poll() is None, "the first command ended before the second could start"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        started = time.monotonic()
        second = subprocess.run(_deploysim("run", str(scenario), "--reps", "2", "--out", str(out), "--overwrite"),
                                capture_output=True, text=True, timeout=60, check=False)
        elapsed = time.monotonic() - started
        assert first.poll() is None, "the refusal must come while the first command still writes"
    finally:
        if first.poll() is None:
            os.killpg(first.pid, 9)
        first.wait(timeout=30)
    lines = second.stderr.strip().splitlines()
    assert second.returncode == 2 and len(lines) == 1, second.stderr
    assert str(out) in lines[0] and "another deploysim command" in lines[0] and "is writing it" in lines[0]
    assert f"process {first.pid}" in lines[0]
    assert elapsed < 30  # at once: Python's start-up and imports, no waiting for the first command


def test_the_lock_ends_with_its_holder_and_a_process_may_take_it_again(tmp_path: Path) -> None:
    lock = DirectoryLock(tmp_path)
    lock.acquire()
    nested = DirectoryLock(tmp_path)
    nested.acquire()  # the same process: a library function inside a command that holds the directory
    assert nested.nested and not lock.nested
    nested.release()
    holder = subprocess.run([sys.executable, "-c", (
        "import sys; from pathlib import Path; from deploysim.storage.lock import DirectoryLock\n"
        "try:\n    DirectoryLock(Path(sys.argv[1])).acquire()\nexcept Exception as e:\n    print(e); sys.exit(3)"
    ), str(tmp_path)], capture_output=True, text=True, check=False, timeout=60)
    assert holder.returncode == 3 and f"process {os.getpid()}" in holder.stdout
    lock.release()
    again = DirectoryLock(tmp_path)
    again.acquire()
    assert not again.nested
    again.release()
    assert (tmp_path / LOCK_FILE).read_text() == ""


def test_a_symlinked_lock_file_is_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep")
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_FILE).symlink_to(elsewhere)
    with pytest.raises(OutputError, match="cannot create its lock file"):
        DirectoryLock(out).acquire()
    assert elsewhere.read_text() == "keep"
