"""A scenario compiled for simulation: samplers instead of models, indices instead of names.

Compiling once per run keeps pydantic and dictionary look-ups out of the engine's hot path, and
gives the benchmark's bare SimPy baseline exactly the same stages and parameters to move people
through.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

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


@dataclass(frozen=True, slots=True)
class UnitPlan:
    index: int
    name: str
    rate_per_day: float
    team: int | None


@dataclass(slots=True)
class Plan:
    horizon: int
    teams: list[TeamPlan]
    units: list[UnitPlan]
    roles: list[str]
    call_window: Sampler
    readvertise_probability: float
    selection: Sampler
    training: Sampler
    travel: Sampler
    induction: Sampler
    roster_size: int
    roster_call_up: Sampler
    tour_length: Sampler
    extension_probability: float
    extension_length: Sampler
    replacement_lead: float
    leave_block: Sampler
    leave_interval: float
    repatriation_rate: float
    initial_elapsed: Sampler
    mediator_recruitment: Sampler
    mediator_training: Sampler
    certification_yield: float
    mediator_attrition_rate: float
    mediators_in_place: bool
    mediation_share: float
    service_time: Sampler
    daily_rate_by_role: dict[str, float]
    travel_cost: float
    training_cost: float
    mediator_daily: float
    local_staff_daily_total: float
    local_staff: int
    local_staff_daily: float
    foc_fill_share: float
    drawdown_days: float = 0.0
    team_index: dict[str, int] = field(default_factory=dict)


def _all_teams(scenario: Scenario) -> list[tuple[Team | PhaseTeam, bool]]:
    """Every team the mission may ever have, first definition wins, with whether it exists on day 0."""
    seen: dict[str, tuple[Team | PhaseTeam, bool]] = {t.name: (t, True) for t in scenario.teams}
    for phase in scenario.phases:
        for team in phase.teams:
            seen.setdefault(team.name, (team, False))
    for expansion in scenario.expansions:
        for team in expansion.new_teams:
            seen.setdefault(team.name, (team, False))
    return list(seen.values())


def _all_units(scenario: Scenario) -> list[Unit]:
    units = {u.name: u for u in scenario.units}
    for extra in [*(p.new_units for p in scenario.phases), *(e.new_units for e in scenario.expansions)]:
        for unit in extra:
            units.setdefault(unit.name, unit)
    return list(units.values())


def default_min_manning(posts: dict[str, int]) -> dict[str, int]:
    """Without a stated rule a team needs one holder of each of its roles present."""
    return {role: 1 for role, n in posts.items() if n > 0}


def compile_plan(scenario: Scenario) -> Plan:
    recruitment = scenario.recruitment
    tour = scenario.tour
    leave = scenario.leave
    team_defs = _all_teams(scenario)
    unit_of: dict[str, str] = {}
    for team, _ in team_defs:
        if team.unit is not None:
            unit_of[team.name] = team.unit
    teams = [
        TeamPlan(
            index=i,
            name=t.name,
            unit=unit_of.get(t.name, ""),
            min_manning=dict(t.min_manning) or default_min_manning(t.posts),
            needs_mediator=t.needs_mediator and t.mediators > 0,
            mediators=t.mediators,
            initial=initial,
        )
        for i, (t, initial) in enumerate(team_defs)
    ]
    team_of_unit: dict[str, int] = {}
    for team_plan in teams:
        team_of_unit.setdefault(team_plan.unit, team_plan.index)
    units = [
        UnitPlan(
            i,
            u.name,
            scenario.incidents.rate_per_day if u.incident_rate is None else u.incident_rate,
            team_of_unit.get(u.name),
        )
        for i, u in enumerate(_all_units(scenario))
    ]
    roles = every_role(scenario)
    pipeline_mean = (
        recruitment.call_window.mean_days() / (1 - min(recruitment.readvertise_probability, 0.99))
        + recruitment.selection.mean_days()
        + recruitment.pre_deployment_training.mean_days()
        + recruitment.travel.mean_days()
        + recruitment.induction.mean_days()
    )
    lead = tour.replacement_lead
    if lead is None:
        lead = pipeline_mean + tour.handover_overlap
    leave_interval = (
        leave.block.mean_days() / (leave.days_per_month / DAYS_PER_MONTH) if leave.days_per_month > 0 else math.inf
    )
    costs = scenario.costs
    return Plan(
        horizon=scenario.horizon_days,
        teams=teams,
        units=units,
        roles=roles,
        call_window=recruitment.call_window.sampler(),
        readvertise_probability=recruitment.readvertise_probability,
        selection=recruitment.selection.sampler(),
        training=recruitment.pre_deployment_training.sampler(),
        travel=recruitment.travel.sampler(),
        induction=recruitment.induction.sampler(),
        roster_size=recruitment.roster.size,
        roster_call_up=recruitment.roster.call_up.sampler(),
        tour_length=tour.length.sampler(),
        extension_probability=tour.extension_probability,
        extension_length=tour.extension_length.sampler(),
        replacement_lead=lead,
        leave_block=leave.block.sampler(),
        leave_interval=leave_interval,
        repatriation_rate=scenario.repatriation.annual_hazard / DAYS_PER_YEAR,
        initial_elapsed=scenario.initial_staff.tour_elapsed.sampler(),
        mediator_recruitment=scenario.mediators.recruitment.sampler(),
        mediator_training=scenario.mediators.training.sampler(),
        certification_yield=scenario.mediators.certification_yield,
        mediator_attrition_rate=scenario.mediators.annual_attrition / DAYS_PER_YEAR,
        mediators_in_place=scenario.mediators.in_place,
        mediation_share=scenario.incidents.mediation_share,
        service_time=scenario.incidents.service_time.sampler(),
        daily_rate_by_role={
            role: costs.roles[role].daily if role in costs.roles else costs.default_daily for role in roles
        },
        travel_cost=costs.travel,
        training_cost=costs.training,
        mediator_daily=costs.mediator_daily,
        local_staff_daily_total=costs.local_staff * costs.local_staff_daily,
        local_staff=costs.local_staff,
        local_staff_daily=costs.local_staff_daily,
        foc_fill_share=scenario.measures.foc_fill_share,
        drawdown_days=float(scenario.mandate.drawdown),
        team_index={t.name: t.index for t in teams},
    )
