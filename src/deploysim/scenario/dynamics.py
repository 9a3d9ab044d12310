"""Schema for what makes a mission plan hard: decisions, consent, expansion, phases, cadets, budget.

These are kept apart from the static post table in ``schema`` because each one is a decision
or a trigger with its own stream of randomness and its own validation rules.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from deploysim.scenario.base import Count, Probability, Strict, Team, Unit
from deploysim.scenario.durations import Days, Delay, Duration, delay_default, duration_default


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

    states: int = Field(default=56, ge=1, description="participating States (OSCE: 56 in 2010)")
    objection_probability: Probability | None = None
    approval_probability: Probability | None = None
    delay: Delay = delay_default(0.0, "from review or trigger to the decision")

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
    review_before_expiry: Days = Field(default=30.0, ge=0, description="review opens this long before expiry")
    decision: Consensus = Consensus()
    length: Duration = duration_default(
        "4 months", "extension length; an empirical distribution gives a list of options"
    )
    max_extensions: Count | None = None
    technical_rollover: bool = Field(
        default=True, description="a decision after expiry keeps the mission going until it comes"
    )


class Trigger(Strict):
    """When something happens: a calendar date, a time after start, an event, or a condition held."""

    date: dt.date | None = None
    after: Days | None = Field(default=None, ge=0)
    event: Literal[EVENTS] | None = None  # type: ignore[valid-type]
    metric: str | None = Field(default=None, description=f"one of {', '.join(METRICS)}")
    above: float | None = None
    below: float | None = None
    window: Days = Field(default=14.0, gt=0, description="days the condition must hold")
    delay: Delay = delay_default(0.0, "from the event to the action")

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

    initial: Literal["pending", "granted"] = "granted"
    time_to_decision: Delay = delay_default("30 d", "while pending, until consent or refusal")
    refusal_probability: Probability = 0.0
    withdrawal_annual_hazard: float = Field(default=0.0, ge=0)
    advance_teams: list[str] = Field(default_factory=list, description="teams that may deploy before consent")
    recruit_before_consent: bool = Field(
        default=True, description="pipelines run while pending and people wait before travelling"
    )
    fallback_phase: str | None = Field(
        default=None, description="phase to switch to on refusal or withdrawal; none: the mission ends"
    )


class Expansion(Strict):
    """A tranche of extra posts (PAG: +50), with its trigger and its own approval decision."""

    name: str = Field(min_length=1)
    trigger: Trigger
    approval: Consensus | None = None
    add_posts: dict[str, dict[str, Count]] = Field(default_factory=dict, description="team -> role -> posts")
    new_units: list[Unit] = Field(default_factory=list)
    new_teams: list[Team] = Field(default_factory=list)


class PhaseTeam(Team):
    """A team in a phase's post table: an existing team by name (unit omitted) or a new one with its unit."""

    unit: str | None = None  # type: ignore[assignment]


class Phase(Strict):
    """A new shape for the mission: its post table replaces the current one when triggered."""

    name: str = Field(min_length=1)
    trigger: Trigger
    teams: list[PhaseTeam] = Field(min_length=1, description="the full post table of the phase, as in teams")
    new_units: list[Unit] = Field(default_factory=list)
    abolished_holders_leave: Literal["at_tour_end", "at_once"] = "at_tour_end"
    rerole: dict[str, str] = Field(default_factory=dict, description="old role -> new role, holders stay")
    grants_consent: bool = Field(default=False, description="the new format comes with host consent")
    local_staff: Count | None = Field(default=None, description="local staff from this phase on")


class Intake(Strict):
    date: dt.date | None = None
    after: Days | None = Field(default=None, ge=0)
    size: int = Field(ge=1)

    @model_validator(mode="after")
    def _when(self) -> Intake:
        if (self.date is None) == (self.after is None):
            raise ValueError("an intake needs exactly one of date or after")
        return self


class TrainingProgramme(Strict):
    """Cadet cohorts (FYROM 2002-03: 1,065 cadets in 5 classes; 3 months academy + 6 months field)."""

    name: str = Field(min_length=1)
    intakes: list[Intake] = Field(min_length=1)
    academy: Duration = duration_default("3 months")
    field: Delay = delay_default("6 months")
    graduation_yield: Probability = 0.95
    trainer_role: str | None = Field(default=None, description="role whose present holders teach")
    cadets_per_trainer: int = Field(default=20, ge=1)


class Tension(Strict):
    """A stylised tension index multiplying every unit's incident rate; presence and mediation lower it."""

    initial: float = Field(default=1.0, ge=0)
    drift_per_day: float = Field(default=0.0, description="daily change with no mission at all")
    presence_effect: float = Field(default=0.0, ge=0, description="daily reduction at full team coverage")
    mediation_effect: float = Field(default=0.0, ge=0, description="reduction per mediation case completed")
    floor: float = Field(default=0.1, ge=0)
    ceiling: float = Field(default=5.0, gt=0)


class Budget(Strict):
    ceiling: float | None = Field(default=None, gt=0)
    on_reached: Literal["stop_recruiting", "drawdown"] = "stop_recruiting"
