"""The schema is the field reference: every property of ``deploysim schema`` says what it means, in
which unit, and where its default comes from (a source, or "assumption").

A field added without a description fails here with its definition, its place in a scenario and what
is missing, so the schema an editor shows can never fall behind the code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from deploysim.scenario.durations import DURATION_PATTERN, QUANTITY_PATTERN

CliResult = tuple[int, str, str]
Schema = dict[str, Any]

# Words that name a unit: time, a rate, a share or probability, a count, money, the tension index.
UNIT_WORDS = re.compile(
    r"\b(days?|weeks?|months?|years?|per|share|probability|number of|currency|index)\b|\b0-1\b", re.IGNORECASE
)
# Bounds are appended to descriptions ("at most 100 years"): they must not stand in for the unit.
BOUND_CLAUSE = re.compile(r"\b(at most|at least|between|from \d)[^;]*", re.IGNORECASE)
DEFAULT_SOURCE = "default: "


def _ref_name(node: Schema) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _children(node: Schema) -> Iterator[tuple[str, Schema]]:
    """(path suffix, sub-schema) for what a property may hold: itself, union members, items, values."""
    yield "", node
    for member in node.get("anyOf", []) + node.get("oneOf", []):
        yield from _children(member)
    if isinstance(node.get("items"), dict):
        yield from ((f"[]{rest}", sub) for rest, sub in _children(node["items"]))
    if isinstance(node.get("additionalProperties"), dict):
        yield from ((f".<key>{rest}", sub) for rest, sub in _children(node["additionalProperties"]))


def _places(schema: Schema) -> dict[str, str]:
    """The first dotted place in a scenario where each definition is found (``Tour`` -> ``tour``)."""
    places: dict[str, str] = {}
    queue: list[tuple[str, Schema]] = [("", schema)]
    while queue:
        where, model = queue.pop(0)
        for name, prop in model.get("properties", {}).items():
            for suffix, sub in _children(prop):
                target = _ref_name(sub)
                if target and target not in places:
                    places[target] = f"{where}{'.' if where else ''}{name}{suffix}"
                    queue.append((places[target], schema["$defs"][target]))
    return places


def _properties(schema: Schema) -> Iterator[tuple[str, str, Schema]]:
    """(definition, dotted place of the property in a scenario, property schema) for every property."""
    places = _places(schema)
    models = [("Scenario", "", schema)] + [(name, places.get(name, "?"), d) for name, d in schema["$defs"].items()]
    for model, where, definition in models:
        for name, prop in definition.get("properties", {}).items():
            yield model, f"{where}{'.' if where else ''}{name}", prop


def _kinds(prop: Schema) -> set[str]:
    kinds: set[str] = set()
    for _, sub in _children(prop):
        if sub.get("type") in ("number", "integer"):
            kinds.add("number")
        if sub.get("pattern") in (DURATION_PATTERN, QUANTITY_PATTERN) or _ref_name(sub) in {"Fixed", "Uniform"}:
            kinds.add("duration")
    return kinds


def _problems(schema: Schema) -> list[str]:
    problems = []
    for model, place, prop in _properties(schema):
        field = f"{model}.{place.rsplit('.', 1)[-1]} (scenario key {place})"
        description = prop.get("description", "").strip()
        if not description:
            problems.append(f"{field}: no description; add Field(description=...) saying what it means and its unit")
            continue
        meaning = BOUND_CLAUSE.sub("", description).strip(" ;,")
        if not meaning:
            problems.append(f"{field}: the description states only a bound ({description!r}), not what the field means")
        kinds = _kinds(prop)
        if kinds and not UNIT_WORDS.search(meaning):
            problems.append(
                f"{field}: a {'/'.join(sorted(kinds))} field whose description names no unit outside its bounds "
                f"(days, months, years, per ..., share 0-1, probability, number of ..., currency, index): "
                f"{description!r}"
            )
        if "default" in prop and DEFAULT_SOURCE not in description:
            problems.append(
                f"{field}: has a default ({json.dumps(prop['default'])[:40]}) but its description does not say where "
                f"it comes from ('{DEFAULT_SOURCE}<source>' or '{DEFAULT_SOURCE}assumption'): {description!r}"
            )
    return problems


def test_every_property_of_the_schema_says_what_it_means_its_unit_and_its_default(
    run_cli: Callable[..., CliResult],
) -> None:
    code, out, err = run_cli("schema")
    assert code == 0, err
    schema = json.loads(out)
    assert len(list(_properties(schema))) > 150  # the walk reaches every model, not just the top level
    problems = _problems(schema)
    assert not problems, f"{len(problems)} schema field(s) lack documentation:\n" + "\n".join(problems)


def test_the_check_names_the_field_and_what_it_lacks() -> None:
    """The check itself can fail: a schema with undocumented fields is reported field by field."""
    schema: Schema = {
        "properties": {"tour": {"$ref": "#/$defs/Tour", "description": "tours; default: assumption", "default": {}}},
        "$defs": {
            "Tour": {
                "properties": {
                    "length": {"anyOf": [{"type": "number"}, {"type": "string", "pattern": DURATION_PATTERN}]},
                    "overlap": {"type": "number", "default": 7, "description": "at most 1 year"},
                    "lead": {"type": "number", "default": 3, "description": "how long ahead; default: assumption"},
                }
            }
        },
    }
    problems = _problems(schema)
    assert any(p.startswith("Tour.length (scenario key tour.length): no description") for p in problems), problems
    assert any("Tour.overlap" in p and "only a bound" in p for p in problems), problems
    assert any("Tour.overlap" in p and "default" in p and "comes from" in p for p in problems), problems
    assert any("Tour.lead" in p and "names no unit" in p for p in problems), problems
    assert len(problems) == 5, problems  # overlap: bound only, no unit, no default source; length; lead
