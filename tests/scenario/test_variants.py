"""Variants in code follow the same paths and rules as ``--set``."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploysim import ScenarioError, load_scenario, variant

PLANNED = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "kyrgyzstan-2010.yaml")


def test_variant_changes_only_the_named_fields() -> None:
    roster = variant(PLANNED, {"recruitment.roster.size": 20, "teams.Team 2 Osh oblast.posts.adviser": 9}, "roster")
    assert roster.name == "roster" and roster.recruitment.roster.size == 20
    assert roster.teams[1].posts["adviser"] == 9
    assert roster.teams[0].posts["adviser"] == 7  # YAML anchors do not leak the change to other teams
    assert PLANNED.recruitment.roster.size == 0 and roster.tour == PLANNED.tour


def test_variant_with_a_bad_path_or_value_names_it() -> None:
    with pytest.raises(ScenarioError, match="rooster"):
        variant(PLANNED, {"recruitment.rooster.size": 20})
    with pytest.raises(ScenarioError, match="readvertise_probability"):
        variant(PLANNED, {"recruitment.readvertise_probability": 1.5})
