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
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from deploysim.scenario.base import NAME_RULE, Money, Name, Probability, Role, Strict, Team, Unit
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
        description="length of the first mandate, in days or with a unit ('4 months'; PAG Kyrgyzstan 2010: 4 months, "
        f"PC.DEC/947); at most {years(MAX_HORIZON_DAYS)}",
    )
    extensions: Extensions | None = Field(
        default=None,
        description="how the mandate is reviewed and renewed; default: none (the mission ends with its mandate)",
    )
    drawdown: Annotated[Days, at_most(MAX_DRAWDOWN_DAYS)] = Field(
        default=30.0,
        ge=0,
        description="days of orderly drawdown after the mandate ends unrenewed; default: assumption; at most "
        f"{years(MAX_DRAWDOWN_DAYS)}",
    )


class Roster(Strict):
    """Pre-cleared people who fill a vacant post at once, skipping call, selection and training."""

    size: int = Field(
        default=0,
        ge=0,
        le=MAX_ROSTER,
        description=f"number of people on the roster; default: none (no roster); at most {MAX_ROSTER:,}",
    )
    call_up: Delay = delay_default(0.0, "time in days from call-up to arrival; default: assumption (at once)")


class Recruitment(Strict):
    call_window: Delay = delay_default(
        "17 d", "days a call for contributions stays open; default: OSCE practice (~17 d)"
    )
    readvertise_probability: Probability = Field(
        default=0.43,
        description="probability (0-1) that a call is re-advertised for want of candidates; default: OSCE 2009 "
        f"(~43% of calls); at most {MAX_READVERTISE:g}, so that a post is called for 1/(1-p) times on average "
        "and never for ever",
    )
    selection: Delay = delay_default("14 d", "days from the call's close to a selected candidate; default: assumption")
    pre_deployment_training: Delay = delay_default(
        "6 w", "days of national pre-deployment training; default: typical national course (~6 weeks, assumption)"
    )
    travel: Delay = delay_default("3 d", "days of travel to the mission; default: assumption")
    induction: Delay = delay_default(
        "5 d", "days of induction in the mission before taking up the post; default: assumption (~5 d)"
    )
    roster: Roster = Field(
        default=Roster(), description="pre-cleared people who fill vacant posts at once; default: no roster"
    )

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
        "12 months",
        f"length of one secondment in days or with a unit, at least {years(MIN_TOUR_DAYS)} on average; default: "
        "typical secondment (~12 months, assumption)",
    )
    extension_probability: Probability = Field(
        default=0.0,
        description="probability (0-1) that a holder extends a tour at its end; default: assumption (none)",
    )
    extension_length: Annotated[Duration, min_mean(MIN_EXTENSION_DAYS, "each extension is decided anew")] = (
        duration_default(
            "6 months",
            f"length of one tour extension in days or with a unit, at least {years(MIN_EXTENSION_DAYS)} on average; "
            "default: assumption",
        )
    )
    handover_overlap: Annotated[Days, at_most(MAX_OVERLAP_DAYS)] = Field(
        default=7.0,
        ge=0,
        description="days a successor overlaps the holder to hand over; default: assumption; at most "
        f"{years(MAX_OVERLAP_DAYS)}",
    )
    replacement_lead: Annotated[Days, at_most(MAX_LEAD_DAYS)] | None = Field(
        default=None,
        ge=0,
        description="days before tour end the successor is requested; default: none (the mean time to fill a post "
        f"plus the overlap); at most {years(MAX_LEAD_DAYS)}",
    )


class Leave(Strict):
    """Leave taken in blocks so that the average matches the entitlement (2.5 d/month + R&R)."""

    days_per_month: float = Field(
        default=2.5,
        ge=0,
        le=30,
        description="days of leave earned per month deployed; default: OSCE entitlement (2.5 days per month); "
        "at most 30",
    )
    block: Annotated[Duration, min_mean(MIN_LEAVE_BLOCK_DAYS, "leave is taken in days")] = duration_default(
        "10 d",
        f"days of one leave block, at least {years(MIN_LEAVE_BLOCK_DAYS)} on average; default: assumption",
    )


class Repatriation(Strict):
    annual_hazard: float = Field(
        default=0.03,
        ge=0,
        le=MAX_ANNUAL_HAZARD,
        description="early repatriations per person-year deployed (a hazard rate per year); default: assumption; "
        f"at most {MAX_ANNUAL_HAZARD:g}",
    )


class InitialStaff(Strict):
    tour_elapsed: Delay = delay_default(
        "uniform(0, 6) months",
        "days into their tour that people in place on day 0 already are; default: assumption (uniform over the "
        "first 6 months)",
    )


class Mediators(Strict):
    """Locally recruited mediators, trained (ROMED-style) and certified with some yield."""

    recruitment: Delay = delay_default("30 d", "days to recruit a mediator for a vacant slot; default: assumption")
    training: Delay = delay_default(
        "3 w", "days of mediator training (ROMED: two short sessions around practice); default: assumption"
    )
    certification_yield: Probability = Field(
        default=0.55,
        description="share (0-1) of trained mediators certified; default: ROMED experience (~0.5-0.6); at least "
        f"{MIN_QUICK_YIELD:g} when recruitment and training take under {years(MIN_ATTEMPT_DAYS)} on average",
    )
    annual_attrition: float = Field(
        default=0.15,
        ge=0,
        le=MAX_ANNUAL_HAZARD,
        description="certified mediators leaving per mediator-year (a hazard rate per year); default: assumption; "
        f"at most {MAX_ANNUAL_HAZARD:g} a year",
    )
    in_place: bool = Field(
        default=False,
        description="whether every team's mediators are certified on day 0; default: assumption (they are recruited)",
    )


class Incidents(Strict):
    rate_per_day: float = Field(
        default=0.3,
        ge=0,
        le=MAX_INCIDENT_RATE,
        description="incidents per unit per day (a Poisson rate); default: assumption; at most "
        f"{MAX_INCIDENT_RATE:g}, and at most {MAX_MISSION_INCIDENTS:,.0f} a day in the whole mission at the "
        "tension ceiling",
    )
    mediation_share: Probability = Field(
        default=0.5, description="share (0-1) of incidents needing mediation; default: assumption"
    )
    service_time: Duration = duration_default(
        "exponential(1.5) d", "days a mediator spends on one case; default: assumption"
    )


class RoleCost(Strict):
    daily: Money = Field(
        default=0.0,
        description="salary and allowances in the scenario's currency per person-day deployed; default: assumption "
        f"(none); at most {MAX_MONEY:g}",
    )


_MONEY = f"; default: assumption; at most {MAX_MONEY:g}"


class Costs(Strict):
    currency: str = Field(
        default="EUR",
        min_length=1,
        max_length=MAX_CURRENCY,
        description=f"the currency every amount is in, as a label; default: EUR (OSCE budgets); at most "
        f"{MAX_CURRENCY} characters",
    )
    roles: dict[Role, RoleCost] = Field(
        default_factory=dict,
        max_length=MAX_TEAMS,
        description=f"daily rates by role; default: none (every role costs default_daily); at most {MAX_TEAMS:,} roles",
    )
    default_daily: Money = Field(
        default=250.0, description="cost in the currency per person-day for roles not listed" + _MONEY
    )
    travel: Money = Field(default=1500.0, description="cost in the currency per deployment (round trip)" + _MONEY)
    training: Money = Field(
        default=2000.0,
        description="cost in the currency per person entering pre-deployment training" + _MONEY,
    )
    mediator_daily: Money = Field(
        default=40.0, description="cost in the currency per mediator employed per day" + _MONEY
    )
    local_staff: int = Field(
        default=0,
        ge=0,
        le=MAX_LOCAL_STAFF,
        description="number of local staff employed throughout; default: assumption (none); at most "
        f"{MAX_LOCAL_STAFF:,}",
    )
    local_staff_daily: Money = Field(
        default=30.0, description="cost in the currency per local staff member per day" + _MONEY
    )


class Measures(Strict):
    foc_fill_share: Probability = Field(
        default=0.9,
        description="share (0-1) of authorised posts filled for full operational capability (FOC), with every team "
        "at minimum manning; default: planning convention (90%, assumption)",
    )


def _plain_text(text: str) -> str:
    """Line breaks and tabs, but no other control character and no lone surrogate (which no table,
    manifest or terminal can hold)."""
    odd = next((ch for ch in text if not ch.isprintable() and ch not in "\n\r\t "), None)
    if odd is not None and (unicodedata.category(odd) in ("Cc", "Cs")):
        raise ValueError(f"must be printable text; it holds the character U+{ord(odd):04X}")
    return text


class Scenario(Strict):
    name: Name = Field(description=f"the scenario's name, shown in tables, plots and reports; {NAME_RULE}")
    description: Annotated[str, Field(max_length=MAX_DESCRIPTION), AfterValidator(_plain_text)] = Field(
        default="",
        description="the scenario's story and sources, for the report; default: none; at most "
        f"{MAX_DESCRIPTION:,} characters",
    )
    start_date: dt.date = Field(
        description=f"calendar date of day 0, the authorisation decision (YYYY-MM-DD); from {FIRST_DATE} on; with "
        f"the horizon, up to {LAST_DATE}"
    )
    horizon: Annotated[Days, at_most(MAX_HORIZON_DAYS)] = Field(
        gt=0,
        description=f"how long to simulate, in days or with a unit ('12 months'); at most {years(MAX_HORIZON_DAYS)}, "
        f"and start_date + horizon at most {LAST_DATE}",
    )
    mandate: Mandate = Field(description="the mandate: its first length, its extensions and the drawdown")
    units: list[Unit] = Field(
        min_length=1,
        max_length=MAX_UNITS,
        description=f"the host State's territorial police units; at most {MAX_UNITS:,}, phases and expansions included",
    )
    teams: list[Team] = Field(
        min_length=1,
        max_length=MAX_TEAMS,
        description=f"the teams and their posts on day 0; at most {MAX_TEAMS:,} teams and {MAX_POSTS:,} posts in "
        "the mission, phases and expansions included",
    )
    recruitment: Recruitment = Field(
        default=Recruitment(), description="how a vacant post is filled; default: each field's own default"
    )
    tour: Tour = Field(default=Tour(), description="tours of duty and rotation; default: each field's own default")
    leave: Leave = Field(default=Leave(), description="leave taken while deployed; default: each field's own default")
    repatriation: Repatriation = Field(
        default=Repatriation(), description="early departures; default: each field's own default"
    )
    initial_staff: InitialStaff = Field(
        default=InitialStaff(), description="people in place on day 0; default: each field's own default"
    )
    mediators: Mediators = Field(
        default=Mediators(), description="local mediators of the teams; default: each field's own default"
    )
    incidents: Incidents = Field(
        default=Incidents(), description="incidents and their mediation; default: each field's own default"
    )
    costs: Costs = Field(default=Costs(), description="rates and one-off costs; default: each field's own default")
    measures: Measures = Field(
        default=Measures(), description="settings of the measures reported; default: each field's own default"
    )
    consent: Consent = Field(
        default=Consent(), description="host-state consent to deployment; default: each field's own default"
    )
    expansions: list[Expansion] = Field(
        default_factory=list,
        max_length=MAX_EXPANSIONS,
        description=f"tranches of extra posts with their triggers; default: none; at most {MAX_EXPANSIONS}",
    )
    phases: list[Phase] = Field(
        default_factory=list,
        max_length=MAX_PHASES,
        description=f"new shapes of the mission at a trigger; default: none; at most {MAX_PHASES}",
    )
    training_programmes: list[TrainingProgramme] = Field(
        default_factory=list,
        max_length=MAX_PROGRAMMES,
        description=f"cadet training programmes; default: none; at most {MAX_PROGRAMMES}, with at most "
        f"{MAX_INTAKES:,} intakes and {MAX_CADETS:,} cadets in all",
    )
    tension: Tension | None = Field(
        default=None,
        description="a tension index multiplying incident rates; default: none (incident rates stay as written)",
    )
    budget: Budget = Field(default=Budget(), description="a budget ceiling; default: none")

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
