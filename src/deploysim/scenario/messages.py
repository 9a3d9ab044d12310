"""pydantic's validation errors as one line a planner can act on.

A ValidationError lists every problem in pydantic's words at pydantic's locations, which include
parts the file never wrote (union tags, validator names). Each problem becomes one line at the
dotted path and line the planner wrote, in words that say what to write instead; an unknown key
comes with the closest allowed key or the list of them. A command that stops on a bad scenario
shows the first with a count of the rest; ``validate`` lists them all (``ScenarioError.problems``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from deploysim.errors import ScenarioError
from deploysim.scenario.base import RULE_ERROR
from deploysim.scenario.durations import DISTRIBUTIONS
from deploysim.scenario.schema_walk import node_at
from deploysim.scenario.yaml_file import LineMap, describe_value, nearest_line

# A rule that names its own field ("teams.0.unit: ...") when pydantic can only place it on the model.
_PATH_PREFIX = re.compile(r"^([A-Za-z_][\w]*(?:\.[\w-]+)*): (.*)$", re.DOTALL)

_MAPPING = "expected a mapping of fields (indented 'key: value' lines)"
_DATE = "expected a date such as 2010-07-22"
_PLAIN: dict[str, str] = {
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "finite_number": "must be a finite number",
    "dict_type": _MAPPING,
    "model_type": _MAPPING,
    "model_attributes_type": _MAPPING,
    "list_type": "expected a list (one '- ' item per line)",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "int_parsing_size": "expected a whole number of at most 4,300 digits",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "invalid_key": "a key must be a field name",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": f"{_DATE}, without a time of day",
    "literal_error": "expected {expected}",
    "string_too_long": "must be at most {max_length} characters long",
    "too_long": "can have at most {max_length} entries",
    "string_unicode": "expected text",
}
"""pydantic error types whose message is a fixed phrase (with pydantic's context filled in) and the input."""


def _clean_loc(loc: tuple[Any, ...], data: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split pydantic's location into the path as written in the file and the parts it adds itself.

    Union tags (e.g. 'fixed', 'function-after[...]') are dropped; parts below a value the file wrote
    as one scalar (``low`` of ``uniform(-1, 3) d``) are returned separately so the message can name them.
    """
    parts: list[str] = []
    inner: list[str] = []
    node = data
    for item in loc:
        text = str(item)
        if isinstance(node, Mapping) and text in node:
            parts.append(text)
            node = node[text]
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            parts.append(text)
            node = node[item]
        elif text in DISTRIBUTIONS or "[" in text or text.startswith("function"):
            continue
        elif isinstance(node, str | int | float):
            inner.append(text)
        else:
            parts.append(text)
            node = None
    return tuple(parts), tuple(inner)


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model that refused the last key of ``loc`` (pydantic's own location)."""
    node = node_at(loc[:-1])
    return list(node.fields) if node is not None else []


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) and abs(value) >= 1_000:
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _formatted(value: Any) -> bool:
    """Floats as ``1e+09``, and whole numbers from 1,000 up with thousands separators; small counts stay numbers."""
    big = isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1_000
    return isinstance(value, float) or big


def _union_tag_message(kind: str, ctx: Mapping[str, Any]) -> str:
    """A mapping of a tagged union (a distribution) without a known tag."""
    key = str(ctx.get("discriminator", "")).strip("'")
    tags = ", ".join(sorted(DISTRIBUTIONS)) if key == "dist" else str(ctx.get("expected_tags", "")).replace("'", "")
    what = "distribution" if key == "dist" else key
    if kind == "union_tag_invalid":
        return f"unknown {what} {ctx.get('tag')!r}; use one of {tags}"
    return f"a mapping here needs '{key}:' naming one of {tags}"


def _plain_message(error: Mapping[str, Any]) -> str:
    """pydantic's wording, translated into what a planner should write instead."""
    kind = error["type"]
    ctx = {k: _number(v) if _formatted(v) else v for k, v in (error.get("ctx") or {}).items()}
    if kind == "missing":
        return "required field is missing"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        need = ctx.get("min_length", 1)
        return f"needs at least {need} {'entry' if need == 1 else 'entries'}"
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        return _union_tag_message(kind, ctx)
    if kind == "string_unicode" and isinstance(error.get("input"), str):  # a lone surrogate, from a YAML escape
        return f"must be valid text; {describe_value(error['input'])} holds a lone surrogate (\\ud800-\\udfff)"
    if kind in _PLAIN:
        template = _PLAIN[kind]
        message = template.format(**ctx) if "{" in template else template
        return f"{message}, got {describe_value(error.get('input'))}"
    message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if message.startswith("Input should be "):  # any pydantic wording not translated above
        return f"expected {message.removeprefix('Input should be ')}, got {describe_value(error.get('input'))}"
    return message


def _unknown_key(key: str, raw_loc: tuple[Any, ...]) -> str:
    allowed = _allowed_keys(raw_loc)
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown key {key!r}; did you mean {close[0]!r}?"
    if allowed:
        return f"unknown key {key!r}; allowed here: {', '.join(allowed)}"
    return f"unknown key {key!r}"


def validation_error(exc: ValidationError, data: Any, lines: LineMap, source: str) -> ScenarioError:
    """The first problem of a ValidationError as a ScenarioError, with a count of the rest; every
    problem, one ScenarioError each, in its ``problems``."""
    problems: list[ScenarioError] = []
    for error in exc.errors(include_url=False):
        problem = _problem(error, data, lines, source)
        if all(str(problem) != str(seen) for seen in problems):  # union branches can repeat one mistake
            problems.append(problem)
    problems.sort(key=lambda problem: problem.line if problem.line is not None else 0)  # in the file's order
    first, more = problems[0], len(problems) - 1
    message = first.message + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")
    return ScenarioError(source, message, first.path, first.line, problems=tuple(problems))


def _problem(first: Mapping[str, Any], data: Any, lines: LineMap, source: str) -> ScenarioError:
    """One of pydantic's errors as a ScenarioError at the path and line the file wrote."""
    raw_loc = tuple(first["loc"])
    if first["type"] == RULE_ERROR:  # a rule across fields names its own place, below pydantic's
        raw_loc += tuple(first["ctx"]["path"])
    loc, inner = _clean_loc(raw_loc, data)
    message = first["ctx"]["message"] if first["type"] == RULE_ERROR else _plain_message(first)
    match = _PATH_PREFIX.match(message)
    if match and not loc:
        loc = tuple(match.group(1).split("."))
        message = match.group(2)
    if first["type"] == "extra_forbidden":
        message = _unknown_key(loc[-1], raw_loc) if loc else "unknown key"
    elif inner:
        message = f"{'.'.join(inner)} {message}"
    shown = ".".join(part if len(part) <= 60 else f"{part[:57]}..." for part in loc)  # a key can be any text
    return ScenarioError(source, message, shown, nearest_line(lines, loc))
