"""The mission's dynamics compiled for simulation: decisions, consent, triggers, post-table changes, cadets.

Each rule keeps its samplers made once and refers to teams by index, and carries the names of the
random streams it draws from, so the processes that apply it (``decisions``, ``triggers``,
``post_table``, ``cadets``, ``daily_rules``) never touch the scenario's models.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from deploysim.engine.budget import tour_reserve_days
from deploysim.engine.events import ConsentState, Signal
from deploysim.engine.streams import stream_name
from deploysim.scenario.base import Team
from deploysim.scenario.durations import Distribution, Sampler
from deploysim.scenario.dynamics import (
    Budget,
    Consensus,
    Consent,
    Extensions,
    Tension,
    TrainingProgramme,
    Trigger,
)
from deploysim.scenario.schema import Mandate, Scenario


def default_min_manning(posts: dict[str, int]) -> dict[str, int]:
    """Without a stated rule a team needs one holder of each of its roles present."""
    return {role: 1 for role, n in posts.items() if n > 0}


@dataclass(frozen=True, slots=True)
class DecisionPlan:
    """A decision by consensus: it passes with ``probability`` and comes ``delay`` after it is due."""

    probability: float
    delay: Sampler

    def passes(self, draw: float) -> bool:
        """One uniform draw decides, so each decision costs exactly one draw whatever its rule."""
        return draw < self.probability


def compile_decision(consensus: Consensus) -> DecisionPlan:
    return DecisionPlan(consensus.probability(), consensus.delay.sampler())


# -- the mandate ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ExtensionPlan:
    review_before_expiry: float
    decision: DecisionPlan
    length: Sampler
    max_extensions: int | None
    technical_rollover: bool


@dataclass(frozen=True, slots=True)
class MandatePlan:
    initial_length: float
    extensions: ExtensionPlan | None  # none: the mission ends with its first mandate
    drawdown_days: float


def _compile_extensions(extensions: Extensions) -> ExtensionPlan:
    return ExtensionPlan(
        review_before_expiry=extensions.review_before_expiry,
        decision=compile_decision(extensions.decision),
        length=extensions.length.sampler(),
        max_extensions=extensions.max_extensions,
        technical_rollover=extensions.technical_rollover,
    )


def compile_mandate(mandate: Mandate) -> MandatePlan:
    extensions = None if mandate.extensions is None else _compile_extensions(mandate.extensions)
    return MandatePlan(float(mandate.initial_length), extensions, float(mandate.drawdown))


# -- consent -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ConsentPlan:
    initial: ConsentState
    time_to_decision: Sampler
    refusal_probability: float
    withdrawal_rate: float  # per day
    hold_calls: bool  # calls for posts of teams that must wait are not even issued until consent
    fallback: bool  # losing consent starts a fallback phase instead of the drawdown

    @property
    def granted_at_start(self) -> bool:
        return self.initial == ConsentState.GRANTED


def compile_consent(consent: Consent) -> ConsentPlan:
    pending = consent.initial == "pending"
    return ConsentPlan(
        initial=ConsentState.PENDING if pending else ConsentState.GRANTED,
        time_to_decision=consent.time_to_decision.sampler(),
        refusal_probability=consent.refusal_probability,
        withdrawal_rate=consent.withdrawal_annual_hazard / 365.25,
        hold_calls=pending and not consent.recruit_before_consent,
        fallback=consent.fallback_phase is not None,
    )


# -- triggers ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MetricRule:
    """A condition on a daily metric that must hold for ``window`` consecutive days."""

    metric: str
    above: float | None
    below: float | None
    window: int


@dataclass(frozen=True, slots=True)
class TriggerPlan:
    """Exactly one of ``at`` (days from start), ``signal`` and ``metric`` is set."""

    at: float | None
    signal: Signal | None
    metric: MetricRule | None
    delay: Sampler
    stream: str  # the delay's draws


def compile_trigger(trigger: Trigger, start: dt.date, stream: str) -> TriggerPlan:
    at: float | None = None
    if trigger.date is not None:
        at = max(float((trigger.date - start).days), 0.0)
    elif trigger.after is not None:
        at = float(trigger.after)
    signal = Signal(trigger.event) if trigger.event is not None else None
    metric = None
    if trigger.metric is not None:
        metric = MetricRule(trigger.metric, trigger.above, trigger.below, max(1, round(trigger.window)))
    return TriggerPlan(at, signal, metric, trigger.delay.sampler(), stream)


# -- changes to the post table -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TeamRules:
    """A team's manning rules as an expansion or a phase states them."""

    team: int
    min_manning: dict[str, int]
    needs_mediator: bool
    mediators: int | None = None  # mediator slots from now on; None: as they are (not stated)


def _team_rules(team: Team, team_index: dict[str, int]) -> TeamRules:
    rules = dict(team.min_manning) or default_min_manning(team.posts)
    slots = team.mediators if "mediators" in team.model_fields_set else None
    return TeamRules(team_index[team.name], rules, team.needs_mediator, slots)


@dataclass(frozen=True, slots=True)
class ExpansionPlan:
    name: str
    trigger: TriggerPlan
    approval: DecisionPlan | None  # none: approved as soon as triggered
    stream: str  # the approval's draws
    new_teams: tuple[TeamRules, ...]
    posts: tuple[tuple[int, str, int], ...]  # (team, role, count): new teams' posts first, then additions


def compile_expansions(scenario: Scenario, team_index: dict[str, int]) -> tuple[ExpansionPlan, ...]:
    plans = []
    for expansion in scenario.expansions:
        posts = [(team_index[t.name], role, n) for t in expansion.new_teams for role, n in t.posts.items()]
        posts += [(team_index[name], role, n) for name, add in expansion.add_posts.items() for role, n in add.items()]
        plans.append(
            ExpansionPlan(
                name=expansion.name,
                trigger=compile_trigger(
                    expansion.trigger, scenario.start_date, stream_name("trigger", "expansion", expansion.name)
                ),
                approval=None if expansion.approval is None else compile_decision(expansion.approval),
                stream=stream_name("decision", "expansion", expansion.name),
                new_teams=tuple(_team_rules(t, team_index) for t in expansion.new_teams),
                posts=tuple(posts),
            )
        )
    return tuple(plans)


@dataclass(frozen=True, slots=True)
class PhasePlan:
    number: int  # from 1; the daily table's ``phase`` (0 before the first)
    name: str
    trigger: TriggerPlan
    teams: tuple[TeamRules, ...]
    posts: dict[tuple[int, str], int]  # the phase's whole post table: (team, role) -> posts
    rerole: dict[str, str]
    holders_leave_at_once: bool
    grants_consent: bool
    local_staff: int | None


def compile_phases(scenario: Scenario, team_index: dict[str, int]) -> tuple[PhasePlan, ...]:
    plans = []
    for number, phase in enumerate(scenario.phases, start=1):
        posts = {(team_index[t.name], role): n for t in phase.teams for role, n in t.posts.items()}
        plans.append(
            PhasePlan(
                number=number,
                name=phase.name,
                trigger=compile_trigger(
                    phase.trigger, scenario.start_date, stream_name("trigger", "phase", phase.name)
                ),
                teams=tuple(_team_rules(t, team_index) for t in phase.teams),
                posts=posts,
                rerole=dict(phase.rerole),
                holders_leave_at_once=phase.abolished_holders_leave == "at_once",
                grants_consent=phase.grants_consent,
                local_staff=phase.local_staff,
            )
        )
    return tuple(plans)


# -- cadets --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class IntakePlan:
    at: float  # days from start
    size: int
    trainers: int  # present holders of the trainer role the cohort ties up while in the academy
    stream: str


@dataclass(frozen=True, slots=True)
class ProgrammePlan:
    name: str
    intakes: tuple[IntakePlan, ...]
    academy: Sampler
    field: Sampler
    graduation_yield: float
    trainer_role: str | None


def _compile_programme(programme: TrainingProgramme, start: dt.date) -> ProgrammePlan:
    role = programme.trainer_role
    intakes = []
    for number, intake in enumerate(programme.intakes):
        at = float((intake.date - start).days) if intake.date is not None else float(intake.after or 0.0)
        trainers = math.ceil(intake.size / programme.cadets_per_trainer) if role else 0
        intakes.append(IntakePlan(max(at, 0.0), intake.size, trainers, stream_name("cohort", programme.name, number)))
    return ProgrammePlan(
        name=programme.name,
        intakes=tuple(intakes),
        academy=programme.academy.sampler(),
        field=programme.field.sampler(),
        graduation_yield=programme.graduation_yield,
        trainer_role=role,
    )


def compile_programmes(scenario: Scenario) -> tuple[ProgrammePlan, ...]:
    return tuple(_compile_programme(p, scenario.start_date) for p in scenario.training_programmes)


# -- tension and the budget ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TensionPlan:
    initial: float
    drift_per_day: float
    presence_effect: float
    mediation_effect: float
    floor: float
    ceiling: float


def compile_tension(tension: Tension | None) -> TensionPlan | None:
    if tension is None:
        return None
    return TensionPlan(
        tension.initial,
        tension.drift_per_day,
        tension.presence_effect,
        tension.mediation_effect,
        tension.floor,
        tension.ceiling,
    )


@dataclass(frozen=True, slots=True)
class BudgetPlan:
    ceiling: float | None  # none: no ceiling
    drawdown: bool  # reaching it starts the drawdown; otherwise recruiting stops
    committed: bool = False  # every cost reserved before it is incurred (engine.budget), not checked daily
    tour_reserve_days: float = 0.0  # the longest tour a call reserves pay for (committed mode)


def compile_budget(budget: Budget, tour_length: Distribution) -> BudgetPlan:
    reserve = tour_reserve_days(tour_length.largest_days(), tour_length.mean_days())
    return BudgetPlan(budget.ceiling, budget.on_reached == "drawdown", budget.counts == "committed", reserve)
