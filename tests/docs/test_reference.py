"""The generated field reference lists every field of the schema, with what the schema says of it."""

from __future__ import annotations

import html
import re
from typing import Any

from docs_helpers import distributions, docs_module, field_paths
from pydantic import BaseModel, Field

from deploysim import Scenario
from deploysim.cli.main import COMMANDS, build_parser

reference = docs_module("gen_reference")
commands = docs_module("gen_commands")
SCHEMA = Scenario.model_json_schema()
PAGE = reference.render(SCHEMA)


def table_paths(page: str) -> list[str]:
    """The paths in the first column of the section tables (days and durations come after them)."""
    sections = page.split("## Days", 1)[0]
    cells = re.findall(r'^\| <code class="field-path">(.+?)</code> \|', sections, flags=re.MULTILINE)
    return [html.unescape(c.replace("<wbr>", "")) for c in cells]


def test_every_field_path_of_the_schema_is_listed_once() -> None:
    expected = list(field_paths(SCHEMA))
    assert len(expected) > 150  # the walk found the schema, not an empty shell
    listed = table_paths(PAGE)
    assert sorted(set(expected) - set(listed)) == []
    assert sorted(set(listed) - set(expected)) == []
    assert len(listed) == len(set(listed))


def test_every_top_level_field_heads_a_section_or_is_a_row_of_the_first() -> None:
    headings = re.findall(r"^## (\S+)", PAGE, flags=re.MULTILINE)
    assert headings[0] == "scenario" and headings[-2:] == ["Days", "Durations"]
    top = headings[1:-2]
    assert len(top) > 10
    for name in Scenario.model_fields:
        assert name in top or name in table_paths(PAGE.split("\n## ", 1)[0]), name


def test_every_distribution_and_its_fields_are_in_the_durations_table() -> None:
    durations = PAGE.split("## Durations", 1)[1]
    found = distributions(SCHEMA)
    assert {"fixed", "uniform", "triangular", "exponential", "lognormal", "gamma", "empirical"} <= set(found)
    for tag, fields in found.items():
        row = next(line for line in durations.splitlines() if line.startswith(f"| `{tag}` |"))
        for name in fields:
            assert f"`{name}`:" in row, (tag, name)


def descriptions(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["description"]} if isinstance(node.get("description"), str) else set()
        return own.union(*(descriptions(v) for k, v in node.items() if k != "description"))
    if isinstance(node, list):
        return set().union(*(descriptions(v) for v in node))
    return set()


def test_every_description_in_the_schema_is_on_the_page() -> None:
    found = descriptions(SCHEMA)
    assert len(found) > 30
    for text in found:
        assert reference.one_line(text).replace("|", "\\|") in PAGE, text


class Mission(BaseModel):
    """A made-up section, to show that what a schema gains reaches the page."""

    posts: int = Field(default=3, ge=1, le=50, description="posts per team, a new bound")
    label: str = Field(min_length=1)


class Made(BaseModel):
    mission: Mission = Mission(label="x")
    names: list[str] = Field(default_factory=list)


def test_bounds_defaults_and_descriptions_come_from_the_schema_whatever_it_holds() -> None:
    page = reference.render(Made.model_json_schema())
    path = reference.path_cell
    assert f"| {path('mission.posts')} | integer, 1 to 50 | `3` | posts per team, a new bound |" in page
    assert f"| {path('mission.label')} | string, not empty | *required* |  |" in page
    assert "A made-up section" in page.split("## mission", 1)[1]
    assert f"| {path('names')} | list of string | *optional* |  |" in page
    assert path("a.<i>") == '<code class="field-path">a.<wbr>&lt;i&gt;</code>'  # breaks only after dots


def test_the_command_page_has_every_command_with_its_help() -> None:
    page = commands.render()
    parser = build_parser()
    names = [name for name, _, _ in commands.subcommands(parser)]
    assert len(names) == len(COMMANDS) and "diff" in names
    for name, _, sub in commands.subcommands(parser):
        assert f"## deploysim {name}\n" in page
        assert f"usage: deploysim {name}" in page
        for action in sub._actions:
            for flag in action.option_strings:
                assert flag in page, (name, flag)
