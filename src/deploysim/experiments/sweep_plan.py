"""The plan of a sweep: which runs it has and how they are cut into tasks, decided before anything runs.

See :mod:`deploysim.experiments.sweep` for why tasks have a fixed size and how resuming relies on it.
Every path and spec is checked against the schema and every design point validated here, so a
mistake costs nothing and an invalid point becomes data rather than a failure halfway through.

Common random numbers are the default (``crn=True``): a sensitivity index compares design points, and
with independent seeds each point's mean carries its own replication luck, which every index then
counts as if a parameter had caused it. ``crn=False`` (``--independent``) gives each point its own seeds.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deploysim.errors import ScenarioError, UsageError
from deploysim.experiments.defaults import DAILY_MODES
from deploysim.experiments.design import Design, Factor, dummy_factor, make_design, parse_sets
from deploysim.experiments.runner import Batch, batch_size_for
from deploysim.experiments.work_limits import check_sweep
from deploysim.scenario.load import validate_scenario
from deploysim.scenario.paths import check_path
from deploysim.scenario.schema import Scenario
from deploysim.scenario.shipped import resolve_scenario
from deploysim.scenario.variants import validate_point
from deploysim.scenario.yaml_file import read_scenario_file
from deploysim.stats.milestones import parse_targets

THIN_EVERY = 7


@dataclass(frozen=True)
class TableOptions:
    """Which tables a sweep keeps: runs always; daily series full, thinned or none; teams and events."""

    daily: str = "thin"
    teams: bool = False
    events: bool = False

    def __post_init__(self) -> None:
        if self.daily not in DAILY_MODES:
            raise UsageError(f"daily {self.daily!r}: choose one of {', '.join(DAILY_MODES)}")

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
    crn: bool = True
    targets: tuple[str, ...] = ()
    run_timeout: float | None = None

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

    def runs_in(self, index: int) -> int:
        """Runs in task ``index`` (the last task may be short)."""
        start, stop = self._span(index)
        return stop - start

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
                parameters = self.design.parameters(point)
                error = self.invalid.get(point, "")
                if error:
                    scenario = self.base
                elif cache is not None and cache[0] == point:
                    scenario = cache[1]
                else:
                    scenario = validate_point(self.data, self.design.overrides(point), point)
                    cache = (point, scenario)
                seeds = 0 if self.crn else point
                batch = Batch(scenario, self.label, seeds, tuple(range(first, last)), self.root_seed, parameters, *keep,
                              self.run_timeout)
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


def load_base(scenario: Scenario | str | Path | Mapping[str, Any]) -> tuple[str, dict[str, Any], Scenario]:
    """The scenario a sweep starts from: a Scenario, a YAML file, or its data as a mapping."""
    if isinstance(scenario, Scenario):
        return scenario.name, scenario.model_dump(mode="json"), scenario
    if isinstance(scenario, Mapping):
        data = dict(scenario)
        source = str(data.get("name", "scenario"))
        return source, data, validate_scenario(data, source)
    path = resolve_scenario(scenario)
    source = str(path)
    data, lines = read_scenario_file(path)
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
    scenario: Scenario | str | Path | Mapping[str, Any],
    sets: Sequence[str] | Mapping[str, str],
    design: str = "grid",
    samples: int | None = None,
    reps: int = 10,
    seed: int = 0,
    tables: TableOptions | None = None,
    batch_size: int | None = None,
    workers: int = 1,
    crn: bool = True,
    dummy: bool = False,
    targets: Sequence[str] = (),
    run_timeout: float | None = None,
    allow_large: bool = False,
) -> SweepPlan:
    """Check paths and specs, build the design and validate every point, all before anything runs.

    ``crn``: every point uses the seeds of point 0 (the default; False gives each point its own);
    ``dummy``: add the inert factor ``dummy``; ``targets``: milestone targets such as ``foc_day<=200``
    that ``analyze`` reports as P(reached by the day), stored in the manifest; ``run_timeout``: wall
    seconds each run may take before the watchdog stops it (default: from the scenario's size). A sweep
    whose work passes :mod:`deploysim.experiments.work_limits` is refused before its design is built,
    unless ``allow_large``.
    """
    if reps < 1:
        raise UsageError(f"reps {reps}: must be at least 1")
    if batch_size is not None and batch_size < 1:
        raise UsageError(f"batch_size {batch_size}: must be at least 1")
    source, data, base = load_base(scenario)
    factors = parse_sets(dict(sets) if isinstance(sets, Mapping) else list(sets))
    for factor in factors:
        check_path(data, factor.path)
    if dummy:
        factors = _with_dummy(factors, design)
    checked = _checked_targets(targets, base, factors)

    def admit(points: int) -> None:
        check_sweep(base, points, reps, allow_large)

    built = make_design(design, factors, samples, seed, admit=admit)
    invalid = invalid_points(data, built)
    tables = tables or TableOptions()
    total = len(built.points) * reps
    size = batch_size or batch_size_for(base, total, workers, keep_tables=tables.events)
    return SweepPlan(source, data, base, built, reps, seed, size, tables, invalid, crn, checked, run_timeout)


def _with_dummy(factors: tuple[Factor, ...], design: str) -> tuple[Factor, ...]:
    extra = dummy_factor(design)
    if any(f.path == extra.path for f in factors):
        raise UsageError(f"dummy: a factor is already named {extra.path!r}", cli=f"--dummy: --set {extra.path} given")
    return (*factors, extra)


def _checked_targets(texts: Sequence[str], base: Scenario, factors: tuple[Factor, ...]) -> tuple[str, ...]:
    """Targets as the manifest stores them (``foc_day<=200``); a day after the horizon is refused, since
    no run can say whether the milestone came by then (unless the sweep varies the horizon)."""
    targets = parse_targets(list(texts))
    if not any(f.path == "horizon" for f in factors):
        for target in targets:
            day = target.day_for(base.start_date)
            if day > base.horizon:
                why = f"day {day:g} is after the horizon (day {base.horizon:g}); no run observes it"
                raise UsageError(f"target {target}: {why}", cli=f"--target {target}: {why}")
    return tuple(str(t) for t in targets)
