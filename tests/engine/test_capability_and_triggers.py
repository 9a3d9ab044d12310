"""IOC and FOC over the teams that count for capability, and an incident-rate trigger taken over the
units that have incidents and an active team."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import simpy
from builders import scenario

from deploysim import load_scenario, simulate
from deploysim.engine.daily_rules import incident_rate, units_watched
from deploysim.engine.mediation import _incident
from deploysim.engine.plan import compile_plan
from deploysim.engine.state import MissionState
from deploysim.engine.streams import RunIdentity, Streams

REPO = Path(__file__).resolve().parents[2]


def _hq_and_field(counts: bool) -> dict[str, object]:
    return {
        "horizon": "200 d", "mandate": {"initial_length": "200 d"}, "tour": {"length": "1 year"},
        "teams": [
            {"name": "HQ", "unit": "U1", "posts": {"head": 1}, "needs_mediator": False, "mediators": 0,
             "counts_for_capability": counts},
            {"name": "T1", "unit": "U1", "posts": {"adviser": 3}, "needs_mediator": False, "mediators": 0},
        ],
        # the HQ deploys ahead after the 81-day pipeline; the host refuses on day 120, before anyone else
        "consent": {"initial": "pending", "time_to_decision": "120 d", "refusal_probability": 1.0,
                    "advance_teams": ["HQ"]},
    }


def test_an_hq_that_does_not_count_gives_no_ioc_when_no_field_team_operates() -> None:
    counted = simulate(scenario(**_hq_and_field(True)), seed=6, record_events=False).summary
    not_counted = simulate(scenario(**_hq_and_field(False)), seed=6, record_events=False).summary
    assert counted["ioc_day"] == 81.0  # the head of group alone made "IOC" before the flag
    assert math.isnan(not_counted["ioc_day"]) and math.isnan(not_counted["foc_day"])


def test_kyrgyzstan_ioc_is_always_a_field_team_operational() -> None:
    s = load_scenario(REPO / "scenarios" / "kyrgyzstan-2010.yaml")
    field = [t.name for t in s.teams if t.counts_for_capability]
    assert "Headquarters" not in field and len(field) == 6
    reached = 0
    for replication in range(15):
        result = simulate(s, seed=0, replication=replication, record_events=False)
        ioc = result.summary["ioc_day"]
        teams = result.teams
        up = teams[(teams["team"].isin(field)) & teams["operational"]]
        if math.isnan(ioc):
            assert up.empty
        else:
            reached += 1
            assert up["day"].min() == ioc
    assert reached > 0


def _state() -> MissionState:
    # U1 with team T1 (rate 0.3), U2 with the HQ (rate 0), U3 without a team (rate 0.3), U4 brought in
    # by an expansion with its team T4 (rate 0.3)
    s = scenario(
        units=[{"name": "U1"}, {"name": "U2", "incident_rate": 0}, {"name": "U3"}],
        teams=[{"name": "T1", "unit": "U1", "posts": {"adviser": 1}, "needs_mediator": False, "mediators": 0},
               {"name": "HQ", "unit": "U2", "posts": {"head": 1}, "needs_mediator": False, "mediators": 0}],
        incidents={"rate_per_day": 0.3},
        expansions=[{"name": "more", "trigger": {"after": "50 d"}, "new_units": [{"name": "U4"}],
                     "new_teams": [{"name": "T4", "unit": "U4", "posts": {"adviser": 1},
                                    "needs_mediator": False, "mediators": 0}]}],
    )
    plan = compile_plan(s)
    assert [u.origin for u in plan.units] == ["", "", "", "expansion/more"]
    return MissionState(simpy.Environment(), plan, False, Streams(RunIdentity(0, 0, 0)).stream)


def test_incident_rate_divides_by_units_with_incidents_and_an_active_team() -> None:
    state = _state()
    t1, hq, t4 = state.teams
    assert units_watched(state) == 0  # no posts open yet
    state.open_post(t1, "adviser")
    state.open_post(hq, "head")
    assert units_watched(state) == 1  # U1 only: U2 has rate 0, U3 has no team, T4 has not opened
    state.watched_incidents_by_day[:7] = [3, 1, 0, 2, 0, 0, 1]
    assert incident_rate(state, 7, 7) == 7 / (7 * 1)
    state.open_post(t4, "adviser")
    assert units_watched(state) == 2
    assert incident_rate(state, 7, 7) == 7 / (7 * 2)
    assert incident_rate(state, 7, 3) == 1 / (3 * 2)  # days 4-6: 0 + 0 + 1


def test_only_incidents_of_units_with_an_active_team_feed_the_rate() -> None:
    state = _state()
    t1, _, t4 = state.teams
    state.open_post(t1, "adviser")
    rng = random.Random(1)
    _incident(state, rng, None)  # U3: no team
    _incident(state, rng, t4)  # U4 before its team opened
    _incident(state, rng, t1)
    assert state.incidents_by_day[0] == 3 and state.watched_incidents_by_day[0] == 1


def test_incidents_of_an_expansion_unit_start_with_the_expansion() -> None:
    s = scenario(
        horizon="200 d", mandate={"initial_length": "200 d"},
        units=[{"name": "U1", "incident_rate": 0}],
        expansions=[{"name": "more", "trigger": {"after": "100 d"}, "new_units": [{"name": "U9",
                                                                                  "incident_rate": 3.0}],
                     "new_teams": [{"name": "T9", "unit": "U9", "posts": {"adviser": 1},
                                    "needs_mediator": False, "mediators": 0}]}],
    )
    daily = simulate(s, seed=2, record_events=False).daily
    incidents = daily["incidents"].to_numpy()
    assert incidents[:100].sum() == 0
    # 3 a day for 100 days: Poisson with mean 300 (sd 17); 6 sd below
    assert incidents[100:].sum() > 300 - 6 * np.sqrt(300)
