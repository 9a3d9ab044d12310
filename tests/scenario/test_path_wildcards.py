"""``*`` over list items: one change to every team, checked against the schema like any path."""

from __future__ import annotations

import pytest
from builders import SMALL_TWO_TEAMS, merge

from deploysim.errors import ScenarioError
from deploysim.scenario.load import validate_changed
from deploysim.scenario.paths import check_path, expand_wildcards

DATA = merge(SMALL_TWO_TEAMS, {"teams": [*SMALL_TWO_TEAMS["teams"],
                                         {"name": "HQ", "unit": "North", "posts": {"head": 1},
                                          "min_manning": {"head": 1}}]})


def test_a_star_sets_every_team_that_has_the_key() -> None:
    assert expand_wildcards(DATA, "teams.*.posts.adviser") == ["teams.0.posts.adviser", "teams.1.posts.adviser"]
    scenario = validate_changed(DATA, {"teams.*.posts.adviser": 6}, "test")
    assert [t.posts.get("adviser") for t in scenario.teams] == [6, 6, None]
    assert DATA["teams"][0]["posts"]["adviser"] == 4  # the data given is left untouched


def test_a_star_over_a_model_field_reaches_every_item() -> None:
    assert len(expand_wildcards(DATA, "teams.*.mediators")) == 3
    check_path(DATA, "teams.*.min_manning.team_leader")


@pytest.mark.parametrize(("path", "message"), [
    ("teams.*.nope", "teams.0.nope: unknown key 'nope'"),
    ("recruitment.*.size", "'*' stands for list items, and recruitment is not a list"),
    ("*.size", "not for top-level keys"),
    ("teams.*.posts.medic", "no key 'medic' in teams.0.posts"),
])
def test_a_star_that_reaches_nothing_is_an_error(path: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        check_path(DATA, path)
    assert message in str(caught.value)
