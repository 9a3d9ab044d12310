"""Where a result came from: version, commit, seed and scenario hash, stored beside every output.

One manifest format for every command: ``kind`` (run, compare, sweep), ``scenarios`` (label -> file
and hash), ``scenario_definitions`` (label -> the scenario as validated, so a result can be rerun
without its file), the root seed, the replications and whatever the command adds.
"""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deploysim._version import __version__

if TYPE_CHECKING:
    from deploysim.scenario.schema import Scenario


def git_commit() -> str | None:
    """The commit of the deploysim checkout this code runs from; None for an installed package.

    An installed package can sit inside someone else's repository (a virtual environment in a project
    folder): git would then report that repository's commit. So the commit counts only when the
    repository's top level is deploysim's own source tree, the one holding this very file.
    """
    package = Path(__file__).resolve().parents[1]
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "HEAD"], cwd=package, capture_output=True, text=True, timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.split()
    if done.returncode != 0 or len(lines) != 2:
        return None
    top, commit = Path(lines[0]).resolve(), lines[1]
    ours = package == top / "src" / "deploysim" and (top / "pyproject.toml").is_file()
    return commit if ours and len(commit) == 40 else None


def stamp(**fields: Any) -> dict[str, Any]:
    return {
        "deploysim_version": __version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "argv": sys.argv[1:],
        **fields,
    }


def manifest(kind: str, scenarios: Mapping[str, Scenario], files: Mapping[str, str | None] | None = None,
             **fields: Any) -> dict[str, Any]:
    """The manifest of an experiment over ``scenarios`` (label -> scenario), stamped with provenance."""
    files = files or {}
    return stamp(
        kind=kind,
        scenarios={label: {"file": files.get(label), "hash": s.fingerprint()} for label, s in scenarios.items()},
        scenario_definitions={label: s.model_dump(mode="json") for label, s in scenarios.items()},
        **fields,
    )
