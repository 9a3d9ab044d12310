"""``diff_data`` and ``diff_scenarios``: what differs between two scenarios, as paths ``--set`` accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from builders import BASE

from deploysim import Scenario, load_scenario, variant
from deploysim.scenario.diff import (
    IDENTITY_FIELDS,
    MISSING,
    Difference,
    diff_data,
    diff_scenarios,
    format_difference,
    format_value,
    summarize,
)
from deploysim.scenario.paths import check_path

ROOT = Path(__file__).resolve().parents[2]
KYRGYZSTAN = ROOT / "scenarios" / "kyrgyzstan-2010.yaml"


def paths(differences: list[Difference]) -> list[str]:
    return [d.path for d in differences]


def test_equal_data_has_no_difference() -> None:
    data = {"a": 1, "b": [1, 2], "c": {"d": None}}
    assert diff_data(data, {"c": {"d": None}, "b": [1, 2], "a": 1.0}) == []


def test_nested_change_is_named_by_its_dotted_path() -> None:
    assert diff_data({"a": {"b": {"c": 1}}}, {"a": {"b": {"c": 2}}}) == [Difference("a.b.c", 1, 2)]


def test_keys_only_on_one_side_are_added_or_removed() -> None:
    found = diff_data({"a": 1, "gone": 2}, {"a": 1, "new": 3})
    assert [(d.path, d.kind) for d in found] == [("gone", "removed"), ("new", "added")]
    assert found[0].after is MISSING and found[1].before is MISSING


def test_named_list_items_are_matched_by_name_not_position() -> None:
    a = [{"name": "T1", "posts": 3}, {"name": "T2", "posts": 4}]
    b = [{"name": "T2", "posts": 4}, {"name": "T1", "posts": 5}, {"name": "T3", "posts": 1}]
    found = diff_data({"teams": a}, {"teams": b})
    assert paths(found) == ["teams", "teams.T1.posts", "teams.T3"]
    assert found[0].kind == "reordered" and (found[0].before, found[0].after) == (("T1", "T2"), ("T2", "T1"))
    assert found[2].kind == "added"


def test_a_renamed_item_is_one_removed_and_one_added() -> None:
    found = diff_data([{"name": "old", "x": 1}], [{"name": "new", "x": 1}])
    assert [(d.path, d.kind) for d in found] == [("old", "removed"), ("new", "added")]


def test_items_without_distinct_names_are_matched_by_index() -> None:
    assert diff_data({"l": ["a", "b"]}, {"l": ["a", "c", "d"]}) == [
        Difference("l.1", "b", "c"),
        Difference("l.2", MISSING, "d"),
    ]
    twins = [{"name": "x", "v": 1}, {"name": "x", "v": 2}]
    assert paths(diff_data(twins, [{"name": "x", "v": 1}, {"name": "x", "v": 3}])) == ["1.v"]


def test_a_named_list_that_empties_names_what_went() -> None:
    assert paths(diff_data({"e": [{"name": "PAG +50"}]}, {"e": []})) == ["e.PAG +50"]


def test_a_distribution_is_one_value() -> None:
    fixed = {"unit": "d", "dist": "fixed", "value": 14.0}
    tri = {"unit": "d", "dist": "triangular", "low": 7.0, "mode": 14.0, "high": 28.0}
    found = diff_data({"selection": fixed}, {"selection": tri})
    assert found == [Difference("selection", fixed, tri)]
    assert format_difference(found[0]) == "selection (14 d -> triangular(7, 14, 28) d)"


def test_booleans_are_not_numbers() -> None:
    assert paths(diff_data({"x": True}, {"x": 1})) == ["x"]
    assert diff_data({"x": 1}, {"x": 1.0}) == []


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "none"),
        (False, "false"),
        (42.0, "42"),
        (0.1 + 0.2, "0.30000000000000004"),
        ({"unit": "d", "dist": "lognormal", "mean": 45.0, "sd": 30.0}, "lognormal(45, 30) d"),
        ({"unit": "d", "dist": "empirical", "values": [1.0, 2.0], "weights": None}, "empirical([1.0, 2.0]) d"),
        ("two\nlines", "two lines"),
        ("x" * 50, "x" * 37 + "..."),
    ],
)
def test_values_are_shown_as_a_planner_writes_them(value: Any, shown: str) -> None:
    assert format_value(value) == shown


def test_format_difference_words_each_kind() -> None:
    assert format_difference(Difference("a", 1, 2)) == "a (1 -> 2)"
    assert format_difference(Difference("a", MISSING, "B")) == "a (added: B)"
    assert format_difference(Difference("a", {"x": 1}, MISSING)) == "a (removed)"
    assert format_difference(Difference("p", ("x", "y"), ("y", "x"), reordered=True)) == "p (order: x, y -> y, x)"


def test_summarize_is_short() -> None:
    many = [Difference(f"f{i}", i, i + 1) for i in range(9)]
    assert summarize(many, limit=2) == "f0 (0 -> 1), f1 (1 -> 2), and 7 more"
    assert summarize([]) == "nothing"


def test_spelling_and_defaults_do_not_count() -> None:
    written = {**BASE, "recruitment": {**BASE["recruitment"], "pre_deployment_training": "42 d"}}
    assert diff_scenarios(Scenario.model_validate(BASE), Scenario.model_validate(written)) == []
    with_default = {**BASE, "leave": {"days_per_month": 0, "block": "10 d"}}  # 10 d is the default
    assert diff_scenarios(Scenario.model_validate(BASE), Scenario.model_validate(with_default)) == []


def test_shipped_variant_differs_exactly_where_it_was_changed() -> None:
    planned = load_scenario(KYRGYZSTAN)
    changed = variant(planned, {"recruitment.roster.size": 20, "teams.Team 1 Osh city.posts.adviser": 5,
                                "recruitment.pre_deployment_training": "3 w"}, name="changed")
    found = diff_scenarios(planned, changed, ignore=IDENTITY_FIELDS)
    assert [format_difference(d) for d in found] == [
        "teams.Team 1 Osh city.posts.adviser (7 -> 5)",
        "recruitment.pre_deployment_training (42 d -> 21 d)",
        "recruitment.roster.size (0 -> 20)",
    ]
    assert paths(diff_scenarios(planned, changed)) == ["name", *paths(found)]


def test_every_changed_path_is_one_set_accepts() -> None:
    """The paths are the ones --set and sweeps take: a planner can copy one back."""
    planned = load_scenario(KYRGYZSTAN)
    csi = load_scenario(ROOT / "scenarios" / "kyrgyzstan-csi-2010.yaml")
    data = planned.model_dump(mode="json")
    def one_value(value: Any) -> bool:  # a group of settings set or unset as a whole is not one value
        return not isinstance(value, dict) or "dist" in value

    changed = [d for d in diff_scenarios(planned, csi) if d.kind == "changed" and one_value(d.before)]
    assert len(changed) > 5
    for difference in changed:
        check_path(data, difference.path)


def test_distributions_are_compared_in_days() -> None:
    weeks = {"unit": "w", "dist": "triangular", "low": 1.0, "mode": 2.0, "high": 4.0}
    days = {"unit": "d", "dist": "triangular", "low": 7.0, "mode": 14.0, "high": 28.0}
    assert diff_data({"s": weeks}, {"s": days}) == []
    months = {"unit": "months", "dist": "empirical", "values": [4.0], "weights": [2.0]}
    found = diff_data({"s": months}, {"s": {"unit": "d", "dist": "empirical", "values": [121.75], "weights": [1.0]}})
    assert [format_difference(d) for d in found] == ["s (empirical([121.75], [2.0]) d -> empirical([121.75], [1.0]) d)"]
