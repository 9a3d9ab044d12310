"""Local mediators and the incidents they mediate.

Each mediator slot of a team runs two processes: its career (recruitment, training, certification
with some yield, attrition) and its service desk, which takes the team's mediation requests first
come, first served. A request arises only while the team is deployed (at least one holder present)
and has a mediator slot; one that finds no certified mediator is unmet, not queued. A phase can
remove slots: their careers end and their pay stops. A desk with nothing to do sleeps on an event
that the next request or the next certification wakes: a single mediator, always certified, with
Poisson arrivals and exponential service is an exact M/M/1 queue, which the verification tests
check against its closed form.
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator

import simpy

from deploysim.engine.events import MEDIATOR_FAILED, ConsentState, Signal
from deploysim.engine.state import MediatorSlot, MissionState, TeamState
from deploysim.engine.streams import stream_name


def start_mediators(state: MissionState, team: TeamState) -> None:
    """A team's mediator careers start with its first posts, or once the host consents when the
    scenario says so (``mediators.start: after_consent``); only then are mediators recruited and paid."""
    if team.mediators_started:
        return
    team.mediators_started = True
    if state.plan.mediators.start_after_consent and state.consent != ConsentState.GRANTED:
        state.on(Signal.CONSENT_GRANTED, lambda: _start_careers(state, team))
    else:
        _start_careers(state, team)


def set_mediator_slots(state: MissionState, team: TeamState, wanted: int) -> None:
    """A phase's ``mediators``: surplus slots end (those not yet certified first), missing ones are
    added with careers of their own, started now if the team's careers have started."""
    active = [slot for slot in team.slots if slot.active]
    if len(active) > wanted:
        surplus = sorted(active, key=lambda slot: (slot.certified, slot.employed))[: len(active) - wanted]
        for slot in surplus:
            state.remove_mediator_slot(team, slot)
    elif len(active) < wanted:
        team.slots.extend(MediatorSlot() for _ in range(wanted - len(active)))
        team.active_slots = wanted
        if any(slot.started for slot in team.slots):
            _start_careers(state, team)


def _start_careers(state: MissionState, team: TeamState) -> None:
    """Careers and desks draw from separate streams so incident load never shifts careers."""
    if state.closed:
        return
    for k, slot in enumerate(team.slots):
        if slot.active and not slot.started:
            slot.started = True
            name = f"mediator/{team.plan.name}/{k}"
            state.env.process(_career(state, team, slot, state.stream(name + "/career")))
            state.env.process(_desk(state, team, slot, state.stream(name + "/desk")))


def _career(
    state: MissionState, team: TeamState, slot: MediatorSlot, rng: random.Random
) -> Generator[simpy.Event, None, None]:
    rules = state.plan.mediators
    env = state.env
    if rules.in_place:
        state.mediator_hired(slot)
        state.mediator_certified(team, slot)
    while not state.closed and slot.active:
        if not slot.certified:
            yield env.timeout(rules.recruitment(rng))
            if state.closed or not slot.active:
                return
            state.mediator_hired(slot)
            yield env.timeout(rules.training(rng))
            if state.closed or not slot.active:
                return
            if rng.random() >= rules.certification_yield:
                state.mediator_released(slot)
                state.log(MEDIATOR_FAILED, team.plan.index)
                continue
            state.mediator_certified(team, slot)
        if rules.attrition_rate <= 0:
            return
        yield env.timeout(rng.expovariate(rules.attrition_rate))
        if state.closed or not slot.active:
            return
        state.mediator_released(slot)
        state.mediator_left(team, slot)


def _desk(
    state: MissionState, team: TeamState, slot: MediatorSlot, rng: random.Random
) -> Generator[simpy.Event, None, None]:
    env = state.env
    service = state.plan.incidents.service_time
    waits = state.waits
    queue = team.queue
    while not state.closed and slot.active:
        if slot.certified and queue:
            waits.append(env.now - queue.popleft())
            yield env.timeout(service(rng))
        else:
            slot.idle = env.event()
            yield slot.idle


def start_unit_incidents(state: MissionState, origin: str) -> None:
    """Incidents of the units a phase or expansion brings in (``origin``; "" for day 0) start with it."""
    for unit in state.plan.units:
        if unit.origin == origin:
            team = state.teams[unit.team] if unit.team is not None else None
            start_incidents(state, state.stream(stream_name("incidents", unit.name)), unit.rate_per_day, team)


def start_incidents(state: MissionState, rng: random.Random, rate: float, team: TeamState | None) -> None:
    if rate <= 0:
        return
    process = _modulated_incidents if state.tension_on else _incidents
    state.env.process(process(state, rng, rate, team))


def _incident(state: MissionState, rng: random.Random, team: TeamState | None) -> None:
    """Counted in its day; a request for mediation arises only while the unit's team is deployed
    (someone present) and has a mediator slot. The coin is drawn whenever the unit has a team, so
    presence never shifts the stream's later draws."""
    by_day = state.incidents_by_day
    day = min(math.floor(state.env.now), len(by_day) - 1)
    by_day[day] += 1
    if team is None:
        return
    if team.authorised > 0:
        state.watched_incidents_by_day[day] += 1
    if rng.random() < state.plan.incidents.mediation_share and team.present > 0 and team.active_slots > 0:
        state.mediation_requested(team)


def _incidents(
    state: MissionState, rng: random.Random, rate: float, team: TeamState | None
) -> Generator[simpy.Event, None, None]:
    """A homogeneous Poisson process: one timeout per incident."""
    env = state.env
    while True:
        yield env.timeout(rng.expovariate(rate))
        if state.closed:
            return
        _incident(state, rng, team)


def _modulated_incidents(
    state: MissionState, rng: random.Random, rate: float, team: TeamState | None
) -> Generator[simpy.Event, float, None]:
    """Poisson with a rate that the tension index changes once a day (at each snapshot, day + 0.5).

    Each arrival consumes an Exp(1) amount of integrated rate; within a day the rate is constant,
    so the arrival time is exact. Days without an arrival are crossed by the daily pass
    (:mod:`deploysim.engine.tension_clock`), not by a timeout of this process.
    """
    env = state.env
    while True:
        budget = rng.expovariate(1.0)
        while True:
            now = env.now
            current = rate * state.tension
            boundary = math.floor(now - 0.5) + 1.5
            span = boundary - now
            if current > 0 and budget <= current * span:
                yield env.timeout(budget / current)
                break
            budget -= current * span
            budget = yield state.tension_clock.wait(budget, rate)  # resumes at the boundary where it runs out
        if state.closed:
            return
        _incident(state, rng, team)
