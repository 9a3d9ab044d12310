"""Small scenarios built in code, for tests that need one mechanism at a time."""

from __future__ import annotations

import copy
from typing import Any

from deploysim.scenario.schema import Scenario

BASE: dict[str, Any] = {
    "name": "test mission",
    "start_date": "2020-01-01",
    "horizon": "120 d",
    "mandate": {"initial_length": "120 d"},
    "units": [{"name": "U1"}],
    "teams": [
        {
            "name": "T1",
            "unit": "U1",
            "posts": {"leader": 1, "adviser": 3},
            "min_manning": {"leader": 1, "adviser": 2},
            "needs_mediator": False,
            "mediators": 0,
        }
    ],
    "recruitment": {
        "call_window": "17 d",
        "readvertise_probability": 0.0,
        "selection": "14 d",
        "pre_deployment_training": "6 w",
        "travel": "3 d",
        "induction": "5 d",
    },
    "tour": {"length": "100 d", "extension_probability": 0.0, "handover_overlap": "7 d"},
    "leave": {"days_per_month": 0},
    "repatriation": {"annual_hazard": 0},
    "incidents": {"rate_per_day": 0},
}


SMALL_TWO_TEAMS: dict[str, Any] = {
    "name": "small mission",
    "start_date": "2010-07-22",
    "horizon": "6 months",
    "mandate": {"initial_length": "4 months"},
    "units": [{"name": "North"}, {"name": "South"}],
    "teams": [
        {"name": f"Team {unit}", "unit": unit, "posts": {"team_leader": 1, "adviser": 4},
         "min_manning": {"team_leader": 1, "adviser": 2}}
        for unit in ("North", "South")
    ],
    "recruitment": {"selection": "triangular(7, 14, 28) d", "travel": "uniform(2, 5) d"},
}
"""Two teams of five, consent granted, no extensions: a mission whose results do not move when the
shipped scenarios gain dynamics, for comparison and adaptive-replication tests."""


def merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``changes`` into a copy of ``base``; lists and scalars replace."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def scenario(**changes: Any) -> Scenario:
    return Scenario.model_validate(merge(BASE, changes))
