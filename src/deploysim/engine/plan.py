"""A scenario compiled for simulation: samplers instead of models, indices instead of names.

Compiling once per run keeps pydantic and dictionary look-ups out of the engine's hot path, and
gives the benchmark's bare SimPy baseline exactly the same stages and parameters to move people
through. The plan is grouped as the scenario schema is (recruitment, tour, mediators, costs, ...);
the rules of the mission's dynamics (mandate, consent, triggers, expansions, phases, cadets) are
compiled in :mod:`deploysim.engine.rules`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from deploysim.engine.rules import (
    BudgetPlan,
    ConsentPlan,
    ExpansionPlan,
    MandatePlan,
    PhasePlan,
    ProgrammePlan,
    TensionPlan,
    compile_budget,
    compile_consent,
    compile_expansions,
    compile_mandate,
    compile_phases,
    compile_programmes,
    compile_tension,
    default_min_manning,
)
from deploysim.engine.supply import SupplyPlan, compile_supply
from deploysim.scenario.base import Team, Unit
from deploysim.scenario.durations import DAYS_PER_MONTH, DAYS_PER_YEAR, Sampler
from deploysim.scenario.dynamics import PhaseTeam
from deploysim.scenario.schema import Scenario, every_role


@dataclass(frozen=True, slots=True)
class TeamPlan:
    index: int
    name: str
    unit: str
    min_manning: dict[str, int]
    needs_mediator: bool
    mediators: int
    initial: bool = True
    advance: bool = True  # may deploy before the host consents; only day-0 teams can be held back
    opening_posts: tuple[tuple[str, int, int], ...] = ()  # day 0: (role, posts, already in place)
    counts_for_capability: bool = True  # IOC and FOC are reached over the teams that count


@dataclass(frozen=True, slots=True)
class UnitPlan:
    index: int
    name: str
    rate_per_day: float
    team: int | None
    origin: str = ""  # "" on day 0, else the phase or expansion that brings it in: its incidents start then


@dataclass(frozen=True, slots=True)
class RecruitmentPlan:
    call_window: Sampler
    readvertise_probability: float
    selection: Sampler
    training: Sampler
    travel: Sampler
    induction: Sampler
    roster_size: int
    roster_call_up: Sampler
    roster_order: str = "operational_first"
    roster_priority_teams: tuple[int, ...] = ()
    roster_priority_roles: tuple[str, ...] = ()
    roster_refill_per_day: float = 0.0


@dataclass(frozen=True, slots=True)
class TourPlan:
    """A tour with its leave, early repatriation, and the elapsed share of those already in place."""

    length: Sampler
    extension_probability: float
    extension_length: Sampler
    replacement_lead: float
    leave_block: Sampler
    leave_interval: float
    repatriation_rate: float
    initial_elapsed: Sampler
    max_extensions: float = math.inf  # per holder
    handover_overlap: float = 0.0  # days a holder stays once the successor has arrived


@dataclass(frozen=True, slots=True)
class MediatorPlan:
    recruitment: Sampler
    training: Sampler
    certification_yield: float
    attrition_rate: float
    in_place: bool
    start_after_consent: bool = False


@dataclass(frozen=True, slots=True)
class IncidentPlan:
    """How incidents reach the mediators; each unit's own rate is on its :class:`UnitPlan`."""

    mediation_share: float
    service_time: Sampler


@dataclass(frozen=True, slots=True)
class CostPlan:
    daily_rate_by_role: dict[str, float]
    travel: float
    training: float
    mediator_daily: float
    local_staff: int
    local_staff_daily: float
    local_staff_daily_total: float


@dataclass(frozen=True, slots=True)
class Plan:
    """All a run reads of its scenario, one sub-plan per schema group."""

    horizon: int
    roles: list[str]
    teams: list[TeamPlan]
    units: list[UnitPlan]
    recruitment: RecruitmentPlan
    tour: TourPlan
    mediators: MediatorPlan
    incidents: IncidentPlan
    costs: CostPlan
    mandate: MandatePlan
    consent: ConsentPlan
    expansions: tuple[ExpansionPlan, ...]
    phases: tuple[PhasePlan, ...]
    programmes: tuple[ProgrammePlan, ...]
    tension: TensionPlan | None
    budget: BudgetPlan
    foc_fill_share: float
    supply: SupplyPlan | None = None  # none: every call finds a candidate and every post is funded


def _all_teams(scenario: Scenario) -> list[tuple[Team | PhaseTeam, bool]]:
    """Every team the mission may ever have, first definition wins, with whether it exists on day 0."""
    seen: dict[str, tuple[Team | PhaseTeam, bool]] = {t.name: (t, True) for t in scenario.teams}
    for phase in scenario.phases:
        for phase_team in phase.teams:
            seen.setdefault(phase_team.name, (phase_team, False))
    for expansion in scenario.expansions:
        for new_team in expansion.new_teams:
            seen.setdefault(new_team.name, (new_team, False))
    return list(seen.values())


def unit_origin(kind: str, name: str) -> str:
    """How a unit brought in by a phase or an expansion names its origin (see ``UnitPlan.origin``)."""
    return f"{kind}/{name}"


def _all_units(scenario: Scenario) -> list[tuple[Unit, str]]:
    """Every unit with where it is first defined: "" for day 0, else its phase or expansion."""
    units: dict[str, tuple[Unit, str]] = {u.name: (u, "") for u in scenario.units}
    later = [*((unit_origin("phase", p.name), p.new_units) for p in scenario.phases),
             *((unit_origin("expansion", e.name), e.new_units) for e in scenario.expansions)]
    for origin, extra in later:
        for unit in extra:
            units.setdefault(unit.name, (unit, origin))
    return list(units.values())


def _compile_teams(scenario: Scenario) -> list[TeamPlan]:
    team_defs = _all_teams(scenario)
    unit_of = {team.name: team.unit for team, _ in team_defs if team.unit is not None}
    advance = set(scenario.consent.advance_teams)
    return [
        TeamPlan(
            index=i,
            name=t.name,
            unit=unit_of.get(t.name, ""),
            min_manning=dict(t.min_manning) or default_min_manning(t.posts),
            needs_mediator=t.needs_mediator and t.mediators > 0,
            mediators=t.mediators,
            initial=initial,
            advance=not initial or t.name in advance,
            opening_posts=tuple((role, n, t.in_place.get(role, 0)) for role, n in t.posts.items()) if initial else (),
            counts_for_capability=t.counts_for_capability,
        )
        for i, (t, initial) in enumerate(team_defs)
    ]


def _compile_units(scenario: Scenario, teams: list[TeamPlan]) -> list[UnitPlan]:
    """A unit's incidents go to the first team based in it; a unit without a team has nobody to mediate."""
    team_of_unit: dict[str, int] = {}
    for team in teams:
        team_of_unit.setdefault(team.unit, team.index)
    default_rate = scenario.incidents.rate_per_day
    return [
        UnitPlan(i, u.name, default_rate if u.incident_rate is None else u.incident_rate, team_of_unit.get(u.name),
                 origin)
        for i, (u, origin) in enumerate(_all_units(scenario))
    ]


def _compile_recruitment(scenario: Scenario, team_index: dict[str, int]) -> RecruitmentPlan:
    recruitment = scenario.recruitment
    roster = recruitment.roster
    return RecruitmentPlan(
        call_window=recruitment.call_window.sampler(),
        readvertise_probability=recruitment.readvertise_probability,
        selection=recruitment.selection.sampler(),
        training=recruitment.pre_deployment_training.sampler(),
        travel=recruitment.travel.sampler(),
        induction=recruitment.induction.sampler(),
        roster_size=roster.size,
        roster_call_up=roster.call_up.sampler(),
        roster_order=roster.order,
        roster_priority_teams=tuple(team_index[name] for name in roster.priority_teams),
        roster_priority_roles=tuple(roster.priority_roles),
        roster_refill_per_day=roster.refill,
    )


def _replacement_lead(scenario: Scenario) -> float:
    """Unless stated, a successor is called one mean pipeline (re-advertisements included) plus the overlap early."""
    tour = scenario.tour
    if tour.replacement_lead is not None:
        return tour.replacement_lead
    recruitment = scenario.recruitment
    pipeline_mean = (
        recruitment.call_window.mean_days() / (1 - min(recruitment.readvertise_probability, 0.99))
        + recruitment.selection.mean_days()
        + recruitment.pre_deployment_training.mean_days()
        + recruitment.travel.mean_days()
        + recruitment.induction.mean_days()
    )
    return pipeline_mean + tour.handover_overlap


def _compile_tour(scenario: Scenario) -> TourPlan:
    tour = scenario.tour
    leave = scenario.leave
    leave_interval = (
        leave.block.mean_days() * DAYS_PER_MONTH / leave.days_per_month if leave.days_per_month > 0 else math.inf
    )
    return TourPlan(
        length=tour.length.sampler(),
        extension_probability=tour.extension_probability,
        extension_length=tour.extension_length.sampler(),
        replacement_lead=_replacement_lead(scenario),
        leave_block=leave.block.sampler(),
        leave_interval=leave_interval,
        repatriation_rate=scenario.repatriation.annual_hazard / DAYS_PER_YEAR,
        initial_elapsed=scenario.initial_staff.tour_elapsed.sampler(),
        max_extensions=math.inf if tour.max_extensions is None else tour.max_extensions,
        handover_overlap=tour.handover_overlap,
    )


def _compile_mediators(scenario: Scenario) -> MediatorPlan:
    mediators = scenario.mediators
    return MediatorPlan(
        recruitment=mediators.recruitment.sampler(),
        training=mediators.training.sampler(),
        certification_yield=mediators.certification_yield,
        attrition_rate=mediators.annual_attrition / DAYS_PER_YEAR,
        in_place=mediators.in_place,
        start_after_consent=mediators.start == "after_consent",
    )


def _compile_costs(scenario: Scenario, roles: list[str]) -> CostPlan:
    costs = scenario.costs
    return CostPlan(
        daily_rate_by_role={
            role: costs.roles[role].daily if role in costs.roles else costs.default_daily for role in roles
        },
        travel=costs.travel,
        training=costs.training,
        mediator_daily=costs.mediator_daily,
        local_staff=costs.local_staff,
        local_staff_daily=costs.local_staff_daily,
        local_staff_daily_total=costs.local_staff * costs.local_staff_daily,
    )


def compile_plan(scenario: Scenario) -> Plan:
    """Samplers are made here, once per run, and every team is referred to by its index from here on."""
    teams = _compile_teams(scenario)
    roles = every_role(scenario)
    team_index = {t.name: t.index for t in teams}
    return Plan(
        horizon=scenario.horizon_days,
        roles=roles,
        teams=teams,
        units=_compile_units(scenario, teams),
        recruitment=_compile_recruitment(scenario, team_index),
        tour=_compile_tour(scenario),
        mediators=_compile_mediators(scenario),
        incidents=IncidentPlan(scenario.incidents.mediation_share, scenario.incidents.service_time.sampler()),
        costs=_compile_costs(scenario, roles),
        mandate=compile_mandate(scenario.mandate),
        consent=compile_consent(scenario.consent),
        expansions=compile_expansions(scenario, team_index),
        phases=compile_phases(scenario, team_index),
        programmes=compile_programmes(scenario),
        tension=compile_tension(scenario.tension),
        budget=compile_budget(scenario.budget, scenario.tour.length),
        foc_fill_share=scenario.measures.foc_fill_share,
        supply=compile_supply(scenario, team_index),
    )
