"""Schema for what makes a mission plan hard: decisions, consent, expansion, phases, cadets, budget.

These are kept apart from the static post table in ``schema`` because each one is a decision
or a trigger with its own stream of randomness and its own validation rules.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from deploysim.scenario.base import NAME_RULE, Name, PostCount, Probability, Role, Strict, Team, Unit, rule_error
from deploysim.scenario.durations import Days, Delay, Duration, at_most, delay_default, duration_default, min_mean
from deploysim.scenario.limits import (
    MAX_ANNUAL_HAZARD,
    MAX_BUDGET,
    MAX_CADETS_PER_TRAINER,
    MAX_EXTENSIONS,
    MAX_HORIZON_DAYS,
    MAX_INTAKE,
    MAX_INTAKES,
    MAX_LOCAL_STAFF,
    MAX_REVIEW_DAYS,
    MAX_ROLES,
    MAX_STATES,
    MAX_TEAMS,
    MAX_TENSION,
    MAX_UNITS,
    MAX_WINDOW_DAYS,
    MIN_EXTENSION_DAYS,
    years,
)


class Signal(StrEnum):
    """What a decision announces while the mission runs, and a trigger may wait for (``trigger.event``).

    The vocabulary lives here, with the schema that validates it, because the engine depends on the
    scenario layer and never the other way round.
    """

    CONSENT_GRANTED = "consent_granted"
    CONSENT_REFUSED = "consent_refused"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    EXPANSION_APPROVED = "expansion_approved"
    EXTENSION_GRANTED = "extension_granted"
    EXTENSION_REFUSED = "extension_refused"


EVENTS: tuple[str, ...] = tuple(signal.value for signal in Signal)
"""The signal names a scenario may write, as plain strings for the schema's ``Literal``."""
METRICS = ("incident_rate", "team_coverage", "tension")


class Consensus(Strict):
    """A decision by consensus: each of ``states`` objects independently with ``objection_probability``,
    so it passes with probability (1 - p)^N; or one ``approval_probability`` for the whole decision."""

    states: int = Field(
        default=56,
        ge=1,
        le=MAX_STATES,
        description=f"number of participating States deciding; default: OSCE in 2010 (56); at most {MAX_STATES:,}",
    )
    objection_probability: Probability | None = Field(
        default=None,
        description="probability (0-1) that one State objects, independently of the others; default: none (no State "
        "objects, unless approval_probability is given)",
    )
    approval_probability: Probability | None = Field(
        default=None,
        description="probability (0-1) that the whole decision passes, instead of objection_probability; default: "
        "none",
    )
    delay: Delay = delay_default(
        0.0, "days from the review or trigger to the decision; default: assumption (decided at once)"
    )

    @model_validator(mode="after")
    def _one_rule(self) -> Consensus:
        if self.objection_probability is not None and self.approval_probability is not None:
            raise ValueError("give objection_probability or approval_probability, not both")
        return self

    def probability(self) -> float:
        if self.approval_probability is not None:
            return self.approval_probability
        p = self.objection_probability or 0.0
        return (1.0 - p) ** self.states


class Extensions(Strict):
    review_before_expiry: Annotated[Days, at_most(MAX_REVIEW_DAYS)] = Field(
        default=30.0,
        ge=0,
        description="days before expiry that the review opens; default: assumption; at most "
        f"{years(MAX_REVIEW_DAYS)}",
    )
    decision: Consensus = Field(
        default=Consensus(), description="how a renewal is decided; default: each field's own default"
    )
    length: Annotated[Duration, min_mean(MIN_EXTENSION_DAYS, "each renewal is reviewed anew")] = duration_default(
        "4 months",
        f"length of one renewal in days or with a unit, at least {years(MIN_EXTENSION_DAYS)} on average; an "
        "empirical distribution gives a list of options; default: assumption (as the PAG's first mandate)",
    )
    max_extensions: int | None = Field(
        default=None,
        ge=0,
        le=MAX_EXTENSIONS,
        description=f"largest number of renewals; default: none (no limit); at most {MAX_EXTENSIONS:,}",
    )
    technical_rollover: bool = Field(
        default=True,
        description="whether a decision after expiry keeps the mission going until it comes; default: OSCE practice "
        "(assumption)",
    )


class Trigger(Strict):
    """When something happens: a calendar date, a time after start, an event, or a condition held."""

    date: dt.date | None = Field(default=None, description="calendar date it fires (YYYY-MM-DD); default: none")
    after: Annotated[Days, at_most(MAX_HORIZON_DAYS)] | None = Field(
        default=None,
        ge=0,
        description=f"days after the start that it fires; default: none; at most {years(MAX_HORIZON_DAYS)}",
    )
    event: Literal[EVENTS] | None = Field(  # type: ignore[valid-type]
        default=None, description=f"a decision it waits for: one of {', '.join(EVENTS)}; default: none"
    )
    metric: str | None = Field(
        default=None, description=f"a daily value it watches: one of {', '.join(METRICS)}; default: none"
    )
    above: float | None = Field(
        default=None,
        description="fires when the metric stays above this, in the metric's unit (incidents per day, share 0-1 of "
        "teams operational, or index value); default: none",
    )
    below: float | None = Field(
        default=None,
        description="fires when the metric stays below this, in the metric's unit (incidents per day, share 0-1 of "
        "teams operational, or index value); default: none",
    )
    window: Annotated[Days, at_most(MAX_WINDOW_DAYS)] = Field(
        default=14.0,
        gt=0,
        description="days the condition must hold; default: assumption (two weeks); at most "
        f"{years(MAX_WINDOW_DAYS)}",
    )
    delay: Delay = delay_default(0.0, "days from the event to the action; default: assumption (at once)")

    @model_validator(mode="after")
    def _exactly_one(self) -> Trigger:
        kinds = [k for k in ("date", "after", "event", "metric") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a trigger needs exactly one of date, after, event or metric")
        if self.metric is not None:
            if self.metric not in METRICS:
                raise ValueError(f"unknown metric {self.metric!r}; use one of {', '.join(METRICS)}")
            if (self.above is None) == (self.below is None):
                raise ValueError("a metric trigger needs exactly one of above or below")
        return self


class Consent(Strict):
    """Host-state consent gates deployment beyond the advance team (Kyrgyzstan 2010: it collapsed)."""

    initial: Literal["pending", "granted"] = Field(
        default="granted",
        description="consent on day 0: pending or granted; default: assumption (granted with the mandate)",
    )
    time_to_decision: Delay = delay_default(
        "30 d", "days while pending until consent or refusal; default: assumption"
    )
    refusal_probability: Probability = Field(
        default=0.0, description="probability (0-1) that pending consent is refused; default: assumption (never)"
    )
    withdrawal_annual_hazard: float = Field(
        default=0.0,
        ge=0,
        le=MAX_ANNUAL_HAZARD,
        description="withdrawals of granted consent per year (a hazard rate); default: assumption (never); at most "
        f"{MAX_ANNUAL_HAZARD:g}",
    )
    advance_teams: list[Name] = Field(
        default_factory=list,
        max_length=MAX_TEAMS,
        description=f"names of teams that may deploy before consent; default: none; at most {MAX_TEAMS:,}",
    )
    recruit_before_consent: bool = Field(
        default=True,
        description="whether pipelines run while consent is pending, people waiting before travel; default: "
        "assumption",
    )
    fallback_phase: Name | None = Field(
        default=None,
        description="name of the phase to switch to on refusal or withdrawal; default: none (the mission ends)",
    )


class Expansion(Strict):
    """A tranche of extra posts (PAG: +50), with its trigger and its own approval decision."""

    name: Name = Field(description=f"the expansion's name; {NAME_RULE}")
    trigger: Trigger = Field(description="when the expansion is requested")
    approval: Consensus | None = Field(
        default=None, description="the decision that approves it; default: none (approved when triggered)"
    )
    add_posts: dict[Name, dict[Role, PostCount]] = Field(
        default_factory=dict,
        max_length=MAX_TEAMS,
        description="number of extra posts, team -> role -> posts, at most 10,000 a role; the team and the role must "
        "exist elsewhere in the scenario; default: none",
    )
    new_units: list[Unit] = Field(
        default_factory=list,
        max_length=MAX_UNITS,
        description=f"units the expansion adds; default: none; at most {MAX_UNITS:,}",
    )
    new_teams: list[Team] = Field(
        default_factory=list,
        max_length=MAX_TEAMS,
        description=f"teams the expansion adds; default: none; at most {MAX_TEAMS:,}",
    )


class PhaseTeam(Team):
    """A team in a phase's post table: an existing team by name (unit omitted) or a new one with its unit."""

    unit: Name | None = Field(  # type: ignore[assignment]
        default=None,
        description=f"the unit of a new team; default: none (an existing team keeps its unit); {NAME_RULE}",
    )


class Phase(Strict):
    """A new shape for the mission: its post table replaces the current one when triggered."""

    name: Name = Field(description=f"the phase's name; {NAME_RULE}")
    trigger: Trigger = Field(description="when the phase begins")
    teams: list[PhaseTeam] = Field(
        min_length=1,
        max_length=MAX_TEAMS,
        description=f"the full post table of the phase, as in teams; at most {MAX_TEAMS:,} teams",
    )
    new_units: list[Unit] = Field(
        default_factory=list,
        max_length=MAX_UNITS,
        description=f"units the phase adds; default: none; at most {MAX_UNITS:,}",
    )
    abolished_holders_leave: Literal["at_tour_end", "at_once"] = Field(
        default="at_tour_end",
        description="when holders of abolished posts leave: at_tour_end or at_once; default: assumption (at tour end)",
    )
    rerole: dict[Role, Role] = Field(
        default_factory=dict,
        max_length=MAX_ROLES,
        description=f"old role -> new role, holders stay; default: none; at most {MAX_ROLES}",
    )
    grants_consent: bool = Field(
        default=False,
        description="whether the new format comes with host consent; default: assumption (it does not)",
    )
    local_staff: int | None = Field(
        default=None,
        ge=0,
        le=MAX_LOCAL_STAFF,
        description="number of local staff from this phase on; default: none (as before the phase); at most "
        f"{MAX_LOCAL_STAFF:,}",
    )


class Intake(Strict):
    date: dt.date | None = Field(default=None, description="calendar date the class starts (YYYY-MM-DD); default: none")
    after: Annotated[Days, at_most(MAX_HORIZON_DAYS)] | None = Field(
        default=None,
        ge=0,
        description=f"days after the start that the class starts; default: none; at most {years(MAX_HORIZON_DAYS)}",
    )
    size: int = Field(ge=1, le=MAX_INTAKE, description=f"number of cadets in the class; at most {MAX_INTAKE:,}")

    @model_validator(mode="after")
    def _when(self) -> Intake:
        if (self.date is None) == (self.after is None):
            raise ValueError("an intake needs exactly one of date or after")
        return self


class TrainingProgramme(Strict):
    """Cadet cohorts (FYROM 2002-03: 1,065 cadets in 5 classes; 3 months academy + 6 months field)."""

    name: Name = Field(description=f"the programme's name; {NAME_RULE}")
    intakes: list[Intake] = Field(
        min_length=1,
        max_length=MAX_INTAKES,
        description=f"the classes and when they start; at most {MAX_INTAKES:,} in all programmes",
    )
    academy: Duration = duration_default("3 months", "days of academy training; default: FYROM 2002-03 (3 months)")
    field: Delay = delay_default("6 months", "days of field training; default: FYROM 2002-03 (6 months)")
    graduation_yield: Probability = Field(
        default=0.95, description="share (0-1) of cadets who graduate; default: assumption"
    )
    trainer_role: Role | None = Field(
        default=None, description="role whose present holders teach; default: none (no trainers needed)"
    )
    cadets_per_trainer: int = Field(
        default=20,
        ge=1,
        le=MAX_CADETS_PER_TRAINER,
        description=f"number of cadets one trainer teaches; default: assumption; at most {MAX_CADETS_PER_TRAINER:,}",
    )


class Tension(Strict):
    """A stylised tension index multiplying every unit's incident rate; presence and mediation lower it."""

    initial: float = Field(
        default=1.0,
        ge=0,
        le=MAX_TENSION,
        description="index value on day 0 (1: incident rates as written); default: assumption (neutral); at most "
        f"{MAX_TENSION:g}",
    )
    drift_per_day: float = Field(
        default=0.0,
        ge=-MAX_TENSION,
        le=MAX_TENSION,
        description="change of the index per day with no mission at all; default: assumption (none); between "
        f"-{MAX_TENSION:g} and {MAX_TENSION:g}",
    )
    presence_effect: float = Field(
        default=0.0,
        ge=0,
        le=MAX_TENSION,
        description="reduction of the index per day at full team coverage; default: assumption (none); at most "
        f"{MAX_TENSION:g}",
    )
    mediation_effect: float = Field(
        default=0.0,
        ge=0,
        le=MAX_TENSION,
        description="reduction of the index per mediation case completed; default: assumption (none); at most "
        f"{MAX_TENSION:g}",
    )
    floor: float = Field(
        default=0.1,
        ge=0,
        le=MAX_TENSION,
        description="lowest index value; default: assumption; at most the ceiling",
    )
    ceiling: float = Field(
        default=5.0,
        gt=0,
        le=MAX_TENSION,
        description=f"highest index value; default: assumption; at most {MAX_TENSION:g}",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Tension:
        if self.floor > self.ceiling:
            raise rule_error(("floor",), f"the floor ({self.floor:g}) is above the ceiling ({self.ceiling:g})")
        return self


class Budget(Strict):
    ceiling: float | None = Field(
        default=None,
        gt=0,
        le=MAX_BUDGET,
        description=f"total cost in the scenario's currency the mission may spend; default: none (no ceiling); at most "
        f"{MAX_BUDGET:g}",
    )
    on_reached: Literal["stop_recruiting", "drawdown"] = Field(
        default="stop_recruiting",
        description="what happens at the ceiling: stop_recruiting or drawdown; default: assumption (stop recruiting)",
    )
