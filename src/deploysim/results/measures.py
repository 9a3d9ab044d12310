"""The summary measures planners read: one registry of what each is, and how one run's are computed.

Means over "mandate days" count only days on which the mandate was active, so a mission that ends
early is not credited with perfect fill for the days after it closed, nor blamed for them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from deploysim.engine.daily import DAILY_COLUMNS
from deploysim.engine.mission import RawRun
from deploysim.scenario.durations import DAYS_PER_MONTH
from deploysim.scenario.schema import Scenario

MeasureKind = Literal["milestone", "share", "ratio", "duration", "count", "money", "proportion"]
"""How a measure is estimated across runs: a *milestone* is the first day something happens (it may
never come: time-to-event data); a *share* is a fraction of time (or of requests), pooled over every
run's days (or requests); a *ratio* divides one total by another across runs; a *proportion* is a
yes/no outcome; a *duration*, *count* or *money* amount is averaged over runs."""


@dataclass(frozen=True, slots=True)
class Measure:
    """One per-run column: its name, what it is, how a planner reads it, and how runs combine.

    A share or ratio names the per-run totals it divides (``numerator`` / ``denominator``, times
    ``scale``), so that across runs it is estimated as a ratio of totals rather than a mean of
    ratios. Columns with ``shown`` False are those totals: kept in the runs table, not summarised.
    """

    name: str
    description: str
    label: str
    unit: str
    kind: MeasureKind
    key: bool = False  # among what a planner looks at first
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    shown: bool = True

    def unit_text(self, currency: str | None = None) -> str:
        """The unit with the scenario's currency filled in ("EUR per person-month")."""
        return self.unit.format(currency=currency or "cost")


_REGISTRY: tuple[Measure, ...] = (
    Measure("ioc_day", "first day a team that counts for capability is operational (a team marked "
            "counts_for_capability: false, such as a headquarters, does not)", "IOC (first team operational)",
            "days from start", "milestone", key=True),
    Measure("foc_day", "first day fill reaches the FOC share with every active team that counts for capability "
            "operational",
            "FOC (full operational capability)", "days from start", "milestone", key=True),
    Measure("mean_fill", "share of authorised post-days filled, over mandate days", "Fill",
            "share of post-days filled", "share", key=True, numerator="filled_post_days",
            denominator="mandate_post_days"),
    Measure("vacancy_rate", "share of authorised post-days vacant, over mandate days", "Vacancy",
            "share of post-days vacant", "share", numerator="vacant_post_days", denominator="mandate_post_days"),
    Measure("person_days", "post-days filled (person-days delivered)", "Person-days delivered", "person-days",
            "count"),
    Measure("person_days_authorised", "post-days authorised", "Post-days authorised", "post-days", "count"),
    Measure("team_coverage", "share of team-days operational, over mandate days", "Team coverage",
            "share of team-days operational", "share", key=True, numerator="operational_team_days",
            denominator="active_team_days"),
    Measure("handover_gap_days", "days posts stood empty between holders, per post", "Handover gap per post",
            "days per post", "ratio", numerator="handover_gap_total", denominator="posts"),
    Measure("mediation_wait_mean", "mean wait from request to a mediator taking it up, over the requests served "
            "(total wait / requests served across runs); requests still waiting at the end are not in it: see "
            "mediation_waiting and the 90th percentile, which counts them as censored", "Wait for a mediator",
            "days", "ratio", key=True, numerator="mediation_wait_days", denominator="mediation_cases"),
    Measure("mediation_wait_p90", "90th percentile wait for a mediator within a run, Kaplan-Meier over the run's "
            "queued requests with those still waiting at the end censored there, then averaged over runs; a run "
            "with no queued request, or whose curve does not reach 0.9, has no value and is left out of n",
            "90th percentile wait for a mediator", "days", "duration"),
    Measure("mediation_requests", "mediation requests that arose: incidents in a unit whose team was deployed "
            "(someone present) and had a mediator slot, and that asked for a mediator; equals served + unmet + "
            "still waiting", "Mediation requests", "requests", "count"),
    Measure("mediation_cases", "mediation requests served (taken up by a certified mediator)",
            "Mediation cases served", "cases", "count"),
    Measure("mediation_unmet", "mediation requests that found no certified mediator in the team when they arose "
            "(or whose team lost its last mediator slot while they waited): demand, never queued",
            "Mediation requests unmet", "requests", "count"),
    Measure("mediation_waiting", "mediation requests still waiting for a mediator when the horizon came or the "
            "mission closed (censored waits)", "Mediation requests still waiting", "requests", "count"),
    Measure("mediation_unmet_share", "share of mediation requests unmet: total unmet / total requests across runs",
            "Mediation requests unmet (share)", "share of requests", "share", numerator="mediation_unmet",
            denominator="mediation_requests"),
    Measure("mediator_cost", "pay of the local mediators employed (recruitment on), to the end of the horizon",
            "Mediator cost", "{currency}", "money"),
    Measure("incidents", "incidents in all units", "Incidents", "incidents", "count"),
    Measure("total_cost", "cost to the end of the horizon", "Total cost", "{currency}", "money", key=True),
    Measure("cost_per_person_month", "total cost per delivered person-month", "Cost per delivered person-month",
            "{currency} per person-month", "ratio", key=True, numerator="total_cost", denominator="person_days",
            scale=DAYS_PER_MONTH),
    Measure("mission_end_day", "day the mission closed after its drawdown (the horizon if it had not)",
            "Mission end", "days from start", "milestone"),
    Measure("extensions_granted", "mandate extensions granted", "Mandate extensions granted", "extensions",
            "count"),
    Measure("consent_day", "day the host State consented (0 if granted from the start)", "Host consent",
            "days from start", "milestone"),
    Measure("expansion_approval_day", "day the first expansion tranche was approved", "Expansion approved",
            "days from start", "milestone"),
    Measure("cadets_graduated", "cadets graduated by the end of the horizon", "Cadets graduated", "cadets",
            "count"),
    Measure("cadets_in_training", "cadets still in the academy or the field when the mission closed (the course "
            "ends with the mission: they do not graduate) or, if it had not, at the horizon", "Cadets in training "
            "at the end", "cadets", "count"),
    Measure("consent_granted", "the host State consented during the horizon", "Host consent granted",
            "share of runs", "proportion"),
    Measure("extended", "the mandate was extended at least once", "Mandate extended", "share of runs",
            "proportion"),
    Measure("expanded", "an expansion tranche was approved", "Expansion approved", "share of runs", "proportion"),
    # per-run totals that shares and ratios divide across runs
    Measure("filled_post_days", "filled post-days on mandate days", "Filled post-days", "post-days", "count",
            shown=False),
    Measure("vacant_post_days", "vacant post-days on mandate days", "Vacant post-days", "post-days", "count",
            shown=False),
    Measure("mandate_post_days", "authorised post-days on mandate days", "Mandate post-days", "post-days",
            "count", shown=False),
    Measure("operational_team_days", "operational team-days on mandate days", "Operational team-days",
            "team-days", "count", shown=False),
    Measure("active_team_days", "team-days of active teams on mandate days", "Active team-days", "team-days",
            "count", shown=False),
    Measure("handover_gap_total", "days posts stood empty between holders", "Handover gap days", "post-days",
            "count", shown=False),
    Measure("posts", "posts the mission ever had", "Posts", "posts", "count", shown=False),
    Measure("mediation_wait_days", "total wait of the requests served", "Total mediation wait", "days",
            "count", shown=False),
    Measure("observed_days", "days observed: the horizon (a milestone not reached by then is censored)",
            "Days observed", "days", "count", shown=False),
)

MEASURES: dict[str, Measure] = {m.name: m for m in _REGISTRY}
"""Every summary measure by column name, in the order tables and charts list them."""

KEY_MEASURES: tuple[str, ...] = tuple(m.name for m in _REGISTRY if m.key)
SHOWN: tuple[str, ...] = tuple(m.name for m in _REGISTRY if m.shown)
"""The measures a summary reports, in order; the others are the totals behind shares and ratios."""


_MEDIATION = ("mediation_wait_mean", "mediation_wait_p90", "mediation_requests", "mediation_cases", "mediation_unmet",
              "mediation_waiting", "mediation_unmet_share", "mediator_cost")


def not_applicable(scenario: Scenario) -> dict[str, str]:
    """Measures a scenario cannot produce, each with the reason a summary shows instead of a number."""
    reasons: dict[str, str] = {}
    if not any(team.mediators for team in scenario.teams) and not any(
        team.mediators for phase in scenario.phases for team in phase.teams
    ):
        reasons.update(dict.fromkeys(_MEDIATION, "the scenario has no mediators"))
    if not scenario.training_programmes:
        reasons.update(dict.fromkeys(("cadets_graduated", "cadets_in_training"),
                                     "the scenario has no training programme"))
    if not scenario.expansions:
        reasons.update(dict.fromkeys(("expansion_approval_day", "expanded"), "the scenario has no expansion"))
    if scenario.consent.initial == "granted":
        reasons.update(dict.fromkeys(("consent_day", "consent_granted"), "consent is granted from the start"))
    return reasons


_TARGET_NAME = re.compile(r"^P\((?P<measure>[a-z_]+)<=(?P<value>[^)]+)\)$")


def target_parts(name: str) -> tuple[str, str] | None:
    """(milestone, day or date) of a target's table name such as ``P(foc_day<=200)``, else None."""
    match = _TARGET_NAME.match(name)
    return (match["measure"], match["value"]) if match and match["measure"] in MEASURES else None


def measure_label(name: str) -> str:
    """The planner's title of a measure; a target reads as "P(FOC ... by day 200)"; an unknown column
    reads as its name in words."""
    measure = MEASURES.get(name)
    if measure:
        return measure.label
    target = target_parts(name)
    if target:
        when = target[1] if "-" in target[1] else f"day {target[1]}"
        return f"P({MEASURES[target[0]].label} by {when})"
    return name.replace("_", " ").capitalize()


def measure_unit(name: str, currency: str | None = None) -> str:
    measure = MEASURES.get(name)
    if measure is None and target_parts(name):
        return "share of runs"
    return measure.unit_text(currency) if measure else ""


def measure_description(name: str) -> str:
    measure = MEASURES.get(name)
    return measure.description if measure else ""

COLUMN = {name: i for i, name in enumerate(DAILY_COLUMNS)}


def _first_day(mask: np.ndarray) -> float:
    hits = np.flatnonzero(mask)
    return float(hits[0]) if hits.size else math.nan


def _censored_waits(raw: RawRun) -> np.ndarray:
    """Waits of the requests never taken up: censored at the close, or at the horizon if still open."""
    state = raw.state
    open_queues = [] if state.closed else [raw.plan.horizon - since for team in state.teams for since in team.queue]
    return np.asarray(state.censored_waits + open_queues, dtype=float)


def _wait_quantile(served: np.ndarray, censored: np.ndarray, q: float) -> float:
    """The q-quantile of the wait from the Kaplan-Meier curve of one run's queued requests, those still
    waiting censored; NaN when no request was queued or the curve does not reach q."""
    if not served.size:
        return math.nan
    from deploysim.stats.survival import km_quantile  # stats pull in scipy; the CLI imports measures lazily anyway

    times = np.concatenate((served, censored))
    reached = np.concatenate((np.ones(served.size, dtype=bool), np.zeros(censored.size, dtype=bool)))
    quantile = km_quantile(times, reached, q)
    return quantile.estimate if quantile.reached else math.nan


def summarise(raw: RawRun) -> dict[str, float]:
    """Every registered measure of one run. Milestones not reached are NaN (the mission's end is the
    horizon): with ``observed_days`` they are censored observations, never silently dropped runs."""
    levels = raw.daily.levels
    state = raw.state
    plan = raw.plan
    authorised = levels[:, COLUMN["authorised"]].astype(float)
    filled = levels[:, COLUMN["filled"]].astype(float)
    active = levels[:, COLUMN["mandate_active"]] == 1
    operational = raw.daily.teams[0].astype(bool)
    team_active = raw.daily.teams[1] > 0
    counted = np.fromiter((t.counts_for_capability for t in plan.teams), dtype=bool, count=len(plan.teams))
    teams_up = operational[:, counted].sum(axis=1)
    all_up = (teams_up == team_active[:, counted].sum(axis=1)) & (teams_up > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(authorised > 0, filled / authorised, np.nan)
    staffed = active & (authorised > 0)
    active_fill = fill[staffed]
    mean_fill = float(active_fill.mean()) if active_fill.size else math.nan
    foc = (fill >= plan.foc_fill_share) & all_up & active
    team_days = team_active[active]
    waits = np.asarray(state.waits)
    censored = _censored_waits(raw)
    person_days = float(filled.sum())
    total_cost = float(raw.daily.cost_to_date[-1])
    person_months = person_days / DAYS_PER_MONTH
    milestones = state.milestones
    consent_day = 0.0 if plan.consent.granted_at_start else milestones.get("consent_day", math.nan)
    expansion_day = float(milestones.get("expansion_approval_day", math.nan))
    extensions = float(state.counts.get("extensions_granted", 0))
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
        "mediation_wait_p90": _wait_quantile(waits, censored, 0.9),
        "mediation_requests": float(state.mediation_requests),
        "mediation_cases": float(waits.size),
        "mediation_unmet": float(state.mediation_unmet),
        "mediation_waiting": float(censored.size),
        "mediation_unmet_share": state.mediation_unmet / state.mediation_requests if state.mediation_requests
        else math.nan,
        "mediator_cost": raw.daily.mediator_days * plan.costs.mediator_daily,
        "incidents": float(raw.incidents_by_day.sum()),
        "total_cost": total_cost,
        "cost_per_person_month": total_cost / person_months if person_months > 0 else math.nan,
        "mission_end_day": state.closed_at if state.closed else float(plan.horizon),
        "extensions_granted": extensions,
        "consent_day": float(consent_day),
        "expansion_approval_day": expansion_day,
        "cadets_graduated": float(state.cadets_graduated),
        "cadets_in_training": float(state.cadets_at_close if state.closed
                                    else state.cadets_academy + state.cadets_field),
        "consent_granted": float(not math.isnan(consent_day)),
        "extended": float(extensions > 0),
        "expanded": float(not math.isnan(expansion_day)),
        **_totals(raw, staffed, active, team_days, operational, waits),
    }


def _totals(raw: RawRun, staffed: np.ndarray, active: np.ndarray, team_days: np.ndarray, operational: np.ndarray,
            waits: np.ndarray) -> dict[str, float]:
    """The per-run totals that shares and ratios divide across runs (see ``Measure.numerator``)."""
    levels = raw.daily.levels
    authorised = levels[:, COLUMN["authorised"]].astype(float)[staffed]
    filled = levels[:, COLUMN["filled"]].astype(float)[staffed]
    return {
        "filled_post_days": float(filled.sum()),
        "vacant_post_days": float(authorised.sum() - filled.sum()),
        "mandate_post_days": float(authorised.sum()),
        "operational_team_days": float(operational[active][team_days].sum()),
        "active_team_days": float(team_days.sum()),
        "handover_gap_total": float(raw.state.handover_gap_days),
        "posts": float(len(raw.state.posts)),
        "mediation_wait_days": float(waits.sum()),
        "observed_days": float(raw.plan.horizon),
    }
