"""The engine against closed forms: where theory gives the answer, the simulation must agree.

Tolerances come from the replications themselves: each replication yields one estimate, the
estimates are independent (distinct streams), so their standard error is estimated from their
spread, and the test allows four standard errors (a false alarm about once in 15,000 runs of the
suite at these fixed seeds, which in any case are fixed).
"""

from __future__ import annotations

import math

import numpy as np
from builders import scenario

from deploysim import simulate


def _within(estimates: list[float], expected: float, standard_errors: float = 4.0) -> tuple[float, float]:
    mean = float(np.mean(estimates))
    se = float(np.std(estimates, ddof=1) / math.sqrt(len(estimates)))
    assert abs(mean - expected) < standard_errors * se, (mean, expected, se)
    print(f"estimate {mean:.4f} +- {se:.4f} vs closed form {expected:.4f}")
    return mean, se


def test_single_mediator_queue_matches_mm1() -> None:
    # Poisson arrivals at rate lam, exponential service at rate mu, one mediator always there:
    # an M/M/1 queue. Mean wait in queue Wq = rho / (mu - lam); P(W > t) = rho exp(-(mu - lam) t),
    # so the 90th percentile of the wait is ln(10 rho) / (mu - lam).
    lam, mu = 0.5, 1.0
    rho = lam / mu
    s = scenario(
        horizon="10 years",
        mandate={"initial_length": "10 years"},
        teams=[{"name": "T1", "unit": "U1", "posts": {"leader": 1}, "in_place": {"leader": 1},
                "needs_mediator": True, "mediators": 1}],
        tour={"length": "50 years"},
        mediators={"in_place": True, "annual_attrition": 0},
        incidents={
            "rate_per_day": lam,
            "mediation_share": 1.0,
            "service_time": {"dist": "exponential", "mean": 1 / mu},
        },
    )
    runs = [simulate(s, seed=2024, replication=r, record_events=False).summary for r in range(30)]
    _within([r["mediation_wait_mean"] for r in runs], rho / (mu - lam))
    _within([r["mediation_wait_p90"] for r in runs], math.log(10 * rho) / (mu - lam))
    # the mediator is there from day 0, so no request is unmet; every one is served or still waiting
    assert all(r["mediation_unmet"] == 0 for r in runs)
    assert all(r["mediation_requests"] == r["mediation_cases"] + r["mediation_waiting"] for r in runs)
    # arrivals are Poisson: the count over the horizon has mean lam * days
    _within([r["incidents"] for r in runs], lam * s.horizon_days)


def test_steady_fill_under_attrition_with_fixed_replacement_lead() -> None:
    # Each post alternates between a holder who leaves at hazard lam (exponential, mean 1/lam) and a
    # vacancy of exactly L days (the replacement lead; every other stage instant). By the renewal
    # reward theorem the long-run filled share is (1/lam) / (1/lam + L) = 1 / (1 + lam L).
    annual_hazard, lead = 2.0, 30.0
    lam = annual_hazard / 365.25
    s = scenario(
        horizon="6 years",
        mandate={"initial_length": "6 years"},
        teams=[{"name": "T1", "unit": "U1", "posts": {"adviser": 200}, "in_place": {"adviser": 200},
                "needs_mediator": False, "mediators": 0}],
        recruitment={"call_window": f"{lead} d", "readvertise_probability": 0, "selection": 0,
                     "pre_deployment_training": 0, "travel": 0, "induction": 0},
        tour={"length": "60 years", "handover_overlap": 0},
        repatriation={"annual_hazard": annual_hazard},
        initial_staff={"tour_elapsed": 0},
    )
    fills = []
    for r in range(12):
        daily = simulate(s, seed=77, replication=r, record_events=False).daily
        # a year of burn-in (the transient decays in ~26 days), and only days under the mandate
        steady = daily[(daily["day"] >= 365) & daily["mandate_active"]]
        fills.append(float((steady["filled"] / steady["authorised"]).mean()))
    _within(fills, 1 / (1 + lam * lead))
