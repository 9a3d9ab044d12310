"""Where finished batches go: one sink for replications and sweeps alike.

Batches finish in any order, in any process; the sink runs in the calling process, writes each
batch's tables as atomic parts (``runs`` last, so a part set counts as finished only once whole),
keeps them in memory when asked, and reports progress in runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

import pandas as pd

from deploysim.storage.tables import MemoryTables, write_parts

Progress = Callable[[int, int], None]
"""Called with (runs done, runs in total) after every finished batch."""


class Finished(Protocol):
    """A unit of work that names its part files and counts its runs (a replication batch, a sweep task)."""

    @property
    def key(self) -> str: ...

    @property
    def runs(self) -> int: ...


class ResultsSink:
    """Receives finished work: writes its parts to ``out``, keeps its tables, reports progress."""

    def __init__(self, out: Path | None, keep_in_memory: bool, total: int, done: int = 0,
                 progress: Progress | None = None) -> None:
        self.out = out
        self.memory = MemoryTables() if keep_in_memory else None
        self.total = total
        self.done = done
        self.progress = progress

    def __call__(self, work: Finished, tables: Mapping[str, pd.DataFrame]) -> None:
        if self.out is not None:
            write_parts(self.out, work.key, tables)
        if self.memory is not None:
            self.memory.add(tables)
        self.done += work.runs
        if self.progress:
            self.progress(self.done, self.total)
