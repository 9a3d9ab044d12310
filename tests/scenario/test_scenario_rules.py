"""Cross-field rules of the schema that protect planners from silent surprises."""

from __future__ import annotations

import pytest
from builders import BASE, merge
from pydantic import ValidationError

from deploysim.scenario.schema import Scenario


def test_a_team_that_needs_a_mediator_must_have_one() -> None:
    data = merge(BASE, {})
    data["teams"][0].update(needs_mediator=True, mediators=0)
    with pytest.raises(ValidationError, match="mediators: 0"):
        Scenario.model_validate(data)


def test_cost_rates_for_unknown_roles_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"costs\.roles\.advisor: no post anywhere has role 'advisor'"):
        Scenario.model_validate(merge(BASE, {"costs": {"roles": {"advisor": {"daily": 100}}}}))


def test_cost_rates_for_roles_that_only_appear_in_a_later_phase_are_accepted() -> None:
    phase = {"name": "p", "trigger": {"after": 10}, "teams": [{"name": "T1", "posts": {"trainer": 1},
                                                               "needs_mediator": False, "mediators": 0}]}
    scenario = Scenario.model_validate(merge(BASE, {"phases": [phase], "costs": {"roles": {"trainer": {"daily": 90}}}}))
    assert scenario.costs.roles["trainer"].daily == 90


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_non_finite_rates_are_refused(value: float) -> None:
    with pytest.raises(ValidationError):
        Scenario.model_validate(merge(BASE, {"incidents": {"rate_per_day": value}}))


def test_a_phase_cannot_add_mediator_slots_to_an_existing_team() -> None:
    data = merge(BASE, {})  # T1 has mediators: 0
    data["phases"] = [{"name": "p", "trigger": {"after": 10}, "teams": [{"name": "T1", "posts": {"adviser": 1},
                                                                          "mediators": 2}]}]
    with pytest.raises(ValidationError, match="cannot add slots"):
        Scenario.model_validate(data)
