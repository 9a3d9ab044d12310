"""How a summary measure reads on a chart: its unit on the axis, shares in percent, big numbers compact.

Comparison and sweep charts draw the same measures, so a planner should read "Mean fill" as a percentage
and a total cost as "1.25M" in both; the words and units come from the measure registry in
:mod:`deploysim.results.measures`, never from the column name.
"""

from __future__ import annotations

import math

from matplotlib.axis import Axis
from matplotlib.ticker import Formatter, FuncFormatter, PercentFormatter

from deploysim.results.measures import MEASURES, measure_label, measure_unit, target_parts


def is_share(measure: str) -> bool:
    """Whether the measure is a fraction in [0, 1], drawn and written as a percentage: a share of time, or
    a target's P(milestone by the day)."""
    known = MEASURES.get(measure)
    return (known is not None and known.kind == "share") or target_parts(measure) is not None


def compact(value: float, _pos: object = None) -> str:
    """A number in at most four significant figures, thousands as "k" and millions as "M" (tick labels)."""
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.3g}M"
    if magnitude >= 1e4:
        return f"{value / 1e3:.3g}k"
    return f"{value:,.4g}"


def format_value(measure: str, value: float, currency: str | None = None) -> str:
    """A value for a label: percent for shares, three significant figures below 1,000, whole numbers with
    a thousands separator up to 10,000 (never "9.45e+03"), compact above; with ``currency``, an amount of
    money is prefixed with it ("EUR 4.51M"), so a bar label reads on its own."""
    if math.isnan(value):
        return "n/a"
    if is_share(measure):
        return f"{value:.1%}"
    magnitude = abs(value)
    # .3g would write 999.6 as "1e+03"
    text = f"{value:,.3g}" if magnitude < 999.5 else f"{value:,.0f}" if magnitude < 1e4 else compact(value)
    known = MEASURES.get(measure)
    return f"{currency} {text}" if currency and known is not None and known.unit.startswith("{currency}") else text


def compact_axis(axis: Axis) -> None:
    """Tick labels of a value axis in compact numbers ("4.5M", "15k", "1,500"), never a "1e6" offset."""
    axis.set_major_formatter(FuncFormatter(compact))


def measure_formatter(measure: str) -> Formatter:
    """Tick labels for an axis of the measure's values: percent for shares, compact numbers otherwise."""
    return PercentFormatter(xmax=1.0) if is_share(measure) else FuncFormatter(compact)


def axis_label(measure: str, currency: str | None = None) -> str:
    """The measure's unit for its value axis; its title where it has no unit, so the axis never goes unnamed."""
    return measure_unit(measure, currency) or measure_label(measure)
