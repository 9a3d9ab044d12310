"""Pledged contingents arrive as blocks: their people move together, which widens the build-up's spread.

Ten contributors each pledge a contingent of 20 for their own team of 20 (EUMM Georgia 2008 style).
With a block delay of uniform(7, 21) days, the number in post on day 14 is 20 x Binomial(10, 1/2)
(SD 20 sqrt(2.5) = 31.6); 200 people arriving individually after the same delay (a roster call-up of
uniform(7, 21) days) give Binomial(200, 1/2) (SD sqrt(50) = 7.07): a ratio of sqrt(20) = 4.47.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from builders import scenario

from deploysim.engine.daily import DAILY_COLUMNS
from deploysim.engine.events import ARRIVED
from deploysim.engine.mission import run_engine
from deploysim.engine.streams import RunIdentity

TEAMS = [{"name": f"T{k}", "unit": "U1", "posts": {"monitor": 20}, "needs_mediator": False, "mediators": 0}
         for k in range(10)]
REPS = 60


def _contingents(jitter: str) -> Any:
    return scenario(
        teams=TEAMS, horizon="25 d", tour={"length": "1 year"},
        recruitment={"call_window": "200 d"},
        supply={"contributors": [
            {"name": f"State {k}", "pool": 20, "eligible_teams": [f"T{k}"],
             "contingent": {"delay": "uniform(7, 21) d", "jitter": jitter}}
            for k in range(10)
        ]},
    )


def _individuals() -> Any:
    return scenario(teams=TEAMS, horizon="25 d", tour={"length": "1 year"},
                    recruitment={"call_window": "200 d", "roster": {"size": 200, "call_up": "uniform(7, 21) d"}})


def _filled_on_day_14(s: Any) -> np.ndarray:
    filled = DAILY_COLUMNS.index("filled")
    return np.array([run_engine(s, RunIdentity(5, 0, r), record_events=False).daily.levels[14, filled]
                     for r in range(REPS)])


def test_a_contingent_arrives_together_within_its_jitter() -> None:
    raw = run_engine(_contingents("uniform(0, 2) d"), RunIdentity(3, 0, 0))
    arrivals: dict[int, list[float]] = {}
    for time, what, team, _ in raw.state.events:
        if what == ARRIVED:
            arrivals.setdefault(team, []).append(time)
    assert sorted(len(a) for a in arrivals.values()) == [20] * 10
    spreads = [max(a) - min(a) for a in arrivals.values()]
    assert max(spreads) <= 2.0  # within a block: the jitter only
    starts = sorted(min(a) for a in arrivals.values())
    assert starts[-1] - starts[0] > 2.0  # the blocks themselves do not arrive together


def test_contingents_widen_the_spread_of_the_build_up_as_the_closed_form_says() -> None:
    """SD across 60 runs of the number in post on day 14, against the binomial closed forms; each estimate
    may be 4 standard errors off (the SE of a sample SD is about sigma / sqrt(2 (n - 1)))."""
    blocks = _filled_on_day_14(_contingents("0 d"))
    singles = _filled_on_day_14(_individuals())
    tolerance = 4 / math.sqrt(2 * (REPS - 1))
    assert abs(blocks.std(ddof=1) / (20 * math.sqrt(2.5)) - 1) < tolerance, blocks.std(ddof=1)
    assert abs(singles.std(ddof=1) / math.sqrt(50) - 1) < tolerance, singles.std(ddof=1)
    assert blocks.std(ddof=1) / singles.std(ddof=1) > 3.0  # about 4.5 times wider
    assert set(np.unique(blocks)) <= set(range(0, 201, 20))  # whole blocks only
