"""Scenarios changed through dotted paths: variants for comparisons in code and the points of a sweep.

Both go the way of ``--set`` (:func:`~deploysim.scenario.load.validate_changed`): the same paths,
the same validation, messages that name the variant or the design point and its values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deploysim.scenario.load import describe_changes, validate_changed
from deploysim.scenario.schema import Scenario


def variant(base: Scenario, changes: Mapping[str, Any], name: str | None = None) -> Scenario:
    """A copy of ``base`` with each dotted path (``recruitment.roster.size``, ``teams.Team 1.posts.adviser``)
    set to its value, validated like a scenario file: a bad path or value raises ScenarioError."""
    label = name or base.name
    named = changes if name is None else {**changes, "name": name}  # the name given wins over a changed one
    source = f"variant {label!r} ({describe_changes(changes)})"
    return validate_changed(base.model_dump(mode="json"), named, source)


def validate_point(data: dict[str, Any], overrides: Mapping[str, Any], point: int) -> Scenario:
    """The scenario of one design point; a ScenarioError names the point, its values and the field."""
    return validate_changed(data, overrides, f"design point {point} ({describe_changes(overrides)})")
