"""Output directories: prepared once for every command, described by a manifest, read back whole.

A directory holds one experiment. Results already there are never mixed with new ones: a command
refuses the directory unless asked to overwrite it (or, for a sweep, to resume it). The manifest is
written first with ``complete: false`` and rewritten at the end, so a reader can tell a finished
result from one still being written or interrupted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from deploysim.errors import OutputError, ResultsError
from deploysim.storage.files import write_json
from deploysim.storage.session import literal, set_aside
from deploysim.storage.tables import TABLES, RunTables, read_table

MANIFEST = "manifest.json"


def prepare_output(out: Path, overwrite: bool = False, outputs: Iterable[str] = (), resume: bool = False) -> bool:
    """Make ``out`` ready for a new experiment, or say that it holds one to resume.

    Returns True when ``resume`` is asked and ``out`` holds results (the caller checks they are the
    same experiment). With ``overwrite``, the run tables, the manifest and the named ``outputs`` of
    the previous experiment are set aside first (see :mod:`deploysim.storage.session`, which deletes
    them once the new experiment has a result); other files in the directory are left alone.
    """
    where = "{out} " + literal(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{where}: exists and is not a directory")
    if (out / MANIFEST).exists():
        if resume:
            return True
        if not overwrite:
            raise OutputError(f"{where}: already holds results; choose another directory or pass {{overwrite}}")
        set_aside(out, [*TABLES, *outputs, MANIFEST])
    out.mkdir(parents=True, exist_ok=True)
    return False


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    write_json(out / MANIFEST, manifest)


@dataclass
class StoredResults(RunTables):
    """An output directory of ``run``, ``compare`` or ``sweep``, read back as DataFrames on demand."""

    path: Path
    manifest: dict[str, Any]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            self._cache[name] = read_table(self.path, name)
        return self._cache[name]


def load_results(path: str | Path) -> StoredResults:
    """Open an output directory; raises ResultsError naming the path if it is not one."""
    out = Path(path)
    manifest_path = out / MANIFEST
    if not out.is_dir():
        raise ResultsError(f"{out}: no such results directory")
    if not manifest_path.is_file():
        raise ResultsError(f"{out}: not a deploysim results directory (no {MANIFEST})")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{manifest_path}: unreadable manifest: {exc}") from None
    if not isinstance(manifest, dict):
        raise ResultsError(f"{manifest_path}: manifest is not a JSON object")
    return StoredResults(out, manifest)
