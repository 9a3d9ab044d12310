"""The post and person lifecycle, checked with fixed durations where every day is predictable."""

from __future__ import annotations

import numpy as np
from builders import scenario

from deploysim import simulate
from deploysim.scenario.schema import Scenario


def test_pipeline_then_tour_then_rotation_with_handover_overlap() -> None:
    # pipeline 17 + 14 + 42 + 3 + 5 = 81 days; tour 100 d; default replacement lead = 81 + 7 overlap,
    # so the successor is requested on day 81 + 100 - 88 = 93 and arrives on day 93 + 81 = 174,
    # seven days before the incumbent rotates out on day 181.
    s = scenario(
        horizon="200 d",
        mandate={"initial_length": "200 d"},
        teams=[{"name": "T1", "unit": "U1", "posts": {"leader": 1}, "min_manning": {"leader": 1},
                "needs_mediator": False, "mediators": 0}],
    )
    result = simulate(s, seed=3)
    events = result.events
    deployed = events.loc[events["event"] == "deployed", "day"].tolist()
    assert deployed == [81.0, 174.0]
    assert events.loc[events["event"] == "rotated out", "day"].tolist() == [181.0]
    calls = events.loc[events["event"] == "call issued", "day"].tolist()
    assert calls == [0.0, 93.0, 186.0]  # each holder's successor is called 88 days before tour end
    filled = result.daily.set_index("day")["filled"]
    assert filled.loc[80] == 0 and filled.loc[81] == 1
    assert filled.loc[173:199].eq(1).all()  # the overlap keeps the post filled through the rotation
    assert result.summary["handover_gap_days"] == 0.0
    assert result.summary["ioc_day"] == 81.0


def test_team_operational_only_with_minimum_manning_present() -> None:
    # Leader needed plus two advisers: identical fixed pipelines, so the whole team arrives on day 81.
    result = simulate(scenario(), seed=1)
    teams = result.teams.set_index("day")
    assert not teams.loc[80, "operational"]
    assert teams.loc[81, "operational"]
    assert teams.loc[81, "present"] == 4


def test_mediator_requirement_gates_operational_status() -> None:
    s = scenario(
        teams=[{"name": "T1", "unit": "U1", "posts": {"leader": 1}, "min_manning": {"leader": 1},
                "needs_mediator": True, "mediators": 1, "in_place": {"leader": 1}}],
        mediators={"recruitment": "10 d", "training": "5 d", "certification_yield": 1.0, "annual_attrition": 0},
        initial_staff={"tour_elapsed": 0},
    )
    teams = simulate(s, seed=2).teams.set_index("day")
    # leader present from day 0, mediator certified on day 15: operational from then on
    assert not teams.loc[14, "operational"]
    assert teams.loc[15, "operational"]
    assert teams.loc[15, "mediators_certified"] == 1


def _absent_shares(s: Scenario, seed: int, replications: int) -> list[float]:
    """Per replication, the share of filled post-days whose holder was away on leave."""
    shares = []
    for rep in range(replications):
        daily = simulate(s, seed=seed, replication=rep, record_events=False).daily
        shares.append(1 - daily["present"].sum() / daily["filled"].sum())
    return shares


def test_leave_takes_people_away_at_the_entitled_rate() -> None:
    # 2.5 days a month in 10-day blocks: the expected absent share is 2.5 / (365.25/12) = 8.21%.
    # 400 posts x 3 years; the absent share per post-day is a sum of many weakly dependent
    # indicators, and 5 replications give an empirical standard error; allow 4 of them.
    s = scenario(
        horizon="3 years",
        mandate={"initial_length": "3 years"},
        teams=[{"name": "T1", "unit": "U1", "posts": {"adviser": 400}, "in_place": {"adviser": 400},
                "needs_mediator": False, "mediators": 0}],
        tour={"length": "10 years"},
        leave={"days_per_month": 2.5, "block": "10 d"},
        initial_staff={"tour_elapsed": 0},
    )
    shares = _absent_shares(s, seed=11, replications=5)
    expected = 2.5 / (365.25 / 12)
    se = np.std(shares, ddof=1) / np.sqrt(len(shares))
    assert abs(np.mean(shares) - expected) < 4 * se + 1e-3


def test_short_tours_deliver_less_leave_than_the_entitlement_as_the_closed_form_says() -> None:
    # Blocks of b = 10 d every I = b / (2.5 / 30.44) = 121.75 d, the first uniformly within the first
    # interval: in a tour of L days the expected absence is (b / I)(L - b / 2) (the block that would
    # straddle the tour's start never happens), a share (b / I)(1 - b / (2L)): 7.53% for L = 60 d,
    # against the 8.21% entitlement. 1,000 posts x 4 replications; 4 empirical standard errors.
    s = scenario(
        horizon="60 d",
        mandate={"initial_length": "60 d"},
        teams=[{"name": "T1", "unit": "U1", "posts": {"adviser": 1000}, "in_place": {"adviser": 1000},
                "needs_mediator": False, "mediators": 0}],
        tour={"length": "60 d"},
        leave={"days_per_month": 2.5, "block": "10 d"},
        initial_staff={"tour_elapsed": 0},
    )
    shares = _absent_shares(s, seed=12, replications=4)
    block, interval, tour = 10.0, 10.0 / (2.5 / (365.25 / 12)), 60.0
    expected = block / interval * (1 - block / (2 * tour))
    se = np.std(shares, ddof=1) / np.sqrt(len(shares))
    assert abs(np.mean(shares) - expected) < 4 * se
    assert abs(np.mean(shares) - block / interval) > 4 * se  # and it is not the entitlement


def test_mandate_end_with_no_drawdown_period_ends_everything_at_once() -> None:
    s = scenario(horizon="150 d", mandate={"initial_length": "100 d", "drawdown": 0},
                 teams=[{"name": "T1", "unit": "U1", "posts": {"adviser": 5}, "in_place": {"adviser": 5},
                         "needs_mediator": False, "mediators": 0}])
    result = simulate(s, seed=5)
    daily = result.daily.set_index("day")
    assert daily.loc[99, "filled"] == 5 and daily.loc[99, "mandate_active"]
    after = daily.loc[100:]
    assert (after[["authorised", "filled", "present", "in_pipeline"]] == 0).all().all()
    assert not after["mandate_active"].any() and not after["mission_active"].any()
    assert after["cost_to_date"].nunique() == 1  # no cost accrues after the mission closed
    assert result.summary["mission_end_day"] == 100.0


def test_orderly_drawdown_leaves_nobody_deployed_after_it_ends() -> None:
    # 40 people in place, mandate of 100 days, 30-day drawdown: people leave at times spread over
    # days 100-130, no new calls go out, and from day 130 nobody is deployed or in the pipeline.
    s = scenario(horizon="200 d", mandate={"initial_length": "100 d", "drawdown": "30 d"},
                 teams=[{"name": "T1", "unit": "U1", "posts": {"adviser": 40}, "in_place": {"adviser": 40},
                         "needs_mediator": False, "mediators": 0}],
                 tour={"length": "60 d"})
    result = simulate(s, seed=8)
    daily = result.daily.set_index("day")
    assert daily.loc[99, "mandate_active"] and not daily.loc[100, "mandate_active"]
    assert daily.loc[100, "authorised"] == 0
    assert daily.loc[100, "filled"] == 0  # the posts are gone; their holders are still leaving
    during = daily.loc[100:129, "deployed"]
    assert during.iloc[0] > 0 and during.is_monotonic_decreasing and during.iloc[-1] < during.iloc[0]
    assert (daily.loc[130:, ["deployed", "filled", "present", "in_pipeline"]] == 0).all().all()
    assert result.summary["mission_end_day"] == 130.0
    events = result.events
    assert (events.loc[events["event"] == "call issued", "day"] < 100).all()


def test_roster_fills_posts_at_once() -> None:
    s = scenario(
        horizon="90 d", mandate={"initial_length": "90 d"}, recruitment={"roster": {"size": 2, "call_up": "4 d"}}
    )
    events = simulate(s, seed=9).events
    deployed = sorted(events.loc[events["event"] == "deployed", "day"])
    # two posts from the roster on day 4 plus two through the 81-day pipeline
    assert deployed == [4.0, 4.0, 81.0, 81.0]
