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
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from deploysim.engine.streams import RunIdentity
from deploysim.errors import UsageError, one_line
from deploysim.results.measures import MEASURES
from deploysim.results.outcomes import FAILED
from deploysim.results.run import simulate
from deploysim.scenario.schema import Scenario

TARGET_BATCH_SECONDS = 0.5
SCHEDULER_TIMEOUT_S = 5.0
IN_FLIGHT_PER_WORKER = 2


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
    run_timeout: float | None = None
    """Wall seconds each run may take (None: the watchdog's default from the scenario's size)."""

    @property
    def runs(self) -> int:
        return len(self.replications)

    @property
    def key(self) -> str:
        """Names the batch's part files; unique within an output directory."""
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.label).strip("-")[:40] or "scenario"
        tag = hashlib.blake2b(self.label.encode(), digest_size=3).hexdigest()
        first, last = self.replications[0], self.replications[-1]
        return f"{slug}-{tag}-p{self.point:06d}-r{first:06d}-{last:06d}"


BatchTables = dict[str, pd.DataFrame]
Work = TypeVar("Work")


def run_row(batch: Batch, replication: int) -> dict[str, Any]:
    """The identity columns of one run's row: who it is and the seeds that reproduce it."""
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


def error_row(batch: Batch, replication: int, error: str, trace: str = "", runtime_s: float = 0.0) -> dict[str, Any]:
    """A run that failed, or could not start, as data: its identity, the error and undefined measures."""
    row = run_row(batch, replication)
    row.update(status="error", error=error, traceback=trace, sim_events=0, runtime_s=runtime_s)
    row.update({name: float("nan") for name in MEASURES})
    row["outcome"] = FAILED
    return row


def failed_rows(batch: Batch, error: str) -> pd.DataFrame:
    """Every replication of a batch that cannot run (say its scenario does not validate) as error rows."""
    return pd.DataFrame([error_row(batch, replication, error) for replication in batch.replications])


RunsDone = Callable[[float], None]
"""Hears how many runs of a batch are done, fractions included, as a run passes each simulated month."""


def run_batch(batch: Batch, on_progress: RunsDone | None = None) -> BatchTables:
    """Simulate every replication of a batch; runs in a worker, so it must stay importable and pure.

    A run that raises, the watchdog's stop included, is recorded as an error row and the batch goes on.
    ``on_progress`` (in this process only: a callback does not cross to a worker) hears each month.
    """
    rows: list[dict[str, Any]] = []
    daily: list[pd.DataFrame] = []
    teams: list[pd.DataFrame] = []
    events: list[pd.DataFrame] = []
    done: list[int] = []
    for index, replication in enumerate(batch.replications):
        started = time.perf_counter()
        tick = None if on_progress is None else partial(_month_done, on_progress, index)
        try:
            result = simulate(
                batch.scenario, batch.root_seed, replication, batch.point, record_events=batch.keep_events,
                run_timeout=batch.run_timeout, on_month=tick,
            )
        except Exception as exc:  # a failing run is recorded as data and the batch goes on
            rows.append(error_row(batch, replication, f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=8),
                                  time.perf_counter() - started))
            continue
        row = run_row(batch, replication)
        row.update(status="ok", error="", traceback="", sim_events=result.sim_events, runtime_s=result.runtime_s)
        row.update(result.summary)
        row["outcome"] = result.outcome
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


def _month_done(on_progress: RunsDone, finished: int, month: int, months: int) -> None:
    on_progress(finished + month / months)


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


START_METHOD_VARIABLE = "DEPLOYSIM_START_METHOD"
START_METHODS = ("fork", "forkserver", "spawn")


def start_method() -> str:
    """How local workers start: ``DEPLOYSIM_START_METHOD`` if set, else the fastest the platform allows.

    Forked workers (Linux) inherit the imported engine instead of importing numpy, pandas and SimPy
    again (seconds per worker). Forking is only safe without other threads (a lock held by one would
    stay held in the child), so a threaded parent such as a notebook kernel gets a forkserver that
    preloads the runner once, and a platform without either (Windows) spawns. Every method gives the
    same tables: a worker receives its whole batch (scenario included) and inherits nothing.
    """
    available = multiprocessing.get_all_start_methods()
    chosen = os.environ.get(START_METHOD_VARIABLE, "").strip().lower()
    if chosen:
        if chosen not in START_METHODS:
            raise UsageError(f"{START_METHOD_VARIABLE}={chosen!r}: expected one of {', '.join(START_METHODS)}")
        if chosen not in available:
            raise UsageError(f"{START_METHOD_VARIABLE}={chosen!r}: this platform offers {', '.join(available)}")
        return chosen
    if "fork" in available and sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in available else "spawn"


PARENT_POLL_S = 0.2
"""How often a worker looks whether its parent is still there."""


def _parent_gone(parent: int, direct: bool) -> bool:
    if direct:
        return os.getppid() != parent  # orphans are adopted by another process, so the parent id changes
    try:
        os.kill(parent, 0)  # forkserver: the worker's parent is the server, so ask after the command itself
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _watch_parent(parent: int, direct: bool) -> None:
    while not _parent_gone(parent, direct):
        time.sleep(PARENT_POLL_S)
    os._exit(1)


def end_with_parent(parent: int) -> None:
    """Worker initializer: exit when the command that started the pool is gone, however it ended.

    A parent killed with SIGKILL cannot shut its pool down, and a worker blocked reading the task
    queue would otherwise wait for ever (its siblings hold the queue open), still holding memory. A
    daemon thread polls every PARENT_POLL_S; polling works on every platform, unlike Linux's
    PR_SET_PDEATHSIG, which fires when the thread that started the worker ends, not the process.
    """
    direct = os.getppid() == parent or sys.platform == "win32"  # os.kill(pid, 0) would end a process on Windows
    threading.Thread(target=_watch_parent, args=(parent, direct), name="deploysim-parent-watch", daemon=True).start()


def local_executor(workers: int | None = None) -> Executor:
    """A local process pool, started by :func:`start_method`, whose workers end with this process."""
    method = start_method()
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["deploysim.experiments.runner"])
    return ProcessPoolExecutor(max_workers=workers or default_workers(), mp_context=context,
                               initializer=end_with_parent, initargs=(os.getpid(),))


def _ready() -> int:
    """A task that does nothing: finishing it proves that a worker started."""
    return os.getpid()


def started_pool(workers: int) -> Executor | None:
    """A local pool whose first worker is known to run, or None with one line on stderr if it cannot start.

    A laptop may refuse processes (a sandbox, a missing semaphore implementation, a script without an
    ``if __name__ == "__main__":`` guard under spawn); the runs then go on in this process, slower
    but with the same results.
    """
    pool: Executor | None = None
    try:
        pool = local_executor(workers)
        pool.submit(_ready).result()
    except (BrokenProcessPool, OSError, NotImplementedError, EOFError) as exc:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        reason = one_line(" ".join(str(exc).split()) or type(exc).__name__)  # printed, not raised
        print(f"deploysim: cannot start worker processes ({reason}); running in one process", file=sys.stderr)
        return None
    return pool


RUN_OVERHEAD_S = 5e-3
"""Seconds a replication costs besides its posts: setting up streams and building its tables."""
POST_DAY_S = 5e-7
"""Seconds per post and simulated day (measured: Kyrgyzstan, 52 posts x 1 year, ~17 ms; 15,000 posts x
3 years, ~6-8 s), about a third more when the event log is kept."""
PROGRESS_STEPS = 50
"""Batches are small enough that progress moves at least this many times over a run."""


def estimated_run_seconds(scenario: Scenario, keep_tables: bool = True) -> float:
    """A replication's cost guessed from its size (posts x horizon) instead of timing a run to throw away."""
    post_days = scenario.authorised_posts * scenario.horizon_days
    return (RUN_OVERHEAD_S + POST_DAY_S * post_days) * (1.3 if keep_tables else 1.0)


def batch_size_for(scenario: Scenario, replications: int, workers: int, keep_tables: bool = True) -> int:
    """Replications per task: about TARGET_BATCH_SECONDS of work, enough tasks to keep all workers busy,
    and enough batches for progress to move in small steps. Nothing is simulated to decide it."""
    per_run = max(estimated_run_seconds(scenario, keep_tables), 1e-4)
    by_time = max(1, round(TARGET_BATCH_SECONDS / per_run))
    by_balance = max(1, math.ceil(replications / (4 * max(workers, 1))))
    by_progress = max(1, math.ceil(replications / PROGRESS_STEPS))
    return max(1, min(by_time, by_balance, by_progress))


def make_batches(
    scenario: Scenario,
    label: str,
    replications: Iterable[int],
    root_seed: int,
    size: int,
    point: int = 0,
    parameters: dict[str, Any] | None = None,
    keep: tuple[bool, bool, bool] = (True, True, True),
    run_timeout: float | None = None,
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
            run_timeout,
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
                try:
                    item = next(source)
                except StopIteration:
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


def _handshake(address: str, timeout: float) -> None:
    """Open one connection to ``address`` and exchange Dask's handshake, all within ``timeout`` seconds.

    ``Client(timeout=...)`` bounds only the TCP connect: a server that accepts the connection but
    never answers in Dask's protocol (a web server on that port) would keep it waiting for minutes.
    The probe runs its own event loop in a thread of its own, so it works under a running loop too.
    """
    import asyncio

    from distributed.comm import connect as open_comm

    async def probe() -> None:
        comm = await asyncio.wait_for(open_comm(address, timeout=timeout), timeout)
        await comm.close()

    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, probe()).result()


def connect(address: str, timeout: float = SCHEDULER_TIMEOUT_S) -> Any:
    """A ``distributed.Client`` for ``address``; an unreachable scheduler, or something else listening
    there, is a one-line UsageError within about ``timeout`` seconds."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs dask.distributed: pip install 'deploysim[dask]'") from None
    try:
        _handshake(address, timeout)
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise UsageError(
            f"--scheduler {address}: cannot reach a Dask scheduler within {timeout:g} s ({reason}); "
            "start one with `dask scheduler` and give its tcp://HOST:PORT"
        ) from None


@contextmanager
def executor_for(
    workers: int | None = None, scheduler: str | None = None, executor: Executor | None = None
) -> Iterator[tuple[Executor | None, int]]:
    """Where runs execute, chosen once for every kind of experiment: (executor, tasks in flight).

    A Dask scheduler address, a given executor, one worker (``None``: run in this process) or a
    local process pool (the default, one process per core). The window keeps a few tasks per
    worker in flight, so workers never wait and memory stays flat however large the experiment.
    What this opens (a pool, a cluster connection) it closes.
    """
    if scheduler and (executor is not None or workers):
        raise UsageError("--scheduler and --workers exclude each other: the cluster decides its workers")
    if scheduler:
        client = connect(scheduler)
        try:
            threads = max(sum(client.nthreads().values()), 1)
            yield client.get_executor(pure=False), IN_FLIGHT_PER_WORKER * threads
        finally:
            client.close()
        return
    n = workers or default_workers()
    if executor is not None:
        yield executor, IN_FLIGHT_PER_WORKER * n
    elif n == 1:
        yield None, 1
    else:
        pool = started_pool(n)
        if pool is None:
            yield None, 1
            return
        try:
            yield pool, IN_FLIGHT_PER_WORKER * n
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
