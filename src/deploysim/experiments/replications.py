"""Replications of one scenario, gathered in memory or streamed to an output directory."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from deploysim.experiments.runner import (
    Batch,
    BatchTables,
    batch_size_for,
    default_workers,
    execute,
    local_executor,
    make_batches,
)
from deploysim.scenario.schema import Scenario
from deploysim.storage.results import TABLES, sort_by_identity, write_part

Progress = Callable[[int, int], None]


@dataclass
class Experiment:
    """Tables of all replications of one or more scenarios, sorted by run identity."""

    runs: pd.DataFrame
    daily: pd.DataFrame
    teams: pd.DataFrame
    events: pd.DataFrame


def join_sorted(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate batches and order them by run identity, so completion order never shows."""
    frames = [f for f in frames if not f.empty]
    return sort_by_identity(pd.concat(frames, ignore_index=True)) if frames else pd.DataFrame()


class _Collector:
    """Receives finished batches: writes their parts, keeps them for the caller, reports progress."""

    def __init__(self, out: Path | None, keep_in_memory: bool, total: int, progress: Progress | None) -> None:
        self.out = out
        self.keep = keep_in_memory
        self.total = total
        self.done = 0
        self.progress = progress
        self.frames: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}

    def __call__(self, batch: Batch, tables: BatchTables) -> None:
        if self.out is not None:
            # runs last: a batch counts as finished (for --resume) only once all its tables are on disk
            for name in (*[t for t in TABLES if t != "runs"], "runs"):
                if name in tables:
                    write_part(self.out, name, batch.key, tables[name])
        if self.keep:
            for name, frame in tables.items():
                self.frames[name].append(frame)
        self.done += len(batch.replications)
        if self.progress:
            self.progress(self.done, self.total)

    def experiment(self) -> Experiment:
        return Experiment(*(join_sorted(self.frames[name]) for name in TABLES))


def run_replications(
    scenarios: dict[str, Scenario],
    reps: int | list[int],
    seed: int = 0,
    workers: int | None = None,
    executor: Executor | None = None,
    out: Path | None = None,
    keep_in_memory: bool = True,
    progress: Progress | None = None,
) -> Experiment:
    """Replicate each scenario with the same replication seeds (common random numbers).

    ``workers=1`` with no executor runs in this process; otherwise a local process pool is
    used unless an executor (e.g. a Dask client's) is given.
    """
    replications = list(range(reps)) if isinstance(reps, int) else list(reps)
    n_workers = workers or default_workers()
    batches: list[Batch] = []
    for label, scenario in scenarios.items():
        size = batch_size_for(scenario, len(replications), n_workers)
        batches += make_batches(scenario, label, replications, seed, size)
    collector = _Collector(out, keep_in_memory, len(replications) * len(scenarios), progress)
    if executor is not None:
        execute(batches, executor, collector)
    elif n_workers == 1:
        execute(batches, None, collector)
    else:
        with local_executor(n_workers) as pool:
            execute(batches, pool, collector, max_in_flight=4 * n_workers)
    return collector.experiment()
