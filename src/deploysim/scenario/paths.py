"""Dotted paths into a scenario's data, checked against the schema before anything runs.

A sweep or a run changes scenario fields named on the command line (``recruitment.roster.size``,
``teams.Team 1 Osh city.posts.adviser``, ``teams.0.min_manning.adviser``). A misspelt path must
fail at once, naming the path and listing the keys that are valid at that level, rather than after
an hour of runs or, worse, as a silently ignored key. Paths are checked by walking the pydantic
schema (``schema_walk``: whatever fields it has today; nothing here lists fields by hand) alongside
the data:

* a model field must exist in the schema; a field the file leaves out takes its schema default;
* a list item is chosen by index or by its ``name`` (names may contain dots), or all of them by
  ``*`` (``teams.*.posts.adviser``: one change to every team, see :func:`expand_wildcards`);
* a key of a free-form mapping (posts by role, costs by role) must already be in the file, so a
  misspelt role is an error rather than a new role; add the key to the file to sweep a new one;
* a distribution written compactly (``triangular(7, 14, 28) d``) can be entered, e.g.
  ``recruitment.selection.mode``: it is expanded to its mapping form first.

:func:`parse_changes` reads ``PATH=VALUE`` strings, :func:`check_path` checks one path and
:func:`apply_overrides` returns a changed deep copy. Errors name where the paths came from
(``origin``): ``--set`` unless the caller says otherwise.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from deploysim.errors import ScenarioError, UsageError
from deploysim.scenario.schema_walk import ROOT, SchemaNode, field_node, item_node, model_node
from deploysim.scenario.yaml_file import describe_value, parse_value

SOURCE = "--set"
Key = str | int


def parse_changes(assignments: Iterable[str], origin: str = "assignments") -> dict[str, Any]:
    """``PATH=VALUE`` strings as changes for :func:`apply_overrides` (the last of a repeated path wins).

    VALUE is read as YAML (``20``, ``0.5``, ``3 w``, ``true``, ``{dist: fixed, value: 3}``), never
    evaluated, with the limits of a scenario file (size, nesting, alias expansion, plain data only); an
    empty VALUE is the empty string. A UsageError names ``origin`` and the string.
    """
    changes: dict[str, Any] = {}
    for item in assignments:
        path, sep, text = item.partition("=")
        if not sep or not path.strip():
            raise UsageError(f"{origin} {item!r}: expected PATH=VALUE, e.g. recruitment.roster.size=20")
        try:
            changes[path.strip()] = parse_value(text, "the value") if text.strip() else text
        except ScenarioError as exc:  # the file's limits apply: size, nesting, aliases, plain data only
            shown, value = describe_value(item), describe_value(text)
            raise UsageError(f"{origin} {shown}: cannot read the value {value}: {exc.message}") from None
    return changes


def _field_adapter(info: FieldInfo) -> TypeAdapter[Any]:
    """Validator for one field's value alone, with its before/after validators (e.g. '17 d' parsing)."""
    return TypeAdapter(info.rebuild_annotation())


def _keys_text(keys: list[str]) -> str:
    return ", ".join(keys) if keys else "(none)"


@dataclass
class _Walk:
    """Where a walk along a path has got to: the schema node and the data value there, the container
    and key that hold that value (for the final assignment), and the path so far for messages."""

    node: SchemaNode
    value: Any
    create: bool
    origin: str
    container: Any = None
    key: Key = ""
    written: list[str] = field(default_factory=list)  # segments as the path wrote them
    resolved: list[Key] = field(default_factory=list)  # the same with list items as indices

    def where(self) -> str:
        return ".".join(self.written) or "the top level"

    def error(self, message: str, segment: str | None = None) -> ScenarioError:
        """An error at the path so far, or at ``segment`` below it (the one that went wrong)."""
        written = self.written if segment is None else [*self.written, segment]
        return ScenarioError(self.origin, message, ".".join(written))

    def descend(self, node: SchemaNode, value: Any, container: Any, key: Key, written: str) -> None:
        self.node, self.value, self.container, self.key = node, value, container, key
        self.written.append(written)
        self.resolved.append(key)


def _expand_union(walk: _Walk) -> tuple[dict[str, Any], type[BaseModel]]:
    """A compactly written value of a union of models (a distribution) as its mapping, and its model."""
    info, value = walk.node.field, walk.value
    raw = dict(value) if isinstance(value, Mapping) else value
    if info is None:
        raise walk.error("cannot look inside this value")
    try:
        model = _field_adapter(info).validate_python(raw)
    except Exception as exc:  # the file's own value is invalid: report it where it is
        raise walk.error(f"cannot look inside the current value {value!r}: {exc}") from None
    if not isinstance(model, BaseModel):
        raise walk.error(f"{value!r} has no fields to set")
    dumped = model.model_dump(mode="python", exclude_unset=False)
    return dumped, type(model)


def _default_value(info: FieldInfo | None) -> Any:
    """The schema default of a field the file leaves out, as plain data (or ``{}`` for a model)."""
    if info is None:
        return {}
    default = info.get_default(call_default_factory=True)
    if default is PydanticUndefined or default is None:  # None: an optional group; setting inside creates it
        return {}
    if isinstance(default, BaseModel):
        return default.model_dump(mode="python", exclude_unset=True)
    return copy.deepcopy(default)


def _list_index(segments: list[str], i: int, items: list[Any], walk: _Walk) -> tuple[int, int]:
    """Index of the list item named by segments[i:] (an index or a name that may contain dots), and
    how many segments the name used."""
    text = segments[i]
    if text.lstrip("-").isdigit():
        index = int(text)
        if 0 <= index < len(items):
            return index, 1
        raise walk.error(
            f"index {index} is out of range; {walk.where()} has {len(items)} items (0-{len(items) - 1})"
        )
    names = [item.get("name") if isinstance(item, Mapping) else None for item in items]
    for take in range(len(segments) - i, 0, -1):  # longest match first: names may contain dots
        candidate = ".".join(segments[i : i + take])
        if candidate in names:
            return names.index(candidate), take
    valid = [str(n) for n in names if n is not None]
    raise walk.error(
        f"no item named {text!r} in {walk.where()}; use an index 0-{len(items) - 1} or a name: {_keys_text(valid)}"
    )


# One step per kind of schema node; each returns how many path segments it used.


def _union_step(walk: _Walk, segments: list[str], i: int) -> int:
    """Enter a distribution: its mapping form replaces a compact value when the walk creates."""
    expanded, model = _expand_union(walk)
    if walk.create:
        walk.container[walk.key] = expanded
    walk.node, walk.value = model_node(model), expanded
    return 0


def _model_step(walk: _Walk, segments: list[str], i: int) -> int:
    segment = segments[i]
    child = field_node(walk.node, segment)
    if child is None:
        keys = _keys_text(list(walk.node.fields))
        raise walk.error(f"unknown key {segment!r}; valid keys at {walk.where()}: {keys}", segment)
    value = walk.value
    grouped = child.kind in ("model", "union")
    if segment not in value or (value[segment] is None and grouped):
        child_value = _default_value(child.field) if grouped else None
        if walk.create:
            value[segment] = child_value
    else:
        child_value = value[segment]
    walk.descend(child, child_value, value, segment, segment)
    return 1


def _list_step(walk: _Walk, segments: list[str], i: int) -> int:
    items = walk.value if isinstance(walk.value, list) else []
    if not items:
        raise walk.error(f"{walk.where()} has no items to choose from")
    index, take = _list_index(segments, i, items, walk)
    walk.descend(item_node(walk.node), items[index], items, index, ".".join(segments[i : i + take]))
    return take


def _dict_step(walk: _Walk, segments: list[str], i: int) -> int:
    segment = segments[i]
    mapping = walk.value if isinstance(walk.value, Mapping) else {}
    if segment not in mapping:
        raise walk.error(
            f"no key {segment!r} in {walk.where()} (keys in the scenario: {_keys_text(list(mapping))}); "
            "to sweep a new key, add it to the scenario file first",
            segment,
        )
    walk.descend(item_node(walk.node), mapping[segment], mapping, segment, segment)
    return 1


def _leaf_step(walk: _Walk, segments: list[str], i: int) -> int:
    raise walk.error(f"{walk.where()} is a single value; it has no field {segments[i]!r}", segments[i])


def _step(walk: _Walk, segments: list[str], i: int) -> int:
    match walk.node.kind:
        case "union":
            return _union_step(walk, segments, i)
        case "model":
            return _model_step(walk, segments, i)
        case "list":
            return _list_step(walk, segments, i)
        case "dict":
            return _dict_step(walk, segments, i)
        case "leaf":
            return _leaf_step(walk, segments, i)
        case unknown:
            typing.assert_never(unknown)


def _segments(path: str, origin: str) -> list[str]:
    segments = [s.strip() for s in path.split(".")]
    if not path.strip() or any(not s for s in segments):
        raise ScenarioError(origin, f"{path!r} is not a dotted path such as recruitment.roster.size", path)
    return segments


def _walk_segments(data: dict[str, Any], segments: list[str], create: bool, origin: str) -> _Walk:
    walk = _Walk(ROOT, data, create, origin)
    i = 0
    while i < len(segments):
        i += _step(walk, segments, i)
    return walk


def expand_wildcards(data: dict[str, Any], path: str, origin: str = SOURCE) -> list[str]:
    """The paths a path with ``*`` over list items stands for: ``teams.*.posts.adviser`` is
    ``teams.0.posts.adviser``, ``teams.1.posts.adviser``, ... (one lever setting every team's
    advisers). A ``*`` must stand where the schema has a list. Items where the rest of the path does
    not exist (a headquarters without advisers) are left out; when no item has it, the first item's
    error is raised, so a misspelt field still fails at once. A path without ``*`` is returned as is."""
    segments = _segments(path, origin)
    if "*" not in segments:
        return [path]
    star = segments.index("*")
    prefix, rest = segments[:star], segments[star + 1 :]
    if not prefix:
        raise ScenarioError(origin, "'*' stands for the items of a list, such as teams.*; not for top-level keys",
                            path)
    walk = _walk_segments(_unshared_copy(data), prefix, create=False, origin=origin)
    if walk.node.kind != "list" or not isinstance(walk.value, list):
        raise ScenarioError(origin, f"'*' stands for list items, and {walk.where()} is not a list", path)
    if not walk.value:
        raise ScenarioError(origin, f"{walk.where()} has no items for '*' to stand for", path)
    head = ".".join(walk.written)
    expanded: list[str] = []
    first_error: ScenarioError | None = None
    for index in range(len(walk.value)):
        try:
            items = expand_wildcards(data, ".".join([head, str(index), *rest]), origin)
            for each in items:
                _walk(_unshared_copy(data), each, create=False, origin=origin)
        except ScenarioError as exc:  # an item without the key (the HQ has no advisers) is not set
            first_error = first_error or exc
            continue
        expanded += items
    if not expanded:
        assert first_error is not None
        raise first_error
    return expanded


def _walk(data: dict[str, Any], path: str, create: bool, origin: str) -> tuple[Any, Key, tuple[Key, ...]]:
    """Walk ``path`` through ``data`` and the schema. Returns (container, last key, resolved keys).

    With ``create`` the walk fills in the parts the file leaves out (schema defaults, expanded
    distributions) so that the final assignment lands in a complete structure.
    """
    walk = _walk_segments(data, _segments(path, origin), create, origin)
    node = walk.node
    if node.kind in ("model", "list", "dict"):
        what = {"model": "a group of settings", "list": "a list", "dict": "a mapping"}[node.kind]
        inside = f" ({_keys_text(list(node.fields))})" if node.kind == "model" else ""
        raise ScenarioError(origin, f"is {what}{inside}; name one value inside it", path)
    return walk.container, walk.key, tuple(walk.resolved)


def _unshared_copy(value: Any) -> Any:
    """A deep copy that never shares: YAML anchors and merge keys make teams share one ``posts`` dict,
    and ``copy.deepcopy`` would keep that sharing, so setting one team's posts would set them all."""
    if isinstance(value, Mapping):
        return {key: _unshared_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unshared_copy(item) for item in value]
    return copy.copy(value)


def check_path(data: dict[str, Any], path: str, origin: str = SOURCE) -> tuple[Key, ...]:
    """Check ``path`` against the schema and the scenario data; returns the resolved keys.

    Raises :class:`ScenarioError` (source ``origin``) naming the path and the valid keys at the
    level where it went wrong.
    """
    resolved: tuple[Key, ...] = ()
    for each in expand_wildcards(data, path, origin):
        _, _, resolved = _walk(_unshared_copy(data), each, create=False, origin=origin)
    return resolved


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any], origin: str = SOURCE) -> dict[str, Any]:
    """A deep copy of ``data`` with each dotted path set to its value; ``data`` is left untouched."""
    changed: dict[str, Any] = _unshared_copy(data)
    for path, value in overrides.items():
        for each in expand_wildcards(data, path, origin):
            container, key, _ = _walk(changed, each, create=True, origin=origin)
            container[key] = value
    return changed
