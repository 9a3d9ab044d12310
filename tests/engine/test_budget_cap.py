"""A budget ceiling that caps: in committed mode no run ever spends more than its ceiling."""

from __future__ import annotations

import random
from typing import Any

from builders import scenario

from deploysim.engine.events import BUDGET_REACHED, EXTENDED
from deploysim.engine.mission import run_engine
from deploysim.engine.streams import RunIdentity

TOURS = ["60 d", "uniform(30, 90) d", "exponential(60) d", "triangular(30, 45, 120) d"]


def _random_mission(rng: random.Random) -> dict[str, Any]:
    posts = rng.randint(1, 12)
    in_place = rng.randint(0, posts) if rng.random() < 0.3 else 0
    mediators = rng.randint(0, 1)
    return {
        "horizon": f"{rng.randint(60, 400)} d",
        "mandate": {"initial_length": "400 d"},
        "teams": [{"name": "T1", "unit": "U1", "posts": {"adviser": posts}, "needs_mediator": False,
                   "mediators": mediators, "in_place": {"adviser": in_place}}],
        "recruitment": {"call_window": rng.choice(["0 d", "17 d", "uniform(5, 20) d"]),
                        "readvertise_probability": rng.choice([0.0, 0.43]),
                        "roster": {"size": rng.randint(0, 5), "call_up": "3 d"}},
        "tour": {"length": rng.choice(TOURS), "extension_probability": rng.choice([0.0, 0.5, 0.9]),
                 "extension_length": "30 d", "replacement_lead": rng.choice([0, 20])},
        "repatriation": {"annual_hazard": rng.choice([0.0, 1.0, 4.0])},
        "costs": {"default_daily": rng.choice([100, 250]), "travel": rng.choice([0, 1500]),
                  "training": rng.choice([0, 2000]), "local_staff": rng.randint(0, 5), "mediator_daily": 40},
        "budget": {"ceiling": rng.uniform(5_000, 400_000), "counts": "committed",
                   "on_reached": rng.choice(["stop_recruiting", "drawdown"])},
    }


def test_committed_mode_never_spends_more_than_the_ceiling() -> None:
    """150 random small missions (seeded): the total stays within the ceiling in every run, unless what day 0
    committed (people in place, fixed daily costs to the horizon) already exceeds it."""
    rng = random.Random(11)
    reached = 0
    for k in range(150):
        s = scenario(**_random_mission(rng))
        raw = run_engine(s, RunIdentity(0, 0, k), record_events=False)
        ledger = raw.state.ledger
        assert ledger is not None
        total = float(raw.daily.cost_to_date[-1])
        ceiling = s.budget.ceiling
        assert ceiling is not None
        assert total <= max(ceiling, ledger.day0_committed) + 1e-6, (k, total, ceiling)
        reached += ledger.reached
    assert 20 <= reached <= 140  # the ceilings bind in many runs but not all, so the property is exercised


def test_no_tour_extension_after_a_spent_ceiling_is_reached() -> None:
    s = scenario(
        horizon="400 d", mandate={"initial_length": "400 d"},
        teams=[{"name": "T1", "unit": "U1", "posts": {"adviser": 20}, "needs_mediator": False, "mediators": 0,
                "in_place": {"adviser": 20}}],
        tour={"length": "100 d", "extension_probability": 0.9, "extension_length": "30 d"},
        initial_staff={"tour_elapsed": 0},
        budget={"ceiling": 300_000},
    )
    raw = run_engine(s, RunIdentity(0, 0, 0))
    reached = next(t for t, what, _, _ in raw.state.events if what == BUDGET_REACHED)
    extended = [t for t, what, _, _ in raw.state.events if what == EXTENDED]
    assert extended and max(extended) < reached  # extensions before the ceiling, none after
