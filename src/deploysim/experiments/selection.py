"""Choosing a plan with a guarantee: the cheapest plan that meets the planner's targets, ``deploysim select``.

A *plan* is one point of the grid of ``--lever PATH=SPEC`` (the sweep's SPEC grammar; ``*`` over
list items sets every team at once). The procedure (arithmetic in :mod:`deploysim.stats.ranking`):

1. every valid plan runs a first stage of ``n0`` replications, numbered 0..n0-1, all plans with the
   *same* replication seeds (common random numbers: replication j meets the same luck in every
   plan, so the variance of a difference between plans is small and KN needs few runs);
2. after each stage, each plan's constraints are checked sequentially (feasible / infeasible /
   undecided within the tolerance) and plans worse than a plan declared feasible by more than KN's
   margin are eliminated; every plan still active runs the next stage, numbered on;
3. it stops when every plan is infeasible or eliminated but one, declared feasible.

Requirements are chance constraints ``P(foc_day<=150)>=0.9`` or bounds on the mean of a per-run amount,
``mean(total_cost)<=5000000``, each with its tolerance in the measure's unit (``tolerance_for``). With
more plans than ``screen_above``, a search phase comes first: every plan runs ``n0`` replications, the
screen of :func:`~deploysim.stats.ranking.screen` drops plans that clearly fail a requirement or are
clearly worse than a plan surely meeting every one, with a third of the error budget, and the procedure
above runs among the survivors on fresh replications (numbered on from ``n0``) with the rest.

Stages (:func:`~deploysim.stats.ranking.stage_size`) and tasks depend only on the data, never on
the executor, so one process, a local pool and a Dask cluster stop at the same point with the same
tables, and every stopping point is a fixed run of that many replications. A stage's runs are
written as part files as they finish; ``resume`` reruns the procedure reading the parts already
there instead of running them again.

What is never reported: the plan with the best observed mean. The answer is the plan the procedure
leaves, with the sentence that states its guarantee (:func:`guarantee_sentence`); if the budget of
replications (``max_reps``) runs out first, the result says that it carries no guarantee.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from deploysim.errors import OutputError, ScenarioError, SweepError, UsageError
from deploysim.experiments.defaults import SELECT_MAX_REPS, SELECT_N0, SELECT_SCREEN_ABOVE, SELECT_STAGE_RUNS
from deploysim.experiments.design import Design, make_design, parse_sets
from deploysim.experiments.runner import Batch, BatchTables, estimated_run_seconds, execute, executor_for, run_batch
from deploysim.experiments.sink import Progress
from deploysim.experiments.sweep_plan import load_base
from deploysim.results.measures import MEASURES, measure_label
from deploysim.results.text import format_amount
from deploysim.scenario.paths import check_path
from deploysim.scenario.schema import Scenario
from deploysim.scenario.variants import validate_point
from deploysim.stats.intervals import mean_ci
from deploysim.stats.milestones import Target, observations, parse_target
from deploysim.stats.proportions import wilson_interval
from deploysim.stats.ranking import (
    FEASIBLE,
    INFEASIBLE,
    SCREENED_INFEASIBLE,
    SCREENED_WORSE,
    MeanBound,
    SequentialSelection,
    mcb_intervals,
    screen,
    stage_size,
)
from deploysim.storage.directory import MANIFEST, jsonable, prepare_output, read_manifest, write_manifest
from deploysim.storage.files import write_csv, write_parquet
from deploysim.storage.provenance import manifest
from deploysim.storage.session import OutputSession, literal
from deploysim.storage.tables import read_table, remove_unfinished_parts, write_parts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DEFAULT_N0, DEFAULT_STAGE_RUNS, DEFAULT_MAX_REPS = SELECT_N0, SELECT_STAGE_RUNS, SELECT_MAX_REPS
DEFAULT_SCREEN_ABOVE = SELECT_SCREEN_ABOVE
OBJECTIVE_KINDS = ("money", "count", "duration")
PLANS_FILES = ("plans.parquet", "plans.csv")
PLOT_FILE = "selection.png"
TASK_SECONDS = 0.5

_REQUIREMENT = re.compile(r"^\s*P\((?P<target>[^)]*)\)\s*>=\s*(?P<threshold>\S+)\s*$")
_BOUND = re.compile(r"^\s*mean\((?P<measure>[^)]*)\)\s*(?P<op><=|>=)\s*(?P<threshold>\S+)\s*$")


@dataclass(frozen=True)
class Requirement:
    """A chance constraint ``P(milestone by day D) >= threshold``."""

    target: Target
    threshold: float

    @property
    def name(self) -> str:
        return self.target.name

    def __str__(self) -> str:
        return f"{self.target.name}>={self.threshold:g}"

    def wording(self) -> str:
        """``P(FOC by day 150)`` as a planner reads it."""
        short = measure_label(self.target.measure).split(" (")[0]
        when = f"day {self.target.day:g}" if self.target.day is not None else str(self.target.date)
        return f"P({short} by {when})"


@dataclass(frozen=True)
class MeanRequirement:
    """A constraint on the mean over runs of a per-run amount, ``mean(total_cost)<=2000000``, with its
    tolerance in the measure's unit (the probability tolerance means nothing in euros or days)."""

    measure: str
    at_least: bool
    threshold: float
    tolerance: float

    @property
    def name(self) -> str:
        return f"mean({self.measure})"

    @property
    def bound(self) -> MeanBound:
        return MeanBound(self.threshold, self.at_least, self.tolerance)

    def __str__(self) -> str:
        return f"{self.name}{'>=' if self.at_least else '<='}{self.threshold:g} (tolerance {self.tolerance:g})"

    def wording(self, currency: str | None, slack: float) -> str:
        """``mean Total cost <= EUR 2M + EUR 50k``: ``slack`` +1 loosens the bound by the tolerance (what
        the chosen plan meets), -1 tightens it (what the plans it is compared with meet)."""
        measure = MEASURES[self.measure]
        unit = measure.unit_text(currency)
        sign = ("-" if slack > 0 else "+") if self.at_least else ("+" if slack > 0 else "-")
        return (f"mean {measure.label.lower()} {'>=' if self.at_least else '<='} "
                f"{format_amount(self.threshold, unit, measure.kind)} {sign} "
                f"{format_amount(self.tolerance, unit, measure.kind)}")


def parse_bound(text: str, tolerances: Mapping[str, float]) -> MeanRequirement:
    """``mean(MEASURE)<=X`` or ``>=X`` for a per-run amount of the measures registry, with the tolerance
    given for that measure in ``tolerances``. Shares and ratios are ratios of totals across runs, not
    means of runs, and milestones may never come, so each is refused with what to write instead."""
    match = _BOUND.match(text)
    if not match:
        why = "expected mean(MEASURE)<=VALUE or >=VALUE, e.g. 'mean(total_cost)<=2000000'"
        raise UsageError(f"requirement {text!r}: {why}", cli=f"--require {text!r}: {why}")
    name = match["measure"].strip()
    measure = MEASURES.get(name)
    where = f"requirement {text!r}", f"--require {text!r}"
    why = ""
    if measure is None:  # the totals behind shares (shown False) are per-run amounts too, and allowed
        choices = ", ".join(m.name for m in MEASURES.values() if m.shown and m.kind in OBJECTIVE_KINDS)
        why = f"{name!r} is not a measure; a mean constraint takes one of {choices}"
    elif measure.kind == "milestone":
        why = f"{name} may never come in a run, so it has no mean; write a chance constraint 'P({name}<=DAY)>=P'"
    elif measure.kind in ("share", "ratio"):
        why = (f"{name} is a ratio of totals across runs ({measure.numerator} / {measure.denominator}), not a mean "
               f"of runs; constrain a total instead, e.g. 'mean({measure.numerator})>=VALUE'")
    elif measure.kind not in OBJECTIVE_KINDS:
        why = f"{name} is a yes/no outcome; write it as a chance constraint on a milestone instead"
    if why or measure is None:
        raise UsageError(f"{where[0]}: {why}", cli=f"{where[1]}: {why}")
    try:
        threshold = float(match["threshold"].replace(",", "").replace("_", ""))
    except ValueError:
        threshold = math.nan
    if not math.isfinite(threshold):
        why = f"{match['threshold']!r} is not a finite number"
        raise UsageError(f"{where[0]}: {why}", cli=f"{where[1]}: {why}")
    tolerance = tolerances.get(name)
    if tolerance is None:
        why = (f"a mean constraint needs its tolerance in the measure's unit ({measure.unit_text()}): give "
               f"tolerance_for={{{name!r}: X}}")
        raise UsageError(f"{where[0]}: {why}", cli=f"{where[1]}: {why.split(': give')[0]}: give "
                         f"--tolerance-for {name}=X")
    return MeanRequirement(name, match["op"] == ">=", threshold, tolerance)


def parse_requirement(text: str) -> Requirement:
    """``P(foc_day<=150)>=0.9``: a milestone target (see :func:`~deploysim.stats.milestones.parse_target`)
    and the probability it must reach."""
    match = _REQUIREMENT.match(text)
    if not match:
        why = ("expected P(MILESTONE<=DAY)>=PROBABILITY or mean(MEASURE)<=VALUE (or >=), e.g. "
               "'P(foc_day<=150)>=0.9'")
        raise UsageError(f"requirement {text!r}: {why}", cli=f"--require {text!r}: {why}")
    target = parse_target(match["target"])
    try:
        threshold = float(match["threshold"])
    except ValueError:
        threshold = math.nan
    if not 0 < threshold < 1:
        why = f"the probability {match['threshold']!r} must lie strictly between 0 and 1"
        raise UsageError(f"requirement {text!r}: {why}", cli=f"--require {text!r}: {why}")
    return Requirement(target, threshold)


@dataclass(frozen=True)
class Settings:
    """What the guarantee is about and how it is bought."""

    objective: str = "total_cost"
    minimise: bool = True
    delta: float = 50_000.0
    tolerance: float = 0.05
    confidence: float = 0.95
    n0: int = DEFAULT_N0
    stage_runs: int = DEFAULT_STAGE_RUNS
    max_reps: int = DEFAULT_MAX_REPS
    screen_above: int = DEFAULT_SCREEN_ABOVE

    def __post_init__(self) -> None:
        measure = MEASURES.get(self.objective)
        if measure is None or not measure.shown or measure.kind not in OBJECTIVE_KINDS:
            choices = ", ".join(m.name for m in MEASURES.values() if m.shown and m.kind in OBJECTIVE_KINDS)
            why = f"{self.objective!r} is not a per-run amount to optimise; choose one of {choices}"
            raise UsageError(f"objective {why}", cli=f"--minimise/--maximise {why}")
        checks = (
            (self.delta > 0 and math.isfinite(self.delta), "delta", "--delta", "must be a positive amount"),
            (0 < self.tolerance < 1, "tolerance", "--tolerance", "must lie strictly between 0 and 1"),
            (0.5 <= self.confidence < 1, "confidence", "--confidence", "must lie in [0.5, 1)"),
            (self.n0 >= 5, "n0", "--n0", "must be at least 5 (the first stage estimates variances)"),
            (self.stage_runs >= 1, "stage_runs", "--stage-runs", "must be at least 1"),
            (self.max_reps >= self.n0, "max_reps", "--max-reps", "must be at least n0"),
            (self.screen_above >= 1, "screen_above", "--screen-above", "must be at least 1"),
        )
        for ok, name, flag, why in checks:
            if not ok:
                value = getattr(self, name)
                raise UsageError(f"{name} {value!r}: {why}", cli=f"{flag} {value!r}: {why}")


@dataclass
class SelectionPlan:
    """The plans to choose among, checked and validated before anything runs."""

    source: str
    base: Scenario
    design: Design
    scenarios: dict[int, Scenario]
    invalid: dict[int, str]
    requirements: tuple[Requirement, ...]
    settings: Settings
    seed: int
    bounds: tuple[MeanRequirement, ...] = ()

    @property
    def label(self) -> str:
        return self.base.name

    @property
    def levers(self) -> list[str]:
        return list(self.design.points.columns)

    @property
    def valid(self) -> list[int]:
        return sorted(self.scenarios)

    def describe(self, point: int) -> str:
        """``recruitment.roster.size=20, teams.*.posts.adviser=6``."""
        return ", ".join(f"{k}={v}" for k, v in self.design.parameters(point).items())

    def identity(self) -> dict[str, Any]:
        """What must match for ``resume`` to continue this selection rather than start another."""
        return {
            "scenario_hash": self.base.fingerprint(),
            "root_seed": self.seed,
            "design_hash": self.design.fingerprint(),
            "levers": [f.describe() for f in self.design.factors],
            "requirements": [str(r) for r in self.requirements] + [str(b) for b in self.bounds],
            # screen_above only where it screens, so selections stored before it existed resume
            "settings": {k: v for k, v in self.settings.__dict__.items()
                         if k != "screen_above" or len(self.valid) > self.settings.screen_above},
        }


def plan_selection(
    scenario: Scenario | str | Path | Mapping[str, Any],
    levers: Sequence[str] | Mapping[str, str],
    requirements: Sequence[str] = (),
    settings: Settings | None = None,
    seed: int = 0,
    tolerance_for: Mapping[str, float] | None = None,
) -> SelectionPlan:
    """Check levers, requirements and settings and validate every plan: a mistake costs nothing.
    ``tolerance_for`` holds the tolerance of each ``mean(MEASURE)`` requirement, in its unit."""
    settings = settings or Settings()
    source, data, base = load_base(scenario)
    try:
        factors = parse_sets(dict(levers) if isinstance(levers, Mapping) else list(levers))
    except UsageError as exc:  # the sweep's grammar, worded for the flag the planner typed here
        raise UsageError(str(exc).replace("--set", "--lever", 1)) from None
    if not factors:
        raise UsageError("nothing to choose between: give at least one lever PATH=SPEC",
                         cli="nothing to choose between: give at least one --lever PATH=SPEC")
    for factor in factors:
        check_path(data, factor.path, origin="--lever")
    design = make_design("grid", factors)
    if len(design.points) < 2:
        raise UsageError("one plan only: a lever needs two or more values to choose between",
                         cli="one plan only: give a --lever two or more values to choose between")
    tolerances = dict(tolerance_for or {})
    for name, value in tolerances.items():
        if not (value > 0 and math.isfinite(value)):
            why = f"{name}={value!r}: a tolerance must be a positive amount"
            raise UsageError(f"tolerance_for {why}", cli=f"--tolerance-for {why}")
    is_bound = [text.strip().startswith("mean(") for text in requirements]
    parsed = tuple(parse_requirement(t) for t, b in zip(requirements, is_bound, strict=True) if not b)
    bounds = tuple(parse_bound(t, tolerances) for t, b in zip(requirements, is_bound, strict=True) if b)
    unused = sorted(set(tolerances) - {b.measure for b in bounds})
    if unused:
        why = f"{', '.join(unused)}: no mean({unused[0]}) requirement uses it"
        raise UsageError(f"tolerance_for {why}", cli=f"--tolerance-for {why}")
    for requirement in parsed:
        day = requirement.target.day_for(base.start_date)
        if day > base.horizon and "horizon" not in design.points.columns:
            why = f"day {day:g} is after the horizon (day {base.horizon:g}); no run observes it"
            raise UsageError(f"requirement {requirement}: {why}", cli=f"--require {requirement}: {why}")
    scenarios: dict[int, Scenario] = {}
    invalid: dict[int, str] = {}
    for point in range(len(design.points)):
        try:
            scenarios[point] = validate_point(data, design.overrides(point), point)
        except ScenarioError as exc:
            invalid[point] = str(exc)
    if len(scenarios) < 1:
        raise ScenarioError("select", f"no plan is a valid scenario; the first: {next(iter(invalid.values()))}")
    return SelectionPlan(source, base, design, scenarios, invalid, parsed, settings, seed, bounds)


@dataclass(frozen=True)
class SelectionTask:
    """Replications of one plan: the key names its part file; ``plan`` is the design point."""

    batch: Batch
    plan: int

    @property
    def key(self) -> str:
        first, last = self.batch.replications[0], self.batch.replications[-1]
        return f"p{self.plan:06d}r{first:06d}-{last:06d}"

    @property
    def runs(self) -> int:
        return len(self.batch.replications)


def run_selection_task(task: SelectionTask) -> BatchTables:
    """Run one task in a worker; the runs keep the plan's number (their seeds are those of point 0)."""
    runs = run_batch(task.batch)["runs"]
    runs["point"] = task.plan
    return {"runs": runs}


@dataclass
class Selection:
    """What ``select`` found: the chosen plan, the table of every plan and the guarantee it states."""

    plan: SelectionPlan
    table: pd.DataFrame
    selected: int | None
    guaranteed: bool
    sentence: str
    runs: pd.DataFrame = field(repr=False)
    ran: int = 0
    reused: int = 0
    seconds: float = 0.0
    path: Path | None = None

    @property
    def within_delta(self) -> list[int]:
        """Plans declared feasible whose objective is within delta of the selected plan's."""
        return [int(p) for p in self.table.loc[self.table["within_delta"], "plan"]]

    @property
    def replications(self) -> int:
        return int(self.table["replications"].sum())

    def figure(self) -> Figure:
        from deploysim.plots.selection import selection_chart

        return selection_chart(self.table, self.plan.settings.objective, self.requirements_names(),
                               self.plan.base.costs.currency, self.selected,
                               [r.threshold for r in self.plan.requirements], self.plan.settings.tolerance)

    def requirements_names(self) -> list[str]:
        """The chance constraints: what the chart's probability axis can show."""
        return [r.name for r in self.plan.requirements]

    def constraint_names(self) -> list[str]:
        """Every requirement's column in :attr:`table`: chance constraints, then means."""
        return [r.name for r in self.plan.requirements] + [b.name for b in self.plan.bounds]


def _indicator(runs: pd.DataFrame, requirement: Requirement, start: Any) -> np.ndarray:
    """1 where the milestone came by the target day, per run."""
    times, reached = observations(runs[requirement.target.measure].to_numpy(float),
                                  runs["observed_days"].to_numpy(float))
    return (reached & (times <= requirement.target.day_for(start))).astype(float)


class _Data:
    """Every plan's per-run objective and indicators, by replication number, as stages add them."""

    def __init__(self, plan: SelectionPlan) -> None:
        self.plan = plan
        self.frames: list[pd.DataFrame] = []
        self.objective: dict[int, np.ndarray] = {}
        self.indicators: dict[int, np.ndarray] = {}
        self.bounded: dict[int, np.ndarray] = {}

    def add(self, frames: list[pd.DataFrame]) -> None:
        if not frames:
            return
        runs = pd.concat(frames, ignore_index=True)
        failed = runs[runs["status"] != "ok"]
        if len(failed):
            row = failed.iloc[0]
            raise SweepError(f"plan {int(row['point'])} ({self.plan.describe(int(row['point']))}), replication "
                             f"{int(row['replication'])}: the run failed: {row['error']}")
        self.frames.append(runs)
        sign = 1.0 if self.plan.settings.minimise else -1.0
        start = self.plan.base.start_date
        for point, group in runs.groupby("point"):
            group = group.sort_values("replication")
            p = int(point)
            values = sign * group[self.plan.settings.objective].to_numpy(float)
            flags = np.column_stack([_indicator(group, r, start) for r in self.plan.requirements]
                                    ) if self.plan.requirements else np.zeros((len(group), 0))
            self.objective[p] = np.concatenate([self.objective.get(p, np.empty(0)), values])
            self.indicators[p] = np.vstack([self.indicators.get(p, np.empty((0, flags.shape[1]))), flags])
            amounts = np.column_stack([group[b.measure].to_numpy(float) for b in self.plan.bounds]
                                      ) if self.plan.bounds else np.zeros((len(group), 0))
            if np.isnan(amounts).any():
                row, column = np.argwhere(np.isnan(amounts))[0]
                raise SweepError(f"plan {p} ({self.plan.describe(p)}), replication "
                                 f"{int(group['replication'].iloc[row])}: {self.plan.bounds[column].measure} has no "
                                 "value in this run, so its mean over runs is not defined; constrain another measure")
            self.bounded[p] = np.vstack([self.bounded.get(p, np.empty((0, amounts.shape[1]))), amounts])

    def runs(self) -> pd.DataFrame:
        frame = pd.concat(self.frames, ignore_index=True) if self.frames else pd.DataFrame()
        return frame.sort_values(["point", "replication"]).reset_index(drop=True) if len(frame) else frame


def _tasks(plan: SelectionPlan, points: list[int], first: int, stop: int) -> list[SelectionTask]:
    """Replications first..stop-1 of each plan, cut into tasks of about TASK_SECONDS of work."""
    tasks = []
    for point in points:
        scenario = plan.scenarios[point]
        size = max(1, round(TASK_SECONDS / max(estimated_run_seconds(scenario, False), 1e-4)))
        parameters = plan.design.parameters(point)
        for start in range(first, stop, size):
            reps = tuple(range(start, min(start + size, stop)))
            batch = Batch(scenario, plan.label, 0, reps, plan.seed, parameters, False, False, False)
            tasks.append(SelectionTask(batch, point))
    return tasks


def _prepare(out: Path, plan: SelectionPlan, resume: bool) -> dict[str, pd.DataFrame]:
    """Check or create the output directory; returns stored runs by task key when resuming."""
    identity = plan.identity()
    if out.is_dir() and (out / MANIFEST).exists() and not resume:
        raise OutputError("{out} " + literal(out)
                          + ": already holds results; pass {resume} to continue that selection or choose another")
    if prepare_output(out, resume=resume):
        stored = read_manifest(out)
        if stored.get("kind") != "select":
            raise UsageError(f"--out {out}: holds results of '{stored.get('kind')}', not of a selection; cannot resume")
        differing = [k for k, v in jsonable(identity).items() if stored.get("identity", {}).get(k) != v]
        if differing:
            raise UsageError(f"--resume {out}: this selection differs from the one stored there in "
                             f"{', '.join(differing)}; resume with the same scenario, levers, requirements, "
                             "settings and seed, or choose another --out")
        remove_unfinished_parts(out)
        runs = read_table(out, "runs")
        if runs.empty:
            return {}
        return {str(key): group for key, group in runs.groupby("task")} if "task" in runs else {}
    fields = manifest("select", {plan.label: plan.base}, {plan.label: plan.source}, identity=identity,
                      invalid_plans=plan.invalid, complete=False)
    write_parquet(plan.design.points.reset_index().rename(columns={"point": "plan"}), out / "design.parquet")
    write_manifest(out, jsonable(fields))
    return {}


def _run_stage(tasks: list[SelectionTask], stored: dict[str, pd.DataFrame], pool: Executor | None, window: int,
               path: Path | None) -> tuple[list[pd.DataFrame], int, int]:
    """Run a stage's tasks (those not stored already) and return their runs, runs made, runs read back."""
    frames = [stored[t.key].drop(columns="task") for t in tasks if t.key in stored]
    todo = [t for t in tasks if t.key not in stored]

    def finished(task: SelectionTask, tables: BatchTables) -> None:
        runs = tables["runs"].assign(task=task.key)  # the key lets a resumed selection find the task's runs
        if path is not None:
            write_parts(path, task.key, {"runs": runs})
        frames.append(runs.drop(columns="task"))

    execute(todo, pool, finished, max_in_flight=window, work=run_selection_task)
    return frames, sum(t.runs for t in todo), sum(t.runs for t in tasks if t.key in stored)


def run_selection(
    plan: SelectionPlan,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    resume: bool = False,
    progress: Progress | None = None,
) -> Selection:
    """Run the procedure of the module docstring over any executor; writes to ``out`` if given."""
    path = Path(out) if out is not None else None
    if path is None:
        return _select(plan, None, workers, scheduler, executor, resume, progress)
    with OutputSession(path):  # locked while it runs; put back as found if it fails before any run
        return _select(plan, path, workers, scheduler, executor, resume, progress)


def _select(plan: SelectionPlan, path: Path | None, workers: int | None, scheduler: str | None,
            executor: Executor | None, resume: bool, progress: Progress | None) -> Selection:
    settings = plan.settings
    stored = _prepare(path, plan, resume) if path is not None else {}
    alpha = 1.0 - settings.confidence
    valid = plan.valid
    screening = len(valid) > settings.screen_above
    alpha_screen = alpha / 3 if screening else 0.0
    constrained = bool(plan.requirements or plan.bounds)
    split = 2 if constrained else 1
    rest = alpha - alpha_screen
    data = _Data(plan)
    ran = reused = 0
    started = time.perf_counter()
    screened: dict[int, str] = {}
    offset = settings.n0 if screening else 0  # the procedure runs on fresh replications after a screen
    state: SequentialSelection | None = None
    with executor_for(workers, scheduler, executor) as (pool, window):

        def stage(points: list[int], first: int, stop: int) -> None:
            nonlocal ran, reused
            frames, fresh, read_back = _run_stage(_tasks(plan, points, first, stop), stored, pool, window, path)
            ran, reused = ran + fresh, reused + read_back
            if progress:  # once a stage: only the procedure knows when it stops, so there is no total
                progress(ran, ran)
            data.add(frames)

        if screening:
            stage(valid, 0, settings.n0)
            objective, indicators, bounded = _first_stage(plan, data, valid, 0)
            verdicts = screen(objective, alpha_screen, indicators, tuple(r.threshold for r in plan.requirements),
                              settings.tolerance, bounded, tuple(b.bound for b in plan.bounds))
            screened = {p: str(v) for p, v in zip(valid, verdicts, strict=True) if v}
        candidates = [p for p in valid if p not in screened]
        if candidates:
            state = SequentialSelection(
                len(candidates), settings.n0, settings.delta, rest / split, rest / split if constrained else 0.0,
                tuple(r.threshold for r in plan.requirements), settings.tolerance,
                tuple(b.bound for b in plan.bounds),
            )
            r, target = 0, settings.n0
            while True:
                stage([candidates[i] for i in np.flatnonzero(state.active)], offset + r, offset + target)
                if r == 0:
                    objective, _, bounded = _first_stage(plan, data, candidates, offset)
                    state.first_stage(objective, bounded)
                window_of = slice(offset, offset + target)
                state.update(target, np.array([data.objective[p][window_of].sum() for p in candidates]),
                             np.array([data.indicators[p][window_of].sum(axis=0) for p in candidates]),
                             np.array([data.bounded[p][window_of].sum(axis=0) for p in candidates]))
                r = target
                if state.done or r >= settings.max_reps:
                    break
                target = min(r + stage_size(r, int(state.active.sum()), settings.stage_runs), settings.max_reps)
    seconds = time.perf_counter() - started
    table = plans_table(plan, state, data, candidates, screened, offset)
    guaranteed = state is None or state.done
    selected = state.selected if state is not None else None
    chosen = candidates[selected] if selected is not None else None
    sentence = guarantee_sentence(plan, table, chosen, guaranteed)
    if screening:
        sentence += " " + screening_sentence(plan, screened, alpha_screen)
    result = Selection(plan, table, chosen, guaranteed, sentence, data.runs(), ran, reused, seconds, path)
    if path is not None:
        _write(result)
    return result


def _first_stage(plan: SelectionPlan, data: _Data, points: list[int], offset: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The n0 replications from ``offset`` of each plan: objective (n0 x k), indicators and bounded amounts
    (n0 x k x constraints)."""
    window = slice(offset, offset + plan.settings.n0)
    return (np.column_stack([data.objective[p][window] for p in points]),
            np.stack([data.indicators[p][window] for p in points], axis=1),
            np.stack([data.bounded[p][window] for p in points], axis=1))


def screening_sentence(plan: SelectionPlan, screened: dict[int, str], alpha_screen: float) -> str:
    """What the search phase did, and what of the error budget it spent."""
    worse = sum(v == SCREENED_WORSE for v in screened.values())
    infeasible = sum(v == SCREENED_INFEASIBLE for v in screened.values())
    return (f"A search phase screened out {len(screened)} of {len(plan.valid)} plans on their first "
            f"{plan.settings.n0} replications ({infeasible} as clearly failing a requirement, {worse} as clearly "
            f"worse than a plan surely meeting every requirement; more than screen_above = "
            f"{plan.settings.screen_above} plans), spending {alpha_screen:.3g} of the "
            f"{1 - plan.settings.confidence:.3g} error; the rest ran on fresh replications.")


def plans_table(plan: SelectionPlan, state: SequentialSelection | None, data: _Data, candidates: list[int],
                screened: dict[int, str], offset: int) -> pd.DataFrame:
    """One row per plan: levers, verdict, replications, P(target) with Wilson intervals, objective mean
    with its MCB interval (against the best of the other plans not declared infeasible). A plan screened
    out shows its first-stage estimates and why (``screened``); the others show the procedure's
    replications (those after the screen), while ``replications`` counts all a plan ran."""
    settings = plan.settings
    sign = 1.0 if settings.minimise else -1.0
    rows: list[dict[str, Any]] = []
    low = np.full(len(candidates), np.nan)
    high = np.full(len(candidates), np.nan)
    if state is not None:
        contenders = np.flatnonzero(~state.infeasible)
        if contenders.size:
            mcb_low, mcb_high = mcb_intervals(state.means[contenders], settings.delta)
            # MCB bounds a difference of *signed* means; turn them back into the objective's direction
            low[contenders], high[contenders] = (mcb_low, mcb_high) if sign > 0 else (-mcb_high, -mcb_low)
    selected = state.selected if state is not None else None
    for point in range(len(plan.design.points)):
        row: dict[str, Any] = {"plan": point, **plan.design.parameters(point)}
        if point in plan.invalid:
            rows.append({**row, "verdict": "invalid", "feasibility": "", "replications": 0,
                         "error": plan.invalid[point]})
            continue
        if point in screened:
            first, n = 0, settings.n0
            verdict = "screened out"
            feasibility = "infeasible" if screened[point] == SCREENED_INFEASIBLE else "undecided"
            mean, mcb, by = float(np.mean(data.objective[point][:n])), (np.nan, np.nan), -1
            total = n
        else:
            assert state is not None
            i = candidates.index(point)
            status = state.feasibility[i]
            feasibility = ("infeasible" if (status == INFEASIBLE).any() else
                           "feasible" if (status == FEASIBLE).all() else "undecided")
            if selected == i:
                verdict = "selected"
            elif feasibility == "infeasible":
                verdict = "infeasible"
            elif state.eliminated[i]:
                verdict = "eliminated"
            else:
                verdict = "undecided" if not state.done else feasibility
            first, n = offset, int(state.replications[i])
            mean, mcb = float(state.means[i]), (low[i], high[i])
            by = candidates[int(state.eliminated_by[i])] if state.eliminated_by[i] >= 0 else -1
            total = offset + n
        row.update(verdict=verdict, feasibility=feasibility, replications=total, error="",
                   screened=screened.get(point, ""))
        for j, requirement in enumerate(plan.requirements):
            share = wilson_interval(int(data.indicators[point][first:first + n, j].sum()), n, settings.confidence)
            row.update({requirement.name: share.estimate, f"{requirement.name}_low": share.low,
                        f"{requirement.name}_high": share.high})
        for j, bound in enumerate(plan.bounds):
            interval = mean_ci(data.bounded[point][first:first + n, j], settings.confidence)
            row.update({bound.name: interval.mean, f"{bound.name}_low": interval.low,
                        f"{bound.name}_high": interval.high})
        row.update({settings.objective: sign * mean, "mcb_low": mcb[0], "mcb_high": mcb[1], "eliminated_by": by})
        rows.append(row)
    table = pd.DataFrame(rows)
    chosen = candidates[selected] if selected is not None else None
    mean_column = table[settings.objective] if settings.objective in table else pd.Series(np.nan, index=table.index)
    near = (chosen is not None) & (table["feasibility"] == "feasible")
    if chosen is not None:
        near &= (mean_column - float(mean_column[table["plan"] == chosen].iloc[0])).abs() <= settings.delta
    table["within_delta"] = near
    return table


def _objective_words(plan: SelectionPlan) -> tuple[str, str]:
    """How the sentence names the objective's bound and its best: ("costs within EUR 50,000 of", "the
    cheapest plan") or ("has Incidents within 5 of", "the plan with the lowest")."""
    settings = plan.settings
    measure = MEASURES[settings.objective]
    amount = format_amount(settings.delta, measure.unit_text(plan.base.costs.currency), measure.kind)
    if measure.kind == "money" and settings.minimise:
        return f"costs within {amount} of", "the cheapest plan"
    best = "lowest" if settings.minimise else "highest"
    return f"has {measure.label.lower()} within {amount} of", f"the plan with the {best}"


def guarantee_sentence(plan: SelectionPlan, table: pd.DataFrame, chosen: int | None, guaranteed: bool) -> str:
    """The one sentence a planner reads: what is guaranteed, with which probability; or why nothing is."""
    settings = plan.settings
    within, best = _objective_words(plan)
    tol = settings.tolerance
    if not guaranteed:
        open_plans = ", ".join(str(p) for p in table.loc[table["verdict"] == "undecided", "plan"])
        return (f"No plan chosen, and no guarantee: the budget of {settings.max_reps} replications per plan ran "
                f"out with plans {open_plans} still undecided; raise the budget (max_reps), delta or the "
                "tolerance.")
    if chosen is None:
        return no_plan_sentence(plan, table)
    name = f"plan {chosen} ({plan.describe(chosen)})"
    currency = plan.base.costs.currency
    meets = " and ".join([*(f"{r.wording()} >= {r.threshold:.2f} - {tol:.2f}" for r in plan.requirements),
                          *(b.wording(currency, +1) for b in plan.bounds)])
    desirable = " and ".join([*(f"{r.wording()} >= {r.threshold:.2f} + {tol:.2f}" for r in plan.requirements),
                              *(b.wording(currency, -1) for b in plan.bounds)])
    if not (plan.requirements or plan.bounds):
        return f"With probability at least {settings.confidence:g}, {name} {within} {best}."
    return (f"With probability at least {settings.confidence:g}, {name} meets {meets} and {within} "
            f"{best} with {desirable}.")


def no_plan_sentence(plan: SelectionPlan, table: pd.DataFrame) -> str:
    """When every plan is declared infeasible: for each requirement, the best value reached and the lever
    that moves it most."""
    parts = []
    ok = table[table["verdict"] != "invalid"]
    currency = plan.base.costs.currency

    def probability(value: float) -> str:
        return f"{value:.2f}"

    for requirement in plan.requirements:
        heading = (f"No plan meets {requirement.wording()} >= {requirement.threshold:.2f} (tolerance "
                   f"{plan.settings.tolerance:.2f})")
        parts.append(_best_reached(plan, ok, requirement.name, True, heading, probability))
    for bound in plan.bounds:
        measure = MEASURES[bound.measure]
        unit = measure.unit_text(currency)

        def amount(value: float, unit: str = unit, kind: str = measure.kind) -> str:
            return format_amount(value, unit, kind)

        heading = (f"No plan meets mean {measure.label.lower()} {'>=' if bound.at_least else '<='} "
                   f"{amount(bound.threshold)} (tolerance {amount(bound.tolerance)})")
        parts.append(_best_reached(plan, ok, bound.name, bound.at_least, heading, amount))
    return " ".join(parts)


def _best_reached(plan: SelectionPlan, ok: pd.DataFrame, column: str, higher_better: bool, heading: str,
                  shown: Callable[[float], str]) -> str:
    """``HEADING: the best is V [low, high] with plan P (...); LEVER moves it most (...)``."""
    best = ok.loc[ok[column].idxmax() if higher_better else ok[column].idxmin()]
    text = (f"{heading}: the best is {shown(best[column])} [{shown(best[column + '_low'])}, "
            f"{shown(best[column + '_high'])}] with plan {int(best['plan'])} ({plan.describe(int(best['plan']))})")
    moves = []
    for lever in plan.levers:
        by = ok.groupby(lever)[column].mean()
        if len(by) > 1:
            moves.append((float(by.max() - by.min()), lever, by.idxmin(), by.min(), by.idxmax(), by.max()))
    if moves:
        spread, lever, lo, p_lo, hi, p_hi = max(moves)
        text += (f"; {lever} moves it most (mean {shown(p_lo)} at {lo}, {shown(p_hi)} at {hi})" if spread > 0
                 else "; none of the levers varied moves it, so the limit lies in a field not varied")
    return text + "."


def _write(result: Selection) -> None:
    assert result.path is not None
    out = result.path
    write_parquet(result.table, out / PLANS_FILES[0])
    write_csv(result.table, out / PLANS_FILES[1])
    stored = read_manifest(out)
    stored.update(
        complete=True,
        selected=result.selected,
        guaranteed=result.guaranteed,
        sentence=result.sentence,
        within_delta=result.within_delta,
        replications=result.replications,
    )
    write_manifest(out, jsonable(stored))
    assert (out / MANIFEST).exists()


def select(
    scenario: Scenario | str | Path | Mapping[str, Any],
    levers: Sequence[str] | Mapping[str, str],
    require: Sequence[str] | str = (),
    minimise: str | None = None,
    maximise: str | None = None,
    delta: float = 50_000.0,
    tolerance: float = 0.05,
    confidence: float = 0.95,
    out: str | Path | None = None,
    seed: int = 0,
    n0: int = DEFAULT_N0,
    stage_runs: int = DEFAULT_STAGE_RUNS,
    max_reps: int = DEFAULT_MAX_REPS,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    resume: bool = False,
    plot: bool = True,
    progress: Progress | None = None,
    tolerance_for: Mapping[str, float] | None = None,
    screen_above: int = DEFAULT_SCREEN_ABOVE,
) -> Selection:
    """The plan to ask for, with a guarantee; the Python API of ``deploysim select``.

    ``levers`` is ``["PATH=SPEC", ...]`` or ``{PATH: SPEC}`` (the sweep's SPEC grammar; ``teams.*.x`` sets every
    team); every combination is a plan. ``require`` holds chance constraints such as ``"P(foc_day<=150)>=0.9"``
    and constraints on means such as ``"mean(total_cost)<=2000000"``, each with its tolerance in the measure's
    unit in ``tolerance_for`` (``{"total_cost": 50000}``); the objective is ``minimise`` (default
    ``total_cost``) or ``maximise`` a per-run measure, ``delta`` the indifference zone in its unit,
    ``tolerance`` the feasibility tolerance of the chance constraints. The result's ``sentence`` states what
    holds with probability ``confidence``. With ``out``, the runs, ``plans.parquet``/``plans.csv``, a manifest
    and (``plot``) ``selection.png`` are written there; ``resume`` continues a selection stored in ``out``.
    """
    if minimise and maximise:
        raise UsageError("give minimise or maximise, not both", cli="--minimise and --maximise exclude each other")
    objective = maximise or minimise or "total_cost"
    settings = Settings(objective, maximise is None, delta, tolerance, confidence, n0, stage_runs, max_reps,
                        screen_above)
    requirements = [require] if isinstance(require, str) else list(require)
    plan = plan_selection(scenario, levers, requirements, settings, seed, tolerance_for)
    result = run_selection(plan, out, workers, scheduler, executor, resume, progress)
    if plot and result.path is not None:
        from deploysim.plots.output import save_png

        save_png(result.figure(), result.path / PLOT_FILE)
    return result
