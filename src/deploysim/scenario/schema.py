"""The scenario schema: everything a planner states about a mission, and nothing else.

Unknown keys are rejected everywhere so that a misspelt field is an error rather than a silently
ignored default. Cross-field rules (a team's unit must exist, minimum manning cannot exceed the
team) live here too, so every entry point (files, ``--set`` overrides, sweeps) gets them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from pydantic import Field, model_validator

from deploysim.scenario.base import Count, Money, Probability, Strict, Team, Unit
from deploysim.scenario.durations import DAYS_PER_YEAR, Days, Delay, Duration, delay_default, duration_default
from deploysim.scenario.dynamics import (
    Budget,
    Consent,
    Expansion,
    Extensions,
    Phase,
    PhaseTeam,
    Tension,
    TrainingProgramme,
    Trigger,
)


class Mandate(Strict):
    initial_length: Days = Field(gt=0, description="length of the first mandate, e.g. '4 months'")
    extensions: Extensions | None = Field(default=None, description="none: the mission ends with its mandate")
    drawdown: Days = Field(default=30.0, ge=0, description="orderly drawdown after the mandate ends")


class Roster(Strict):
    """Pre-cleared people who fill a vacant post at once, skipping call, selection and training."""

    size: Count = 0
    call_up: Delay = delay_default(0.0, "time from call-up to arrival")


class Recruitment(Strict):
    call_window: Delay = delay_default("17 d", "call for contributions open (OSCE ~17 d)")
    readvertise_probability: Probability = Field(
        default=0.43, description="share of calls re-advertised (OSCE 2009: ~43%)"
    )
    selection: Delay = delay_default("14 d")
    pre_deployment_training: Delay = delay_default("6 w")
    travel: Delay = delay_default("3 d")
    induction: Delay = delay_default("5 d")
    roster: Roster = Roster()


class Tour(Strict):
    length: Duration = duration_default("12 months")
    extension_probability: Probability = 0.0
    extension_length: Duration = duration_default("6 months")
    handover_overlap: Days = Field(default=7.0, ge=0)
    replacement_lead: Days | None = Field(
        default=None,
        ge=0,
        description="days before tour end the successor is requested; default: mean pipeline + overlap",
    )


class Leave(Strict):
    """Leave taken in blocks so that the average matches the entitlement (2.5 d/month + R&R)."""

    days_per_month: float = Field(default=2.5, ge=0, le=30)
    block: Duration = duration_default("10 d")


class Repatriation(Strict):
    annual_hazard: float = Field(default=0.03, ge=0, description="early repatriations per person-year")


class InitialStaff(Strict):
    tour_elapsed: Delay = delay_default(
        "uniform(0, 6) months", "how far into their tour people in place on day 0 are"
    )


class Mediators(Strict):
    """Locally recruited mediators, trained (ROMED-style) and certified with some yield."""

    recruitment: Delay = delay_default("30 d")
    training: Delay = delay_default("3 w")
    certification_yield: Probability = 0.55
    annual_attrition: float = Field(default=0.15, ge=0)
    in_place: bool = Field(default=False, description="every team's mediators certified on day 0")


class Incidents(Strict):
    rate_per_day: float = Field(default=0.3, ge=0, description="incidents per unit per day")
    mediation_share: Probability = Field(default=0.5, description="share of incidents needing mediation")
    service_time: Duration = duration_default("exponential(1.5) d")


class RoleCost(Strict):
    daily: Money = Field(default=0.0, description="salary and allowances per person-day deployed")


class Costs(Strict):
    currency: str = "EUR"
    roles: dict[str, RoleCost] = Field(default_factory=dict)
    default_daily: Money = Field(default=250.0, description="per person-day for roles not listed")
    travel: Money = Field(default=1500.0, description="one-off per deployment (round trip)")
    training: Money = Field(default=2000.0, description="one-off per person entering pre-deployment training")
    mediator_daily: Money = 40.0
    local_staff: Count = 0
    local_staff_daily: Money = 30.0


class Measures(Strict):
    foc_fill_share: Probability = Field(default=0.9, description="fill share needed for FOC")


class Scenario(Strict):
    name: str = Field(min_length=1)
    description: str = ""
    start_date: dt.date
    horizon: Days = Field(gt=0, description="how long to simulate, e.g. '12 months'")
    mandate: Mandate
    units: list[Unit] = Field(min_length=1)
    teams: list[Team] = Field(min_length=1)
    recruitment: Recruitment = Recruitment()
    tour: Tour = Tour()
    leave: Leave = Leave()
    repatriation: Repatriation = Repatriation()
    initial_staff: InitialStaff = InitialStaff()
    mediators: Mediators = Mediators()
    incidents: Incidents = Incidents()
    costs: Costs = Costs()
    measures: Measures = Measures()
    consent: Consent = Consent()
    expansions: list[Expansion] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    training_programmes: list[TrainingProgramme] = Field(default_factory=list)
    tension: Tension | None = None
    budget: Budget = Budget()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        _require_unique("units", [u.name for u in self.units])
        _require_unique("teams", [t.name for t in self.teams])
        unit_names = {u.name for u in self.units}
        for i, team in enumerate(self.teams):
            where = f"teams.{i}"
            if team.unit not in unit_names:
                raise ValueError(
                    f"{where}.unit: team {team.name!r} points at unit {team.unit!r}, "
                    f"which is not among units ({', '.join(sorted(unit_names))})"
                )
            for role, need in team.min_manning.items():
                have = team.posts.get(role, 0)
                if need > have:
                    raise ValueError(
                        f"{where}.min_manning.{role}: team {team.name!r} needs {need} {role} present "
                        f"but has only {have} {role} post{'s' if have != 1 else ''}"
                    )
            for role, count in team.in_place.items():
                if count > team.posts.get(role, 0):
                    raise ValueError(
                        f"{where}.in_place.{role}: {count} people in place but only "
                        f"{team.posts.get(role, 0)} {role} posts"
                    )
            if team.size == 0:
                raise ValueError(f"{where}.posts: team {team.name!r} has no posts")
        known_roles = set(every_role(self))
        for role in self.costs.roles:
            if role not in known_roles:
                raise ValueError(
                    f"costs.roles.{role}: no post anywhere has role {role!r}; roles: {', '.join(sorted(known_roles))}"
                )
        if self.horizon_days > 50 * DAYS_PER_YEAR:
            raise ValueError("horizon: at most 50 years can be simulated")
        check_dynamics(self)
        return self

    @property
    def horizon_days(self) -> int:
        return max(1, round(self.horizon))

    @property
    def authorised_posts(self) -> int:
        return sum(team.size for team in self.teams)

    def fingerprint(self) -> str:
        """Stable hash of the validated content, stored with results to tie them to their input."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _require_unique(field: str, names: list[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise ValueError(f"{field}.{i}.name: {name!r} appears twice")
        seen.add(name)


def every_role(scenario: Scenario) -> list[str]:
    """Every role any post may ever have: initial teams, phases (re-roles included) and expansions."""
    roles = {role for t in scenario.teams for role in t.posts}
    for phase in scenario.phases:
        roles |= {role for t in phase.teams for role in t.posts} | set(phase.rerole.values())
    for expansion in scenario.expansions:
        roles |= {role for t in expansion.new_teams for role in t.posts}
        roles |= {role for posts in expansion.add_posts.values() for role in posts}
    return sorted(roles)


def _fixed_start(trigger: Trigger, start: dt.date) -> float | None:
    if trigger.date is not None:
        return float((trigger.date - start).days)
    if trigger.after is not None:
        return float(trigger.after)
    return None


def _check_team_refs(
    where: str, teams: list[PhaseTeam], known_teams: set[str], units: set[str], mediators: dict[str, int]
) -> None:
    for i, team in enumerate(teams):
        if team.name in mediators and "mediators" in team.model_fields_set and team.mediators > mediators[team.name]:
            raise ValueError(
                f"{where}.{i}.mediators: team {team.name!r} has {mediators[team.name]} mediator slot(s) where it is "
                "first defined; a phase can stop needing mediators but cannot add slots"
            )
        if team.unit is None and team.name not in known_teams:
            raise ValueError(
                f"{where}.{i}.name: unknown team {team.name!r}; name an existing team "
                f"({', '.join(sorted(known_teams))}) or give the new team a unit"
            )
        if team.unit is not None and team.unit not in units:
            raise ValueError(f"{where}.{i}.unit: unit {team.unit!r} is not among units or new_units")
        for role, need in team.min_manning.items():
            if need > team.posts.get(role, 0):
                raise ValueError(f"{where}.{i}.min_manning.{role}: more needed present than posts")


def check_dynamics(scenario: Scenario) -> None:
    """Names used by consent, expansions, phases and programmes must exist; phases must not overlap."""
    units = {u.name for u in scenario.units}
    teams = {t.name for t in scenario.teams}
    mediators = {t.name: t.mediators for t in scenario.teams}
    phase_names = [p.name for p in scenario.phases]
    _require_unique("phases", phase_names)
    _require_unique("expansions", [e.name for e in scenario.expansions])
    previous_start: float | None = None
    for k, phase in enumerate(scenario.phases):
        units |= {u.name for u in phase.new_units}
        _check_team_refs(f"phases.{k}.teams", phase.teams, teams, units, mediators)
        teams |= {t.name for t in phase.teams}
        for phase_team in phase.teams:
            mediators.setdefault(phase_team.name, phase_team.mediators)
        start = _fixed_start(phase.trigger, scenario.start_date)
        if start is not None and previous_start is not None and start <= previous_start:
            raise ValueError(
                f"phases.{k}.trigger: phase {phase.name!r} would start on day {start:g}, not after the "
                f"previous phase (day {previous_start:g}); phases are ordered and must not overlap"
            )
        previous_start = start if start is not None else previous_start
    for k, expansion in enumerate(scenario.expansions):
        units |= {u.name for u in expansion.new_units}
        for i, team in enumerate(expansion.new_teams):
            if team.unit not in units:
                raise ValueError(f"expansions.{k}.new_teams.{i}.unit: unit {team.unit!r} is not among units")
        teams |= {t.name for t in expansion.new_teams}
        for name in expansion.add_posts:
            if name not in teams:
                raise ValueError(
                    f"expansions.{k}.add_posts.{name}: unknown team {name!r}; known: {', '.join(sorted(teams))}"
                )
    for i, name in enumerate(scenario.consent.advance_teams):
        if name not in {t.name for t in scenario.teams}:
            raise ValueError(f"consent.advance_teams.{i}: unknown team {name!r}")
    fallback = scenario.consent.fallback_phase
    if fallback is not None and fallback not in phase_names:
        raise ValueError(f"consent.fallback_phase: no phase is named {fallback!r}")
    roles = set(every_role(scenario))
    for k, programme in enumerate(scenario.training_programmes):
        if programme.trainer_role is not None and programme.trainer_role not in roles:
            raise ValueError(
                f"training_programmes.{k}.trainer_role: no post anywhere has role {programme.trainer_role!r}"
            )
