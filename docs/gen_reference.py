"""The scenario field reference, written from ``Scenario.model_json_schema()`` at every docs build.

The reference is generated rather than written so that it cannot disagree with what ``deploysim
validate`` accepts: a field, bound, default or description added to the schema appears here at the
next build, and one removed disappears. Nothing below names a scenario field; it walks whatever
the schema holds.

Conventions of the page (the same as ``--set`` paths): ``teams.<i>.posts`` is the ``posts`` of any
item of ``teams`` (chosen by index or by name), ``posts.<key>`` a value of a free-form mapping
(posts by role). A duration (a number of days, ``6 w``, ``triangular(7, 14, 28) d`` or a mapping
with ``dist``) is one value in the section tables; its forms are listed once, under "Durations".

Run as a script to print the page: ``python docs/gen_reference.py``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Schema = Mapping[str, Any]

ITEM = "<i>"  # a list item, by index or by name
KEY = "<key>"  # a key of a free-form mapping
DURATIONS_ANCHOR = "durations"
DAYS_ANCHOR = "days"
PATH_CLASS = "field-path"  # styled in docs/stylesheets/extra.css
TOP_LEVEL = "scenario"  # the section of the top-level fields that are one value each
TOP_LEVEL_INTRO = "The top-level fields of a scenario file that are one value each."


@dataclass(frozen=True)
class Row:
    """One field of the reference: where it is, what it takes, its default and what it means."""

    path: str
    type: str
    default: str
    description: str


class Reference:
    """Resolves references of one JSON Schema and turns its properties into rows."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.defs: Mapping[str, Schema] = schema.get("$defs", {})

    def resolve(self, node: Schema) -> Schema:
        """``node`` with a ``$ref`` replaced by its definition (keywords beside the ``$ref`` are kept)."""
        ref = node.get("$ref")
        if not isinstance(ref, str):
            return node
        target = self.defs[ref.rsplit("/", 1)[-1]]
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}

    def is_distribution(self, node: Schema) -> bool:
        """A duration: a union with a member tagged by ``dist`` (the discriminated distributions)."""
        members = node.get("anyOf", []) + node.get("oneOf", [])
        for member in members:
            if "discriminator" in member or self.is_distribution(member):
                return True
            if "dist" in self.resolve(member).get("properties", {}):
                return True
        return False

    def distribution_models(self) -> list[tuple[str, Schema]]:
        """The distributions a duration may be, in the schema's order, as (``dist`` tag, model schema)."""
        found: dict[str, Schema] = {}
        for node in self._all_nodes(self.schema):
            for member in node.get("oneOf", []):
                model = self.resolve(member)
                dist = model.get("properties", {}).get("dist", {})
                tag = dist.get("const") or (dist.get("enum") or [None])[0]
                if tag and tag not in found:
                    found[str(tag)] = model
        return list(found.items())

    def _all_nodes(self, node: Any) -> Iterator[Schema]:
        if isinstance(node, Mapping):
            yield node
            for value in node.values():
                yield from self._all_nodes(value)
        elif isinstance(node, list):
            for value in node:
                yield from self._all_nodes(value)

    def non_null(self, node: Schema) -> tuple[Schema, bool]:
        """(the node without a ``null`` alternative, whether ``null`` was allowed)."""
        options = node.get("anyOf")
        if not options:
            return node, node.get("type") == "null"
        kept = [o for o in options if o.get("type") != "null"]
        if len(kept) == len(options) or len(kept) != 1:
            return node, len(kept) != len(options)
        merged = {**{k: v for k, v in node.items() if k != "anyOf"}, **kept[0]}
        return merged, True

    def type_of(self, node: Schema) -> str:
        """What a field takes, in a planner's words, with its bounds: ``number, 0 to 1``, ``duration``."""
        node = self.resolve(node)
        inner, nullable = self.non_null(node)
        inner = self.resolve(inner)
        text = self._base_type(inner)
        bounds = bounds_of(inner)
        if bounds:
            text += f", {bounds}"
        return f"{text}, or none" if nullable else text

    def _base_type(self, node: Schema) -> str:
        if self.is_distribution(node):
            return f"[duration](#{DURATIONS_ANCHOR})"
        if "const" in node:
            return f"`{node['const']}`"
        if "enum" in node:
            return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
        options = node.get("anyOf") or node.get("oneOf")
        if options:
            types = {self.resolve(o).get("type") for o in options}
            if types == {"number", "string"} and not any("enum" in o or "format" in o for o in options):
                return f"[days](#{DAYS_ANCHOR})"
            return " or ".join(self._base_type(self.resolve(o)) for o in options)
        kind = node.get("type")
        if kind == "array":
            return f"list of {self._plural(self.resolve(node.get('items', {})))}"
        if kind == "object" and "properties" in node:
            return "group of fields"
        if kind == "object":
            values = node.get("additionalProperties")
            if isinstance(values, Mapping):
                return f"mapping of names to {self._plural(self.resolve(values))}"
            return "mapping"
        if kind == "string" and node.get("format"):
            return str(node["format"])
        if isinstance(kind, list):
            return " or ".join(str(k) for k in kind)
        return str(kind or "any value")

    def _plural(self, node: Schema) -> str:
        if node.get("type") == "object" and "properties" in node:
            return f"{node.get('title', 'group')} items"
        return self._base_type(node)

    def rows(self, node: Schema, path: str) -> Iterator[Row]:
        """The rows of every field below ``node`` (a model), depth first, in the schema's order."""
        model = self.resolve(node)
        required = set(model.get("required", []))
        for name, field in model.get("properties", {}).items():
            yield from self.field_rows(field, join(path, name), name in required)

    def field_rows(self, field: Schema, path: str, required: bool | None) -> Iterator[Row]:
        """The row of one field and, for groups, lists and mappings, the rows of what they hold."""
        resolved = self.resolve(field)
        yield Row(path, self.type_of(field), default_text(field, required), self.description_of(field))
        if self.is_distribution(resolved):
            return
        inner, _ = self.non_null(resolved)
        inner = self.resolve(inner)
        yield from self.children(inner, path)

    def children(self, node: Schema, path: str) -> Iterator[Row]:
        if "properties" in node:
            yield from self.rows(node, path)
        elif node.get("type") == "array":
            item = self.resolve(node.get("items", {}))
            if "properties" in item:
                yield from self.rows(item, join(path, ITEM))
            elif item.get("type") in ("array", "object"):
                yield from self.field_rows(item, join(path, ITEM), None)
        elif node.get("type") == "object" and isinstance(node.get("additionalProperties"), Mapping):
            values = self.resolve(node["additionalProperties"])
            yield from self.field_rows(values, join(path, KEY), None)

    def model_description(self, node: Schema) -> str | None:
        """The description of the model a field holds: itself, as its list's items or as its mapping's values."""
        node, _ = self.non_null(node)
        ref = node.get("$ref")
        if isinstance(ref, str):
            return self.defs[ref.rsplit("/", 1)[-1]].get("description")
        held = node.get("items") if node.get("type") == "array" else node.get("additionalProperties")
        return self.model_description(held) if isinstance(held, Mapping) else None

    def description_of(self, field: Schema) -> str:
        """The field's description, else that of the group it holds; with a unit where the schema gives one."""
        own = field.get("description")
        group = self.model_description(field)
        said = [str(t).strip() for t in (own, group) if t]
        if len(said) == 2 and said[0] == said[1]:
            said = said[:1]
        text = " ".join(t if t.endswith(".") or t is said[-1] else f"{t}." for t in said)
        unit = field.get("unit") or field.get("x-unit")
        if isinstance(unit, str) and unit:
            text = f"{text} (unit: {unit})" if text else f"unit: {unit}"
        return one_line(str(text))


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def one_line(text: str) -> str:
    """A docstring-style description as one table cell: one line, reST double backticks as code."""
    return " ".join(text.replace("``", "`").split())


BOUND_WORDS = (
    ("minimum", "at least"), ("ge", "at least"), ("exclusiveMinimum", "above"), ("gt", "above"),
    ("maximum", "at most"), ("le", "at most"), ("exclusiveMaximum", "below"), ("lt", "below"),
    ("minLength", "at least {} characters"), ("maxLength", "at most {} characters"),
    ("minItems", "at least {} items"), ("maxItems", "at most {} items"),
    ("minProperties", "at least {} entries"), ("maxProperties", "at most {} entries"),
)
SINGULAR = {"at least 1 characters": "not empty", "at least 1 items": "at least one item",
            "at least 1 entries": "at least one entry"}


def bounds_of(node: Schema) -> str:
    """``0 to 1`` for a closed range, else each bound in words (``at least 0``, ``above 0``)."""
    lo, hi = node.get("minimum", node.get("ge")), node.get("maximum", node.get("le"))
    if lo is not None and hi is not None:
        rest = {k: v for k, v in node.items() if k not in ("minimum", "ge", "maximum", "le")}
        others = bounds_of(rest)
        return f"{number(lo)} to {number(hi)}" + (f", {others}" if others else "")
    said = []
    for key, words in BOUND_WORDS:
        if key in node and isinstance(node[key], (int, float)) and not isinstance(node[key], bool):
            said.append(words.format(number(node[key])) if "{}" in words else f"{words} {number(node[key])}")
    return ", ".join(SINGULAR.get(s, s) for s in said)


def number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) and abs(value) >= 10_000 else f"{value:g}"


def default_text(field: Schema, required: bool | None) -> str:
    """The default as a planner would write it; *required* or *optional* where the schema has none, and
    nothing for ``required=None``: the items of a list or values of a mapping, which exist only when written."""
    if "default" not in field:
        return "" if required is None else "*required*" if required else "*optional*"
    value = field["default"]
    if isinstance(value, Mapping) and value and "dist" not in value:
        return "*see below*"  # a group's default is the defaults of its fields, listed in their rows
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (int, float)):
        return f"`{number(value)}`"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def path_cell(path: str) -> str:
    """A path as code that may wrap after its dots only: long paths stay readable in a narrow column."""
    return f'<code class="{PATH_CLASS}">' + html.escape(path).replace(".", ".<wbr>") + "</code>"


def table(rows: list[Row]) -> list[str]:
    lines = ["| field | type | default | description |", "| --- | --- | --- | --- |"]
    lines += [f"| {path_cell(r.path)} | {cell(r.type)} | {cell(r.default)} | {cell(r.description)} |" for r in rows]
    return lines


def sections(schema: Schema) -> list[tuple[str, str, list[Row]]]:
    """(title, intro, rows) per section: the top-level single values first, then one per top-level group."""
    ref = Reference(schema)
    required = set(schema.get("required", []))
    top: list[Row] = []
    grouped: list[tuple[str, str, list[Row]]] = []
    for name, field in schema.get("properties", {}).items():
        rows = list(ref.field_rows(field, name, name in required))
        if len(rows) == 1:
            top.append(rows[0])
        else:  # the group's description leads its section rather than sitting in its first row
            head = rows[0]
            grouped.append((name, head.description, [Row(head.path, head.type, head.default, ""), *rows[1:]]))
    intro = one_line(schema.get("description", "")) or TOP_LEVEL_INTRO
    return [(TOP_LEVEL, intro, top), *grouped]


def durations(schema: Schema) -> list[str]:
    """The forms a duration may take, and one row per distribution with its fields."""
    ref = Reference(schema)
    lines = [
        f"## Days {{#{DAYS_ANCHOR}}}",
        "",
        "A field of type *days* is one fixed length of time: a number of days (`30`) or a quantity with a unit "
        "(`30 d`, `6 w`, `4 months`, `1 y`), converted to days.",
        "",
        f"## Durations {{#{DURATIONS_ANCHOR}}}",
        "",
        "A field of type *duration* is a distribution of lengths of time, sampled each time the model needs one. "
        "It takes a number of days (`17`), a quantity with a unit (`17 d`, `6 w`, `4 months`, `1 y`), "
        "a distribution written compactly (`triangular(7, 14, 28) d`) or a mapping with "
        "`dist` and the fields below (`{dist: lognormal, mean: 40, sd: 10, unit: d}`). Inside a duration written "
        "compactly a `--set` path may name one parameter, e.g. `recruitment.selection.mode`.",
        "",
        "| `dist` | fields | description |",
        "| --- | --- | --- |",
    ]
    for tag, model in ref.distribution_models():
        required = set(model.get("required", []))
        fields = []
        properties = model.get("properties", {})
        for name in sorted(properties, key=lambda n: n == "unit"):  # the unit, common to all, last
            field = properties[name]
            if name == "dist":
                continue
            default = default_text(field, name in required)
            said = ref.type_of(field) + ("" if default == "*required*" else f", default {default}")
            description = ref.description_of(field)
            fields.append(f"`{name}`: {said}" + (f" ({description})" if description else ""))
        said_of_it = [properties.get("dist", {}).get("description", ""), model.get("description", "")]
        description = " ".join(one_line(text) for text in said_of_it if text)
        lines.append(f"| `{tag}` | {cell('; '.join(fields))} | {cell(description)} |")
    return lines


def render(schema: Schema) -> str:
    """The reference as Markdown: one table per section, then the durations."""
    lines: list[str] = []
    for title, intro, rows in sections(schema):
        lines += [f"## {title}", ""]
        if intro:
            lines += [intro, ""]
        lines += [*table(rows), ""]
    lines += durations(schema)
    return "\n".join(lines) + "\n"


def scenario_schema() -> dict[str, Any]:
    from deploysim import Scenario

    return Scenario.model_json_schema()


if __name__ == "__main__":
    print(render(scenario_schema()))
