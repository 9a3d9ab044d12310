"""What the schema says lives at each place in a scenario, read from the pydantic models themselves.

Two walks need it: dotted ``--set`` paths follow the data as written (``paths``), and messages
for unknown keys follow pydantic's error location to list the keys allowed there (``messages``).
Both step through the same nodes, so a field the schema gains is reachable by both with no list
to update.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from deploysim.scenario.schema import Scenario

NodeKind = Literal["model", "union", "list", "dict", "leaf"]


@dataclass(frozen=True)
class SchemaNode:
    """One place in the schema: a model, a union of models (a distribution), a list, a mapping or a leaf."""

    kind: NodeKind
    models: tuple[type[BaseModel], ...] = ()
    item: Any = None  # annotation of list items or mapping values
    field: FieldInfo | None = None  # the field this node came from, for defaults and validators

    @property
    def fields(self) -> dict[str, FieldInfo]:
        """The fields of a model node; none for any other kind."""
        return self.models[0].model_fields if self.kind == "model" else {}


def strip(annotation: Any) -> Any:
    """Remove ``Annotated[...]`` and ``| None`` wrappers: a walk goes through both."""
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


def model_node(model: type[BaseModel]) -> SchemaNode:
    return SchemaNode("model", (model,))


ROOT = model_node(Scenario)


def node_of(annotation: Any, field: FieldInfo | None = None) -> SchemaNode:
    """The node of an annotation (a field's, or a list's or mapping's items)."""
    annotation = strip(annotation)
    origin = typing.get_origin(annotation)
    if _is_model(annotation):
        return SchemaNode("model", (annotation,), field=field)
    if origin in (typing.Union, types.UnionType):
        members = tuple(strip(a) for a in typing.get_args(annotation) if a is not type(None))
        if members and all(_is_model(m) for m in members):
            return SchemaNode("union", members, field=field)
        return SchemaNode("leaf", field=field)
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        return SchemaNode("list", item=item, field=field)
    if origin is dict:
        args = typing.get_args(annotation)
        return SchemaNode("dict", item=args[1] if len(args) == 2 else Any, field=field)
    return SchemaNode("leaf", field=field)


def field_node(node: SchemaNode, name: str) -> SchemaNode | None:
    """The node of field ``name`` of a model node; None if the model has no such field."""
    field = node.fields.get(name)
    return None if field is None else node_of(field.annotation, field)


def item_node(node: SchemaNode) -> SchemaNode:
    """The node of the items of a list node or the values of a mapping node."""
    return node_of(node.item)


def tagged_member(node: SchemaNode, tag: object) -> SchemaNode | None:
    """The member of a union node that carries ``tag`` (``'triangular'``) in a ``Literal`` field.

    pydantic names the member of a tagged union by its tag in error locations; this finds it.
    """
    for model in node.models:
        for field in model.model_fields.values():
            if typing.get_origin(field.annotation) is Literal and tag in typing.get_args(field.annotation):
                return model_node(model)
    return None


def node_at(loc: Sequence[Any]) -> SchemaNode | None:
    """The node at a pydantic error location (fields, list indices, mapping keys and union tags).

    None where the location leaves the schema: an unknown field, or a part pydantic adds itself
    (``function-after[...]``) that names no member.
    """
    node: SchemaNode | None = ROOT
    for part in loc:
        if node is None:
            return None
        match node.kind:
            case "model":
                node = field_node(node, str(part))
            case "list" | "dict":
                node = item_node(node)
            case "union":
                node = tagged_member(node, part)
            case "leaf":
                return None
    return node
