"""Parameter sweeps: every (design point, replication) of a design, run over any Executor, resumable.

How a sweep is cut into work, and why:

* Runs are enumerated point by point, replication by replication, and cut into tasks of a FIXED
  number of runs (``batch_size``), chosen once from a pilot run (about half a second of work per
  task) and recorded in the manifest. A task may span design points: a Sobol design with one or two
  replications per point would otherwise make tasks of a few milliseconds, all scheduling overhead.
* A task's key names its first and last run (``p000012r000000-p000014r000009``) and its part files.
  Because the batch size comes from the manifest, ``--resume`` recomputes the same keys, skips every
  task whose ``runs`` part exists (written last, atomically, so it exists only if the task's other
  tables do) and never runs anything twice. A SIGKILL loses at most the tasks in flight.
* Seeds derive from (root seed, point, replication) only, so a local pool, one process and a Dask
  cluster write identical tables. With ``crn`` (common random numbers) every point uses the seeds of
  point 0, (root seed, 0, replication): replication r meets the same luck at every point, so
  differences between points are the levers' doing, and response curves and indices come out much
  sharper for the same number of runs. The ``seed_spawn_key`` column records the seed actually used.
* Memory stays flat: tasks are generated lazily, at most a few per worker are in flight, finished
  tables go straight to disk, and daily series are thinned (every 7th day) or left out, with the
  team and event tables off unless asked for.

A design point whose scenario does not validate (say min_manning above the posts it sets) is not
fatal: each of its replications is recorded in ``runs`` with ``status = "error"`` and the validation
message in ``error``, as a run that raises is, and the rest of the sweep goes on. Only when no point
at all is valid does the sweep stop before running, with the first point's message.
"""

from __future__ import annotations

import io
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from deploysim.errors import ResultsError, ScenarioError, SweepError, UsageError
from deploysim.experiments.design import Design, make_design, parse_sets
from deploysim.experiments.runner import (
    Batch,
    BatchTables,
    _run_row,
    batch_size_for,
    default_workers,
    execute,
    local_executor,
    run_batch,
)
from deploysim.results.measures import MEASURES
from deploysim.scenario.load import validate_scenario
from deploysim.scenario.paths import check_path
from deploysim.scenario.schema import Scenario
from deploysim.scenario.variants import validate_point
from deploysim.scenario.yaml_file import read_scenario_file
from deploysim.storage.provenance import stamp
from deploysim.storage.results import (
    MANIFEST,
    TABLES,
    StoredResults,
    atomic_write_bytes,
    load_results,
    write_manifest,
    write_part,
    written_parts,
)

DAILY_MODES = ("none", "thin", "full")
THIN_EVERY = 7
SCHEDULER_TIMEOUT_S = 5.0
MAX_STORED_INVALID = 100
DESIGN_FILE = "design.parquet"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TableOptions:
    """Which tables a sweep keeps: runs always; daily series full, thinned or none; teams and events."""

    daily: str = "thin"
    teams: bool = False
    events: bool = False

    def __post_init__(self) -> None:
        if self.daily not in DAILY_MODES:
            raise UsageError(f"--daily {self.daily}: choose one of {', '.join(DAILY_MODES)}")

    @property
    def daily_every(self) -> int:
        return {"none": 0, "thin": THIN_EVERY, "full": 1}[self.daily]

    def describe(self) -> dict[str, Any]:
        return {"daily": self.daily, "daily_every": self.daily_every, "teams": self.teams, "events": self.events}


@dataclass(frozen=True)
class TaskItem:
    """One design point's share of a task; ``error`` set means the point is invalid and is not run.
    ``point`` is the design point; ``batch.point`` the point whose seeds are used (0 under CRN)."""

    batch: Batch
    point: int
    error: str = ""


@dataclass(frozen=True)
class Task:
    key: str
    items: tuple[TaskItem, ...]
    daily_every: int

    @property
    def runs(self) -> int:
        return sum(len(item.batch.replications) for item in self.items)


def _invalid_rows(item: TaskItem) -> pd.DataFrame:
    """Runs of a design point that failed validation: error rows shaped like run_batch's."""
    rows = []
    for replication in item.batch.replications:
        row = _run_row(item.batch, replication)
        row.update(status="error", error=item.error, traceback="", sim_events=0, runtime_s=0.0)
        row.update({name: float("nan") for name in MEASURES})
        rows.append(row)
    return pd.DataFrame(rows)


def run_task(task: Task) -> BatchTables:
    """Run one task in a worker: all its runs, daily series thinned here so less crosses the wire."""
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for item in task.items:
        tables = {"runs": _invalid_rows(item)} if item.error else run_batch(item.batch)
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


# -- planning -------------------------------------------------------------------------------------
@dataclass
class SweepPlan:
    """Everything that decides which runs a sweep has and how they are cut into tasks."""

    source: str
    data: dict[str, Any]
    base: Scenario
    design: Design
    replications: int
    root_seed: int
    batch_size: int
    tables: TableOptions
    invalid: dict[int, str] = field(default_factory=dict)
    crn: bool = False

    @property
    def label(self) -> str:
        return self.base.name

    @property
    def total_runs(self) -> int:
        return len(self.design.points) * self.replications

    @property
    def task_count(self) -> int:
        return math.ceil(self.total_runs / self.batch_size)

    def _span(self, index: int) -> tuple[int, int]:
        start = index * self.batch_size
        return start, min(start + self.batch_size, self.total_runs)

    def key(self, index: int) -> str:
        start, stop = self._span(index)
        (p0, r0), (p1, r1) = divmod(start, self.replications), divmod(stop - 1, self.replications)
        return f"p{p0:06d}r{r0:06d}-p{p1:06d}r{r1:06d}"

    def keys(self) -> list[str]:
        return [self.key(i) for i in range(self.task_count)]

    def tasks(self, skip: set[str] | None = None) -> Iterator[Task]:
        """Tasks not in ``skip``, built lazily: scenarios exist only for tasks about to be submitted."""
        skip = skip or set()
        keep = (self.tables.daily != "none", self.tables.teams, self.tables.events)
        cache: tuple[int, Scenario] | None = None
        for index in range(self.task_count):
            key = self.key(index)
            if key in skip:
                continue
            start, stop = self._span(index)
            items: list[TaskItem] = []
            flat = start
            while flat < stop:
                point, first = divmod(flat, self.replications)
                last = min(self.replications, first + stop - flat)
                parameters = self.design.overrides(point)
                error = self.invalid.get(point, "")
                if error:
                    scenario = self.base
                elif cache is not None and cache[0] == point:
                    scenario = cache[1]
                else:
                    scenario = validate_point(self.data, parameters, point)
                    cache = (point, scenario)
                seeds = 0 if self.crn else point
                batch = Batch(scenario, self.label, seeds, tuple(range(first, last)), self.root_seed, parameters, *keep)
                items.append(TaskItem(batch, point, error))
                flat += last - first
            yield Task(key, tuple(items), self.tables.daily_every)

    def identity(self) -> dict[str, Any]:
        """What must match for ``--resume`` to continue this sweep rather than start a different one."""
        return {
            "scenario_hash": self.base.fingerprint(),
            "root_seed": self.root_seed,
            "replications": self.replications,
            "common_random_numbers": self.crn,
            "design": {k: v for k, v in self.design.describe().items() if k != "problem"},
            "design_hash": self.design.fingerprint(),
            "tables": self.tables.describe(),
        }


def load_base(scenario: str | Path | Mapping[str, Any]) -> tuple[str, dict[str, Any], Scenario]:
    """The scenario a sweep starts from: a YAML file, or its data as a mapping."""
    if isinstance(scenario, Mapping):
        data = dict(scenario)
        source = str(data.get("name", "scenario"))
        return source, data, validate_scenario(data, source)
    source = str(scenario)
    data, lines = read_scenario_file(scenario)
    base = validate_scenario(data, source, lines)
    return source, data, base


def invalid_points(data: dict[str, Any], design: Design) -> dict[int, str]:
    """Validate every design point; returns the message of each invalid one (valid ones are dropped)."""
    invalid: dict[int, str] = {}
    for point in range(len(design.points)):
        try:
            validate_point(data, design.overrides(point), point)
        except ScenarioError as exc:
            invalid[point] = f"ScenarioError: {exc}"
    if invalid and len(invalid) == len(design.points):
        first = next(iter(invalid.values())).removeprefix("ScenarioError: ")
        raise ScenarioError("sweep", f"no design point is a valid scenario; the first: {first}")
    return invalid


def plan_sweep(
    scenario: str | Path | Mapping[str, Any],
    sets: Sequence[str] | Mapping[str, str],
    design: str = "grid",
    samples: int | None = None,
    reps: int = 10,
    seed: int = 0,
    tables: TableOptions | None = None,
    batch_size: int | None = None,
    workers: int = 1,
    crn: bool = False,
) -> SweepPlan:
    """Check paths and specs, build the design and validate every point, all before anything runs."""
    if reps < 1:
        raise UsageError(f"--reps {reps}: must be at least 1")
    if batch_size is not None and batch_size < 1:
        raise UsageError(f"--batch-size {batch_size}: must be at least 1")
    source, data, base = load_base(scenario)
    factors = parse_sets(dict(sets) if isinstance(sets, Mapping) else list(sets))
    for factor in factors:
        check_path(data, factor.path)
    built = make_design(design, factors, samples, seed)
    invalid = invalid_points(data, built)
    tables = tables or TableOptions()
    total = len(built.points) * reps
    size = batch_size or batch_size_for(base, total, workers, keep_tables=tables.events)
    return SweepPlan(source, data, base, built, reps, seed, size, tables, invalid, crn)


# -- execution ------------------------------------------------------------------------------------
def _execute(
    tasks: Iterable[Task], executor: Executor | None, on_done: Callable[[Task, BatchTables], None], window: int
) -> None:
    """Tasks may span design points, so they run through the runner's loop with ``run_task``."""
    execute(tasks, executor, on_done, max_in_flight=window, work=run_task)


class _Writer:
    """Writes each finished task's parts (runs last) and reports progress; keeps nothing in memory."""

    def __init__(self, out: Path, total: int, done: int, progress: Progress | None) -> None:
        self.out = out
        self.total = total
        self.done = done
        self.progress = progress

    def __call__(self, task: Task, tables: BatchTables) -> None:
        for name in (*[t for t in TABLES if t != "runs"], "runs"):
            if name in tables:
                write_part(self.out, name, task.key, tables[name])
        self.done += task.runs
        if self.progress:
            self.progress(self.done, self.total)


def connect(address: str, timeout: float = SCHEDULER_TIMEOUT_S) -> Any:
    """A ``distributed.Client`` for ``address``; an unreachable scheduler is a one-line UsageError."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs dask.distributed: pip install 'deploysim[dask]'") from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise UsageError(
            f"--scheduler {address}: cannot reach a Dask scheduler within {timeout:g} s ({reason}); "
            "start one with `dask scheduler` and give its tcp://HOST:PORT"
        ) from None


def _prepare_out(out: Path, plan: SweepPlan, resume: bool, batch_size_given: bool) -> tuple[dict[str, Any], set[str]]:
    """Check or create the output directory; returns the manifest to write and the tasks already done."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a directory")
    identity = plan.identity()
    if (out / MANIFEST).exists():
        if not resume:
            raise UsageError(
                f"--out {out}: already holds results; pass --resume to continue that sweep or choose another"
            )
        previous = load_results(out).manifest
        if previous.get("kind") != "sweep":
            raise UsageError(f"--out {out}: holds results of '{previous.get('kind')}', not of a sweep; cannot resume")
        difference = _first_difference({k: previous.get(k) for k in identity}, _jsonable(identity))
        if difference:
            name, there, now = difference
            raise UsageError(
                f"--resume {out}: this sweep differs from the one stored there in {name} "
                f"({_short(there)} there, {_short(now)} now); resume with the same scenario, "
                "--set, --design, --samples, --reps, --seed, --crn and --daily, or choose another --out"
            )
        stored_size = int(previous["batch_size"])
        if batch_size_given and stored_size != plan.batch_size:
            raise UsageError(
                f"--batch-size {plan.batch_size}: the stored sweep uses {stored_size}; leave it out to resume"
            )
        plan.batch_size = stored_size
        for table in TABLES:
            for stale in (out / table).glob(".part-*.tmp"):  # a killed writer's leftovers, never read
                stale.unlink(missing_ok=True)
        done = written_parts(out, "runs") & set(plan.keys())
        return previous, done
    out.mkdir(parents=True, exist_ok=True)
    invalid = dict(list(plan.invalid.items())[:MAX_STORED_INVALID])
    manifest = stamp(
        kind="sweep",
        scenario={"file": plan.source, "name": plan.base.name, "hash": plan.base.fingerprint()},
        scenario_definition=plan.base.model_dump(mode="json"),
        **identity,
        problem=plan.design.problem,
        batch_size=plan.batch_size,
        tasks=plan.task_count,
        total_runs=plan.total_runs,
        invalid_points={"count": len(plan.invalid), "first": {str(k): v for k, v in invalid.items()}},
        complete=False,
    )
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(plan.design.points.reset_index(), preserve_index=False), buffer)
    atomic_write_bytes(out / DESIGN_FILE, buffer.getvalue())
    write_manifest(out, _jsonable(manifest))  # last: a directory with a manifest has everything it names
    return manifest, set()


def _jsonable(value: Any) -> Any:
    """As the manifest stores it (tuples become lists), so a stored identity compares equal."""
    import json

    return json.loads(json.dumps(value, default=str))


def _first_difference(there: Any, now: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """The first leaf where two JSON-like values differ, as (dotted path, there, now)."""
    if isinstance(there, dict) and isinstance(now, dict):
        for key in list(now) + [k for k in there if k not in now]:
            found = _first_difference(there.get(key), now.get(key), f"{path}.{key}" if path else str(key))
            if found:
                return found
        return None
    if isinstance(there, list) and isinstance(now, list) and len(there) == len(now):
        for i, (a, b) in enumerate(zip(there, now, strict=True)):
            found = _first_difference(a, b, f"{path}.{i}")
            if found:
                return found
        return None
    return None if there == now else (path, there, now)


def _short(value: Any) -> str:
    text = str(_jsonable(value))
    return text if len(text) <= 60 else text[:57] + "..."


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
    manifest, done = _prepare_out(out, plan, resume, batch_size_given)
    skipped = sum(_task_runs(plan, k) for k in range(plan.task_count) if plan.key(k) in done)
    writer = _Writer(out, plan.total_runs, skipped, progress)
    tasks = plan.tasks(done)
    started = time.perf_counter()
    client = None
    try:
        if scheduler:
            client = connect(scheduler)
            threads = max(sum(client.nthreads().values()), 1)
            _execute(tasks, client.get_executor(pure=False), writer, window=2 * threads)
        elif executor is not None:
            _execute(tasks, executor, writer, window=2 * (workers or default_workers()))
        elif (workers or default_workers()) == 1:
            _execute(tasks, None, writer, window=1)
        else:
            n = workers or default_workers()
            pool = local_executor(n)
            try:
                _execute(tasks, pool, writer, window=2 * n)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    except BrokenExecutor as exc:
        raise SweepError(
            f"{out}: a worker process died ({exc}); finished tasks are on disk, rerun with --resume"
        ) from None
    except (ScenarioError, UsageError, ResultsError, KeyboardInterrupt):
        raise
    except Exception as exc:
        if client is None:
            raise
        raise SweepError(
            f"{out}: a task failed on the cluster ({type(exc).__name__}: {exc}); is deploysim installed on every "
            "worker? finished tasks are on disk, rerun with --resume"
        ) from None
    finally:
        if client is not None:
            client.close()
    seconds = time.perf_counter() - started
    write_manifest(out, _jsonable({**manifest, "complete": True}))
    return SweepOutcome(load_results(out), plan, plan.total_runs - skipped, skipped, seconds)


def _task_runs(plan: SweepPlan, index: int) -> int:
    start = index * plan.batch_size
    return min(start + plan.batch_size, plan.total_runs) - start


def sweep(
    scenario: str | Path | Mapping[str, Any],
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
    crn: bool = False,
) -> StoredResults:
    """Sweep scenario fields over a design and store the results in ``out``; the Python API of
    ``deploysim sweep``. ``sets`` is ``["PATH=SPEC", ...]`` or ``{PATH: SPEC}``; ``crn`` gives every
    design point the same replication seeds (common random numbers).

    Runs on a local process pool (``workers``; 1 runs here), a Dask scheduler (``scheduler``) or any
    ``concurrent.futures.Executor`` (``executor``). Returns the stored results.
    """
    plan = plan_sweep(
        scenario, sets, design, samples, reps, seed, TableOptions(daily, teams, events), batch_size,
        workers or default_workers(), crn,
    )
    outcome = run_sweep(plan, out, workers, scheduler, executor, resume, progress, batch_size is not None)
    return outcome.results


def report(outcome: SweepOutcome, stream: Any = None) -> None:
    """A few lines for the terminal: what ran, what failed, where the tables are."""
    stream = stream or sys.stdout
    plan = outcome.plan
    runs = outcome.results.runs
    failed = int((runs["status"] != "ok").sum()) if "status" in runs else 0
    print(
        f"{plan.label}: {plan.design.kind} design, {len(plan.design.points)} points x {plan.replications} "
        f"replications = {plan.total_runs} runs, seed {plan.root_seed}",
        file=stream,
    )
    if outcome.skipped:
        print(f"resumed: {outcome.skipped} runs were already on disk, {outcome.ran} run now", file=stream)
    print(f"{outcome.ran} runs in {outcome.seconds:.1f} s ({outcome.runs_per_second:,.1f} runs/s)", file=stream)
    if plan.invalid:
        first_point, first = next(iter(plan.invalid.items()))
        print(
            f"{len(plan.invalid)} design point(s) are not valid scenarios and were recorded as errors; "
            f"point {first_point}: {first.removeprefix('ScenarioError: ')}",
            file=stream,
        )
    if failed:
        where = outcome.results.path / "runs"
        print(f"{failed} run(s) have status 'error'; see the 'error' column of {where}", file=stream)
    print(f"tables in {outcome.results.path}/ (runs, daily as Parquet datasets); analyse with: "
          f"deploysim analyze {outcome.results.path}", file=stream)
