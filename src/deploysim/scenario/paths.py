"""Dotted paths into a scenario's data, checked against the schema before anything runs.

A sweep changes scenario fields named on the command line (``recruitment.roster.size``,
``teams.Team 1 Osh city.posts.adviser``, ``teams.0.min_manning.adviser``). A misspelt path must
fail at once, naming the path and listing the keys that are valid at that level, rather than after
an hour of runs or, worse, as a silently ignored key. Paths are checked by walking the pydantic
schema (whatever fields it has today; nothing here lists fields by hand) alongside the data:

* a model field must exist in the schema; a field the file leaves out takes its schema default;
* a list item is chosen by index or by its ``name`` (names may contain dots);
* a key of a free-form mapping (posts by role, costs by role) must already be in the file, so a
  misspelt role is an error rather than a new role; add the key to the file to sweep a new one;
* a distribution written compactly (``triangular(7, 14, 28) d``) can be entered, e.g.
  ``recruitment.selection.mode``: it is expanded to its mapping form first.

:func:`apply_overrides` returns a changed deep copy; :func:`validate_point` validates the result
with the scenario loader, so design points get the same messages as scenario files.
"""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from deploysim.errors import ScenarioError
from deploysim.scenario.load import validate_scenario
from deploysim.scenario.schema import Scenario

SOURCE = "--set"
Key = str | int


@dataclass(frozen=True)
class _Node:
    """What the schema says lives at one place: a model, a union of models, a list, a mapping or a leaf."""

    kind: str  # "model", "union", "list", "dict", "leaf"
    models: tuple[type[BaseModel], ...] = ()
    item: Any = None  # annotation of list items or mapping values
    field: FieldInfo | None = None  # the field this node came from, for defaults and validators


def _strip(annotation: Any) -> Any:
    """Remove ``Annotated[...]`` and ``| None`` wrappers: a path walks through both."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _node(annotation: Any, field: FieldInfo | None = None) -> _Node:
    annotation = _strip(annotation)
    origin = typing.get_origin(annotation)
    if _is_model(annotation):
        return _Node("model", (annotation,), field=field)
    if origin in (typing.Union, types.UnionType):
        members = tuple(_strip(a) for a in typing.get_args(annotation) if a is not type(None))
        if members and all(_is_model(m) for m in members):
            return _Node("union", members, field=field)
        return _Node("leaf", field=field)
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        return _Node("list", item=item, field=field)
    if origin is dict:
        args = typing.get_args(annotation)
        return _Node("dict", item=args[1] if len(args) == 2 else Any, field=field)
    return _Node("leaf", field=field)


def _field_adapter(field: FieldInfo) -> TypeAdapter[Any]:
    """Validator for one field's value alone, with its before/after validators (e.g. '17 d' parsing)."""
    return TypeAdapter(typing.Annotated[field.annotation, *field.metadata])


def _keys_text(keys: list[str]) -> str:
    return ", ".join(keys) if keys else "(none)"


def _where(done: list[str]) -> str:
    return ".".join(done) or "the top level"


def _expand_union(value: Any, node: _Node, done: list[str]) -> tuple[dict[str, Any], type[BaseModel]]:
    """A compactly written value of a union of models (a distribution) as its mapping, and its model."""
    field = node.field
    raw = dict(value) if isinstance(value, Mapping) else value
    if field is None:
        raise ScenarioError(SOURCE, "cannot look inside this value", ".".join(done))
    try:
        model = _field_adapter(field).validate_python(raw)
    except Exception as exc:  # the file's own value is invalid: report it where it is
        raise ScenarioError(SOURCE, f"cannot look inside the current value {value!r}: {exc}", ".".join(done)) from None
    if not isinstance(model, BaseModel):
        raise ScenarioError(SOURCE, f"{value!r} has no fields to set", ".".join(done))
    dumped = model.model_dump(mode="python", exclude_unset=False)
    return dumped, type(model)


def _default_value(field: FieldInfo | None) -> Any:
    """The schema default of a field the file leaves out, as plain data (or ``{}`` for a model)."""
    if field is None:
        return {}
    if field.default is not PydanticUndefined:
        default = field.default
    elif field.default_factory is not None:
        default = field.default_factory()  # type: ignore[call-arg]
    else:
        return {}
    if default is None:  # an optional group the file leaves out: setting a value inside creates it
        return {}
    if isinstance(default, BaseModel):
        return default.model_dump(mode="python", exclude_unset=True)
    return copy.deepcopy(default)


def _list_index(segments: list[str], i: int, items: list[Any], done: list[str]) -> tuple[int, int]:
    """Index of the list item named by segments[i:] (an index or a name that may contain dots), and
    how many segments the name used."""
    text = segments[i]
    if text.lstrip("-").isdigit():
        index = int(text)
        if 0 <= index < len(items):
            return index, 1
        raise ScenarioError(
            SOURCE, f"index {index} is out of range; {_where(done)} has {len(items)} items (0-{len(items) - 1})",
            ".".join(done),
        )
    names = [item.get("name") if isinstance(item, Mapping) else None for item in items]
    for take in range(len(segments) - i, 0, -1):  # longest match first: names may contain dots
        candidate = ".".join(segments[i : i + take])
        if candidate in names:
            return names.index(candidate), take
    valid = [str(n) for n in names if n is not None]
    raise ScenarioError(
        SOURCE,
        f"no item named {text!r} in {_where(done)}; use an index 0-{len(items) - 1} or a name: {_keys_text(valid)}",
        ".".join(done),
    )


def _walk(data: dict[str, Any], path: str, create: bool) -> tuple[Any, Key, tuple[Key, ...]]:
    """Walk ``path`` through ``data`` and the schema. Returns (container, last key, resolved keys).

    With ``create`` the walk fills in the parts the file leaves out (schema defaults, expanded
    distributions) so that the final assignment lands in a complete structure.
    """
    segments = [s.strip() for s in path.split(".")]
    if not path.strip() or any(not s for s in segments):
        raise ScenarioError(SOURCE, f"{path!r} is not a dotted path such as recruitment.roster.size", path)
    node = _Node("model", (Scenario,))
    value: Any = data
    done: list[str] = []
    resolved: list[Key] = []
    container: Any = None
    key: Key = ""
    i = 0
    while i < len(segments):
        segment = segments[i]
        if node.kind == "union":
            expanded, model = _expand_union(value, node, done)
            if create:
                container[key] = expanded
            value = expanded
            node = _Node("model", (model,))
        if node.kind == "model":
            model = node.models[0]
            fields = model.model_fields
            if segment not in fields:
                raise ScenarioError(
                    SOURCE,
                    f"unknown key {segment!r}; valid keys at {_where(done)}: {_keys_text(list(fields))}",
                    ".".join([*done, segment]),
                )
            field = fields[segment]
            container, key = value, segment
            child = _node(field.annotation, field)
            if segment not in value or (value[segment] is None and child.kind in ("model", "union")):
                default = _default_value(field) if child.kind in ("model", "union") else None
                if create:
                    value[segment] = default
                child_value = default
            else:
                child_value = value[segment]
            node, value = child, child_value
            done.append(segment)
            resolved.append(segment)
            i += 1
        elif node.kind == "list":
            items = value if isinstance(value, list) else []
            if not items:
                raise ScenarioError(SOURCE, f"{_where(done)} has no items to choose from", ".".join(done))
            index, take = _list_index(segments, i, items, done)
            container, key = items, index
            node, value = _node(node.item), items[index]
            done.append(".".join(segments[i : i + take]))
            resolved.append(index)
            i += take
        elif node.kind == "dict":
            mapping = value if isinstance(value, Mapping) else {}
            if segment not in mapping:
                raise ScenarioError(
                    SOURCE,
                    f"no key {segment!r} in {_where(done)} (keys in the scenario: {_keys_text(list(mapping))}); "
                    "to sweep a new key, add it to the scenario file first",
                    ".".join([*done, segment]),
                )
            container, key = mapping, segment
            node, value = _node(node.item), mapping[segment]
            done.append(segment)
            resolved.append(segment)
            i += 1
        else:
            raise ScenarioError(
                SOURCE, f"{_where(done)} is a single value; it has no field {segment!r}", ".".join([*done, segment])
            )
    if node.kind in ("model", "list", "dict"):
        what = {"model": "a group of settings", "list": "a list", "dict": "a mapping"}[node.kind]
        inside = f" ({_keys_text(list(node.models[0].model_fields))})" if node.kind == "model" else ""
        raise ScenarioError(SOURCE, f"is {what}{inside}; name one value inside it", path)
    return container, key, tuple(resolved)


def _unshared_copy(value: Any) -> Any:
    """A deep copy that never shares: YAML anchors and merge keys make teams share one ``posts`` dict,
    and ``copy.deepcopy`` would keep that sharing, so setting one team's posts would set them all."""
    if isinstance(value, Mapping):
        return {key: _unshared_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unshared_copy(item) for item in value]
    return copy.copy(value)


def check_path(data: dict[str, Any], path: str) -> tuple[Key, ...]:
    """Check ``path`` against the schema and the scenario data; returns the resolved keys.

    Raises :class:`ScenarioError` (source ``--set``) naming the path and the valid keys at the
    level where it went wrong.
    """
    _, _, resolved = _walk(_unshared_copy(data), path, create=False)
    return resolved


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``data`` with each dotted path set to its value; ``data`` is left untouched."""
    changed = _unshared_copy(data)
    for path, value in overrides.items():
        container, key, _ = _walk(changed, path, create=True)
        container[key] = value
    return changed


def validate_point(data: dict[str, Any], overrides: Mapping[str, Any], point: int) -> Scenario:
    """The scenario of one design point; a ScenarioError names the point, its values and the field."""
    source = f"design point {point} ({', '.join(f'{p}={v}' for p, v in overrides.items())})"
    return validate_scenario(apply_overrides(data, overrides), source)
