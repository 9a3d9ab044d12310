"""An editable copy of a shipped scenario, behind ``deploysim init``.

The copy is the shipped file's text, so comments and sources survive; its first line is a
``yaml-language-server`` modeline pointing at the JSON schema written beside it, which is how
YAML-aware editors (VS Code's YAML extension, among others) offer completion and flag mistakes.
"""

from __future__ import annotations

import json
from pathlib import Path

from deploysim.errors import ScenarioError, UsageError
from deploysim.scenario.schema import Scenario
from deploysim.scenario.shipped import shipped_names, shipped_path

SCHEMA_FILE = "scenario.schema.json"


def schema_line(schema: str = SCHEMA_FILE) -> str:
    """The modeline that connects editors to the schema, a path relative to the scenario file."""
    return f"# yaml-language-server: $schema={schema}\n"


def write_copy(name: str, target: str | Path) -> Path:
    """Write the shipped scenario ``name`` to ``target`` with the schema line first; returns the schema file.

    An existing ``target`` is refused: it may hold a planner's edits. The schema beside it is
    rewritten every time, since it belongs to the installed version, not to the planner.
    """
    source = shipped_path(name)
    if source is None:
        raise ScenarioError(name, f"no shipped scenario of that name; shipped: {', '.join(shipped_names())}")
    file = Path(target)
    if file.exists():
        raise UsageError(f"{file} already exists; choose another name or remove it first")
    file.parent.mkdir(parents=True, exist_ok=True)
    schema = file.parent / SCHEMA_FILE
    schema.write_text(json.dumps(Scenario.model_json_schema(), indent=2) + "\n", encoding="utf-8")
    text = source.read_text(encoding="utf-8")
    with file.open("x", encoding="utf-8") as handle:  # "x": never clobber a file that appeared meanwhile
        handle.write(schema_line() + text)
    return schema
