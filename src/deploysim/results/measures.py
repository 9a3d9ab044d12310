"""The summary measures planners read: one registry of what each is, and how one run's are computed.

Means over "mandate days" count only days on which the mandate was active, so a mission that ends
early is not credited with perfect fill for the days after it closed, nor blamed for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from deploysim.engine.daily import DAILY_COLUMNS
from deploysim.engine.mission import RawRun
from deploysim.scenario.durations import DAYS_PER_MONTH

MeasureKind = Literal["milestone", "share", "ratio", "duration", "count", "money"]
"""How a measure is estimated across runs: a *milestone* is the first day something happens (it may
never come), a *share* is a fraction of time, a *ratio* divides one total by another, a *duration*
is a length of time in days, a *count* counts things, *money* is an amount in the scenario's currency."""


@dataclass(frozen=True, slots=True)
class Measure:
    """One summary measure: its column name, what it is, how a planner reads it, and its kind."""

    name: str
    description: str
    label: str
    unit: str
    kind: MeasureKind
    key: bool = False  # among what a planner looks at first

    def unit_text(self, currency: str | None = None) -> str:
        """The unit with the scenario's currency filled in ("EUR per person-month")."""
        return self.unit.format(currency=currency or "cost")


_REGISTRY: tuple[Measure, ...] = (
    Measure("ioc_day", "first day a team is operational", "IOC day (first team operational)",
            "days from start", "milestone", key=True),
    Measure("foc_day", "first day fill reaches the FOC share with every team operational",
            "FOC day (full operational capability)", "days from start", "milestone", key=True),
    Measure("mean_fill", "mean share of authorised posts filled, over mandate days", "Mean fill",
            "share of posts filled", "share", key=True),
    Measure("vacancy_rate", "mean share of authorised posts vacant, over mandate days", "Vacancy rate",
            "share of posts vacant", "share"),
    Measure("person_days", "post-days filled (person-days delivered)", "Person-days delivered", "person-days",
            "count"),
    Measure("person_days_authorised", "post-days authorised", "Post-days authorised", "post-days", "count"),
    Measure("team_coverage", "share of team-days operational, over mandate days", "Team coverage",
            "share of team-days operational", "share", key=True),
    Measure("handover_gap_days", "days posts stood empty between holders, per post", "Handover gap per post",
            "days per post", "ratio"),
    Measure("mediation_wait_mean", "mean wait for a mediator, days", "Mean wait for a mediator", "days",
            "duration", key=True),
    Measure("mediation_wait_p90", "90th percentile wait for a mediator, days",
            "90th percentile wait for a mediator", "days", "duration"),
    Measure("mediation_cases", "mediation requests served", "Mediation cases served", "cases", "count"),
    Measure("incidents", "incidents in all units", "Incidents", "incidents", "count"),
    Measure("total_cost", "cost to the end of the horizon", "Total cost", "{currency}", "money", key=True),
    Measure("cost_per_person_month", "total cost per delivered person-month", "Cost per delivered person-month",
            "{currency} per person-month", "ratio", key=True),
    Measure("mission_end_day", "day the mission closed after its drawdown (the horizon if it did not)",
            "Mission end day", "days from start", "milestone"),
    Measure("extensions_granted", "mandate extensions granted", "Mandate extensions granted", "extensions",
            "count"),
    Measure("consent_day", "day the host State consented (0 if granted from the start)", "Host consent day",
            "days from start", "milestone"),
    Measure("expansion_approval_day", "day the first expansion tranche was approved", "Expansion approval day",
            "days from start", "milestone"),
    Measure("cadets_graduated", "cadets graduated by the end of the horizon", "Cadets graduated", "cadets",
            "count"),
)

MEASURES: dict[str, Measure] = {m.name: m for m in _REGISTRY}
"""Every summary measure by column name, in the order tables and charts list them."""

KEY_MEASURES: tuple[str, ...] = tuple(m.name for m in _REGISTRY if m.key)


def measure_label(name: str) -> str:
    """The planner's title of a measure; an unknown column reads as its name in words."""
    measure = MEASURES.get(name)
    return measure.label if measure else name.replace("_", " ").capitalize()


def measure_unit(name: str, currency: str | None = None) -> str:
    measure = MEASURES.get(name)
    return measure.unit_text(currency) if measure else ""


def measure_description(name: str) -> str:
    measure = MEASURES.get(name)
    return measure.description if measure else ""

COLUMN = {name: i for i, name in enumerate(DAILY_COLUMNS)}


def _first_day(mask: np.ndarray) -> float:
    hits = np.flatnonzero(mask)
    return float(hits[0]) if hits.size else math.nan


def summarise(raw: RawRun) -> dict[str, float]:
    levels = raw.daily.levels
    state = raw.state
    plan = raw.plan
    authorised = levels[:, COLUMN["authorised"]].astype(float)
    filled = levels[:, COLUMN["filled"]].astype(float)
    active = levels[:, COLUMN["mandate_active"]] == 1
    operational = raw.daily.teams[0].astype(bool)
    team_active = raw.daily.teams[1] > 0
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
    total_cost = float(raw.daily.cost_to_date[-1])
    person_months = person_days / DAYS_PER_MONTH
    milestones = state.milestones
    consent_day = 0.0 if plan.consent.granted_at_start else milestones.get("consent_day", math.nan)
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
