"""The scenario schema: everything a planner states about a mission, and nothing else.

Unknown keys are rejected everywhere so that a misspelt field is an error rather than a silently
ignored default. Every number is bounded (:mod:`~deploysim.scenario.limits` gives the bounds and
why), and each field's description states its bound. Rules across fields run here too, so every
entry point (files, ``--set`` overrides, sweeps) gets them: names and references
(:mod:`~deploysim.scenario.rules`), then the mission's size, its dates and the loops a run could
never leave (:mod:`~deploysim.scenario.sanity`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from deploysim.scenario.base import Money, Name, Probability, Role, Strict, Team, Unit
from deploysim.scenario.durations import Days, Delay, Duration, at_most, delay_default, duration_default, min_mean
from deploysim.scenario.dynamics import (
    Budget,
    Consent,
    Expansion,
    Extensions,
    Phase,
    Tension,
    TrainingProgramme,
)
from deploysim.scenario.limits import (
    FIRST_DATE,
    LAST_DATE,
    MAX_ANNUAL_HAZARD,
    MAX_CADETS,
    MAX_CURRENCY,
    MAX_DESCRIPTION,
    MAX_DRAWDOWN_DAYS,
    MAX_EXPANSIONS,
    MAX_HORIZON_DAYS,
    MAX_INCIDENT_RATE,
    MAX_INTAKES,
    MAX_LEAD_DAYS,
    MAX_LOCAL_STAFF,
    MAX_MISSION_INCIDENTS,
    MAX_MONEY,
    MAX_OVERLAP_DAYS,
    MAX_PHASES,
    MAX_POSTS,
    MAX_PROGRAMMES,
    MAX_READVERTISE,
    MAX_ROSTER,
    MAX_TEAMS,
    MAX_UNITS,
    MIN_ATTEMPT_DAYS,
    MIN_EXTENSION_DAYS,
    MIN_LEAVE_BLOCK_DAYS,
    MIN_QUICK_YIELD,
    MIN_TOUR_DAYS,
    years,
)
from deploysim.scenario.rules import check_dynamics, check_tables
from deploysim.scenario.rules import every_role as every_role  # where the engine has always found it
from deploysim.scenario.sanity import check_sanity


class Mandate(Strict):
    initial_length: Annotated[Days, at_most(MAX_HORIZON_DAYS)] = Field(
        gt=0,
        description=f"length of the first mandate, e.g. '4 months'; at most {years(MAX_HORIZON_DAYS)}",
    )
    extensions: Extensions | None = Field(default=None, description="none: the mission ends with its mandate")
    drawdown: Annotated[Days, at_most(MAX_DRAWDOWN_DAYS)] = Field(
        default=30.0,
        ge=0,
        description=f"orderly drawdown after the mandate ends; at most {years(MAX_DRAWDOWN_DAYS)}",
    )


class Roster(Strict):
    """Pre-cleared people who fill a vacant post at once, skipping call, selection and training."""

    size: int = Field(default=0, ge=0, le=MAX_ROSTER, description=f"at most {MAX_ROSTER:,}")
    call_up: Delay = delay_default(0.0, "time from call-up to arrival")


class Recruitment(Strict):
    call_window: Delay = delay_default("17 d", "call for contributions open (OSCE ~17 d)")
    readvertise_probability: Probability = Field(
        default=0.43,
        description=f"share of calls re-advertised (OSCE 2009: ~43%); at most {MAX_READVERTISE:g}, so that a post "
        "is called for 1/(1-p) times on average and never for ever",
    )
    selection: Delay = delay_default("14 d")
    pre_deployment_training: Delay = delay_default("6 w")
    travel: Delay = delay_default("3 d")
    induction: Delay = delay_default("5 d")
    roster: Roster = Roster()

    @field_validator("readvertise_probability")
    @classmethod
    def _calls_end(cls, p: float, info: ValidationInfo) -> float:
        if p <= MAX_READVERTISE:
            return p
        window = info.data.get("call_window")
        if p == 1 and window is not None and window.largest_days() == 0:
            raise ValueError(
                "1 with call_window 0 re-advertises every call for ever in zero time, so the run would never end; "
                f"use at most {MAX_READVERTISE:g}"
            )
        forever = "every call is re-advertised for ever" if p == 1 else f"a post is called for {1 / (1 - p):,.0f} times"
        raise ValueError(f"must be at most {MAX_READVERTISE:g}, got {p:g}: {forever}")


class Tour(Strict):
    length: Annotated[Duration, min_mean(MIN_TOUR_DAYS, "every tour ends in a rotation")] = duration_default(
        "12 months", f"at least {years(MIN_TOUR_DAYS)} on average"
    )
    extension_probability: Probability = 0.0
    extension_length: Annotated[Duration, min_mean(MIN_EXTENSION_DAYS, "each extension is decided anew")] = (
        duration_default("6 months", f"at least {years(MIN_EXTENSION_DAYS)} on average")
    )
    handover_overlap: Annotated[Days, at_most(MAX_OVERLAP_DAYS)] = Field(
        default=7.0, ge=0, description=f"at most {years(MAX_OVERLAP_DAYS)}"
    )
    replacement_lead: Annotated[Days, at_most(MAX_LEAD_DAYS)] | None = Field(
        default=None,
        ge=0,
        description="days before tour end the successor is requested; default: mean pipeline + overlap; "
        f"at most {years(MAX_LEAD_DAYS)}",
    )


class Leave(Strict):
    """Leave taken in blocks so that the average matches the entitlement (2.5 d/month + R&R)."""

    days_per_month: float = Field(
        default=2.5,
        ge=0,
        le=30,
        description="leave entitlement in days per month of tour, at most 30 (OSCE: 2.5). Blocks start one "
        "interval I = block / (days_per_month / 30.44) apart, the first uniformly within the first interval "
        "of the tour, so a tour of L days spends on average (block / I)(L - block / 2) days on leave: the "
        "entitlement's share times 1 - block / (2L) (7.5% instead of 8.2% for 60-day tours at 2.5 d a "
        "month in 10-day blocks; within 1% of it from tours of about 500 days); a tour shorter than I sees "
        "at most one block",
    )
    block: Annotated[Duration, min_mean(MIN_LEAVE_BLOCK_DAYS, "leave is taken in days")] = duration_default(
        "10 d", f"at least {years(MIN_LEAVE_BLOCK_DAYS)} on average"
    )


class Repatriation(Strict):
    annual_hazard: float = Field(
        default=0.03,
        ge=0,
        le=MAX_ANNUAL_HAZARD,
        description=f"early repatriations per person-year; at most {MAX_ANNUAL_HAZARD:g}",
    )


class InitialStaff(Strict):
    tour_elapsed: Delay = delay_default(
        "uniform(0, 6) months", "how far into their tour people in place on day 0 are"
    )


class Mediators(Strict):
    """Locally recruited mediators, trained (ROMED-style) and certified with some yield."""

    recruitment: Delay = delay_default("30 d")
    training: Delay = delay_default("3 w")
    certification_yield: Probability = Field(
        default=0.55,
        description=f"at least {MIN_QUICK_YIELD:g} when recruitment and training take under "
        f"{years(MIN_ATTEMPT_DAYS)} on average",
    )
    annual_attrition: float = Field(
        default=0.15, ge=0, le=MAX_ANNUAL_HAZARD, description=f"at most {MAX_ANNUAL_HAZARD:g} a year"
    )
    in_place: bool = Field(default=False, description="every team's mediators certified on day 0")
    start: Literal["with_team", "after_consent"] = Field(
        default="with_team",
        description="when a team's mediator careers start (recruitment, then training; pay runs from "
        "recruitment on): with_team, when the team's first posts open (day 0 for the teams of the day-0 "
        "table); after_consent, once the host State consents (at once if it already has), so a mission "
        "that never gets consent recruits and pays no mediators. Default with_team: assumption, the "
        "behaviour before this field existed",
    )


class Incidents(Strict):
    rate_per_day: float = Field(
        default=0.3,
        ge=0,
        le=MAX_INCIDENT_RATE,
        description=f"incidents per unit per day; at most {MAX_INCIDENT_RATE:g}, and at most "
        f"{MAX_MISSION_INCIDENTS:,.0f} a day in the whole mission at the tension ceiling",
    )
    mediation_share: Probability = Field(default=0.5, description="share of incidents needing mediation")
    service_time: Duration = duration_default("exponential(1.5) d")


class RoleCost(Strict):
    daily: Money = Field(
        default=0.0, description=f"salary and allowances per person-day deployed; at most {MAX_MONEY:g}"
    )


_MONEY = f"; at most {MAX_MONEY:g}"


class Costs(Strict):
    currency: str = Field(
        default="EUR", min_length=1, max_length=MAX_CURRENCY, description=f"at most {MAX_CURRENCY} characters"
    )
    roles: dict[Role, RoleCost] = Field(
        default_factory=dict, max_length=MAX_TEAMS, description=f"daily rates by role; at most {MAX_TEAMS:,} roles"
    )
    default_daily: Money = Field(default=250.0, description="per person-day for roles not listed" + _MONEY)
    travel: Money = Field(default=1500.0, description="one-off per deployment (round trip)" + _MONEY)
    training: Money = Field(
        default=2000.0, description="one-off per person entering pre-deployment training" + _MONEY
    )
    mediator_daily: Money = Field(default=40.0, description="per mediator employed per day" + _MONEY)
    local_staff: int = Field(default=0, ge=0, le=MAX_LOCAL_STAFF, description=f"at most {MAX_LOCAL_STAFF:,}")
    local_staff_daily: Money = Field(default=30.0, description="per local staff member per day" + _MONEY)


class Measures(Strict):
    foc_fill_share: Probability = Field(default=0.9, description="fill share needed for FOC")


def _plain_text(text: str) -> str:
    """Line breaks and tabs, but no other control character and no lone surrogate (which no table,
    manifest or terminal can hold)."""
    odd = next((ch for ch in text if not ch.isprintable() and ch not in "\n\r\t "), None)
    if odd is not None and (unicodedata.category(odd) in ("Cc", "Cs")):
        raise ValueError(f"must be printable text; it holds the character U+{ord(odd):04X}")
    return text


class Scenario(Strict):
    name: Name
    description: Annotated[str, Field(max_length=MAX_DESCRIPTION), AfterValidator(_plain_text)] = Field(
        default="", description=f"at most {MAX_DESCRIPTION:,} characters"
    )
    start_date: dt.date = Field(description=f"from {FIRST_DATE} on; with the horizon, up to {LAST_DATE}")
    horizon: Annotated[Days, at_most(MAX_HORIZON_DAYS)] = Field(
        gt=0,
        description=f"how long to simulate, e.g. '12 months'; at most {years(MAX_HORIZON_DAYS)}, and "
        f"start_date + horizon at most {LAST_DATE}",
    )
    mandate: Mandate
    units: list[Unit] = Field(
        min_length=1, max_length=MAX_UNITS, description=f"at most {MAX_UNITS:,}, phases and expansions included"
    )
    teams: list[Team] = Field(
        min_length=1,
        max_length=MAX_TEAMS,
        description=f"at most {MAX_TEAMS:,} teams and {MAX_POSTS:,} posts in the mission, phases and "
        "expansions included",
    )
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
    expansions: list[Expansion] = Field(
        default_factory=list, max_length=MAX_EXPANSIONS, description=f"at most {MAX_EXPANSIONS}"
    )
    phases: list[Phase] = Field(default_factory=list, max_length=MAX_PHASES, description=f"at most {MAX_PHASES}")
    training_programmes: list[TrainingProgramme] = Field(
        default_factory=list,
        max_length=MAX_PROGRAMMES,
        description=f"at most {MAX_PROGRAMMES}, with at most {MAX_INTAKES:,} intakes and {MAX_CADETS:,} cadets in all",
    )
    tension: Tension | None = None
    budget: Budget = Budget()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        check_tables(self)
        check_dynamics(self)
        check_sanity(self)
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
