"""Mediation that exists before it serves: requests arise only while a team is deployed and has a
mediator slot, demand without a certified mediator is unmet (not queued), requests still waiting at
the end are censored, and phases can remove mediators (careers and pay end)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from builders import scenario

from deploysim import load_scenario, simulate
from deploysim.engine.mission import run_engine
from deploysim.engine.streams import RunIdentity
from deploysim.results.measures import summarise

REPO = Path(__file__).resolve().parents[2]
ONE_MEDIATED_TEAM = [{"name": "T1", "unit": "U1", "posts": {"leader": 1}, "in_place": {"leader": 1},
                      "needs_mediator": True, "mediators": 1}]


def test_overload_counts_every_request_served_unmet_or_still_waiting() -> None:
    # Requests at 2 a day, one mediator serving 1 a day, certified only on day 30 + 21 = 51 (yield 1):
    # the first 51 days' requests find no mediator (unmet), then the queue grows by about a request a
    # day, so many are still waiting at the horizon. None may vanish.
    s = scenario(
        horizon="200 d", mandate={"initial_length": "200 d"}, tour={"length": "2 years"},
        teams=ONE_MEDIATED_TEAM,
        mediators={"recruitment": "30 d", "training": "3 w", "certification_yield": 1.0, "annual_attrition": 0},
        incidents={"rate_per_day": 2.0, "mediation_share": 1.0, "service_time": "exponential(1) d"},
    )
    for replication in range(5):
        raw = run_engine(s, RunIdentity(11, 0, replication), record_events=False)
        summary = summarise(raw)
        arisen = summary["mediation_requests"]
        assert arisen == summary["mediation_cases"] + summary["mediation_unmet"] + summary["mediation_waiting"]
        # unmet: Poisson with mean 2 * 51 = 102 (sd 10); 6 sd either side
        assert 40 < summary["mediation_unmet"] < 165
        # still waiting: the queue of an overloaded M/M/1 grows at lam - mu = 1 a day for 149 days
        assert summary["mediation_waiting"] > 50
        assert summary["mediation_unmet_share"] == summary["mediation_unmet"] / arisen
        # the censored (recent, still waiting) requests move mass to the right (Efron's redistribution):
        # the Kaplan-Meier percentile is at least that of the served requests alone, or not reached
        served = np.sort(np.asarray(raw.state.waits))
        p90 = summary["mediation_wait_p90"]
        assert math.isnan(p90) or p90 >= served[math.ceil(0.9 * served.size) - 1] - 1e-12


def test_censored_waits_enter_the_kaplan_meier_percentile() -> None:
    # A mediator just keeping up (lam = mu = 1) over a short horizon: a few requests still wait at the
    # end; the per-run percentile counts them as censored, so it is at least the served requests' own.
    s = scenario(
        horizon="120 d", mandate={"initial_length": "120 d"}, tour={"length": "2 years"},
        teams=ONE_MEDIATED_TEAM, mediators={"in_place": True, "annual_attrition": 0},
        incidents={"rate_per_day": 1.0, "mediation_share": 1.0, "service_time": "exponential(1) d"},
    )
    for replication in range(5):
        raw = run_engine(s, RunIdentity(5, 0, replication), record_events=False)
        summary = summarise(raw)
        served = np.sort(np.asarray(raw.state.waits))
        waiting = [raw.plan.horizon - since for since in raw.state.teams[0].queue]
        assert summary["mediation_waiting"] == len(waiting)
        assert summary["mediation_requests"] == served.size + len(waiting)  # in place from day 0: none unmet
        if not math.isnan(summary["mediation_wait_p90"]):
            assert summary["mediation_wait_p90"] >= served[math.ceil(0.9 * served.size) - 1] - 1e-12


def test_no_request_arises_before_the_team_is_deployed() -> None:
    # Nobody of the team ever arrives (consent refused on day 100, the pipeline takes 81 days but travel
    # waits for consent): incidents happen, yet no mediation is requested, whatever the mediators do.
    s = scenario(
        horizon="200 d", mandate={"initial_length": "200 d"},
        teams=[{"name": "T1", "unit": "U1", "posts": {"leader": 1}, "needs_mediator": True, "mediators": 1}],
        consent={"initial": "pending", "time_to_decision": "100 d", "refusal_probability": 1.0},
        mediators={"in_place": True},
        incidents={"rate_per_day": 1.0, "mediation_share": 1.0},
    )
    summary = simulate(s, seed=3, record_events=False).summary
    assert summary["incidents"] > 0
    assert summary["mediation_requests"] == 0 and summary["mediation_cases"] == 0
    # mediators starting with the team are paid from day 0 (in place) to the close at day 130
    assert summary["mediator_cost"] == 40.0 * 130


def test_mediators_after_consent_are_never_hired_without_it() -> None:
    base = {
        "horizon": "200 d", "mandate": {"initial_length": "200 d"},
        "teams": [{"name": "T1", "unit": "U1", "posts": {"leader": 1}, "needs_mediator": True, "mediators": 2}],
        "consent": {"initial": "pending", "time_to_decision": "60 d", "refusal_probability": 0.0},
        "mediators": {"recruitment": "10 d", "training": "10 d", "certification_yield": 1.0, "annual_attrition": 0},
    }
    with_team = simulate(scenario(**base), seed=4, record_events=False)
    after = simulate(scenario(**{**base, "mediators": {**base["mediators"], "start": "after_consent"}}), seed=4,
                     record_events=False)
    certified_with_team = with_team.daily.set_index("day")["mediators_certified"]
    certified_after = after.daily.set_index("day")["mediators_certified"]
    assert certified_with_team.loc[20] == 2 and certified_after.loc[79] == 0 and certified_after.loc[80] == 2
    # two slots paid from day 10 (with the team) or from day 70 (consent on 60, then recruitment 10 d)
    assert with_team.summary["mediator_cost"] == 2 * 40.0 * (200 - 10)
    assert after.summary["mediator_cost"] == 2 * 40.0 * (200 - 70)


def test_a_phase_without_mediators_ends_their_careers_and_pay() -> None:
    s = scenario(
        horizon="300 d", mandate={"initial_length": "300 d"}, tour={"length": "2 years"},
        teams=[{"name": "T1", "unit": "U1", "posts": {"leader": 1}, "in_place": {"leader": 1},
                "needs_mediator": True, "mediators": 2},
               {"name": "T2", "unit": "U1", "posts": {"leader": 1}, "in_place": {"leader": 1},
                "needs_mediator": True, "mediators": 1}],
        mediators={"in_place": True, "annual_attrition": 0},
        incidents={"rate_per_day": 1.0, "mediation_share": 1.0},
        # T1 keeps one slot and stops needing a mediator, T2 is dropped with its slot
        phases=[{"name": "lean", "trigger": {"after": "100 d"},
                 "teams": [{"name": "T1", "posts": {"leader": 1}, "needs_mediator": False, "mediators": 1}]}],
    )
    result = simulate(s, seed=8)
    daily = result.daily.set_index("day")
    assert daily.loc[99, "mediators_certified"] == 3 and daily.loc[100, "mediators_certified"] == 1
    assert result.summary["mediator_cost"] == 40.0 * (3 * 100 + 1 * 200)
    teams = result.teams.set_index(["day", "team"])
    assert teams.loc[(299, "T2"), "mediators_certified"] == 0


def test_the_csi_scenario_reports_no_mediation_and_no_mediator_cost() -> None:
    # The PAG never deploys (consent refused) and its mediators start after consent; the CSI phase has none.
    s = load_scenario(REPO / "scenarios" / "kyrgyzstan-csi-2010.yaml")
    for replication in range(10):
        result = simulate(s, seed=0, replication=replication, record_events=False)
        assert result.summary["mediation_requests"] == 0 and result.summary["mediation_cases"] == 0
        assert result.summary["mediator_cost"] == 0
        assert (result.daily["mediators_certified"] == 0).all()
