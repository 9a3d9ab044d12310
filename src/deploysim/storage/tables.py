"""Run tables: one Parquet dataset per table on disk, one part file per finished batch, and the
same four tables in memory.

Parts are written atomically (see :mod:`deploysim.storage.files`), so a reader or a resumed
experiment never sees half a file and a killed run loses only the batches in flight. Nothing is
ever rewritten: appending a batch is writing one new file. Rows are always returned in run-identity
order, so the order in which batches finished never shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from deploysim.errors import ResultsError
from deploysim.storage.files import inside, parquet_bytes, remove_temporary_files, write_bytes

TABLES = ("runs", "daily", "teams", "events")
KEYS = ("scenario", "point", "replication")


def write_part(out: Path, table: str, part: str, frame: pd.DataFrame) -> Path:
    """Write one batch of one table atomically as ``out/table/part-<part>.parquet``, never through a link."""
    return write_bytes(inside(out, table, f"part-{part}.parquet"), parquet_bytes(frame))


def write_parts(out: Path, part: str, tables: Mapping[str, pd.DataFrame]) -> None:
    """Write a finished batch's tables, ``runs`` last: a batch counts as finished (for resume) only
    once all its tables are on disk."""
    for name in (*[t for t in TABLES if t != "runs"], "runs"):
        if name in tables:
            write_part(out, name, part, tables[name])


def written_parts(out: Path, table: str = "runs") -> set[str]:
    directory = out / table
    if not directory.is_dir():
        return set()
    return {p.name.removeprefix("part-").removesuffix(".parquet") for p in directory.glob("part-*.parquet")}


def remove_unfinished_parts(out: Path) -> None:
    """What a killed writer leaves: temporary files, and parts of a batch whose ``runs`` part (written
    last) never came, which a resumed experiment writes again. Only the directory's one writer (who
    holds its lock) may call this."""
    finished = written_parts(out, "runs")
    for table in TABLES:
        remove_temporary_files(out / table)
        if table != "runs":
            for part in written_parts(out, table) - finished:
                (out / table / f"part-{part}.parquet").unlink(missing_ok=True)


def read_table(out: Path, table: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """All parts of one table, sorted by run identity so the order never depends on scheduling."""
    import pyarrow as pa
    import pyarrow.parquet as pq

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


def join_sorted(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate batches and order them by run identity, so completion order never shows."""
    kept = [f for f in frames if not f.empty]
    return sort_by_identity(pd.concat(kept, ignore_index=True)) if kept else pd.DataFrame()


class RunTables:
    """The four run tables of an experiment, wherever they are kept: ``runs`` (one row per run: its
    identity, status and summary measures), ``daily``, ``teams`` and ``events``."""

    def table(self, name: str) -> pd.DataFrame:
        raise NotImplementedError

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


class MemoryTables(RunTables):
    """Run tables gathered in memory, batch by batch, joined in run-identity order when read."""

    def __init__(self) -> None:
        self._parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
        self._joined: dict[str, pd.DataFrame] = {}

    def add(self, tables: Mapping[str, pd.DataFrame]) -> None:
        for name, frame in tables.items():
            self._parts[name].append(frame)
            self._joined.pop(name, None)

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._joined:
            self._joined[name] = join_sorted(self._parts[name])
        return self._joined[name]
