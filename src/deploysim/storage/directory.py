"""Output directories: prepared once for every command, described by a manifest, read back whole.

A directory holds one experiment. Results already there are never mixed with new ones: a command
refuses the directory unless asked to overwrite it (or, for a sweep, to resume it). The manifest is
written first with ``complete: false`` and rewritten at the end, so a reader can tell a finished
result from one still being written or interrupted.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from deploysim.errors import OutputError, ResultsError, UnfinishedResultsWarning
from deploysim.storage.files import write_json
from deploysim.storage.session import literal, set_aside
from deploysim.storage.tables import TABLES, RunTables, read_table

MANIFEST = "manifest.json"


def prepare_output(out: Path, overwrite: bool = False, outputs: Iterable[str] = (), resume: bool = False,
                   resumable: bool = False) -> bool:
    """Make ``out`` ready for a new experiment, or say that it holds one to resume.

    Returns True when ``resume`` is asked and ``out`` holds results (the caller checks they are the
    same experiment). With ``overwrite``, the run tables, the manifest and the named ``outputs`` of
    the previous experiment are set aside first (see :mod:`deploysim.storage.session`, which deletes
    them once the new experiment has a result); other files in the directory are left alone.
    ``resumable``: the caller can resume, so refusing an unfinished experiment suggests ``resume``.
    """
    where = "{out} " + literal(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{where}: exists and is not a directory")
    if (out / MANIFEST).exists():
        if resume:
            return True
        if not overwrite:
            raise OutputError(f"{where}: {_holds(out, resumable)}")
        set_aside(out, [*TABLES, *outputs, MANIFEST])
    out.mkdir(parents=True, exist_ok=True)
    return False


def _holds(out: Path, resumable: bool) -> str:
    """Why a directory is refused: what it holds and the flag that goes on from there."""
    manifest = read_manifest(out)
    if manifest.get("complete") is not False:
        return "already holds results; choose another directory or pass {overwrite}"
    done, total = runs_on_disk(out, manifest)
    of = f" of {total}" if total is not None else ""
    kind = str(manifest.get("kind", "experiment")).replace("{", "{{").replace("}", "}}")
    again = "pass {resume} to continue it, {overwrite} to start again" if resumable else "pass {overwrite}"
    return f"holds an unfinished {kind} ({done}{of} runs on disk); {again}, or choose another directory"


def runs_on_disk(out: Path, manifest: Mapping[str, Any]) -> tuple[int, int | None]:
    """(runs whose rows are on disk, runs the experiment has in all, or None where the manifest does not say)."""
    done = len(read_table(out, "runs", ["replication"]))
    total = manifest.get("total_runs")
    if not isinstance(total, int):
        replications, scenarios = manifest.get("replications"), manifest.get("scenarios")
        total = replications * len(scenarios) if isinstance(replications, int) and isinstance(scenarios, dict) \
            else None
    return done, total


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    write_json(out / MANIFEST, manifest)


def jsonable(value: Any) -> Any:
    """As the manifest stores it (tuples become lists), so a stored identity compares equal."""
    return json.loads(json.dumps(value, default=str))


def first_difference(there: Any, now: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """The first leaf where two JSON-like values differ, as (dotted path, there, now)."""
    if isinstance(there, dict) and isinstance(now, dict):
        for key in list(now) + [k for k in there if k not in now]:
            found = first_difference(there.get(key), now.get(key), f"{path}.{key}" if path else str(key))
            if found:
                return found
        return None
    if isinstance(there, list) and isinstance(now, list) and len(there) == len(now):
        for i, (a, b) in enumerate(zip(there, now, strict=True)):
            found = first_difference(a, b, f"{path}.{i}")
            if found:
                return found
        return None
    return None if there == now else (path, there, now)


def short(value: Any) -> str:
    text = str(jsonable(value))
    return text if len(text) <= 60 else text[:57] + "..."


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


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest of ``out`` as a dict; ResultsError naming the file if it is missing or damaged."""
    manifest_path = out / MANIFEST
    if not manifest_path.is_file():
        raise ResultsError(f"{out}: not a deploysim results directory (no {MANIFEST})")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ResultsError(f"{manifest_path}: unreadable manifest ({reason}); the results cannot be read or "
                           "resumed; run the experiment again, into another directory or over this one") from None
    if not isinstance(manifest, dict):
        raise ResultsError(f"{manifest_path}: manifest is not a JSON object")
    return manifest


def unfinished_note(out: Path, manifest: Mapping[str, Any]) -> str | None:
    """One line saying that ``out`` holds an unfinished experiment and how many of its runs are there."""
    if manifest.get("complete") is not False:
        return None
    done, total = runs_on_disk(out, manifest)
    of = f" of {total}" if total is not None else ""
    kind = manifest.get("kind", "experiment")
    again = " (continue it with --resume)" if kind in ("run", "sweep") else ""
    return f"{out}: an unfinished {kind}, interrupted or still being written: {done}{of} runs on disk{again}"


def load_results(path: str | Path) -> StoredResults:
    """Open an output directory; raises ResultsError naming the path if it is not one, and warns
    (UnfinishedResultsWarning) if it holds an unfinished experiment, saying how many runs are there."""
    out = Path(path)
    if not out.is_dir():
        raise ResultsError(f"{out}: no such results directory")
    manifest = read_manifest(out)
    note = unfinished_note(out, manifest)
    if note:
        warnings.warn(note, UnfinishedResultsWarning, stacklevel=2)
    return StoredResults(out, manifest)
