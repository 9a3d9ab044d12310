"""Parameter sweeps: every (design point, replication) of a design, run over any Executor, resumable.

How a sweep is cut into work, and why:

* Runs are enumerated point by point, replication by replication, and cut into tasks of a FIXED
  number of runs (``batch_size``), chosen once from the scenario's estimated work (about half a second
  per task, nothing simulated to decide it) and recorded in the manifest. A task may span design
  points: a Sobol design with one or two replications per point would otherwise make tasks of a
  few milliseconds, all scheduling overhead.
* A task's key names its first and last run (``p000012r000000-p000014r000009``) and its part files.
  Because the batch size comes from the manifest, ``--resume`` recomputes the same keys, skips every
  task whose ``runs`` part exists (written last, atomically, so it exists only if the task's other
  tables do) and never runs anything twice. A SIGKILL loses at most the tasks in flight.
* Seeds derive from (root seed, point, replication) only, so a local pool, one process and a Dask
  cluster write identical tables. By default (common random numbers, ``crn=True``) every point uses
  the seeds of point 0, (root seed, 0, replication): replication r meets the same luck at every point,
  so differences between points are the levers' doing, and response curves and indices come out much
  sharper for the same number of runs; a parameter that changes nothing gets an index of zero instead
  of the replication noise. ``crn=False`` (``--independent``) seeds each point with its own number.
  The ``seed_spawn_key`` column records the seed actually used, the manifest ``common_random_numbers``.
* Memory stays flat: tasks are generated lazily, at most a few per worker are in flight, finished
  tables go straight to disk, and daily series are thinned (every 7th day) or left out, with the
  team and event tables off unless asked for.

A design point whose scenario does not validate (say min_manning above the posts it sets) is not
fatal: each of its replications is recorded in ``runs`` with ``status = "error"`` and the validation
message in ``error``, as a run that raises is, and the rest of the sweep goes on. Only when no point
at all is valid does the sweep stop before running, with the first point's message.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from deploysim.errors import OutputError, ResultsError, ScenarioError, SweepError, UsageError
from deploysim.experiments.runner import BatchTables, default_workers, execute, executor_for, failed_rows, run_batch
from deploysim.experiments.sink import Progress, ResultsSink
from deploysim.experiments.sweep_plan import SweepPlan, TableOptions, Task, plan_sweep
from deploysim.scenario.schema import Scenario
from deploysim.storage.directory import (
    MANIFEST,
    StoredResults,
    first_difference,
    jsonable,
    load_results,
    prepare_output,
    read_manifest,
    short,
    write_manifest,
)
from deploysim.storage.files import write_parquet
from deploysim.storage.provenance import manifest
from deploysim.storage.session import OutputSession, literal
from deploysim.storage.tables import TABLES, remove_unfinished_parts, written_parts

MAX_STORED_INVALID = 100
DESIGN_FILE = "design.parquet"


def run_task(task: Task) -> BatchTables:
    """Run one task in a worker: all its runs, daily series thinned here so less crosses the wire."""
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for item in task.items:
        tables = {"runs": failed_rows(item.batch, item.error)} if item.error else run_batch(item.batch)
        for name, frame in tables.items():
            if item.point != item.batch.point:
                frame["point"] = item.point
            parts[name].append(frame)
    out: BatchTables = {}
    for name, frames in parts.items():
        if frames:
            frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            if name == "daily" and task.daily_every > 1:
                frame = frame[frame["day"] % task.daily_every == 0].reset_index(drop=True)
            out[name] = frame
    return out


def _prepare_out(out: Path, plan: SweepPlan, resume: bool, batch_size_given: bool) -> tuple[dict[str, Any], set[str]]:
    """Check or create the output directory; returns the manifest to write and the tasks already done."""
    identity = plan.identity()
    if out.is_dir() and (out / MANIFEST).exists() and not resume:
        raise OutputError("{out} " + literal(out)
                          + ": already holds results; pass {resume} to continue that sweep or choose another")
    if prepare_output(out, resume=resume):
        previous = read_manifest(out)
        if previous.get("kind") != "sweep":
            raise UsageError(f"--out {out}: holds results of '{previous.get('kind')}', not of a sweep; cannot resume")
        difference = first_difference({k: previous.get(k) for k in identity}, jsonable(identity))
        if difference:
            name, there, now = difference
            raise UsageError(
                f"--resume {out}: this sweep differs from the one stored there in {name} "
                f"({short(there)} there, {short(now)} now); resume with the same scenario, "
                "--set, --dummy, --design, --samples, --reps, --seed, --independent (or not) and --daily, "
                "or choose another --out"
            )
        stored_size = int(previous["batch_size"])
        if batch_size_given and stored_size != plan.batch_size:
            raise UsageError(
                f"--batch-size {plan.batch_size}: the stored sweep uses {stored_size}; leave it out to resume"
            )
        plan.batch_size = stored_size
        remove_unfinished_parts(out)
        done = written_parts(out, "runs") & set(plan.keys())
        if plan.targets:  # targets are read by the analysis, not the runs: new ones replace the stored
            previous = {**previous, "targets": list(plan.targets)}
        return previous, done
    invalid = dict(list(plan.invalid.items())[:MAX_STORED_INVALID])
    fields = manifest(
        "sweep",
        {plan.label: plan.base},
        {plan.label: plan.source},
        **identity,
        problem=plan.design.problem,
        batch_size=plan.batch_size,
        tasks=plan.task_count,
        total_runs=plan.total_runs,
        targets=list(plan.targets),
        invalid_points={"count": len(plan.invalid), "first": {str(k): v for k, v in invalid.items()}},
        complete=False,
    )
    write_parquet(plan.design.points.reset_index(), out / DESIGN_FILE)
    write_manifest(out, jsonable(fields))  # last: a directory with a manifest has everything it names
    return fields, set()


@dataclass
class SweepOutcome:
    """What a sweep did: the stored results and figures for the terminal."""

    results: StoredResults
    plan: SweepPlan
    ran: int
    skipped: int
    seconds: float

    @property
    def runs_per_second(self) -> float:
        return self.ran / self.seconds if self.seconds > 0 else math.nan


def run_sweep(
    plan: SweepPlan,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    batch_size_given: bool = False,
) -> SweepOutcome:
    """Run the plan's missing tasks into ``out``; see the module docstring for the guarantees."""
    out = Path(out)
    if scheduler and (executor is not None or workers):
        raise UsageError("--scheduler and --workers exclude each other: the cluster decides its workers")
    with OutputSession(out):
        stored, done = _prepare_out(out, plan, resume, batch_size_given)
        skipped = sum(plan.runs_in(k) for k in range(plan.task_count) if plan.key(k) in done)
        seconds = _run_tasks(plan, out, done, ResultsSink(out, False, plan.total_runs, skipped, progress),
                             workers, scheduler, executor)
        write_manifest(out, jsonable({**stored, "complete": True}))
    return SweepOutcome(load_results(out), plan, plan.total_runs - skipped, skipped, seconds)


def _run_tasks(plan: SweepPlan, out: Path, done: set[str], sink: ResultsSink, workers: int | None,
               scheduler: str | None, executor: Executor | None) -> float:
    """Run the tasks not done into the sink; returns the seconds it took. A failure is one line."""
    started = time.perf_counter()
    on_cluster = False
    try:
        with executor_for(workers, scheduler, executor) as (pool, window):
            on_cluster = scheduler is not None
            execute(plan.tasks(done), pool, sink, max_in_flight=window, work=run_task)
    except BrokenExecutor as exc:
        raise SweepError(
            f"{out}: a worker process died ({exc}); finished tasks are on disk, rerun with --resume"
        ) from None
    except (ScenarioError, UsageError, ResultsError, KeyboardInterrupt):
        raise
    except Exception as exc:
        if not on_cluster:
            raise
        raise SweepError(
            f"{out}: a task failed on the cluster ({type(exc).__name__}: {exc}); is deploysim installed on every "
            "worker? finished tasks are on disk, rerun with --resume"
        ) from None
    return time.perf_counter() - started


def sweep(
    scenario: Scenario | str | Path | Mapping[str, Any],
    sets: Sequence[str] | Mapping[str, str],
    out: str | Path,
    design: str = "grid",
    samples: int | None = None,
    reps: int = 10,
    seed: int = 0,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    resume: bool = False,
    daily: str = "thin",
    teams: bool = False,
    events: bool = False,
    batch_size: int | None = None,
    progress: Progress | None = None,
    crn: bool = True,
    dummy: bool = False,
    targets: Sequence[str] = (),
    run_timeout: float | None = None,
    allow_large: bool = False,
) -> StoredResults:
    """Sweep scenario fields over a design and store the results in ``out``; the Python API of
    ``deploysim sweep``. ``sets`` is ``["PATH=SPEC", ...]`` or ``{PATH: SPEC}``.

    ``crn`` (default True) gives every design point the same replication seeds (common random numbers),
    so that indices measure the parameters rather than each point's luck; ``crn=False`` is ``--independent``.
    ``dummy`` adds the inert factor ``dummy`` (stored and analysed, applied to no field), the yardstick of
    an irrelevant parameter's index. ``targets`` (``["foc_day<=200"]``) are stored for ``analyze``.
``run_timeout``: wall seconds each run may take (a run past it, or past its other watchdog budgets,
is an error row; :mod:`deploysim.engine.watchdog`). ``allow_large`` runs a sweep beyond the work limits
of :mod:`deploysim.experiments.work_limits`.

    Runs on a local process pool (``workers``; 1 runs here), a Dask scheduler (``scheduler``) or any
    ``concurrent.futures.Executor`` (``executor``). Returns the stored results.
    """
    plan = plan_sweep(
        scenario, sets, design, samples, reps, seed, TableOptions(daily, teams, events), batch_size,
        workers or default_workers(), crn, dummy, targets, run_timeout, allow_large,
    )
    outcome = run_sweep(plan, out, workers, scheduler, executor, resume, progress, batch_size is not None)
    return outcome.results
