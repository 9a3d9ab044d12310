"""The JSON Schema's pattern for duration strings accepts what the parser accepts, so an editor flags
``6 weks`` as the planner types it, and every duration in the shipped scenarios passes."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

import jsonschema
import pytest
from pydantic import Field, TypeAdapter, ValidationError

from deploysim.scenario.durations import DURATION_PATTERN, QUANTITY_PATTERN, Days, Duration
from deploysim.scenario.schema import Scenario
from deploysim.scenario.shipped import shipped_names, shipped_path
from deploysim.scenario.yaml_file import read_scenario_file

ACCEPTED = [
    "17 d", "17d", "17", " 6 w ", "6 W", "6 wk", "6 weeks", "1 week", "4 months", "4 Months", "4 mo", "4 m",
    "1 month", "2 y", "2 yr", "1 year", "2 years", "3 day", "3 days", "0.5 d", ".5 d", "1e1 d", "+3 d",
    "triangular(7, 14, 28) d", "Triangular( 7 ,14,28 )d", "uniform(0, 6) months", "exponential(1.5) d",
    "exponential(1.5)", "lognormal(40, 10) d", "gamma(30, 10) w", "fixed(3) w", "empirical(1, 2, 3) d",
    "empirical(5)", "EMPIRICAL(1,2) years",
]
REFUSED = [
    "6 weks", "6 wks", "6 dd", "4 mnths", "two weeks", "d", "", "1 2 d", "-3 d", "6 w w",
    "triangle(7, 14, 28) d", "triangular(7, 14) d", "triangular(7, 14, 28, 30) d", "uniform(0) d",
    "exponential(1, 2) d", "normal(40, 10) d", "uniform(0, 6) weks", "uniform(0, six) d", "empirical() d",
    "uniform(0, 6", "lognormal(40, 10) d extra",
]
DURATION: TypeAdapter[Any] = TypeAdapter(Duration)
DAYS: TypeAdapter[float] = TypeAdapter(Annotated[Days, Field(ge=0)])  # as every Days field: none is negative


def _parses(adapter: TypeAdapter[Any], text: str) -> bool:
    try:
        adapter.validate_python(text)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("text", ACCEPTED)
def test_the_pattern_accepts_what_the_parser_accepts(text: str) -> None:
    assert _parses(DURATION, text), f"the parser refuses {text!r}: fix the example"
    assert re.match(DURATION_PATTERN, text), f"the schema pattern refuses {text!r}, which the parser accepts"


@pytest.mark.parametrize("text", REFUSED)
def test_the_pattern_refuses_what_the_parser_refuses(text: str) -> None:
    assert not _parses(DURATION, text), f"the parser accepts {text!r}: fix the example"
    assert not re.match(DURATION_PATTERN, text), f"the schema pattern accepts {text!r}, which the parser refuses"


@pytest.mark.parametrize("text", [t for t in ACCEPTED + REFUSED if "(" not in t])
def test_the_fixed_days_pattern_agrees_with_its_parser(text: str) -> None:
    assert bool(re.match(QUANTITY_PATTERN, text)) == _parses(DAYS, text), text
    assert not re.match(QUANTITY_PATTERN, "triangular(7, 14, 28) d")  # a fixed setting takes no distribution


def _as_json(name: str) -> dict[str, Any]:
    data, _ = read_scenario_file(shipped_path(name))  # type: ignore[arg-type]
    return json.loads(json.dumps(data, default=str))  # dates as the ISO strings an editor sees


SCHEMA = Scenario.model_json_schema()


def _branches(node: dict[str, Any]) -> list[dict[str, Any]]:
    """A schema node with its ``$ref`` resolved and its ``anyOf`` members spread out."""
    if "$ref" in node:
        return _branches(SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[-1]])
    return [b for member in node["anyOf"] for b in _branches(member)] if "anyOf" in node else [node]


def _duration_strings(data: Any, node: dict[str, Any]) -> list[str]:
    """Every string in ``data`` that the schema ``node`` types as a duration or a number of days."""
    found = []
    for branch in _branches(node):
        if isinstance(data, str) and branch.get("pattern") in (DURATION_PATTERN, QUANTITY_PATTERN):
            found.append(data)
        elif isinstance(data, dict) and branch.get("type") == "object":
            for key, value in data.items():
                sub = branch.get("properties", {}).get(key) or branch.get("additionalProperties")
                found += _duration_strings(value, sub) if isinstance(sub, dict) else []
        elif isinstance(data, list) and branch.get("type") == "array":
            found += [text for item in data for text in _duration_strings(item, branch["items"])]
    return found


@pytest.mark.parametrize("name", shipped_names())
def test_every_shipped_scenario_passes_the_schema_an_editor_uses(name: str) -> None:
    data = _as_json(name)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = [f"{list(e.absolute_path)}: {e.message[:120]}" for e in validator.iter_errors(data)]
    assert not errors, errors
    durations = _duration_strings(data, SCHEMA)
    assert len(durations) >= 3, f"the walk found too few duration strings: {durations}"
    unmatched = [text for text in durations if not re.match(DURATION_PATTERN, text)]
    assert not unmatched, unmatched


def test_an_editor_flags_a_misspelt_unit_at_its_field() -> None:
    data = _as_json("kyrgyzstan-2010")
    data.setdefault("tour", {})["length"] = "6 weks"
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data))
    assert [list(e.absolute_path) for e in errors] == [["tour", "length"]]
