"""Where a result came from: version, commit, seed and scenario hash, stored beside every output."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from deploysim._version import __version__


def git_commit() -> str | None:
    """The commit of the deploysim checkout, when running from one; None for an installed wheel."""
    here = Path(__file__).resolve().parent
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None


def stamp(**fields: Any) -> dict[str, Any]:
    return {
        "deploysim_version": __version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "argv": sys.argv[1:],
        **fields,
    }
