"""Scenario variants for comparisons in code: the same dotted paths as ``--set``, the same validation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deploysim.scenario.load import validate_scenario
from deploysim.scenario.paths import apply_overrides
from deploysim.scenario.schema import Scenario


def variant(base: Scenario, changes: Mapping[str, Any], name: str | None = None) -> Scenario:
    """A copy of ``base`` with each dotted path (``recruitment.roster.size``, ``teams.Team 1.posts.adviser``)
    set to its value, validated like a scenario file: a bad path or value raises ScenarioError."""
    data = apply_overrides(base.model_dump(mode="json"), changes)
    if name is not None:
        data["name"] = name
    label = name or base.name
    return validate_scenario(data, f"variant {label!r} ({', '.join(f'{p}={v}' for p, v in changes.items())})")
