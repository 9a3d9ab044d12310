"""Replications over any ``concurrent.futures.Executor``: where runs execute is not how they run.

Work is cut into batches of replications (one task each) so that scheduling overhead stays small
against simulation time. A batch's results depend only on its scenario, root seed, design point and
replication numbers, never on the worker, so one process, a local pool and a Dask cluster all
write the same tables. A replication that raises becomes a row with its error text: a crashing run
in a sweep is data, not the end of the sweep.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from deploysim.engine.streams import RunIdentity
from deploysim.results.measures import MEASURES
from deploysim.results.run import simulate
from deploysim.scenario.schema import Scenario

TARGET_BATCH_SECONDS = 0.5


@dataclass(frozen=True)
class Batch:
    scenario: Scenario
    label: str
    point: int
    replications: tuple[int, ...]
    root_seed: int
    parameters: dict[str, Any] = field(default_factory=dict)
    keep_daily: bool = True
    keep_teams: bool = True
    keep_events: bool = True

    @property
    def key(self) -> str:
        """Names the batch's part files; unique within an output directory."""
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.label).strip("-")[:40] or "scenario"
        tag = hashlib.blake2b(self.label.encode(), digest_size=3).hexdigest()
        first, last = self.replications[0], self.replications[-1]
        return f"{slug}-{tag}-p{self.point:06d}-r{first:06d}-{last:06d}"


BatchTables = dict[str, pd.DataFrame]
Work = TypeVar("Work")


def _run_row(batch: Batch, replication: int) -> dict[str, Any]:
    identity = RunIdentity(batch.root_seed, batch.point, replication)
    sequence = identity.seed_sequence()
    return {
        "scenario": batch.label,
        "point": batch.point,
        "replication": replication,
        "root_seed": batch.root_seed,
        "seed_entropy": str(sequence.entropy),
        "seed_spawn_key": ",".join(str(k) for k in sequence.spawn_key),
        **{f"param:{name}": value for name, value in batch.parameters.items()},
    }


def run_batch(batch: Batch) -> BatchTables:
    """Simulate every replication of a batch; runs in a worker, so it must stay importable and pure."""
    rows: list[dict[str, Any]] = []
    daily: list[pd.DataFrame] = []
    teams: list[pd.DataFrame] = []
    events: list[pd.DataFrame] = []
    done: list[int] = []
    for replication in batch.replications:
        row = _run_row(batch, replication)
        started = time.perf_counter()
        try:
            result = simulate(
                batch.scenario, batch.root_seed, replication, batch.point, record_events=batch.keep_events
            )
        except Exception as exc:  # a failing run is recorded as data and the batch goes on
            row.update(
                status="error",
                error=f"{type(exc).__name__}: {exc}",
                traceback=traceback.format_exc(limit=8),
                sim_events=0,
                runtime_s=time.perf_counter() - started,
            )
            row.update({name: float("nan") for name in MEASURES})
            rows.append(row)
            continue
        row.update(status="ok", error="", traceback="", sim_events=result.sim_events, runtime_s=result.runtime_s)
        row.update(result.summary)
        rows.append(row)
        if batch.keep_daily:
            daily.append(result.daily)
        if batch.keep_teams:
            teams.append(result.teams)
        if batch.keep_events:
            events.append(result.events)
        done.append(replication)
    tables: BatchTables = {"runs": pd.DataFrame(rows)}
    for name, frames in (("daily", daily), ("teams", teams), ("events", events)):
        if frames:
            tables[name] = _with_keys(batch, done, frames)
    return tables


def _with_keys(batch: Batch, replications: list[int], frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate per-replication tables and add the run keys once, as whole columns."""
    joined = pd.concat(frames, ignore_index=True)
    lengths = [len(f) for f in frames]
    keys = pd.DataFrame(
        {
            "scenario": pd.Categorical.from_codes(np.zeros(len(joined), dtype=np.int8), categories=[batch.label]),
            "point": np.full(len(joined), batch.point, dtype=np.int64),
            "replication": np.repeat(np.asarray(replications, dtype=np.int64), lengths),
        }
    )
    return pd.concat([keys, joined], axis=1)


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def local_executor(workers: int | None = None) -> Executor:
    """A local process pool that starts in milliseconds.

    On Linux workers are forked: they inherit the imported engine instead of importing numpy,
    pandas and SimPy again (seconds per worker). Forking is only safe without other threads (a lock
    held by one would stay held in the child), so a threaded parent such as a notebook kernel, and
    other platforms, get a forkserver that preloads the runner once.
    """
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["deploysim.experiments.runner"])
    return ProcessPoolExecutor(max_workers=workers or default_workers(), mp_context=context)


def batch_size_for(scenario: Scenario, replications: int, workers: int, keep_tables: bool = True) -> int:
    """Replications per task: about TARGET_BATCH_SECONDS of work, and enough tasks to keep all workers busy.

    Timed with one pilot replication in this process, whose result is discarded.
    """
    started = time.perf_counter()
    simulate(scenario, 0, 0, 0, record_events=keep_tables)
    per_run = max(time.perf_counter() - started, 1e-4)
    by_time = max(1, round(TARGET_BATCH_SECONDS / per_run))
    by_balance = max(1, math.ceil(replications / (4 * max(workers, 1))))
    return max(1, min(by_time, by_balance))


def make_batches(
    scenario: Scenario,
    label: str,
    replications: Iterable[int],
    root_seed: int,
    size: int,
    point: int = 0,
    parameters: dict[str, Any] | None = None,
    keep: tuple[bool, bool, bool] = (True, True, True),
) -> list[Batch]:
    reps = list(replications)
    return [
        Batch(
            scenario,
            label,
            point,
            tuple(reps[i : i + size]),
            root_seed,
            dict(parameters or {}),
            *keep,
        )
        for i in range(0, len(reps), size)
    ]


def execute(
    items: Iterable[Work],
    executor: Executor | None,
    on_done: Callable[[Work, BatchTables], None],
    max_in_flight: int = 16,
    work: Callable[[Work], BatchTables] = run_batch,  # type: ignore[assignment]
) -> None:
    """Run ``work`` on each item, handing each result to ``on_done`` in the calling process.

    At most ``max_in_flight`` tasks are submitted at a time so memory stays flat however many a
    sweep has. With no executor, items run here, in order. Tasks not yet finished when this
    returns early (an error, Ctrl-C) are cancelled.
    """
    if executor is None:
        for item in items:
            on_done(item, work(item))
        return
    pending: dict[Future[BatchTables], Work] = {}
    source: Iterator[Work] = iter(items)
    exhausted = False
    try:
        while pending or not exhausted:
            while not exhausted and len(pending) < max_in_flight:
                item = next(source, None)
                if item is None:
                    exhausted = True
                    break
                pending[executor.submit(work, item)] = item
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                on_done(pending.pop(future), future.result())
    finally:
        for future in pending:
            future.cancel()
