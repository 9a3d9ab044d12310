"""Adaptive replications: keep adding replications until the intervals a planner asked for are narrow enough.

A planner rarely knows how many replications a question needs; they know how precisely they want the
answer ("mean fill to within 1 point", "FOC day to within 5%"). This module states the targets and
checks them; :func:`deploysim.experiments.replications.replicate` runs the sequential procedure:

1. Run ``max(reps, MIN_FIRST_CHECK)`` replications before the first look. Variance estimates from a
   handful of runs are too noisy to stop on (a lucky low variance would end the run at once).
2. After each batch, compute every target's 95% t-interval: for ``run`` the mean of the measure in
   each scenario, for ``compare`` the mean paired difference of each scenario from the first.
   A target is met when its half-width is at most the requested value: absolute (``mean_fill=0.01``)
   or relative to the absolute value of the current mean (``foc_day=5%``).
3. Stop when every target is met, or when ``max_reps`` replications have run. Otherwise project the
   total needed from the worst target, n * (h / target)^2 (half-widths shrink like 1/sqrt(n)),
   and run up to that total, at least ``MIN_STEP_SHARE`` more and at most twice as many as so far.

Replications are numbered 0, 1, 2, ... in every batch, so an adaptive run that stops at n is the
same data as a fixed run of n replications with the same seed, and scenarios keep their common
random numbers.

Caveat: the number of replications is chosen by looking at the data, so the final interval is not a
fixed-n interval. Stopping when the sample variance happens to be low makes the interval slightly
too narrow, and its real coverage falls a little below 95% (most for skewed measures and small
first looks; see Law, *Simulation Modeling and Analysis*, on sequential procedures). The minimum
first look and the cap on growth limit this. Where the interval itself must be exact, use the
replication count found here as a fixed ``--reps`` with a fresh ``--seed``. A relative target on a
difference that is truly near zero can never be met; such a run stops at ``max_reps`` and says so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from deploysim.errors import PrecisionError
from deploysim.results.measures import MEASURES
from deploysim.stats.intervals import Interval, mean_ci
from deploysim.stats.paired import paired_interval
from deploysim.stats.runs import ok_runs

MIN_FIRST_CHECK = 10
MIN_STEP_SHARE = 0.1
DEFAULT_MAX_REPS = 1000

_SPEC = re.compile(r"^\s*(?P<measure>[^=\s]+)\s*=\s*(?P<value>[^%\s]+)\s*(?P<pct>%?)\s*$")


@dataclass(frozen=True, slots=True)
class PrecisionTarget:
    """A requested 95% CI half-width for one measure: absolute, or a percentage of |mean|."""

    measure: str
    half_width: float
    relative: bool = False

    def limit(self, interval: Interval) -> float:
        """The half-width this interval must reach (NaN when a relative target has no mean yet)."""
        return self.half_width / 100.0 * abs(interval.mean) if self.relative else self.half_width

    def met(self, interval: Interval) -> bool:
        limit = self.limit(interval)
        return not (math.isnan(interval.half_width) or math.isnan(limit)) and interval.half_width <= limit

    def __str__(self) -> str:
        return f"{self.measure}={self.half_width:g}{'%' if self.relative else ''}"


def parse_precision(spec: str, measures: Iterable[str] = MEASURES) -> PrecisionTarget:
    """Parse ``MEASURE=HALFWIDTH`` or ``MEASURE=PCT%``; errors name the spec and the valid measures."""
    known = list(measures)
    match = _SPEC.match(spec)
    if not match:
        raise PrecisionError(
            f"precision {spec!r}: expected MEASURE=HALFWIDTH (e.g. mean_fill=0.01) or MEASURE=PCT% (e.g. foc_day=5%)"
        )
    measure, text, pct = match["measure"], match["value"], match["pct"]
    if measure not in known:
        raise PrecisionError(f"precision {spec!r}: unknown measure {measure!r}; valid measures: {', '.join(known)}")
    try:
        value = float(text)
    except ValueError:
        raise PrecisionError(f"precision {spec!r}: half-width {text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise PrecisionError(f"precision {spec!r}: half-width must be a positive number, got {text}{pct}")
    return PrecisionTarget(measure, value, relative=bool(pct))


def parse_precisions(
    specs: str | Iterable[str] | Mapping[str, float | str] | None, measures: Iterable[str] = MEASURES
) -> tuple[PrecisionTarget, ...]:
    """Targets from CLI-style strings (comma-separated allowed) or a mapping {measure: 0.01 or "5%"}."""
    if specs is None:
        return ()
    known = list(measures)
    if isinstance(specs, Mapping):
        texts = [f"{measure}={value}" for measure, value in specs.items()]
    else:
        texts = [specs] if isinstance(specs, str) else list(specs)
    parts = [part for text in texts for part in str(text).split(",") if part.strip()]
    targets = tuple(parse_precision(part, known) for part in parts)
    seen: set[str] = set()
    for target in targets:
        if target.measure in seen:
            raise PrecisionError(f"precision: {target.measure} is given twice; give one half-width per measure")
        seen.add(target.measure)
    return targets


@dataclass(frozen=True, slots=True)
class Check:
    """One target for one scenario (or one paired difference) at one look."""

    target: PrecisionTarget
    subject: str
    interval: Interval

    @property
    def limit(self) -> float:
        return self.target.limit(self.interval)

    @property
    def met(self) -> bool:
        return self.target.met(self.interval)

    def shortfall(self) -> float:
        """(half-width / limit)^2: how many times the replications so far are needed, inf if unknown."""
        if self.met:
            return 1.0
        if math.isnan(self.interval.half_width) or math.isnan(self.limit) or self.limit <= 0:
            return math.inf
        return (self.interval.half_width / self.limit) ** 2

    def describe(self) -> str:
        hw = self.interval.half_width
        if self.interval.n < 2:
            state = "not defined in enough replications" if self.interval.n == 0 else "defined in one replication"
            return f"{self.subject}: {self.target.measure} {state} (target {self.target})"
        sign = "<=" if self.met else ">"
        return (
            f"{self.subject}: {self.target.measure} half-width {hw:,.4g} {sign} {self.limit:,.4g} "
            f"(target {self.target})"
        )


@dataclass
class AdaptiveResult:
    """How many replications ran, whether every target was met, and each look's (n, checks)."""

    replications: int
    reached: bool
    checks: list[Check] = field(default_factory=list)
    history: list[tuple[int, bool]] = field(default_factory=list)

    def report(self) -> str:
        """Lines for the terminal: replications used and every target's final state."""
        if not self.checks:
            return f"{self.replications} replications"
        head = (
            f"precision reached after {self.replications} replications"
            if self.reached
            else f"precision NOT reached: stopped at the maximum of {self.replications} replications"
        )
        return "\n".join([head, *(f"  {check.describe()}" for check in self.checks)])


def precision_checks(
    runs: pd.DataFrame,
    targets: Sequence[PrecisionTarget],
    scenarios: Sequence[str],
    baseline: str | None = None,
    level: float = 0.95,
) -> list[Check]:
    """Every target's interval: per scenario means, or (with a baseline) paired differences from it."""
    ok = ok_runs(runs)
    checks: list[Check] = []
    for target in targets:
        if baseline is None:
            for name in scenarios:
                values = ok.loc[ok["scenario"] == name, target.measure].to_numpy(dtype=float)
                checks.append(Check(target, name, mean_ci(values, level)))
            continue
        base = ok[ok["scenario"] == baseline].set_index(["point", "replication"])[target.measure]
        for name in scenarios:
            if name == baseline:
                continue
            other = ok[ok["scenario"] == name].set_index(["point", "replication"])[target.measure]
            common = base.index.intersection(other.index)
            interval = paired_interval(base.loc[common].to_numpy(float), other.loc[common].to_numpy(float), level)
            checks.append(Check(target, f"{name} - {baseline}", interval))
    return checks


def next_total(n: int, checks: Sequence[Check], max_reps: int) -> int:
    """The replication count to run up to next: projected from the worst target, growth bounded."""
    need = max((check.shortfall() for check in checks), default=1.0)
    projected = math.ceil(n * need) if math.isfinite(need) else 2 * n
    step = max(1, math.ceil(MIN_STEP_SHARE * n))
    return min(max_reps, max(n + step, min(projected, 2 * n)))


def first_check(reps: int) -> int:
    """Replications run before the first look: ``reps``, and never fewer than MIN_FIRST_CHECK."""
    return max(reps, MIN_FIRST_CHECK)


def check_max_reps(reps: int, max_reps: int) -> None:
    """The cap must leave room for the first look; the one place this is checked."""
    if max_reps < first_check(reps):
        why = f"is below the {first_check(reps)} replications run before the first precision check"
        raise PrecisionError(f"max_reps {max_reps} {why} (the larger of reps and {MIN_FIRST_CHECK})",
                             cli=f"--max-reps {max_reps} {why} (the larger of --reps and {MIN_FIRST_CHECK})")
