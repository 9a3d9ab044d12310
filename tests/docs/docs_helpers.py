"""What the docs tests share: the docs generators, loaded from docs/, and an independent walk of the schema.

The walk is written here again, on purpose, rather than taken from ``docs/gen_reference.py``: a test
that listed paths with the generator's own code would agree with any mistake the generator makes.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def docs_module(name: str) -> ModuleType:
    """``docs/NAME.py`` as a module (docs/ is not a package, and is not on the path)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    return schema["$defs"][ref.split("/")[-1]] if isinstance(ref, str) else node


def _is_duration(schema: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    for member in [*node.get("anyOf", []), *node.get("oneOf", [])]:
        if "oneOf" in member or "dist" in _resolve(schema, member).get("properties", {}):
            return True
    return False


def _without_null(node: Mapping[str, Any]) -> Mapping[str, Any]:
    options = [o for o in node.get("anyOf", []) if o.get("type") != "null"]
    return options[0] if len(options) == 1 and len(node.get("anyOf", [])) == 2 else node


def field_paths(schema: Mapping[str, Any], node: Mapping[str, Any] | None = None, prefix: str = "") -> Iterator[str]:
    """Every field path of a scenario, ``teams.<i>.posts.<key>`` style; a duration is one field."""
    node = _resolve(schema, schema if node is None else node)
    for name, field in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        yield path
        yield from _inside(schema, field, path)


def _inside(schema: Mapping[str, Any], field: Mapping[str, Any], path: str) -> Iterator[str]:
    field = _resolve(schema, field)
    if _is_duration(schema, field):
        return
    field = _resolve(schema, _without_null(field))
    if "properties" in field:
        yield from field_paths(schema, field, f"{path}.")
    elif field.get("type") == "array":
        item = _resolve(schema, field.get("items", {}))
        if "properties" in item:
            yield from field_paths(schema, item, f"{path}.<i>.")
    elif isinstance(field.get("additionalProperties"), Mapping):
        yield f"{path}.<key>"
        yield from _inside(schema, field["additionalProperties"], f"{path}.<key>")


def distributions(schema: Mapping[str, Any]) -> dict[str, list[str]]:
    """``dist`` tag -> the distribution's other fields, for every distribution a duration may be."""
    found: dict[str, list[str]] = {}
    for model in schema["$defs"].values():
        dist = model.get("properties", {}).get("dist")
        if dist is not None and "const" in dist:
            found[dist["const"]] = [name for name in model["properties"] if name != "dist"]
    return found
