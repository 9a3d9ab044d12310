"""Loading a scenario with dotted-path changes, and ``PATH=VALUE`` strings read as data, never run."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploysim.errors import ScenarioError, UsageError
from deploysim.scenario import load_scenario
from deploysim.scenario.paths import parse_changes

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "kyrgyzstan-2010.yaml"


def test_changes_are_applied_and_validated_like_the_file() -> None:
    planned = load_scenario(SCENARIO)
    changed = load_scenario(SCENARIO, {"recruitment.roster.size": 20, "recruitment.selection.mode": 20})
    assert changed.recruitment.roster.size == 20
    assert changed.recruitment.selection.mode == 20 and changed.recruitment.selection.low == 7
    assert changed.tour == planned.tour
    assert load_scenario(SCENARIO, {}) == planned


def test_a_bad_path_names_the_parameter_or_the_origin_given() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(SCENARIO, {"recruitment.rooster.size": 20})
    assert str(caught.value).startswith("changes: recruitment.rooster: unknown key 'rooster'")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(SCENARIO, {"recruitment.rooster.size": 20}, origin="--set")
    assert str(caught.value).startswith("--set: recruitment.rooster: unknown key 'rooster'")


def test_a_bad_value_names_the_file_the_changes_and_the_field() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(SCENARIO, {"recruitment.readvertise_probability": 1.5})
    assert str(caught.value) == (
        f"{SCENARIO} with changes recruitment.readvertise_probability=1.5: "
        "recruitment.readvertise_probability: must be at most 1, got 1.5"
    )


def test_a_file_without_a_scenario_reports_the_file_not_the_changes(tmp_path: Path) -> None:
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n")
    with pytest.raises(ScenarioError, match=r"list.yaml:1: a scenario must be a mapping of fields"):
        load_scenario(listed, {"recruitment.roster.size": 20})


def test_values_are_read_as_yaml_data() -> None:
    changes = parse_changes(["recruitment.roster.size=20", " tour.length = 3 w", "consent.initial=granted", "name="])
    assert changes == {"recruitment.roster.size": 20, "tour.length": "3 w", "consent.initial": "granted", "name": ""}
    assert parse_changes(["a=1", "a=2"]) == {"a": 2}
    assert parse_changes(["recruitment.selection={dist: fixed, value: 3}"]) == {
        "recruitment.selection": {"dist": "fixed", "value": 3}
    }


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("recruitment.roster.size", "'recruitment.roster.size': expected PATH=VALUE, e.g. recruitment.roster.size=20"),
        ("=20", "'=20': expected PATH=VALUE"),
        ("recruitment.roster.size=[1", "'recruitment.roster.size=[1': cannot read the value '[1'"),
        ("start_date=2010-02-30", "cannot read the value '2010-02-30'"),
        ("name=!!python/object/apply:os.system ['true']", "cannot read the value"),
    ],
)
def test_unreadable_strings_name_the_origin_and_the_string(item: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_changes([item])
    assert str(caught.value).startswith("assignments ") and message in str(caught.value)
    with pytest.raises(UsageError) as caught:
        parse_changes([item], "--set")
    assert str(caught.value).startswith(f"--set {item!r}: ") and message in str(caught.value)


def test_the_cli_wording_of_a_string_without_a_value() -> None:
    with pytest.raises(UsageError) as caught:
        parse_changes(["no-equals-sign"], "--set")
    assert str(caught.value) == "--set 'no-equals-sign': expected PATH=VALUE, e.g. recruitment.roster.size=20"
