"""One walk of the schema serves dotted paths and unknown-key messages alike."""

from __future__ import annotations

import typing

from deploysim.scenario.durations import DISTRIBUTIONS, Distribution, Fixed, Triangular
from deploysim.scenario.schema import InitialStaff, Recruitment, Tour
from deploysim.scenario.schema_walk import NodeKind, SchemaNode, node_at


def _at(*loc: str | int) -> SchemaNode:
    node = node_at(loc)
    assert node is not None, loc
    return node


def test_error_locations_reach_models_through_lists_mappings_and_union_tags() -> None:
    assert set(_at("teams", 0).fields) >= {"name", "unit", "posts"}
    assert set(_at("costs", "roles", "adviser").fields) == {"daily"}
    assert _at("recruitment", "selection").kind == "union"
    assert _at("recruitment", "selection", "triangular").models == (Triangular,)
    assert _at("tension").kind == "model"  # through '| None'


def test_locations_outside_the_schema_have_no_node() -> None:
    assert node_at(("recruitment", "rooster")) is None
    assert node_at(("recruitment", "selection", "function-after[_positive()]")) is None
    assert node_at(("horizon", "days")) is None


def test_node_kinds_are_the_literal_ones() -> None:
    assert set(typing.get_args(NodeKind)) == {"model", "union", "list", "dict", "leaf"}


def test_distribution_names_are_the_tags_of_the_union() -> None:
    tags = {typing.get_args(m.model_fields["dist"].annotation)[0] for m in typing.get_args(Distribution)}
    assert set(DISTRIBUTIONS) == tags


def test_duration_defaults_are_distributions_shown_as_written_in_the_json_schema() -> None:
    assert Recruitment.model_fields["selection"].default == Fixed(dist="fixed", value=14)
    assert Recruitment().selection.mean_days() == 14
    assert Tour().length.mean_days() == 365.25
    assert InitialStaff().tour_elapsed.dist == "uniform"
    schema = Recruitment.model_json_schema()["properties"]
    assert schema["selection"]["default"] == "14 d"
    assert schema["call_window"]["default"] == "17 d" and "OSCE" in schema["call_window"]["description"]
