"""Dotted ``--set`` paths: resolved by index or name, checked against the schema, applied to copies."""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest
from pydantic import BaseModel

from deploysim.errors import ScenarioError
from deploysim.scenario.paths import apply_overrides, check_path
from deploysim.scenario.schema import Scenario
from deploysim.scenario.variants import validate_point
from deploysim.scenario.yaml_file import parse_yaml

YAML = """
name: overrides test
start_date: 2010-07-22
horizon: 6 months
mandate: {initial_length: 4 months}
units:
  - {name: North}
  - {name: South.East}
teams:
  - &team
    name: Team 1
    unit: North
    posts: {team_leader: 1, adviser: 4}
    min_manning: {team_leader: 1, adviser: 2}
  - {<<: *team, name: Team 2.b, unit: South.East}
recruitment:
  selection: triangular(7, 14, 28) d
"""


def scenario_data() -> dict[str, Any]:
    data, _ = parse_yaml(YAML, "test.yaml")
    return data


def test_list_items_by_index_or_by_name_even_with_dots() -> None:
    data = scenario_data()
    assert check_path(data, "teams.0.posts.adviser") == ("teams", 0, "posts", "adviser")
    assert check_path(data, "teams.Team 1.posts.adviser") == ("teams", 0, "posts", "adviser")
    assert check_path(data, "teams.Team 2.b.posts.adviser") == ("teams", 1, "posts", "adviser")
    assert check_path(data, "units.South.East.incident_rate") == ("units", 1, "incident_rate")


def test_apply_copies_and_does_not_leak_through_yaml_anchors() -> None:
    data = scenario_data()
    assert data["teams"][0]["posts"] is data["teams"][1]["posts"]  # the anchor shares one dict
    changed = apply_overrides(data, {"teams.Team 2.b.posts.adviser": 9})
    assert changed["teams"][1]["posts"]["adviser"] == 9
    assert changed["teams"][0]["posts"]["adviser"] == 4
    assert data["teams"][1]["posts"]["adviser"] == 4  # the input is untouched


def test_sections_the_file_leaves_out_take_schema_defaults() -> None:
    data = scenario_data()
    assert "incidents" not in data and "roster" not in data["recruitment"]
    scenario = validate_point(data, {"recruitment.roster.size": 12, "incidents.rate_per_day": 0.7}, 0)
    assert scenario.recruitment.roster.size == 12
    assert scenario.incidents.rate_per_day == 0.7
    assert scenario.recruitment.selection.mode == 14  # untouched neighbours keep their values


def test_inside_a_compact_distribution() -> None:
    scenario = validate_point(scenario_data(), {"recruitment.selection.mode": 20}, 0)
    assert (scenario.recruitment.selection.low, scenario.recruitment.selection.mode) == (7, 20)
    replaced = validate_point(scenario_data(), {"recruitment.selection": "30 d"}, 0)
    assert replaced.recruitment.selection.mean_days() == 30


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("recruitment.rooster.size", ["recruitment.rooster", "unknown key 'rooster'", "valid keys at recruitment",
                                      "roster", "selection"]),
        ("teams.Team 9.posts.adviser", ["no item named 'Team 9'", "Team 1", "Team 2.b", "index 0-1"]),
        ("teams.5.posts.adviser", ["index 5 is out of range", "2 items"]),
        ("teams.0.posts.advisor", ["no key 'advisor'", "team_leader, adviser", "add it to the scenario file"]),
        ("horizon.days", ["horizon is a single value"]),
        ("recruitment", ["a group of settings", "roster"]),
        ("teams.0.posts", ["a mapping"]),
        ("recruitment..size", ["not a dotted path"]),
        ("nonsense", ["unknown key 'nonsense'", "valid keys at the top level", "teams", "horizon"]),
    ],
)
def test_bad_paths_name_the_path_and_the_valid_keys(path: str, expected: list[str]) -> None:
    with pytest.raises(ScenarioError) as caught:
        check_path(scenario_data(), path)
    message = str(caught.value)
    assert message.startswith("--set:")
    assert "\n" not in message
    for text in expected:
        assert text in message


def test_invalid_design_point_names_the_point_its_values_and_the_field() -> None:
    with pytest.raises(ScenarioError) as caught:
        validate_point(scenario_data(), {"teams.0.min_manning.adviser": 9}, 7)
    message = str(caught.value)
    assert message.startswith("design point 7 (teams.0.min_manning.adviser=9)")
    assert "teams.0.min_manning.adviser" in message.split(")", 1)[1]


def _leaf_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every plain (non-model) field reachable through nested models, from the schema itself."""
    paths = []
    for name, field in model.model_fields.items():
        inner = field.annotation
        if typing.get_origin(inner) in (typing.Union, types.UnionType):  # X | None
            args = [a for a in typing.get_args(inner) if a is not type(None)]
            inner = args[0] if len(args) == 1 else inner
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            paths += _leaf_paths(inner, f"{prefix}{name}.")
        elif typing.get_origin(inner) not in (list, dict):
            paths.append(prefix + name)
    return paths


def test_every_schema_field_is_reachable_without_a_hand_written_list() -> None:
    """Fields the schema gains later (mandate dynamics) are reachable with no change here."""
    paths = _leaf_paths(Scenario)
    assert "recruitment.roster.size" in paths and len(paths) > 30
    data = scenario_data()
    for path in paths:
        assert check_path(data, path)[-1] == path.rsplit(".", 1)[-1]
