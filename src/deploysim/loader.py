"""Reading scenario files safely and turning every mistake into one line a planner can act on.

A scenario file is data: it is size-bounded, parsed with the safe loader, and its node graph is
measured before construction so that an alias bomb is refused instead of eating memory. Errors name
the file, the dotted field path and the YAML line of the offending value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from deploysim.scenario import Scenario

MAX_FILE_BYTES = 1_000_000
MAX_EXPANDED_NODES = 200_000

LineMap = dict[tuple[str, ...], int]
_PATH_PREFIX = re.compile(r"^([A-Za-z_][\w]*(?:\.[\w-]+)*): (.*)$", re.DOTALL)


class ScenarioError(Exception):
    """A problem in user input, reported as ``file:line: field.path: message``."""

    def __init__(self, source: str, message: str, path: str = "", line: int | None = None) -> None:
        self.source = source
        self.path = path
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


def _expanded_size(root: yaml.Node) -> int:
    """Nodes the document would have once aliases are expanded, computed without expanding."""
    memo: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        if depth > 200:
            raise ValueError("nesting deeper than 200 levels")
        key = id(node)
        if key in memo:
            return memo[key]
        memo[key] = 1  # guards against recursive aliases
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
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


def parse_yaml(text: str, source: str) -> tuple[Any, LineMap]:
    """Parse YAML text into plain data and a line map; raises ScenarioError on any problem."""
    if len(text.encode()) > MAX_FILE_BYTES:
        raise ScenarioError(source, f"file is larger than {MAX_FILE_BYTES:,} bytes; scenario files are small")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ScenarioError(source, f"malformed YAML: {exc.problem}", line=line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(source, f"malformed YAML: {exc}") from None
    if node is None:
        raise ScenarioError(source, "the file is empty; a scenario needs at least name, start_date, ...")
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
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(source, f"malformed YAML: {exc}") from None
    return data, _line_map(node)


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


def _clean_loc(loc: tuple[Any, ...], data: Any) -> tuple[str, ...]:
    """Drop pydantic's union tags (e.g. 'fixed', 'function-after[...]') that are not in the file."""
    parts: list[str] = []
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
        else:
            parts.append(text)
            node = None
    return tuple(parts)


def validation_error(exc: ValidationError, data: Any, lines: LineMap, source: str) -> ScenarioError:
    """The first problem of a ValidationError as a ScenarioError, with a count of the rest."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = _clean_loc(tuple(first["loc"]), data)
    message = str(first["msg"]).removeprefix("Value error, ")
    match = _PATH_PREFIX.match(message)
    if match and not loc:
        loc = tuple(match.group(1).split("."))
        message = match.group(2)
    if first["type"] == "extra_forbidden":
        message = f"unknown key {loc[-1]!r}" if loc else "unknown key"
    if first["type"] == "missing":
        message = "required field is missing"
    more = len(errors) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ScenarioError(source, message, ".".join(loc), _nearest_line(lines, loc))


def validate_scenario(data: Any, source: str, lines: LineMap | None = None) -> Scenario:
    lines = lines or {}
    if not isinstance(data, Mapping):
        raise ScenarioError(source, "a scenario must be a mapping of fields, not a single value", line=1)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, data, lines, source) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raises :class:`ScenarioError` with file, field and line."""
    data, lines = read_scenario_file(path)
    return validate_scenario(data, str(path), lines)
