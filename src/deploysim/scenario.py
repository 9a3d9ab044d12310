"""The scenario schema: everything a planner states about a mission, and nothing else.

Unknown keys are rejected everywhere so that a misspelt field is an error rather than a silently
ignored default. Cross-field rules (a team's unit must exist, minimum manning cannot exceed the
team) live here too, so every entry point (files, ``--set`` overrides, sweeps) gets them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from deploysim.durations import DAYS_PER_YEAR, Days, Delay, Duration

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Count = Annotated[int, Field(ge=0)]
Money = Annotated[float, Field(ge=0.0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Unit(Strict):
    """A territorial unit of the host State's police (PAG: of the Interior Ministry)."""

    name: str = Field(min_length=1)
    incident_rate: float | None = Field(
        default=None, ge=0, description="incidents per day in this unit; overrides incidents.rate_per_day"
    )


class Team(Strict):
    """A team co-located with one unit; ``posts`` and ``min_manning`` are counts by role."""

    name: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    posts: dict[str, Count] = Field(min_length=1)
    min_manning: dict[str, Count] = Field(default_factory=dict)
    needs_mediator: bool = True
    mediators: Count = 1
    in_place: dict[str, Count] = Field(
        default_factory=dict, description="people already deployed on day 0, by role"
    )

    @property
    def size(self) -> int:
        return sum(self.posts.values())


class Mandate(Strict):
    initial_length: Days = Field(gt=0, description="length of the first mandate, e.g. '4 months'")


class Roster(Strict):
    """Pre-cleared people who fill a vacant post at once, skipping call, selection and training."""

    size: Count = 0
    call_up: Delay = Field(default=0.0, description="time from call-up to arrival")


class Recruitment(Strict):
    call_window: Delay = Field(default="17 d", description="call for contributions open (OSCE ~17 d)")
    readvertise_probability: Probability = Field(
        default=0.43, description="share of calls re-advertised (OSCE 2009: ~43%)"
    )
    selection: Delay = "14 d"
    pre_deployment_training: Delay = "6 w"
    travel: Delay = "3 d"
    induction: Delay = "5 d"
    roster: Roster = Roster()


class Tour(Strict):
    length: Duration = "12 months"
    extension_probability: Probability = 0.0
    extension_length: Duration = "6 months"
    handover_overlap: Days = Field(default=7.0, ge=0)
    replacement_lead: Days | None = Field(
        default=None,
        ge=0,
        description="days before tour end the successor is requested; default: mean pipeline + overlap",
    )


class Leave(Strict):
    """Leave taken in blocks so that the average matches the entitlement (2.5 d/month + R&R)."""

    days_per_month: float = Field(default=2.5, ge=0, le=30)
    block: Duration = "10 d"


class Repatriation(Strict):
    annual_hazard: float = Field(default=0.03, ge=0, description="early repatriations per person-year")


class InitialStaff(Strict):
    tour_elapsed: Delay = Field(
        default="uniform(0, 6) months", description="how far into their tour people in place on day 0 are"
    )


class Mediators(Strict):
    """Locally recruited mediators, trained (ROMED-style) and certified with some yield."""

    recruitment: Delay = "30 d"
    training: Delay = "3 w"
    certification_yield: Probability = 0.55
    annual_attrition: float = Field(default=0.15, ge=0)
    in_place: bool = Field(default=False, description="every team's mediators certified on day 0")


class Incidents(Strict):
    rate_per_day: float = Field(default=0.3, ge=0, description="incidents per unit per day")
    mediation_share: Probability = Field(default=0.5, description="share of incidents needing mediation")
    service_time: Duration = "exponential(1.5) d"


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
                        f"but has only {have} such posts"
                    )
            for role, count in team.in_place.items():
                if count > team.posts.get(role, 0):
                    raise ValueError(
                        f"{where}.in_place.{role}: {count} people in place but only "
                        f"{team.posts.get(role, 0)} {role} posts"
                    )
            if team.size == 0:
                raise ValueError(f"{where}.posts: team {team.name!r} has no posts")
        if self.horizon_days > 50 * DAYS_PER_YEAR:
            raise ValueError("horizon: at most 50 years can be simulated")
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
