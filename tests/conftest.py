"""Fixtures shared by all test modules: where the repository is, the shipped scenario, and the CLI
run the way a planner runs it (a separate process, so exit status, stderr and tracebacks are real)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHIPPED_SCENARIO = REPO_ROOT / "scenarios" / "kyrgyzstan-2010.yaml"

CliResult = tuple[int, str, str]
"""(exit status, stdout, stderr)."""


def run_deploysim(
    *args: str | os.PathLike[str], cwd: str | os.PathLike[str] | None = None, timeout: float = 300
) -> CliResult:
    """Run ``python -m deploysim ARGS...`` in a subprocess; the working directory defaults to the repo root."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, "-m", "deploysim", *(str(a) for a in args)],
        cwd=cwd or REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shipped_scenario() -> Path:
    return SHIPPED_SCENARIO


@pytest.fixture
def minimal_scenario() -> dict[str, Any]:
    """A fresh, small, valid scenario as plain data (two units, one team), for tests to edit and dump."""
    return {
        "name": "minimal mission",
        "start_date": "2010-07-22",
        "horizon": "6 months",
        "mandate": {"initial_length": "4 months"},
        "units": [{"name": "U1"}, {"name": "U2"}],
        "teams": [
            {
                "name": "T1",
                "unit": "U1",
                "posts": {"team_leader": 1, "adviser": 3},
                "min_manning": {"team_leader": 1, "adviser": 2},
            }
        ],
    }


@pytest.fixture(scope="session")
def run_cli() -> Callable[..., CliResult]:
    """``run_cli("validate", path) -> (code, stdout, stderr)``; see :func:`run_deploysim`."""
    return run_deploysim


TINY_SCENARIO = """\
name: tiny mission
start_date: 2010-07-22
horizon: 2 months
mandate: {initial_length: 2 months}
units: [{name: North}]
teams:
  - {name: Team 1, unit: North, posts: {team_leader: 1, adviser: 2}, min_manning: {team_leader: 1, adviser: 1}}
"""


@pytest.fixture
def tiny_scenario(tmp_path: Path) -> Path:
    """A scenario file whose replications take milliseconds: one team of three over two months, for tests
    of what happens around runs (output directories, resuming, locks, workers) rather than in them."""
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_SCENARIO)
    return path
