"""Replications of one scenario (or several under common random numbers), and :func:`run`, the
library function behind ``deploysim run``.

Every replication of every scenario shares its replication seeds, so scenarios run together are
paired (common random numbers). Replications are numbered 0, 1, 2, ... however they are run, so a
run that adds replications until a precision is reached holds the same data as a fixed run of that
size with the same seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from deploysim.errors import UsageError
from deploysim.experiments.precision import (
    DEFAULT_MAX_REPS,
    AdaptiveResult,
    Check,
    PrecisionTarget,
    check_max_reps,
    parse_precisions,
    precision_checks,
    run_adaptive,
)
from deploysim.experiments.runner import (
    Batch,
    BatchTables,
    batch_size_for,
    default_workers,
    execute,
    executor_for,
    make_batches,
    run_batch,
)
from deploysim.experiments.sink import Progress, ResultsSink
from deploysim.experiments.work_limits import check_replications
from deploysim.results.measures import not_applicable
from deploysim.scenario.load import load_scenario
from deploysim.scenario.schema import Scenario
from deploysim.scenario.shipped import resolve_scenario
from deploysim.scenario.variants import variant
from deploysim.stats.bands import staffing_quantiles
from deploysim.stats.milestones import Target, parse_targets
from deploysim.stats.runs import require_finished
from deploysim.stats.summary import outcome_table, summary_table
from deploysim.storage.directory import (
    StoredResults,
    first_difference,
    jsonable,
    load_results,
    prepare_output,
    read_manifest,
    short,
    write_manifest,
)
from deploysim.storage.files import write_csv, write_parquet
from deploysim.storage.provenance import manifest
from deploysim.storage.session import output_session
from deploysim.storage.tables import TABLES, MemoryTables, RunTables, read_table, remove_unfinished_parts, write_part

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SUMMARY_FILES = ("summary.csv", "summary.parquet", "outcomes.csv", "staffing-quantiles.csv", "report.html",
                 "results.xlsx")
PLOT_FILES = ("staffing.png", "outcomes.png", "coverage.png", "timeline.png", "cadets.png", "phases.png")


def run_replications(
    scenarios: Mapping[str, Scenario],
    reps: int | Iterable[int],
    seed: int = 0,
    workers: int | None = None,
    executor: Executor | None = None,
    out: Path | None = None,
    keep_in_memory: bool = True,
    progress: Progress | None = None,
    done: Collection[int] = (),
    run_timeout: float | None = None,
) -> RunTables:
    """Replicate each scenario with the same replication seeds (common random numbers).

    ``workers=1`` with no executor runs in this process, and so does a single run (a pool cannot
    share one replication out); otherwise a local process pool is used unless an executor (e.g. a
    Dask client's) is given. Tables are written to ``out`` as they finish and kept in memory when
    ``keep_in_memory`` (the returned tables are empty otherwise). Replications in ``done`` (already
    in ``out``, for a resumed run) are counted but not run again. ``run_timeout``: wall seconds each
    run may take before the watchdog stops it and records it as failed.

    Progress moves per finished batch; runs in this process also report each simulated month to a
    ``progress`` that has a ``within_run(done, total)`` method (``done`` then counts fractions of
    runs). Workers in a pool send nothing until their batch ends: a callback cannot cross to them.
    """
    wanted = list(range(reps)) if isinstance(reps, int) else list(reps)
    replications = [r for r in wanted if r not in done]
    if len(replications) * len(scenarios) == 1 and executor is None:
        workers = 1
    n_workers = workers or default_workers()
    batches = []
    for label, scenario in scenarios.items():
        size = batch_size_for(scenario, len(replications), n_workers)
        batches += make_batches(scenario, label, replications, seed, size, run_timeout=run_timeout)
    sink = ResultsSink(out, keep_in_memory, len(wanted) * len(scenarios), (len(wanted) - len(replications))
                       * len(scenarios), progress=progress)
    with executor_for(workers, None, executor) as (pool, window):
        within_run = getattr(progress, "within_run", None)
        if pool is None and within_run is not None:
            def work(batch: Batch) -> BatchTables:
                return run_batch(batch, lambda part: within_run(sink.done + part, sink.total))

            execute(batches, pool, sink, max_in_flight=window, work=work)
        else:
            execute(batches, pool, sink, max_in_flight=window)
    return sink.memory if sink.memory is not None else MemoryTables()


def replicate(
    scenarios: Mapping[str, Scenario],
    reps: int,
    targets: Sequence[PrecisionTarget] = (),
    max_reps: int | None = None,
    seed: int = 0,
    workers: int | None = None,
    executor: Executor | None = None,
    out: Path | None = None,
    keep_in_memory: bool = True,
    progress: Progress | None = None,
    baseline: str | None = None,
    level: float = 0.95,
    done: Collection[int] = (),
    run_timeout: float | None = None,
) -> tuple[RunTables, AdaptiveResult]:
    """Run ``reps`` replications of every scenario, or with ``targets``, run until they are met
    (the procedure, why it covers and its caveat are in :mod:`deploysim.experiments.precision`).

    ``baseline`` names the scenario whose paired differences the targets apply to (``compare``);
    without it they apply to every scenario's own estimate (``run``). The checks need the runs table:
    it is kept in memory, or read back from ``out`` when ``keep_in_memory`` is False. Replications
    in ``done`` are on disk already (a resumed run): the same rounds are taken, running only the rest.
    """
    if not targets:
        tables = run_replications(scenarios, reps, seed, workers, executor, out, keep_in_memory, progress, done,
                                  run_timeout)
        return tables, AdaptiveResult(reps, True)
    if out is None and not keep_in_memory:
        raise ValueError("replicate: adaptive replication needs keep_in_memory=True or an output directory")
    max_reps = DEFAULT_MAX_REPS if max_reps is None else max_reps
    memory = MemoryTables()
    names = list(scenarios)
    ran = 0

    def look(total: int) -> list[Check]:
        """Run replications ran .. total-1 (numbered on, so the data equal a fixed run of ``total``), then check."""
        nonlocal ran
        part = run_replications(scenarios, range(ran, total), seed, workers, executor, out, keep_in_memory,
                                _offset_progress(progress, ran * len(names), total * len(names)), done,
                                run_timeout)
        memory.add({name: part.table(name) for name in TABLES})
        ran = total
        runs = memory.runs if keep_in_memory else read_table(out, "runs")  # type: ignore[arg-type]
        if not keep_in_memory:  # a resumed run may hold replications of later rounds: check as this round would
            runs = runs[runs["replication"] < total]
        return precision_checks(runs, targets, names, baseline, level)

    return memory, run_adaptive(look, reps, max_reps)


def _offset_progress(progress: Progress | None, done_before: int, total: int) -> Progress | None:
    """Report a round's progress as part of the whole adaptive run."""
    if progress is None:
        return None
    report: Callable[[int, int], None] = progress
    return lambda done, _total: report(done_before + done, total)


@dataclass
class Replications(RunTables):
    """Replications of one scenario: the run tables, the summary and the charts; the twin of
    :class:`~deploysim.experiments.comparison.Comparison`."""

    scenario: Scenario
    file: str | None
    seed: int
    adaptive: AdaptiveResult
    tables: RunTables = field(repr=False)
    precision_targets: tuple[PrecisionTarget, ...] = ()
    changes: dict[str, Any] = field(default_factory=dict)
    level: float = 0.95
    targets: tuple[Target, ...] = ()
    resumed: int = 0
    """Replications that were on disk already when this run was resumed."""
    requested: int | None = None
    max_reps: int | None = None

    @property
    def label(self) -> str:
        return self.scenario.name

    @property
    def replications(self) -> int:
        return self.adaptive.replications

    def table(self, name: str) -> pd.DataFrame:
        """One of the run tables (``runs``, ``daily``, ``teams``, ``events``), wherever they are kept."""
        return self.tables.table(name)

    def summary(self) -> pd.DataFrame:
        """Each measure's estimate with its confidence interval and the estimator that made it, then
        P(milestone by day D) for each target: the planner's own and, unless given, IOC and FOC by the
        end of the first mandate."""
        return summary_table(self.runs, self.level, self.all_targets(), {self.label: self.scenario.start_date},
                             self.scenario.costs.currency, not_applicable(self.scenario))

    def all_targets(self) -> tuple[Target, ...]:
        given = {t.measure for t in self.targets}
        mandate_end = float(math.floor(self.scenario.mandate.initial_length))  # the last whole day of it
        defaults = tuple(Target(m, day=mandate_end) for m in ("ioc_day", "foc_day") if m not in given)
        return (*self.targets, *defaults)

    def outcomes(self) -> pd.DataFrame:
        """How many runs fell into each outcome class (consent refused, mandate ended, ...), with shares."""
        return outcome_table(self.runs, self.level)

    def _titled(self, what: str) -> str:
        """A chart title naming the scenario as plain text, however its name is written (``$...$``, very long)."""
        from deploysim.plots.style import name_text

        return f"{name_text(self.label)}: {what}"

    def plot_staffing(self, title: str | None = None) -> Figure:
        """The staffing fan over the runs still active, with the median IOC and FOC dates (Kaplan-Meier)."""
        from deploysim.plots import median_milestones, staffing_fan

        return staffing_fan(self.daily, title=title or self._titled("staffing"),
                            milestones=median_milestones(self.summary()))

    def plot_outcomes(self, title: str | None = None) -> Figure:
        """The staffing fan split by how the runs ended, one panel per outcome class."""
        from deploysim.plots import staffing_by_outcome

        return staffing_by_outcome(self.daily, self.runs, title=title or self._titled("staffing by outcome"))

    def plot_coverage(self, title: str | None = None) -> Figure:
        from deploysim.plots import coverage_heatmap

        return coverage_heatmap(self.teams, title=title or self._titled("team coverage"))

    def plot_timeline(self, title: str | None = None) -> Figure:
        from deploysim.plots import mandate_timeline

        return mandate_timeline(self.daily, self.events, title=title or self._titled("mandate timeline"))

    def plots(self) -> dict[str, Figure]:
        """The charts a planner reads first, by file name; cadets and phases only where the scenario has them."""
        from deploysim.plots import cadet_progress, phase_share

        figures = {
            "staffing.png": self.plot_staffing(),
            "outcomes.png": self.plot_outcomes(),
            "coverage.png": self.plot_coverage(),
            "timeline.png": self.plot_timeline(),
        }
        if self.scenario.training_programmes:
            figures["cadets.png"] = cadet_progress(self.daily, title=self._titled("cadets"))
        if self.scenario.phases:
            names = [p.name for p in self.scenario.phases]
            figures["phases.png"] = phase_share(self.daily, names, title=self._titled("phases"))
        return figures

    def manifest(self, complete: bool = True) -> dict[str, Any]:
        """Provenance: scenario file and hash, seed, replications, changes, precision, version, commit."""
        return _manifest(self.scenario, self.file, self.seed, self.adaptive.replications, self.changes,
                         self.precision_targets, complete, self.adaptive, self.targets, self.requested,
                         self.max_reps)

    def save(self, directory: str | Path, overwrite: bool = False) -> list[Path]:
        """Write run tables (Parquet datasets), the summary (CSV and Parquet), the charts and a manifest.

        Saving into the directory the replications streamed to writes only what is missing. Another
        directory that already holds results is refused unless ``overwrite``.
        """
        from deploysim.plots import save_png

        out = Path(directory)
        stored = self.tables if isinstance(self.tables, StoredResults) else None
        with output_session(out):
            if stored is None or out.resolve() != stored.path.resolve():
                prepare_output(out, overwrite, (*SUMMARY_FILES, *PLOT_FILES))
                for name in TABLES:
                    frame = self.tables.table(name)
                    if not frame.empty:
                        write_part(out, name, "run", frame)
            summary, outcomes = self.summary(), self.outcomes()
            written = [write_csv(summary, out / "summary.csv"), write_parquet(summary, out / "summary.parquet"),
                       write_csv(outcomes, out / "outcomes.csv"),
                       write_csv(staffing_quantiles(self.daily), out / "staffing-quantiles.csv")]
            written += [save_png(figure, out / name) for name, figure in self.plots().items()]
            write_manifest(out, {**self.manifest(), "outputs": [p.name for p in written]})
        return written


def _manifest(scenario: Scenario, file: str | None, seed: int, replications: int, changes: Mapping[str, Any],
              targets: Sequence[PrecisionTarget], complete: bool, adaptive: AdaptiveResult | None = None,
              milestone_targets: Sequence[Target] = (), requested: int | None = None,
              max_reps: int | None = None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "root_seed": seed,
        "replications": replications,
        "overrides": [f"{path}={value}" for path, value in changes.items()],
        "complete": complete,
    }
    if milestone_targets:
        fields["targets"] = [str(t) for t in milestone_targets]
    if targets:
        fields["precision"] = [str(t) for t in targets]
        fields["requested_replications"] = requested
        fields["max_reps"] = max_reps
        if adaptive is not None:
            fields["precision_reached"] = adaptive.reached
    return manifest("run", {scenario.name: scenario}, {scenario.name: file}, **fields)


def run(
    scenario: Scenario | str | Path,
    reps: int = 100,
    seed: int = 0,
    workers: int | None = None,
    precision: str | Iterable[str] | Mapping[str, float | str] | None = None,
    max_reps: int = DEFAULT_MAX_REPS,
    changes: Mapping[str, Any] | None = None,
    executor: Executor | None = None,
    out: str | Path | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    level: float = 0.95,
    origin: str = "changes",
    targets: str | Sequence[str] | None = None,
    resume: bool = False,
    run_timeout: float | None = None,
    allow_large: bool = False,
) -> Replications:
    """Replicate one scenario: the Python API of ``deploysim run``.

    ``scenario``: a Scenario, a scenario file path or a shipped scenario's name. ``changes``: dotted
    paths set for this run (``{"recruitment.roster.size": 20}``), checked like the file. ``precision``:
    targets on the 95% CI half-widths (``["mean_fill=0.01", "foc_day=5%"]`` or ``{"mean_fill": 0.01}``); then ``reps``
    is the first batch and replications are added until the targets or ``max_reps`` are reached.
    ``out``: stream the run tables to this directory instead of memory (then ``save(out)`` adds
    the summary and charts). Runs on a local pool (``workers``; 1 runs here) or any ``executor``.
    ``origin`` names where the changes came from in messages (the CLI passes ``--set``). ``targets``:
    milestone targets such as ``"foc_day<=150"`` or ``"foc_day<=2011-03-01"``, reported as P(by then).
    ``resume``: continue the unfinished run stored in ``out`` (same scenario, seed, reps, changes and
    precision), running only the replications not on disk; the tables equal an uninterrupted run's.
    ``run_timeout``: wall seconds each replication may take; a run the watchdog stops (this budget,
    its event budget, or no progress in simulated time) is a failed row, left out of every estimate.
    Work beyond :mod:`deploysim.experiments.work_limits` is refused before anything runs, unless
    ``allow_large``.
    """
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    targets_ = parse_precisions(precision)
    milestone_targets = parse_targets(targets)
    if targets_:
        check_max_reps(reps, max_reps)
    given = dict(changes or {})
    if isinstance(scenario, Scenario):
        resolved, file = (variant(scenario, given) if given else scenario), None
    else:
        path = resolve_scenario(scenario)
        resolved, file = load_scenario(path, given, origin=origin), str(path)
    check_replications({resolved.name: resolved}, max_reps if targets_ else reps, bool(targets_), allow_large)
    directory = Path(out) if out is not None else None
    if resume and overwrite:
        raise UsageError("resume and overwrite exclude each other", cli="--resume and --overwrite exclude each other")
    requested, limit = (reps, max_reps) if targets_ else (None, None)
    with output_session(directory):
        done: set[int] = set()
        if directory is not None:
            fields = _manifest(resolved, file, seed, reps, given, targets_, False, None, milestone_targets,
                               requested, limit)
            if prepare_output(directory, overwrite, (*SUMMARY_FILES, *PLOT_FILES), resume, resumable=True):
                done = _resumable(directory, fields)
            else:
                write_manifest(directory, fields)
        tables, adaptive = replicate(
            {resolved.name: resolved}, reps, targets_, max_reps, seed=seed, workers=workers, executor=executor,
            out=directory, keep_in_memory=directory is None, progress=progress, level=level, done=done,
            run_timeout=run_timeout,
        )
        result = Replications(resolved, file, seed, adaptive, tables, targets_, given, level, milestone_targets,
                              len(done), requested, limit)
        if directory is not None:
            write_manifest(directory, result.manifest(complete=True))
            remove_unfinished_parts(directory)
            result.tables = load_results(directory)
        require_finished(result.runs, str(directory / "runs") if directory is not None else "the runs table")
    return result


def _identity(stored: Mapping[str, Any]) -> dict[str, Any]:
    """What makes two runs the same experiment: scenario content, seed, replications asked, changes, precision."""
    scenarios = stored.get("scenarios") or {}
    return jsonable({
        "scenario": {label: (entry or {}).get("hash") for label, entry in scenarios.items()}
        if isinstance(scenarios, dict) else scenarios,
        "root_seed": stored.get("root_seed"),
        "replications": stored.get("requested_replications", stored.get("replications")),
        "overrides": stored.get("overrides"),
        "precision": stored.get("precision"),
        "max_reps": stored.get("max_reps"),
    })


def _resumable(out: Path, fields: Mapping[str, Any]) -> set[int]:
    """The replications already in ``out``, after checking it holds this very run and tidying what a kill left."""
    previous = read_manifest(out)
    if previous.get("kind") != "run":
        raise UsageError(f"--out {out}: holds results of '{previous.get('kind')}', not of a run; cannot resume")
    difference = first_difference(_identity(previous), _identity(fields))
    if difference:
        name, there, now = difference
        raise UsageError(
            f"--resume {out}: this run differs from the one stored there in {name} ({short(there)} there, "
            f"{short(now)} now); resume with the same scenario, --set, --reps, --seed and --precision, "
            "or choose another --out"
        )
    remove_unfinished_parts(out)
    runs = read_table(out, "runs", ["replication"])
    return set(runs["replication"].astype(int)) if not runs.empty else set()


