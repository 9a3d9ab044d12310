"""Supply-limited fill against its closed forms: pools, nomination rates, the fill ceiling, funded posts.

Every stage of the pipeline is fixed (17 + 14 + 42 + 3 + 5 = 81 days from call to arrival, no
re-advertisement) and tours outlast the horizon, so the only randomness is the nominations' own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from builders import scenario

from deploysim import simulate
from deploysim.errors import ScenarioError
from deploysim.scenario.load import validate_scenario

PIPELINE = 81  # days from call to arrival
ONE_TEAM = [
    {"name": "T1", "unit": "U1", "posts": {"leader": 1, "adviser": 99}, "min_manning": {"leader": 1},
     "needs_mediator": False, "mediators": 0}
]


def _mission(**changes: Any) -> Any:
    fields: dict[str, Any] = {"horizon": "200 d", "mandate": {"initial_length": "400 d"}, "teams": ONE_TEAM,
                              "tour": {"length": "2 years"}}
    return scenario(**{**fields, **changes})


def test_a_pool_of_p_fills_exactly_p_of_n_posts() -> None:
    s = _mission(supply={"contributors": [{"name": "pool", "pool": 40}]})
    for rep in range(3):
        filled = simulate(s, seed=0, replication=rep, record_events=False).daily.filled.to_numpy()
        assert (filled[:PIPELINE] == 0).all()
        assert (filled[PIPELINE:] == 40).all()  # 40 of 100: the closed form P/N, in every run


def test_funded_posts_cap_the_posts_held_at_once() -> None:
    s = _mission(budget={"funded_posts": 30})
    filled = simulate(s, seed=0, record_events=False).daily.filled.to_numpy()
    assert (filled[PIPELINE:] == 30).all()


def test_a_nomination_rate_gives_a_linear_ramp_of_that_slope_until_the_ceiling() -> None:
    """Nominations from day 17 at r a day reach posts 64 days later: filled(t) = N(t - 81), Poisson with mean
    r (t - 81), until the fill ceiling. The least-squares slope of the mean curve over days 85-105 is a
    weighted sum of a Poisson process's values, so its variance is exact: r sum_ij w_i w_j min(s_i, s_j)
    / reps; the test allows 4 standard errors (a false alarm about once in 16,000 runs of the test)."""
    rate, reps = 2.0, 40
    s = _mission(supply={"contributors": [{"name": "A", "nominations": "14 per week"}], "fill_ceiling": 0.6})
    runs = np.array([simulate(s, seed=1, replication=r, record_events=False).daily.filled.to_numpy()
                     for r in range(reps)])
    days = np.arange(85, 106)
    x = days - days.mean()
    weights = x / (x @ x)
    slope = weights @ runs[:, days].mean(axis=0)
    since = days - PIPELINE
    se = np.sqrt(rate * weights @ np.minimum.outer(since, since) @ weights / reps)
    assert abs(slope - rate) < 4 * se, (slope, se)
    assert (runs[:, -1] == 60).all()  # the ceiling: 60% of 100 posts, reached in every run by day 199
    assert runs.max() == 60


def test_eligibility_sends_candidates_only_where_they_may_go() -> None:
    posts = {"leader": 1, "adviser": 9}
    teams = [dict(ONE_TEAM[0], posts=posts), dict(ONE_TEAM[0], name="T2", posts=posts)]
    s = _mission(teams=teams, supply={"contributors": [
        {"name": "leaders", "pool": 5, "eligible_roles": ["leader"]},
        {"name": "for T2", "pool": 100, "eligible_teams": ["T2"]},
    ]})
    result = simulate(s, seed=0, record_events=False)
    last = result.teams[result.teams.day == result.teams.day.max()].set_index("team")
    assert last.loc["T1", "filled"] == 1 and last.loc["T2", "filled"] == 10


def test_no_supply_section_means_unlimited_supply() -> None:
    filled = simulate(_mission(), seed=0, record_events=False).daily.filled.to_numpy()
    assert (filled[PIPELINE:] == 100).all()


@pytest.mark.parametrize(
    ("supply", "message"),
    [
        ({"contributors": [{"name": "A"}]}, "give nominations"),
        ({"contributors": [{"name": "A", "nominations": "3 per fortnight"}]}, "unknown time unit"),
        ({"contributors": [{"name": "A", "pool": 3, "eligible_roles": ["advisor"]}]}, "did you mean 'adviser'"),
        ({"contributors": [{"name": "A", "pool": 3}, {"name": "A", "pool": 4}]}, "appears twice"),
        ({"contributors": [{"name": "A", "nominations": 1, "contingent": {}}]}, "a contingent is a pledge"),
        ({"contributors": [{"name": "A", "pool": 3, "eligible_teams": ["T2"]}]}, "no team is named 'T2'"),
        ({"contributors": [{"name": "A", "pool": 3}], "fill_ceiling": 1.5}, "must be at most 1"),
    ],
)
def test_bad_supply_is_refused_with_its_field(supply: dict[str, Any], message: str) -> None:
    data = _mission().model_dump(mode="json")
    data["supply"] = supply
    with pytest.raises(ScenarioError, match=message) as caught:
        validate_scenario(data, "test.yaml")
    assert "supply" in str(caught.value)


# -- the roster's call-up order ---------------------------------------------------------------------
TEN_TEAMS = [
    {"name": f"T{k}", "unit": "U1", "posts": {"leader": 1, "monitor": 49}, "min_manning": {"leader": 1, "monitor": 3},
     "needs_mediator": False, "mediators": 0}
    for k in range(10)
]


@pytest.mark.parametrize(("order", "operational"), [("operational_first", 10), ("file", 2)])
def test_a_roster_of_100_makes_all_ten_teams_operational(order: str, operational: int) -> None:
    """100 roster people, 10 teams of 50 needing a leader and 3 monitors: 40 essential posts, so every team
    can operate once the roster is in (day 5); handed out in file order it fills the first two teams only."""
    s = _mission(teams=TEN_TEAMS, horizon="30 d",
                 recruitment={"roster": {"size": 100, "call_up": "5 d", "order": order}})
    daily = simulate(s, seed=0, record_events=False).daily
    assert daily.filled.iloc[6] == 100
    assert daily.teams_operational.iloc[6] == operational


def test_roster_priority_teams_go_first() -> None:
    s = _mission(teams=TEN_TEAMS, horizon="30 d",
                 recruitment={"roster": {"size": 2, "call_up": "5 d", "priority_teams": ["T9"]}})
    result = simulate(s, seed=0, record_events=False)
    day6 = result.teams[result.teams.day == 6].set_index("team")
    assert day6.loc["T9", "filled"] == 2 and day6.filled.sum() == 2  # T9's leader and first monitor


def test_a_roster_refill_adds_people_at_its_rate() -> None:
    """20 people in place end their tours on day 30 and their successors are called then: a roster refilled
    at 0.5 a day from empty holds floor(0.5 x 30) = 15 by then, so 15 arrive after the 1-day call-up."""
    team = dict(ONE_TEAM[0], posts={"leader": 1, "adviser": 19}, in_place={"leader": 1, "adviser": 19})
    s = _mission(teams=[team], horizon="60 d", initial_staff={"tour_elapsed": 0},
                 tour={"length": "30 d", "replacement_lead": 0, "handover_overlap": 0},
                 recruitment={"roster": {"size": 0, "call_up": "1 d", "refill": "3.5 per week"}})
    filled = simulate(s, seed=0, record_events=False).daily.filled.to_numpy()
    assert filled[29] == 20 and filled[30] == 0 and (filled[31:60] == 15).all()
