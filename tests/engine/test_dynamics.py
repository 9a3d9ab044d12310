"""Mandate dynamics: decisions, drawdown, consent, expansion, phases and cadet cohorts."""

from __future__ import annotations

import math
import random

import numpy as np
from builders import scenario

from deploysim import simulate
from deploysim.engine.rules import compile_decision
from deploysim.scenario.dynamics import Consensus

ONE_TEAM = [{"name": "T1", "unit": "U1", "posts": {"adviser": 4}, "in_place": {"adviser": 4},
             "needs_mediator": False, "mediators": 0}]


def test_consensus_probability_matches_binomial_closed_form() -> None:
    # P(all N States accept) = (1 - p)^N. With n independent decisions the count granted is
    # Binomial(n, q); allow 4 binomial standard errors.
    rule = Consensus(states=56, objection_probability=0.01)
    q = 0.99**56
    assert math.isclose(rule.probability(), q)
    rng = random.Random(5)
    n = 20_000
    decision = compile_decision(rule)
    granted = sum(decision.passes(rng.random()) for _ in range(n))
    assert abs(granted / n - q) < 4 * math.sqrt(q * (1 - q) / n)


def test_engine_grants_extensions_at_the_consensus_rate() -> None:
    # Through the whole engine: a single review, renewal needs all 56 States (p = 0.01 each).
    # Each replication's decision draws from its own stream, so the 400 outcomes are independent.
    s = scenario(
        horizon="200 d",
        teams=ONE_TEAM,
        mandate={
            "initial_length": "100 d",
            "extensions": {"decision": {"states": 56, "objection_probability": 0.01}, "length": "200 d"},
        },
    )
    n = 400
    granted = [simulate(s, seed=21, replication=r, record_events=False).summary["extensions_granted"]
               for r in range(n)]
    q = 0.99**56
    share = float(np.mean(granted))
    assert abs(share - q) < 4 * math.sqrt(q * (1 - q) / n)


def test_late_decision_rolls_over_and_refusal_draws_down() -> None:
    s = scenario(
        horizon="300 d",
        teams=ONE_TEAM,
        mandate={
            "initial_length": "100 d",
            "drawdown": "10 d",
            "extensions": {"review_before_expiry": "10 d",
                           "decision": {"approval_probability": 0.0, "delay": "30 d"}},
        },
    )
    result = simulate(s, seed=4)
    events = result.events.set_index("event")["day"]
    assert events["mandate review"] == 90.0
    assert events["technical rollover"] == 100.0  # decision due on day 120, after expiry
    assert events["extension refused"] == 120.0
    assert events["drawdown started"] == 120.0
    assert result.summary["mission_end_day"] == 130.0
    daily = result.daily.set_index("day")
    assert daily.loc[119, "mandate_active"] and daily.loc[110, "filled"] == 4  # rollover keeps them
    assert (daily.loc[130:, "deployed"] == 0).all()


def test_consent_gates_deployment_beyond_the_advance_team() -> None:
    s = scenario(
        horizon="200 d",
        mandate={"initial_length": "200 d"},
        teams=[
            {"name": "HQ", "unit": "U1", "posts": {"head": 1}, "needs_mediator": False, "mediators": 0},
            {"name": "T1", "unit": "U1", "posts": {"adviser": 3}, "needs_mediator": False, "mediators": 0},
        ],
        consent={"initial": "pending", "time_to_decision": "120 d", "advance_teams": ["HQ"]},
        tour={"length": "1 year"},
    )
    result = simulate(s, seed=6)
    deployed = result.events[result.events["event"] == "deployed"]
    # HQ arrives after the 81-day pipeline; the team's people are trained by then but wait for consent
    assert deployed.loc[deployed["team"] == "HQ", "day"].tolist() == [81.0]
    assert (deployed.loc[deployed["team"] == "T1", "day"] == 120.0 + 3 + 5).all()
    assert result.summary["consent_day"] == 120.0
    assert result.daily.set_index("day").loc[100, "consent_state"] == "pending"


def test_consent_refusal_with_fallback_phase_reshapes_the_mission() -> None:
    s = scenario(
        horizon="250 d",
        mandate={"initial_length": "250 d"},
        teams=[{"name": "T1", "unit": "U1", "posts": {"adviser": 6}, "needs_mediator": False, "mediators": 0}],
        consent={"initial": "pending", "time_to_decision": "30 d", "refusal_probability": 1.0,
                 "fallback_phase": "small"},
        phases=[{"name": "small", "trigger": {"event": "consent_refused", "delay": "20 d"}, "grants_consent": True,
                 "teams": [{"name": "T1", "posts": {"adviser": 2}, "needs_mediator": False, "mediators": 0}]}],
    )
    result = simulate(s, seed=7)
    daily = result.daily.set_index("day")
    assert daily.loc[31, "authorised"] == 0 and daily.loc[31, "consent_state"] == "refused"
    assert daily.loc[51, "authorised"] == 2 and daily.loc[51, "phase"] == 1
    assert daily.loc[51, "consent_state"] == "granted"
    assert daily.loc[50 + 81 + 1, "filled"] == 2  # the new posts go through the full pipeline
    assert result.summary["consent_day"] == 50.0


def test_phase_change_reroles_and_abolishes_posts_as_declared() -> None:
    # 6 advisers and 2 leaders in place; after 100 days the table becomes 2 trainers (re-roled from
    # advisers, holders kept) and 1 leader; the other posts are abolished, holders leaving at once.
    s = scenario(
        horizon="150 d",
        mandate={"initial_length": "150 d"},
        initial_staff={"tour_elapsed": 0},
        tour={"length": "2 years"},
        teams=[{"name": "T1", "unit": "U1", "posts": {"leader": 2, "adviser": 6},
                "in_place": {"leader": 2, "adviser": 6}, "needs_mediator": False, "mediators": 0}],
        phases=[{"name": "trainers", "trigger": {"after": "100 d"}, "abolished_holders_leave": "at_once",
                 "rerole": {"adviser": "trainer"},
                 "teams": [{"name": "T1", "posts": {"leader": 1, "trainer": 2},
                            "min_manning": {"leader": 1, "trainer": 2}, "needs_mediator": False, "mediators": 0}]}],
    )
    result = simulate(s, seed=3)
    daily = result.daily.set_index("day")
    assert daily.loc[99, ["authorised", "filled", "deployed"]].tolist() == [8, 8, 8]
    assert daily.loc[100, ["authorised", "filled", "deployed"]].tolist() == [3, 3, 3]
    events = result.events
    withdrawn = events[events["event"] == "withdrawn"]
    assert len(withdrawn) == 5 and (withdrawn["day"] == 100).all()
    assert sorted(withdrawn["role"]) == ["leader"] + ["trainer"] * 4  # re-roled before the cut
    assert not events["event"].eq("call issued").any()  # holders kept: nobody needed recruiting
    assert result.teams.set_index("day").loc[100, "operational"]


def test_cohort_arithmetic_and_slip_while_trainers_are_missing() -> None:
    # Trainers arrive on day 81 (pipeline); an intake on day 10 needing 2 trainers (40 cadets, 20 per
    # trainer) slips to day 81, then 30 d academy + 60 d field; all graduate (yield 1).
    # A second intake on day 200 finds trainers present and starts at once.
    s = scenario(
        horizon="400 d",
        mandate={"initial_length": "400 d"},
        tour={"length": "3 years"},
        teams=[{"name": "T1", "unit": "U1", "posts": {"trainer": 2}, "needs_mediator": False, "mediators": 0}],
        training_programmes=[{"name": "cadets", "intakes": [{"after": "10 d", "size": 40},
                                                             {"after": "200 d", "size": 25}],
                              "academy": "30 d", "field": "60 d", "graduation_yield": 1.0,
                              "trainer_role": "trainer", "cadets_per_trainer": 20}],
    )
    result = simulate(s, seed=2)
    events = result.events
    assert events.loc[events["event"] == "cohort started", "day"].tolist() == [81.0, 200.0]
    assert events.loc[events["event"] == "cohort graduated", "day"].tolist() == [171.0, 290.0]
    daily = result.daily.set_index("day")
    assert daily.loc[100, "cadets_in_academy"] == 40
    assert daily.loc[150, "cadets_in_field"] == 40
    assert daily.loc[399, "cadets_graduated"] == 65
    assert result.summary["cadets_graduated"] == 65


def test_graduation_yield_is_binomial() -> None:
    s = scenario(
        horizon="200 d", mandate={"initial_length": "200 d"}, teams=ONE_TEAM,
        training_programmes=[{"name": "c", "intakes": [{"after": 0, "size": 200}], "academy": "30 d",
                              "field": "30 d", "graduation_yield": 0.8}],
    )
    grads = [simulate(s, seed=1, replication=r, record_events=False).summary["cadets_graduated"]
             for r in range(60)]
    # mean 160, sd of the mean sqrt(200 * 0.8 * 0.2 / 60) = 0.73; allow 4 of them
    assert abs(np.mean(grads) - 160) < 4 * math.sqrt(200 * 0.8 * 0.2 / 60)


def test_adding_an_expansion_leaves_everything_before_its_trigger_unchanged() -> None:
    # Common random numbers: the expansion's trigger and approval draw from their own streams and
    # its posts from streams named after them, so the run is identical up to the trigger day.
    base = {
        "horizon": "300 d",
        "mandate": {"initial_length": "300 d"},
        "teams": [{"name": "T1", "unit": "U1", "posts": {"leader": 1, "adviser": 5}, "needs_mediator": True,
                   "mediators": 1}],
        "leave": {"days_per_month": 2.5},
        "repatriation": {"annual_hazard": 0.3},
        "incidents": {"rate_per_day": 0.8},
        "recruitment": {"readvertise_probability": 0.4, "selection": "triangular(5, 10, 30) d"},
    }
    day_x = 150
    expansion = [{"name": "plus", "trigger": {"after": f"{day_x} d"},
                  "approval": {"approval_probability": 1.0, "delay": "uniform(5, 20) d"},
                  "add_posts": {"T1": {"adviser": 6}}}]
    without = simulate(scenario(**base), seed=99)
    with_expansion = simulate(scenario(**base, expansions=expansion), seed=99)
    before = without.daily["day"] < day_x
    assert without.daily[before].equals(with_expansion.daily[before])
    assert without.teams[without.teams["day"] < day_x].equals(with_expansion.teams[with_expansion.teams["day"] < day_x])
    after = with_expansion.daily.set_index("day")
    assert after.loc[day_x + 25, "authorised"] == 12
    assert not without.daily.equals(with_expansion.daily)


def test_metric_trigger_fires_when_incidents_stay_high() -> None:
    # Incident rate 2 per day in the only unit, threshold 1 over a 7-day window: fires on day 7.
    s = scenario(
        horizon="60 d", mandate={"initial_length": "60 d"}, teams=ONE_TEAM,
        incidents={"rate_per_day": 2.0, "mediation_share": 0.0},
        expansions=[{"name": "x", "trigger": {"metric": "incident_rate", "above": 1.0, "window": "7 d"},
                     "add_posts": {"T1": {"adviser": 1}}}],
    )
    events = simulate(s, seed=12).events
    triggered = events.loc[events["event"] == "expansion triggered", "day"].tolist()
    assert triggered == [7.5]  # evaluated at the day-7 snapshot, on days 0-6
    assert simulate(s, seed=12).summary["expansion_approval_day"] == 7.5


def test_budget_ceiling_stops_recruiting() -> None:
    s = scenario(horizon="200 d", mandate={"initial_length": "200 d"},
                 teams=[{"name": "T1", "unit": "U1", "posts": {"adviser": 10}, "in_place": {"adviser": 10},
                         "needs_mediator": False, "mediators": 0}],
                 tour={"length": "30 d"}, costs={"default_daily": 100, "travel": 0, "training": 0},
                 budget={"ceiling": 30_000, "on_reached": "stop_recruiting"})
    result = simulate(s, seed=1)
    events = result.events
    reached = events.loc[events["event"] == "budget ceiling reached", "day"].iloc[0]
    assert (events.loc[events["event"] == "call issued", "day"] <= reached).all()
    assert result.daily["deployed"].iloc[-1] < 10


BAD_DYNAMICS = {
    "unknown metric": (
        "expansions:\n  - name: x\n    trigger: {metric: riots, above: 1}\n    add_posts: {T1: {adviser: 1}}\n",
        "expansions.0.trigger",
        "unknown metric 'riots'",
    ),
    "unknown team in phase": (
        "phases:\n  - name: p\n    trigger: {after: 10 d}\n    teams:\n      - {name: Nowhere, posts: {adviser: 1}}\n",
        "phases.0.teams.0.name",
        "unknown team 'Nowhere'",
    ),
    "overlapping phases": (
        "phases:\n  - name: a\n    trigger: {after: 100 d}\n    teams: [{name: T1, posts: {adviser: 1}}]\n"
        "  - name: b\n    trigger: {after: 50 d}\n    teams: [{name: T1, posts: {adviser: 2}}]\n",
        "phases.1.trigger",
        "must not overlap",
    ),
}


def _scenario_text() -> str:
    import yaml
    from builders import BASE

    return yaml.safe_dump(BASE, sort_keys=False)


def test_bad_dynamics_inputs_get_one_clear_line(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from deploysim.cli import main

    for label, (extra, path, phrase) in BAD_DYNAMICS.items():
        text = _scenario_text() + extra
        file = tmp_path / f"{label.replace(' ', '-')}.yaml"
        file.write_text(text)
        assert main(["validate", str(file)]) == 2, label
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1, err
        assert str(file) in err and path in err and phrase in err, err
        # the line number points into the appended block, where the offending entry is
        first_extra_line = len(_scenario_text().splitlines()) + 1
        line = int(err.split(f"{file}:")[1].split(":")[0])
        assert line >= first_extra_line, (label, err)


def test_cadets_in_training_when_the_mission_closes_are_counted_not_erased() -> None:
    # Intakes of 30 (day 0) and 20 (day 50), 80 d academy then 60 d field: on day 100, when the mandate ends
    # without a drawdown, the first is in the field and the second in the academy. The course ends with
    # the mission: nobody graduates, and all 50 are reported as still in training.
    programme = [{"name": "c", "intakes": [{"after": 0, "size": 30}, {"after": "50 d", "size": 20}],
                  "academy": "80 d", "field": "60 d", "graduation_yield": 1.0}]
    closing = scenario(horizon="200 d", mandate={"initial_length": "100 d", "drawdown": 0}, teams=ONE_TEAM,
                       training_programmes=programme)
    summary = simulate(closing, seed=1, record_events=False).summary
    assert summary["cadets_graduated"] == 0 and summary["cadets_in_training"] == 50
    # a mission still running at the horizon (day 160): the first cohort has graduated (day 140)
    running = scenario(horizon="160 d", mandate={"initial_length": "200 d"}, teams=ONE_TEAM,
                       training_programmes=programme)
    summary = simulate(running, seed=1, record_events=False).summary
    assert summary["cadets_graduated"] == 30 and summary["cadets_in_training"] == 20
