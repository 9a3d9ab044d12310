"""Milestones as time-to-event data: the probability of reaching them, when they come, and targets.

A milestone (IOC, FOC, host consent, expansion, mission end) is the first day something happens, and
in some runs it never happens. Averaging the day over the runs that reached it answers a question
nobody asked and hides how many did not: a variant that reaches FOC in more runs, some of them late,
shows a *later* mean. So a milestone is summarised by

- P(reached by the end of the run), a proportion with a Wilson interval;
- Kaplan-Meier quantiles (10th, 50th, 90th percentile) as days and dates, "not reached" where the
  curve does not get there;
- the restricted mean, E[min(T, horizon)]: every run counts, a run that never reached the milestone
  counts as the whole horizon;
- P(reached by day D) for a planner's target (``foc_day<=200``, ``foc_day<=2011-03-01``).

A run that does not reach a milestone is censored at the end of its observation (``observed_days``,
the horizon); a mission that closed earlier can no longer reach it, which the same censoring treats
correctly up to the horizon.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from deploysim.errors import UsageError
from deploysim.results.measures import MEASURES
from deploysim.stats.proportions import wilson_interval
from deploysim.stats.survival import kaplan_meier, km_quantile, p_by, restricted_mean

_TARGET = re.compile(r"^\s*(?P<measure>[a-z_]+)\s*<=\s*(?P<value>\S+)\s*$")


@dataclass(frozen=True, slots=True)
class Target:
    """A planner's milestone target: reached by a day (from the start) or by a calendar date."""

    measure: str
    day: float | None = None
    date: dt.date | None = None

    def day_for(self, start: dt.date | None) -> float:
        """The target as days from a scenario's start (a date needs the start date)."""
        if self.day is not None:
            return self.day
        if start is None or self.date is None:
            return math.nan
        return float((self.date - start).days)

    @property
    def name(self) -> str:
        """The row name in tables: ``P(foc_day<=200)`` or ``P(foc_day<=2011-03-01)``."""
        value = self.date.isoformat() if self.date is not None else f"{self.day:g}"
        return f"P({self.measure}<={value})"

    def __str__(self) -> str:
        return self.name[2:-1]


def parse_target(text: str) -> Target:
    """``MEASURE<=DAY`` or ``MEASURE<=YYYY-MM-DD`` for a milestone measure."""
    match = _TARGET.match(text)
    milestones = [m.name for m in MEASURES.values() if m.kind == "milestone"]
    if not match:
        raise UsageError(f"target {text!r}: expected MILESTONE<=DAY or MILESTONE<=YYYY-MM-DD, e.g. foc_day<=200",
                         cli=f"--target {text!r}: expected MILESTONE<=DAY or MILESTONE<=YYYY-MM-DD, e.g. foc_day<=200")
    measure, value = match["measure"], match["value"]
    if measure not in milestones:
        raise UsageError(f"target {text!r}: {measure!r} is not a milestone; milestones: {', '.join(milestones)}",
                         cli=f"--target {text!r}: {measure!r} is not a milestone; milestones: {', '.join(milestones)}")
    try:
        day = float(value)
    except ValueError:
        try:
            return Target(measure, date=dt.date.fromisoformat(value))
        except ValueError:
            raise UsageError(f"target {text!r}: {value!r} is neither a day nor a date (YYYY-MM-DD)",
                             cli=f"--target {text!r}: {value!r} is neither a day nor a date (YYYY-MM-DD)") from None
    if not math.isfinite(day) or day < 0:
        raise UsageError(f"target {text!r}: the day must be zero or more", cli=f"--target {text!r}: the day must be "
                         "zero or more")
    return Target(measure, day=day)


def parse_targets(texts: str | Sequence[str] | None) -> tuple[Target, ...]:
    if texts is None:
        return ()
    items = [texts] if isinstance(texts, str) else list(texts)
    return tuple(parse_target(part) for text in items for part in text.split(",") if part.strip())


def observations(values: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(times, reached) for survival estimates: the day where reached, else the end of observation.
    A value at the end of observation (a mission still open at the horizon) is not reached."""
    reached = ~np.isnan(values) & (values < observed)
    return np.where(reached, values, observed), reached


def _date(start: dt.date | None, day: float) -> dt.date | None:
    if start is None or not math.isfinite(day):
        return None
    return start + dt.timedelta(days=math.floor(day))


def milestone_summary(values: np.ndarray, observed: np.ndarray, start: dt.date | None = None,
                      level: float = 0.95) -> dict[str, Any]:
    """The columns of a milestone's summary row (see the module docstring)."""
    times, reached = observations(values, observed)
    n = int(times.size)
    if n == 0:
        return {"estimator": "restricted mean (to the horizon)", "estimate": math.nan, "ci_low": math.nan,
                "ci_high": math.nan, "half_width": math.nan, "n": 0}
    horizon = float(np.min(observed))
    share = wilson_interval(int(reached.sum()), n, level)
    median = km_quantile(times, reached, 0.5, level)
    q10 = km_quantile(times, reached, 0.1, level)
    q90 = km_quantile(times, reached, 0.9, level)
    rmean = restricted_mean(times, reached, horizon, level)
    return {
        "estimator": f"restricted mean to day {horizon:g}",
        "estimate": rmean.estimate,
        "ci_low": rmean.low,
        "ci_high": rmean.high,
        "half_width": (rmean.high - rmean.low) / 2,
        "n": n,
        "p_reached": share.estimate,
        "p_reached_low": share.low,
        "p_reached_high": share.high,
        "median_day": median.estimate,
        "median_low": median.low,
        "median_high": median.high,
        "median_date": _date(start, median.estimate),
        "q10_day": q10.estimate,
        "q90_day": q90.estimate,
        "median_if_reached": float(np.median(times[reached])) if reached.any() else math.nan,
    }


def target_summary(target: Target, values: np.ndarray, observed: np.ndarray, start: dt.date | None = None,
                   level: float = 0.95) -> dict[str, Any]:
    """P(the milestone is reached by the target day), with its interval, as a summary row's columns."""
    day = target.day_for(start)
    times, reached = observations(values, observed)
    if times.size == 0 or not math.isfinite(day):
        return {"estimator": "share of runs reached by the day", "estimate": math.nan, "ci_low": math.nan,
                "ci_high": math.nan, "half_width": math.nan, "n": int(times.size), "target_day": day}
    by = p_by(kaplan_meier(times, reached), day, level)
    estimator = "share of runs reached by the day" if by.method == "wilson" else f"Kaplan-Meier ({by.method})"
    date = _date(start, day)
    return {"estimator": estimator, "estimate": by.estimate, "ci_low": by.low, "ci_high": by.high,
            "half_width": (by.high - by.low) / 2, "n": by.n, "target_day": day, "target_date": date}
