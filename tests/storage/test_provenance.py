"""Provenance names deploysim's own commit, and only when the code runs from deploysim's checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from deploysim.storage.provenance import git_commit

ROOT = Path(__file__).resolve().parents[2]


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def test_a_checkout_records_its_own_commit() -> None:
    assert git_commit() == _git("rev-parse", "HEAD", cwd=ROOT)


def test_a_copy_inside_another_repository_records_no_commit(tmp_path: Path) -> None:
    """A package installed into a virtual environment inside another project must not claim that
    project's commit as deploysim's."""
    project = tmp_path / "project"
    site = project / ".venv" / "lib" / "site-packages"
    shutil.copytree(ROOT / "src" / "deploysim", site / "deploysim", ignore=shutil.ignore_patterns("__pycache__"))
    _git("init", "-q", cwd=project)
    (project / "notes.txt").write_text("someone else's work\n")
    _git("add", ".", cwd=project)
    _git("-c", "user.name=x", "-c", "user.email=x@example.org", "commit", "-q", "-m", "theirs", cwd=project)
    assert _git("rev-parse", "HEAD", cwd=project)
    done = subprocess.run(
        [sys.executable, "-c", "from deploysim.storage.provenance import git_commit; print(git_commit())"],
        cwd=project, capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(site)},
    )
    assert done.stdout.strip() == "None"
