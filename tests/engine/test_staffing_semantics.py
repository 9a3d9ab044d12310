"""Staffing semantics planners read literally: handover gaps, extensions, streams that cannot collide."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest
from builders import scenario

from deploysim import simulate, variant
from deploysim.engine.daily import DAILY_COLUMNS
from deploysim.engine.events import EXTENDED
from deploysim.engine.mission import run_engine
from deploysim.engine.streams import RunIdentity, stream_name

ONE_POST = [{"name": "T1", "unit": "U1", "posts": {"adviser": 1}, "needs_mediator": False, "mediators": 0}]
NO_STAGES = {"call_window": "50 d", "selection": 0, "pre_deployment_training": 0, "travel": 0, "induction": 0}


def test_a_handover_gap_still_open_at_the_horizon_is_counted() -> None:
    """Arrivals on day 50 and 160, tours of 100 days, successors called 40 days ahead with a 50-day call: gaps
    of 150-160 and 260-265 (the horizon), 15 days in all."""
    s = scenario(teams=ONE_POST, recruitment=NO_STAGES, horizon="265 d", mandate={"initial_length": "400 d"},
                 tour={"length": "100 d", "replacement_lead": 40})
    raw = run_engine(s, RunIdentity(0, 0, 0), record_events=False)
    assert raw.state.handover_gap_days == pytest.approx(15.0)


def test_a_vacancy_after_early_repatriation_is_not_a_handover_gap() -> None:
    s = scenario(teams=ONE_POST, recruitment=NO_STAGES, horizon="300 d", mandate={"initial_length": "400 d"},
                 tour={"length": "1000 d"}, repatriation={"annual_hazard": 12})
    result = simulate(s, seed=0)
    assert (result.events.event == "repatriated early").sum() >= 2
    assert result.summary["handover_gap_total"] == 0.0
    assert (result.daily.vacant > 0).sum() > 50  # the post did stand empty, as a vacancy


@pytest.mark.parametrize(("most", "expected_max"), [(None, 2), (1, 1)])
def test_tour_extensions_stop_at_their_maximum(most: int | None, expected_max: int) -> None:
    """200 holders in place, p = 0.5, two decisions inside the horizon (days 100 and 130): without a maximum
    about a quarter extend twice; with max_extensions 1 nobody does."""
    teams = [dict(ONE_POST[0], posts={"adviser": 200}, in_place={"adviser": 200})]
    s = scenario(teams=teams, horizon="150 d", mandate={"initial_length": "400 d"}, initial_staff={"tour_elapsed": 0},
                 tour={"length": "100 d", "extension_probability": 0.5, "extension_length": "30 d",
                       "replacement_lead": 0, "max_extensions": most})
    raw = run_engine(s, RunIdentity(0, 0, 0))
    per_post = Counter(post for _, what, _, post in raw.state.events if what == EXTENDED)
    assert max(per_post.values()) == expected_max
    assert 60 <= sum(per_post.values()) <= 200


def test_stream_names_cannot_collide() -> None:
    assert stream_name("post", "T/adviser", "0", 0) != stream_name("post", "T", "adviser/0", 0)
    assert stream_name("post", "T", "adviser", 0) == "post/T/adviser/0"  # plain names keep their streams


def test_a_team_named_like_another_streams_path_gets_its_own_draws() -> None:
    teams: list[dict[str, Any]] = [
        {"name": "T/adviser", "unit": "U1", "posts": {"0": 1}, "needs_mediator": False, "mediators": 0},
        {"name": "T", "unit": "U1", "posts": {"adviser/0": 1}, "needs_mediator": False, "mediators": 0},
    ]
    s = scenario(teams=teams, recruitment={"call_window": "uniform(1, 100) d"})
    raw = run_engine(s, RunIdentity(0, 0, 0))
    arrivals = [t for t, what, _, _ in raw.state.events if what == "deployed"]
    assert len(arrivals) == 2 and arrivals[0] != arrivals[1]


def test_an_inert_hazard_gives_exactly_zero_paired_differences() -> None:
    """Early repatriation at 0 against 1e-9 a year is practically the same model; with draws that do not
    depend on whether a rate is zero, paired replications agree exactly (20 pairs; before, all 20 differed)."""
    base = scenario(teams=[dict(ONE_POST[0], posts={"leader": 1, "adviser": 7}, min_manning={"leader": 1})],
                    horizon="400 d", mandate={"initial_length": "400 d"},
                    recruitment={"call_window": "uniform(10, 30) d", "readvertise_probability": 0.43},
                    tour={"length": "uniform(90, 150) d", "extension_probability": 0.3},
                    leave={"days_per_month": 2.5, "block": "10 d"})
    tiny = variant(base, {"repatriation.annual_hazard": 1e-9}, name="tiny hazard")
    for r in range(20):  # every daily count (filled, present, teams operational, ...) and the cost, day by day
        a = run_engine(base, RunIdentity(3, 0, r), record_events=False).daily
        b = run_engine(tiny, RunIdentity(3, 0, r), record_events=False).daily
        assert np.array_equal(a.levels, b.levels) and np.array_equal(a.cost_to_date, b.cost_to_date), r


def test_handover_overlap_is_the_overlap_it_names() -> None:
    """A holder in place with 100 days left; the successor is called 50 days ahead from a roster (5-day call-up)
    and arrives on day 55: the holder hands over for the 7-day overlap and leaves on day 62, not at tour end."""
    team = dict(ONE_POST[0], in_place={"adviser": 1})
    s = scenario(teams=[team], horizon="120 d", mandate={"initial_length": "400 d"}, initial_staff={"tour_elapsed": 0},
                 tour={"length": "100 d", "replacement_lead": 50, "handover_overlap": "7 d"},
                 recruitment={"roster": {"size": 1, "call_up": "5 d"}})
    raw = run_engine(s, RunIdentity(0, 0, 0))
    assert [t for t, what, _, _ in raw.state.events if what == "rotated out"] == [62.0]
    deployed = raw.daily.levels[:, DAILY_COLUMNS.index("deployed")]
    filled = raw.daily.levels[:, DAILY_COLUMNS.index("filled")]
    assert (deployed[55:62] == 2).all() and deployed[62] == 1 and (filled[55:70] == 1).all()
