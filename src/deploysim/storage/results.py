"""Results on disk: one Parquet dataset per table, one part file per finished batch.

Parts are written under a temporary name and renamed into place, so a reader (or a resumed sweep)
never sees half a file, and a killed run loses only the batches that were in flight. Nothing is
ever rewritten: appending a batch is writing one new file. The manifest records what produced the
directory so that results can be traced back to their scenario, seed and code.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from deploysim.errors import ResultsError

TABLES = ("runs", "daily", "teams", "events")
MANIFEST = "manifest.json"
KEYS = ("scenario", "point", "replication")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    atomic_write_bytes(out / MANIFEST, json.dumps(manifest, indent=2, default=str).encode())


def write_part(out: Path, table: str, part: str, frame: pd.DataFrame) -> Path:
    """Write one batch of one table atomically as ``out/table/part-<part>.parquet``."""
    directory = out / table
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"part-{part}.parquet"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".part-", suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def written_parts(out: Path, table: str = "runs") -> set[str]:
    directory = out / table
    if not directory.is_dir():
        return set()
    return {p.name.removeprefix("part-").removesuffix(".parquet") for p in directory.glob("part-*.parquet")}


def read_table(out: Path, table: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """All parts of one table, sorted by run identity so the order never depends on scheduling."""
    directory = out / table
    parts = sorted(directory.glob("part-*.parquet")) if directory.is_dir() else []
    if not parts:
        return pd.DataFrame()
    try:
        frames = [pq.read_table(p, columns=list(columns) if columns else None).to_pandas() for p in parts]
    except (OSError, pa.ArrowException) as exc:
        raise ResultsError(f"{directory}: cannot read Parquet parts: {exc}") from None
    return sort_by_identity(pd.concat(frames, ignore_index=True))


def sort_by_identity(frame: pd.DataFrame) -> pd.DataFrame:
    """Order rows by run identity and day, so completion order never shows; a stable sort keeps the
    engine's own order (teams, then events as they happened) within a day."""
    order = [k for k in (*KEYS, "day") if k in frame.columns]
    return frame.sort_values(order, kind="stable").reset_index(drop=True) if order else frame


@dataclass
class StoredResults:
    """An output directory of ``run``, ``compare`` or ``sweep``, read back as DataFrames on demand."""

    path: Path
    manifest: dict[str, Any]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            self._cache[name] = read_table(self.path, name)
        return self._cache[name]

    @property
    def runs(self) -> pd.DataFrame:
        return self.table("runs")

    @property
    def daily(self) -> pd.DataFrame:
        return self.table("daily")

    @property
    def teams(self) -> pd.DataFrame:
        return self.table("teams")

    @property
    def events(self) -> pd.DataFrame:
        return self.table("events")


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
