"""Summary rows in a planner's words: amounts with their units, intervals, days as dates, differences by kind.

The terminal tables (:mod:`deploysim.results.text`) and the report say the same figures the same way:
amounts go through :func:`~deploysim.results.text.format_amount`; what is added here is what a page
needs and a terminal line does not (dates beside days, signed differences in their own units).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from deploysim.results.measures import MEASURES
from deploysim.results.text import format_amount

DASH = "\u2013"
MINUS = "\u2212"


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))


def kind_of(measure: str) -> str:
    """The registry's kind of a measure; target rows (``P(foc_day<=121)``) are proportions."""
    if measure.startswith("P("):
        return "proportion"
    known = MEASURES.get(measure)
    return known.kind if known else "count"


def percent(value: Any, digits: int = 0) -> str:
    return "n/a" if missing(value) else f"{float(value):.{digits}%}"


def amount(row: Any, value: Any) -> str:
    """One value of a summary row in its unit: 57.6%, EUR 3.06M, 36.8 days, day 88."""
    if missing(value):
        return "n/a"
    return format_amount(float(value), str(row.unit), kind_of(str(row.measure)))


def interval(low: Any, high: Any, fmt: Any = str) -> str:
    if missing(low) or missing(high):
        return ""
    return f"[{fmt(low)}, {fmt(high)}]"


def day_text(day: Any) -> str:
    return "not reached" if missing(day) or math.isinf(float(day)) else f"day {float(day):,.0f}"


def date_of(start: dt.date | None, day: Any) -> str | None:
    if start is None or missing(day) or math.isinf(float(day)):
        return None
    return (start + dt.timedelta(days=math.floor(float(day)))).isoformat()


def day_and_date(day: Any, start: dt.date | None) -> str:
    """``2010-10-18 (day 88)``; ``not reached`` for a milestone most runs never reach."""
    when = date_of(start, day)
    return f"{when} ({day_text(day)})" if when else day_text(day)


def milestone_label(measure: str) -> str:
    """The milestone a target row is about, in the registry's words: ``P(foc_day<=121)`` -> FOC (...)."""
    inner = measure[2:-1] if measure.startswith("P(") else measure
    name = inner.split("<=", 1)[0]
    known = MEASURES.get(name)
    return known.label if known else name


def target_when(row: Any) -> str:
    date = row.target_date if not missing(row.target_date) else None
    day = f"day {float(row.target_day):,.0f}" if not missing(row.target_day) else ""
    return f"{date} ({day})" if date and day else str(date or day)


def target_label(row: Any) -> str:
    """``FOC (full operational capability) by 2010-11-20 (day 121)``."""
    return f"{milestone_label(str(row.measure))} by {target_when(row)}"


def estimate_text(row: Any) -> str:
    """A measure's estimate with its interval, or the reason it does not apply."""
    if str(row.estimator).startswith("n/a"):
        return str(row.estimator)
    if missing(row.estimate):
        return "n/a"
    text = amount(row, row.estimate)
    bounds = interval(row.ci_low, row.ci_high, lambda v: amount(row, v))
    return f"{text} {bounds}".strip()


def _signed(value: float, text: str) -> str:
    return (MINUS if value < 0 else "+") + text


def difference_amount(measure: str, unit: str, value: Any) -> str:
    """A paired difference in the measure's own terms: percentage points for shares and proportions,
    days for milestones (a difference of restricted means), the unit otherwise."""
    if missing(value):
        return "n/a"
    number = float(value)
    kind = kind_of(measure)
    if kind in ("share", "proportion"):
        return _signed(number, f"{abs(100 * number):.1f} pp")
    if kind == "milestone":
        return _signed(number, f"{abs(number):,.1f} days")
    return _signed(number, format_amount(abs(number), unit, kind))


def difference_text(measure: str, unit: str, value: Any, low: Any, high: Any) -> str:
    text = difference_amount(measure, unit, value)
    bounds = interval(low, high, lambda v: difference_amount(measure, unit, v))
    return f"{text} {bounds}".strip()


def excludes_zero(low: Any, high: Any) -> bool:
    return not missing(low) and not missing(high) and (float(low) > 0 or float(high) < 0)
