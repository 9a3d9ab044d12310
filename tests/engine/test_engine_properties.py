"""Invariants of the engine's state, over randomly generated small missions (hypothesis).

Whatever the scenario, on every day: nobody fills a post that is not authorised, nobody is present
who is not deployed, vacancies add up, only active teams are operational, cost never decreases, and
nothing is deployed once the mission has closed.
"""

from __future__ import annotations

from builders import scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploysim import simulate

durations = st.sampled_from(["0 d", "3 d", "uniform(1, 20) d", "exponential(10) d", "triangular(5, 10, 30) d"])
probabilities = st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0])


@st.composite
def missions(draw: st.DrawFn) -> dict:
    advisers = draw(st.integers(1, 12))
    need = draw(st.integers(0, advisers))
    in_place = draw(st.integers(0, advisers))
    changes: dict = {
        "horizon": f"{draw(st.integers(30, 400))} d",
        "mandate": {
            "initial_length": f"{draw(st.integers(20, 300))} d",
            "drawdown": f"{draw(st.integers(0, 40))} d",
        },
        "teams": [
            {"name": "T1", "unit": "U1", "posts": {"leader": 1, "adviser": advisers},
             "min_manning": {"leader": 1, "adviser": need}, "in_place": {"adviser": in_place},
             "needs_mediator": draw(st.booleans()), "mediators": 1},
            {"name": "T2", "unit": "U1", "posts": {"adviser": 3}, "needs_mediator": False, "mediators": 0},
        ],
        "recruitment": {"call_window": draw(durations), "selection": draw(durations),
                        "pre_deployment_training": draw(durations), "travel": draw(durations),
                        "readvertise_probability": draw(st.sampled_from([0.0, 0.43, 0.8])),
                        "roster": {"size": draw(st.integers(0, 5))}},
        "tour": {"length": f"{draw(st.integers(20, 400))} d", "extension_probability": draw(probabilities),
                 "handover_overlap": f"{draw(st.integers(0, 14))} d"},
        "leave": {"days_per_month": draw(st.sampled_from([0, 2.5, 6])),
                  "block": draw(st.sampled_from(["5 d", "10 d"]))},
        "repatriation": {"annual_hazard": draw(st.sampled_from([0, 0.5, 3]))},
        "incidents": {"rate_per_day": draw(st.sampled_from([0, 0.5, 2]))},
        "mediators": {"certification_yield": draw(probabilities), "annual_attrition": draw(st.sampled_from([0, 1]))},
    }
    if draw(st.booleans()):
        changes["mandate"]["extensions"] = {"decision": {"approval_probability": draw(probabilities),
                                                         "delay": draw(durations)},
                                            "length": "60 d", "technical_rollover": draw(st.booleans())}
    if draw(st.booleans()):
        changes["consent"] = {"initial": "pending", "time_to_decision": draw(durations),
                              "refusal_probability": draw(probabilities), "advance_teams": ["T2"],
                              "recruit_before_consent": draw(st.booleans())}
    if draw(st.booleans()):
        changes["phases"] = [{"name": "smaller", "trigger": {"after": f"{draw(st.integers(1, 200))} d"},
                              "abolished_holders_leave": draw(st.sampled_from(["at_once", "at_tour_end"])),
                              "rerole": {"adviser": "trainer"} if draw(st.booleans()) else {},
                              "teams": [{"name": "T1", "posts": {"leader": 1, "trainer": 1, "adviser": 1},
                                         "needs_mediator": False, "mediators": 1}]}]
    if draw(st.booleans()):
        trigger = draw(st.sampled_from([{"after": "40 d"}, {"metric": "team_coverage", "below": 0.9, "window": "10 d"},
                                        {"event": "consent_granted"}]))
        changes["expansions"] = [{"name": "more", "trigger": trigger, "add_posts": {"T2": {"adviser": 2}},
                                  "approval": {"approval_probability": draw(probabilities)}}]
    if draw(st.booleans()):
        changes["budget"] = {"ceiling": draw(st.sampled_from([20_000, 200_000])),
                             "on_reached": draw(st.sampled_from(["stop_recruiting", "drawdown"]))}
    return changes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=missions(), seed=st.integers(0, 2**32 - 1))
def test_daily_state_is_always_consistent(changes: dict, seed: int) -> None:
    result = simulate(scenario(**changes), seed=seed)
    d = result.daily
    assert (d["filled"] <= d["authorised"]).all()
    assert (d["present"] <= d["filled"]).all()
    assert (d["filled"] <= d["deployed"]).all()
    assert (d["vacant"] == (d["authorised"] - d["filled"]).where(d["mandate_active"], 0)).all()
    assert (d[["in_pipeline", "deployed", "teams_operational"]] >= 0).all().all()
    assert (d["teams_operational"] <= d["teams_active"]).all()
    assert d["cost_to_date"].is_monotonic_increasing
    closed = ~d["mission_active"]
    assert (d.loc[closed, ["deployed", "filled", "present", "in_pipeline"]] == 0).all().all()
    t = result.teams
    assert (t["present"] <= t["filled"]).all() and (t["filled"] <= t["authorised"]).all()
    assert not (t["operational"] & (t["authorised"] == 0)).any()
    s = result.summary
    assert 0 <= s["mission_end_day"] <= len(d)
    assert s["mean_fill"] != s["mean_fill"] or 0 <= s["mean_fill"] <= 1
