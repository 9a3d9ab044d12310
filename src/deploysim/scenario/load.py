"""Reading scenario files safely and turning every mistake into one line a planner can act on.

A scenario file is data: it is size-bounded, parsed with the safe loader, its nesting is bounded
while parsing, and its node graph is measured before construction so that an alias bomb (or an
alias that contains itself) is refused instead of eating memory; a key written twice is an error
rather than a silently dropped value. Errors are one line naming the file, the dotted field path
and the YAML line of the offending value, in the planner's words rather than pydantic's.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from deploysim.errors import ScenarioError
from deploysim.scenario.schema import Scenario

MAX_FILE_BYTES = 1_000_000
MAX_EXPANDED_NODES = 200_000
MAX_DEPTH = 64  # nesting as written; scenarios need about 5 levels

LineMap = dict[tuple[str, ...], int]
_PATH_PREFIX = re.compile(r"^([A-Za-z_][\w]*(?:\.[\w-]+)*): (.*)$", re.DOTALL)


class _SafeLoader(yaml.SafeLoader):
    """The safe loader with nesting bounded while composing (no RecursionError on ``[[[[...``) and
    values Python cannot represent (``2010-02-30``, a 5,000-digit number) reported at their line."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, f"nesting deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.constructor.ConstructorError as exc:  # e.g. a !!python tag: remember where
            if not hasattr(exc, "node"):
                exc.node = node  # type: ignore[attr-defined]
            raise
        except (ValueError, OverflowError) as exc:
            what = _describe(node.value) if isinstance(node, yaml.ScalarNode) else "this value"
            reason = "too many digits" if "int_max_str_digits" in str(exc) else str(exc)
            error = yaml.constructor.ConstructorError(None, None, f"cannot read {what}: {reason}", node.start_mark)
            error.node = node  # type: ignore[attr-defined]
            raise error from None


def _yaml_error(exc: yaml.YAMLError, source: str, root: yaml.Node | None = None) -> ScenarioError:
    """One line from PyYAML's multi-line messages, at the line of the problem."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return ScenarioError(source, f"malformed YAML: {exc}")
    mark = exc.problem_mark or exc.context_mark
    problem = ": ".join(str(part) for part in (exc.context, exc.problem) if part)
    start = exc.context_mark
    if exc.context and exc.problem and start and mark and start.line != mark.line:
        problem = f"{exc.problem} ({exc.context} started on line {start.line + 1})"
    if isinstance(exc, yaml.constructor.ConstructorError):
        if "constructor for the tag" in problem:
            problem += "; scenario files hold plain data only"
        node = getattr(exc, "node", None)
        path = _path_of(root, node) if root is not None and node is not None else None
        return ScenarioError(source, problem, ".".join(path or ()), mark.line + 1 if mark else None)
    return ScenarioError(source, f"malformed YAML: {problem}", line=mark.line + 1 if mark else None)


def _path_of(root: yaml.Node, target: yaml.Node) -> tuple[str, ...] | None:
    """Dotted path of ``target`` in the node graph (the first found), for errors raised while constructing."""
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((value, (*path, str(key.value))) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, str(i))) for i, item in enumerate(node.value))
    return None


def _expanded_size(root: yaml.Node) -> int:
    """Nodes the document would have once aliases are expanded, computed without expanding."""
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        if depth > 200:
            raise ValueError("nesting deeper than 200 levels once aliases are expanded")
        key = id(node)
        if key in memo:
            return memo[key]
        if key in active:
            raise ValueError("an alias refers to a structure that contains it")
        active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
        active.discard(key)
        memo[key] = total
        return total

    return size(root, 0)


def _line_map(node: yaml.Node, prefix: tuple[str, ...] = (), out: LineMap | None = None) -> LineMap:
    """Dotted path -> 1-based line of the value, so validation errors can point into the file."""
    out = {} if out is None else out
    out[prefix] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, str(key_node.value))
            out[key] = key_node.start_mark.line + 1
            _line_map(value_node, key, out)
            out[key] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, (*prefix, str(i)), out)
    return out


def _duplicate_key(root: yaml.Node) -> tuple[tuple[str, ...], int, int] | None:
    """The first key written twice in one mapping (path, line, first line): YAML keeps the last silently."""
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    if key in first:
                        return (*path, key), key_node.start_mark.line + 1, first[key]
                    first[key] = key_node.start_mark.line + 1
                stack.append((value_node, (*path, key)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, str(i))) for i, item in enumerate(node.value))
    return None


def _required_fields() -> str:
    return ", ".join(name for name, field in Scenario.model_fields.items() if field.is_required())


def parse_yaml(text: str, source: str) -> tuple[Any, LineMap]:
    """Parse YAML text into plain data and a line map; raises ScenarioError on any problem."""
    if len(text.encode()) > MAX_FILE_BYTES:
        raise ScenarioError(source, f"file is larger than {MAX_FILE_BYTES:,} bytes; scenario files are small")
    loader = _SafeLoader(text)
    node = None
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(source, f"the file is empty; a scenario needs at least {_required_fields()}")
        try:
            expanded = _expanded_size(node)
        except (ValueError, RecursionError) as exc:
            raise ScenarioError(source, f"YAML structure refused: {exc}") from None
        if expanded > MAX_EXPANDED_NODES:
            raise ScenarioError(
                source,
                f"YAML aliases expand to {expanded:,} nodes (limit {MAX_EXPANDED_NODES:,}); "
                "this looks like an alias bomb",
            )
        duplicate = _duplicate_key(node)
        if duplicate:
            path, line, first = duplicate
            raise ScenarioError(
                source, f"key {path[-1]!r} is written twice (first on line {first}); keep one", ".".join(path), line
            )
        lines = _line_map(node)  # before constructing: merge keys ('<<') are flattened in place
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source, node) from None
    finally:
        loader.dispose()
    return data, lines


def read_scenario_file(path: str | Path) -> tuple[Any, LineMap]:
    source = str(path)
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(source, f"file is {size:,} bytes, larger than the {MAX_FILE_BYTES:,} allowed")
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(source, "no such file") from None
    except IsADirectoryError:
        raise ScenarioError(source, "is a directory, not a scenario file") from None
    except PermissionError:
        raise ScenarioError(source, "permission denied") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(source, "is not UTF-8 text") from None
    return parse_yaml(text, source)


def _nearest_line(lines: LineMap, path: tuple[str, ...]) -> int | None:
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None


_DIST_TAGS = {"fixed", "uniform", "triangular", "exponential", "lognormal", "gamma", "empirical"}


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
        elif text in _DIST_TAGS or "[" in text or text.startswith("function"):
            continue
        elif isinstance(node, str | int | float):
            inner.append(text)
        else:
            parts.append(text)
            node = None
    return tuple(parts), tuple(inner)


def _strip(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if origin is typing.Annotated or (origin in (typing.Union, types.UnionType) and len(args) == 1):
            annotation = args[0]
        else:
            return annotation


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model that refused the last key of ``loc`` (pydantic's own location)."""
    annotation: Any = Scenario
    for part in loc[:-1]:
        annotation = _strip(annotation)
        origin = typing.get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if str(part) not in annotation.model_fields:
                return []
            annotation = annotation.model_fields[str(part)].annotation
        elif origin is list:
            annotation = typing.get_args(annotation)[0]
        elif origin is dict:
            annotation = typing.get_args(annotation)[1]
        elif origin in (typing.Union, types.UnionType):
            members = [
                m
                for m in typing.get_args(annotation)
                if isinstance(m, type)
                and issubclass(m, BaseModel)
                and "dist" in m.model_fields
                and part in typing.get_args(m.model_fields["dist"].annotation)
            ]
            if not members:
                return []
            annotation = members[0]
        else:
            return []
    annotation = _strip(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _describe(value: Any) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


_MAPPING = "expected a mapping of fields (indented 'key: value' lines)"
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
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "invalid_key": "a key must be a field name",
    "date_type": "expected a date such as 2010-07-22",
    "date_parsing": "expected a date such as 2010-07-22",
    "date_from_datetime_parsing": "expected a date such as 2010-07-22",
    "date_from_datetime_inexact": "expected a date such as 2010-07-22, without a time of day",
    "literal_error": "expected {expected}",
}


def _plain_message(error: Mapping[str, Any]) -> str:
    """pydantic's wording, translated into what a planner should write instead."""
    kind = error["type"]
    ctx = {k: _number(v) if isinstance(v, float) else v for k, v in (error.get("ctx") or {}).items()}
    if kind == "missing":
        return "required field is missing"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        need = ctx.get("min_length", 1)
        return f"needs at least {need} {'entry' if need == 1 else 'entries'}"
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        key = str(ctx.get("discriminator", "")).strip("'")
        tags = ", ".join(sorted(_DIST_TAGS)) if key == "dist" else str(ctx.get("expected_tags", "")).replace("'", "")
        what = "distribution" if key == "dist" else key
        if kind == "union_tag_invalid":
            return f"unknown {what} {ctx.get('tag')!r}; use one of {tags}"
        return f"a mapping here needs '{key}:' naming one of {tags}"
    if kind in _PLAIN:
        template = _PLAIN[kind]
        message = template.format(**ctx) if "{" in template else template
        return f"{message}, got {_describe(error.get('input'))}"
    message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if message.startswith("Input should be "):  # any pydantic wording not translated above
        return f"expected {message.removeprefix('Input should be ')}, got {_describe(error.get('input'))}"
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
    """The first problem of a ValidationError as a ScenarioError, with a count of the rest."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    raw_loc = tuple(first["loc"])
    loc, inner = _clean_loc(raw_loc, data)
    message = _plain_message(first)
    match = _PATH_PREFIX.match(message)
    if match and not loc:
        loc = tuple(match.group(1).split("."))
        message = match.group(2)
    if first["type"] == "extra_forbidden":
        message = _unknown_key(loc[-1], raw_loc) if loc else "unknown key"
    elif inner:
        message = f"{'.'.join(inner)} {message}"
    more = len(errors) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ScenarioError(source, message, ".".join(loc), _nearest_line(lines, loc))


def validate_scenario(data: Any, source: str, lines: LineMap | None = None) -> Scenario:
    lines = lines or {}
    if not isinstance(data, Mapping):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise ScenarioError(
            source,
            f"a scenario must be a mapping of fields ({_required_fields()}: ...), not {kind}",
            line=lines.get(()),
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, data, lines, source) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raises :class:`ScenarioError` with file, field and line."""
    data, lines = read_scenario_file(path)
    return validate_scenario(data, str(path), lines)
