"""Adaptive replications: keep adding replications until the intervals a planner asked for are narrow enough.

A planner rarely knows how many replications a question needs; they know how precisely they want the
answer ("mean fill to within 1 point", "FOC day to within 5%"). This module states the targets, checks
them and runs the procedure (:func:`run_adaptive`); :func:`deploysim.experiments.replications.replicate`
drives it with the simulation.

What a target judges: the interval the results report for that measure, estimated as its kind needs
(:func:`deploysim.stats.summary.measure_row` for ``run``: a ratio of totals for cost per person-month,
a restricted mean for a milestone such as IOC day, Wilson for a yes/no share, a t-interval for an
amount; :func:`deploysim.stats.paired.difference_table` for each paired difference in ``compare``).
A target is met when that half-width is at most the requested value: absolute (``mean_fill=0.01``)
or a percentage of the absolute estimate (``foc_day=5%``).

The procedure, a two-stage rule in the manner of Stein (1945, Ann. Math. Statist. 16:243-258) that
goes on only where the second stage falls short:

1. First look after ``max(reps, MIN_FIRST_CHECK)`` = at least 30 replications. It only sizes the run:
   it never ends it, even when every target is already met. At 30 a variance estimate is good to
   about a quarter (its relative standard error is sqrt(2 / 29) for normal data, 0.47 at 10), and the
   summary's own intervals are close to nominal there (0.938 for the ratio of totals, about 0.93 for
   the restricted mean; see their modules); at 10 neither holds.
2. The next look comes at ``SAFETY * n * (h / target)^2`` replications for the worst target (safety
   1.2, so that look meets its target in most runs rather than half), at least 1.5 times the first
   look (``FIRST_FRESH_SHARE``) and at most ``MAX_GROWTH`` = 4 times it (a heavy-tailed first look
   can overstate the variance many times; a capped stage costs one more look instead of hundreds of
   needless replications). A measure not yet defined doubles the count.
3. Stop at the first later look where every target is met, or at ``max_reps``. A look that falls
   short is resized the same way from all the replications so far.

Why it covers. Stopping as soon as a look meets the target lets the luck of that look decide: for a
right-skewed measure a sample whose variance happens to be low also tends to have a low mean, so the
runs that stop early are those whose interval lies below the truth (in simulations of that rule,
runs stopped at their first look covered only 0.75 to 0.90). Here the first look never stops a run;
the look that does holds at least a third of fresh replications that did not choose the sample
size, and with the safety factor its own check rarely has to decide anything. What remains is the
small dependence of the final count on the first look, and the intervals' own small-sample error.

Measured coverage of the whole procedure (nominal 95%; 2000 macroreplications each, standard error
about 0.005; ``tests/experiments/test_adaptive.py``), for targets about equal to, 0.7 of and a third
of the first look's typical half-width:

* ratio of totals (lognormal costs over gamma person-months): 0.939, 0.942, 0.948 with 50, 81 and 361
  replications on average;
* restricted mean of a milestone (exponential days, 35% of runs never reach it, censored at the
  horizon): 0.950, 0.945, 0.942 with 48, 73 and 320;
* mean of normal values: 0.947 (46) and 0.947 (304).

The rule this replaced (first look at 10, stop at the first look that meets the target), replayed
on the same data with the same estimators, covered 0.914, 0.932, 0.944 (ratio), 0.888, 0.923, 0.936
(restricted mean) and 0.942, 0.946 (normal), with 13-33% fewer replications; and it judged a mean of
per-run ratios and a mean over the runs that reached a milestone, not the estimates the summary
reports.

Replications are numbered 0, 1, 2, ... in every batch, so an adaptive run that stops at n is the
same data as a fixed run of n replications with the same seed, and scenarios keep their common
random numbers.

Caveat: the replication count still depends on the data, so the final interval is not a fixed-n
interval, and the procedure cannot be more exact than the interval it stops with: for right-skewed
costs the misses are mostly on the low side (the interval lies wholly below the truth in about 4% of
runs, against 2.5% nominal), and with heavier tails than above (a fixed cost with a lognormal sigma
of 1.1) even a fixed run of 30 to 100 replications covers only 0.92 to 0.93, and the procedure about
0.92. Proportions and paired differences use the same rule but their coverage under it has not been
measured here. Where the interval itself must be exact, use the replication count found here as a
fixed ``--reps`` with a fresh ``--seed``. A relative target on a difference that is truly near zero
can never be met; such a run stops at ``max_reps`` and says so.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from deploysim.errors import PrecisionError
from deploysim.experiments.defaults import DEFAULT_MAX_REPS as DEFAULT_MAX_REPS  # re-exported: callers import it here
from deploysim.experiments.defaults import MIN_FIRST_CHECK
from deploysim.results.measures import MEASURES
from deploysim.stats.intervals import Interval
from deploysim.stats.paired import difference_table
from deploysim.stats.runs import ok_runs
from deploysim.stats.summary import measure_row

FIRST_FRESH_SHARE = 0.5
SAFETY = 1.2
MAX_GROWTH = 4.0

_SPEC = re.compile(r"^\s*(?P<measure>[^=\s]+)\s*=\s*(?P<value>[^%\s]+)\s*(?P<pct>%?)\s*$")


@dataclass(frozen=True, slots=True)
class PrecisionTarget:
    """A requested 95% CI half-width for one measure: absolute, or a percentage of |estimate|."""

    measure: str
    half_width: float
    relative: bool = False

    def limit(self, interval: Interval) -> float:
        """The half-width this interval must reach (NaN when a relative target has no estimate yet)."""
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
    """One target for one scenario (or one paired difference) at one look, on the summary's own interval.

    ``interval`` holds the estimate and half-width the summary (or the comparison) reports for the
    measure; ``estimator`` names how it was estimated, so a message says which interval was judged.
    """

    target: PrecisionTarget
    subject: str
    interval: Interval
    estimator: str = ""

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
        how = f", {self.estimator}" if self.estimator else ""
        if self.interval.n < 2 or math.isnan(hw):
            state = {0: "not defined in enough replications", 1: "defined in one replication"}.get(
                self.interval.n, f"not estimable from {self.interval.n} replications")
            return f"{self.subject}: {self.target.measure} {state} (target {self.target}{how})"
        sign = "<=" if self.met else ">"
        return (
            f"{self.subject}: {self.target.measure} half-width {hw:,.4g} {sign} {self.limit:,.4g} "
            f"(target {self.target}{how})"
        )


@dataclass
class AdaptiveResult:
    """How many replications ran, whether every target was met, and each look's (n, all met)."""

    replications: int
    reached: bool
    checks: list[Check] = field(default_factory=list)
    history: list[tuple[int, bool]] = field(default_factory=list)

    def report(self) -> str:
        """Lines for the terminal: replications used, the looks taken and every target's final state."""
        if not self.checks:
            return f"{self.replications} replications"
        head = (
            f"precision reached after {self.replications} replications"
            if self.reached
            else f"precision NOT reached: stopped at the maximum of {self.replications} replications"
        )
        looks = ", ".join(str(n) for n, _ in self.history)
        return "\n".join([f"{head} (looks at {looks})", *(f"  {check.describe()}" for check in self.checks)])


def _interval(row: Mapping[str, object], estimate: str) -> Interval:
    """The summary's (or comparison's) estimate and half-width as an Interval; NaN where not given."""
    def number(key: str) -> float:
        value = row.get(key, math.nan)
        return float(value) if isinstance(value, numbers.Real) else math.nan

    n = number("n")
    return Interval(number(estimate), number("half_width"), int(n) if math.isfinite(n) else 0)


def precision_checks(
    runs: pd.DataFrame,
    targets: Sequence[PrecisionTarget],
    scenarios: Sequence[str],
    baseline: str | None = None,
    level: float = 0.95,
) -> list[Check]:
    """Every target judged on the interval the results report for it, estimated as the measure's kind needs.

    Without a baseline (``run``): each scenario's summary row (``measure_row``: a ratio of totals for
    cost per person-month, a restricted mean for a milestone, Wilson for a yes/no share, a t-interval
    of the mean for an amount). With one (``compare``): each other scenario's paired difference from
    it, as the comparison's difference table computes it. A target on another interval than the one
    printed would be met while the printed one is not, or the other way round.
    """
    if baseline is not None:
        return _difference_checks(runs, targets, scenarios, baseline, level)
    ok = ok_runs(runs)
    checks: list[Check] = []
    for target in targets:
        for name in scenarios:
            row = measure_row(MEASURES[target.measure], ok[ok["scenario"] == name], None, level)
            checks.append(Check(target, name, _interval(row, "estimate"), str(row.get("estimator", ""))))
    return checks


def _difference_checks(runs: pd.DataFrame, targets: Sequence[PrecisionTarget], scenarios: Sequence[str],
                       baseline: str, level: float) -> list[Check]:
    others = [name for name in scenarios if name != baseline]
    table = difference_table(runs, baseline, others, [t.measure for t in targets], level)
    rows = {(str(row["scenario"]), str(row["measure"])): row for row in table.to_dict("records")}
    checks: list[Check] = []
    for target in targets:
        for name in others:
            row = rows.get((name, target.measure), {})
            checks.append(Check(target, f"{name} - {baseline}", _interval(row, "difference"),
                                str(row.get("estimator", ""))))
    return checks


def first_check(reps: int) -> int:
    """Replications run before the first look: ``reps``, and never fewer than MIN_FIRST_CHECK."""
    return max(reps, MIN_FIRST_CHECK)


def next_total(n: int, checks: Sequence[Check], max_reps: int, first: bool = False) -> int:
    """The replication count of the next look, sized from the worst target like Stein's second stage.

    Projected total: SAFETY * n * (h / target)^2, so that the next look meets the target in most runs
    rather than about half of them; at most MAX_GROWTH times n, since a variance estimate from a few
    tens of heavy-tailed runs can overstate the need many times over; unknown need (a measure not yet
    defined) doubles. After the first look the next one adds at least FIRST_FRESH_SHARE * n replications
    even when every target is met, so the final interval never rests on the sizing data alone.
    """
    need = max((check.shortfall() for check in checks), default=1.0)
    projected = min(math.ceil(SAFETY * n * need), math.ceil(MAX_GROWTH * n)) if math.isfinite(need) else 2 * n
    least = n + max(1, math.ceil(FIRST_FRESH_SHARE * n)) if first else n + 1
    return min(max_reps, max(least, projected))


Look = Callable[[int], list[Check]]
"""Make the replications 0 .. n-1 exist (running the missing ones) and return the checks on them."""


def run_adaptive(look: Look, reps: int, max_reps: int) -> AdaptiveResult:
    """The adaptive procedure (module docstring): looks at growing totals until a later look meets every target.

    The first look only sizes the run; it never stops it, unless ``max_reps`` leaves no room for more.
    Separate from the simulation so that the same procedure can be replayed on synthetic data with a
    known truth, which is how its coverage is measured.
    """
    check_max_reps(reps, max_reps)
    n = first_check(reps)
    history: list[tuple[int, bool]] = []
    while True:
        checks = look(n)
        reached = all(check.met for check in checks)
        first = not history
        history.append((n, reached))
        if (reached and not first) or n >= max_reps:
            return AdaptiveResult(n, reached, checks, history)
        n = next_total(n, checks, max_reps, first=first)


def check_max_reps(reps: int, max_reps: int) -> None:
    """The cap must leave room for the first look; the one place this is checked."""
    if max_reps < first_check(reps):
        why = f"is below the {first_check(reps)} replications run before the first precision check"
        raise PrecisionError(f"max_reps {max_reps} {why} (the larger of reps and {MIN_FIRST_CHECK})",
                             cli=f"--max-reps {max_reps} {why} (the larger of --reps and {MIN_FIRST_CHECK})")
