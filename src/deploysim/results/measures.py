"""The summary measures planners read, computed from one run's daily arrays.

Means over "mandate days" count only days on which the mandate was active, so a mission that ends
early is not credited with perfect fill for the days after it closed, nor blamed for them.
"""

from __future__ import annotations

import math

import numpy as np

from deploysim.engine.daily import DAILY_COLUMNS
from deploysim.engine.mission import RawRun
from deploysim.scenario.durations import DAYS_PER_MONTH

MEASURES: dict[str, str] = {
    "ioc_day": "first day a team is operational",
    "foc_day": "first day fill reaches the FOC share with every team operational",
    "mean_fill": "mean share of authorised posts filled, over mandate days",
    "vacancy_rate": "mean share of authorised posts vacant, over mandate days",
    "person_days": "post-days filled (person-days delivered)",
    "person_days_authorised": "post-days authorised",
    "team_coverage": "share of team-days operational, over mandate days",
    "handover_gap_days": "days posts stood empty between holders, per post",
    "mediation_wait_mean": "mean wait for a mediator, days",
    "mediation_wait_p90": "90th percentile wait for a mediator, days",
    "mediation_cases": "mediation requests served",
    "incidents": "incidents in all units",
    "total_cost": "cost to the end of the horizon",
    "cost_per_person_month": "total cost per delivered person-month",
    "mission_end_day": "day the mission closed after its drawdown (the horizon if it did not)",
    "extensions_granted": "mandate extensions granted",
    "consent_day": "day the host State consented (0 if granted from the start)",
    "expansion_approval_day": "day the first expansion tranche was approved",
    "cadets_graduated": "cadets graduated by the end of the horizon",
}

COLUMN = {name: i for i, name in enumerate(DAILY_COLUMNS)}


def _first_day(mask: np.ndarray) -> float:
    hits = np.flatnonzero(mask)
    return float(hits[0]) if hits.size else math.nan


def summarise(raw: RawRun) -> dict[str, float]:
    levels = raw.recorder.levels
    state = raw.state
    plan = raw.plan
    authorised = levels[:, COLUMN["authorised"]].astype(float)
    filled = levels[:, COLUMN["filled"]].astype(float)
    active = levels[:, COLUMN["mandate_active"]] == 1
    operational = raw.recorder.teams[0].astype(bool)
    team_active = raw.recorder.teams[1] > 0
    teams_up = operational.sum(axis=1)
    all_up = (teams_up == team_active.sum(axis=1)) & (teams_up > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(authorised > 0, filled / authorised, np.nan)
    active_fill = fill[active & (authorised > 0)]
    mean_fill = float(active_fill.mean()) if active_fill.size else math.nan
    foc = (fill >= plan.foc_fill_share) & all_up & active
    team_days = team_active[active]
    waits = np.asarray(state.waits)
    person_days = float(filled.sum())
    total_cost = float(raw.recorder.cost_to_date[-1])
    person_months = person_days / DAYS_PER_MONTH
    milestones = state.milestones
    consent_day = 0.0 if state.consent_granted_at_start else milestones.get("consent_day", math.nan)
    return {
        "ioc_day": _first_day((teams_up > 0) & active),
        "foc_day": _first_day(foc),
        "mean_fill": mean_fill,
        "vacancy_rate": 1.0 - mean_fill,
        "person_days": person_days,
        "person_days_authorised": float(authorised.sum()),
        "team_coverage": float(operational[active][team_days].mean()) if team_days.any() else math.nan,
        "handover_gap_days": state.handover_gap_days / max(len(state.posts), 1),
        "mediation_wait_mean": float(waits.mean()) if waits.size else math.nan,
        "mediation_wait_p90": float(np.quantile(waits, 0.9)) if waits.size else math.nan,
        "mediation_cases": float(waits.size),
        "incidents": float(raw.incidents_by_day.sum()),
        "total_cost": total_cost,
        "cost_per_person_month": total_cost / person_months if person_months > 0 else math.nan,
        "mission_end_day": state.closed_at if state.closed else float(plan.horizon),
        "extensions_granted": float(state.counts.get("extensions_granted", 0)),
        "consent_day": float(consent_day),
        "expansion_approval_day": float(milestones.get("expansion_approval_day", math.nan)),
        "cadets_graduated": float(state.cadets_graduated),
    }
