"""Where two scenarios differ, as dotted paths a planner can read and pass back to ``--set``.

Comparing two files line by line says little: the same duration can be written ``6 w``, ``42 d`` or
``{dist: fixed, value: 42}``, fields left out take their defaults, and teams can be listed in any
order. So the diff is taken over the *validated* scenarios' JSON dumps (durations already in days,
defaults filled in), and:

* list items are matched by their ``name`` where every item has a distinct one (teams, units,
  expansions, phases), so a team moved down the list is not a difference while a team renamed is
  one removed and one added; other lists (names of advance teams) are matched by index;
* a distribution is one value, compared and shown in days (``triangular(7, 14, 28) d``, whether
  written in days or as ``triangular(1, 2, 4) w``), because a change from a fixed 14 days to a
  triangular one is one decision, not three field changes;
* paths use names for named items (``teams.Team 1 Osh city.posts.adviser``), as ``--set`` and
  sweeps accept them.

:func:`diff_data` is a pure function over dumps; :func:`diff_scenarios` dumps two scenarios and
calls it; :func:`format_difference` and :func:`summarize` word the result.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from deploysim.scenario.durations import unit_days
from deploysim.scenario.schema import Scenario


class _Missing:
    """The value on the side of a difference where the path does not exist (an item added or removed)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
VALUE_WIDTH = 40  # longest value shown in a difference; longer ones (descriptions, whole teams) are cut
IDENTITY_FIELDS = ("name", "description")  # what labels a scenario rather than what it simulates


@dataclass(frozen=True)
class Difference:
    """One place where the scenarios differ: ``before`` is A's value, ``after`` B's (MISSING if absent)."""

    path: str
    before: Any
    after: Any
    reordered: bool = False  # the same named items in another order; before and after are the names

    @property
    def kind(self) -> str:
        """``changed``, ``added`` (only in B), ``removed`` (only in A) or ``reordered`` (named items)."""
        if self.reordered:
            return "reordered"
        if self.before is MISSING:
            return "added"
        if self.after is MISSING:
            return "removed"
        return "changed"


def diff_scenarios(a: Scenario, b: Scenario, ignore: Iterable[str] = ()) -> list[Difference]:
    """Where ``b`` differs from ``a``, in the order of ``a``'s fields; top-level fields in ``ignore`` are skipped."""
    skipped = set(ignore)
    dump_a = {k: v for k, v in a.model_dump(mode="json").items() if k not in skipped}
    dump_b = {k: v for k, v in b.model_dump(mode="json").items() if k not in skipped}
    return diff_data(dump_a, dump_b)


def diff_data(a: Any, b: Any, path: str = "") -> list[Difference]:
    """Every dotted path where the JSON-like values ``a`` and ``b`` differ (see the module docstring)."""
    if _is_distribution(a) or _is_distribution(b):
        a, b = _in_days(a), _in_days(b)
        return [] if _equal(a, b) else [Difference(path, a, b)]
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        found: list[Difference] = []
        for key in [*a, *(k for k in b if k not in a)]:
            found += diff_data(a.get(key, MISSING), b.get(key, MISSING), _join(path, key))
        return found
    if _is_list(a) and _is_list(b):
        return _diff_lists(a, b, path)
    if a is MISSING or b is MISSING or not _same(a, b):
        return [Difference(path, a, b)]
    return []


def _diff_lists(a: Sequence[Any], b: Sequence[Any], path: str) -> list[Difference]:
    names_a, names_b = _names(a), _names(b)
    if names_a is None or names_b is None:
        found: list[Difference] = []
        for i in range(max(len(a), len(b))):
            found += diff_data(a[i] if i < len(a) else MISSING, b[i] if i < len(b) else MISSING, _join(path, i))
        return found
    by_name_a, by_name_b = dict(zip(names_a, a, strict=True)), dict(zip(names_b, b, strict=True))
    common_a = tuple(n for n in names_a if n in by_name_b)
    common_b = tuple(n for n in names_b if n in by_name_a)
    # order matters where the schema says it does (phases run in order): say so once, for the list
    found = [Difference(path, common_a, common_b, reordered=True)] if common_a != common_b else []
    for name in [*names_a, *(n for n in names_b if n not in by_name_a)]:
        found += diff_data(by_name_a.get(name, MISSING), by_name_b.get(name, MISSING), _join(path, name))
    return found


def _names(items: Sequence[Any]) -> list[str] | None:
    """The items' names if every item is a mapping with a distinct string ``name`` (so also for no items);
    else None: match by index."""
    if not all(isinstance(item, Mapping) and isinstance(item.get("name"), str) for item in items):
        return None
    names = [str(item["name"]) for item in items]
    return names if len(set(names)) == len(names) else None


def _is_distribution(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("dist"), str)


def _in_days(value: Any) -> Any:
    """A distribution's mapping with its parameters in days (every number but the relative ``weights``)."""
    if not _is_distribution(value):
        return value
    scale = unit_days(str(value.get("unit", "d")))

    def scaled(v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v) * scale
        return [scaled(x) for x in v] if isinstance(v, list) else v

    return {k: (v if k in ("dist", "unit", "weights") else scaled(v)) for k, v in value.items()} | {"unit": "d"}


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if _is_list(a) and _is_list(b):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return _same(a, b)


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _same(a: Any, b: Any) -> bool:
    # 1 and 1.0 are the same number, and so are 4 months and 121.75 d up to rounding; True and 1 differ
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def format_value(value: Any, width: int = VALUE_WIDTH) -> str:
    """A value as a planner reads it: ``42 d``, ``triangular(7, 14, 28) d``, ``none``; cut at ``width``."""
    if value is None:
        text = "none"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = _number(value)
    elif isinstance(value, tuple):  # the order of named items
        text = ", ".join(map(str, value))
    elif _is_distribution(value):
        text = _distribution(value)
    elif isinstance(value, (Mapping, list)):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = " ".join(str(value).split())  # descriptions span lines
    return text if len(text) <= width else text[: width - 3] + "..."


def _number(value: float) -> str:
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def _distribution(value: Mapping[str, Any]) -> str:
    unit = value.get("unit", "d")
    params = {k: v for k, v in value.items() if k not in ("dist", "unit") and v is not None}
    if value["dist"] == "fixed" and set(params) == {"value"}:
        return f"{_number(float(params['value']))} {unit}"
    shown = ", ".join(_number(float(v)) if isinstance(v, (int, float)) else json.dumps(v) for v in params.values())
    return f"{value['dist']}({shown}) {unit}"


def format_difference(difference: Difference, width: int = VALUE_WIDTH) -> str:
    """``path (a -> b)``, ``path (added: b)``, ``path (removed)`` or ``path (order: ... -> ...)``."""
    before, after = difference.before, difference.after
    match difference.kind:
        case "added":
            shown = "added" if isinstance(after, (Mapping, list)) else f"added: {format_value(after, width)}"
        case "removed":
            shown = "removed" if isinstance(before, (Mapping, list)) else f"removed: {format_value(before, width)}"
        case "reordered":
            shown = f"order: {format_value(before, width)} -> {format_value(after, width)}"
        case _:
            shown = f"{format_value(before, width)} -> {format_value(after, width)}"
    return f"{difference.path} ({shown})"


def summarize(differences: Sequence[Difference], limit: int = 6) -> str:
    """The first ``limit`` differences on one line, and how many more there are: short enough to sit above a table."""
    if not differences:
        return "nothing"
    shown = ", ".join(format_difference(d) for d in differences[:limit])
    rest = len(differences) - limit
    return shown + (f", and {rest} more" if rest > 0 else "")
