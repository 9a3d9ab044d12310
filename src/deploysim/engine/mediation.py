"""Local mediators and the incidents they mediate.

Each mediator slot of a team runs two processes: its career (recruitment, training, certification
with some yield, attrition) and its service desk, which takes the team's mediation requests first
come, first served. A desk with nothing to do sleeps on an event that the next request or the next
certification wakes: a single mediator with Poisson arrivals and exponential service is an exact
M/M/1 queue, which the verification tests check against its closed form.
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator

import simpy

from deploysim.engine.events import MEDIATOR_FAILED
from deploysim.engine.state import MediatorSlot, MissionState, TeamState


def start_mediators(state: MissionState, team: TeamState) -> None:
    """Careers and desks draw from separate streams so incident load never shifts careers."""
    if team.mediators_started:
        return
    team.mediators_started = True
    for k, slot in enumerate(team.slots):
        name = f"mediator/{team.plan.name}/{k}"
        state.env.process(_career(state, team, slot, state.stream(name + "/career")))
        state.env.process(_desk(state, team, slot, state.stream(name + "/desk")))


def _career(
    state: MissionState, team: TeamState, slot: MediatorSlot, rng: random.Random
) -> Generator[simpy.Event, None, None]:
    rules = state.plan.mediators
    env = state.env
    if rules.in_place:
        state.mediators_employed += 1
        state.mediator_certified(team, slot)
    while not state.closed:
        if not slot.certified:
            yield env.timeout(rules.recruitment(rng))
            if state.closed:
                return
            state.mediators_employed += 1
            yield env.timeout(rules.training(rng))
            if state.closed:
                return
            if rng.random() >= rules.certification_yield:
                state.mediators_employed -= 1
                state.log(MEDIATOR_FAILED, team.plan.index)
                continue
            state.mediator_certified(team, slot)
        if rules.attrition_rate <= 0:
            return
        yield env.timeout(rng.expovariate(rules.attrition_rate))
        if state.closed:
            return
        state.mediators_employed -= 1
        state.mediator_left(team, slot)


def _desk(
    state: MissionState, team: TeamState, slot: MediatorSlot, rng: random.Random
) -> Generator[simpy.Event, None, None]:
    env = state.env
    service = state.plan.incidents.service_time
    waits = state.waits
    queue = team.queue
    while not state.closed:
        if slot.certified and queue:
            waits.append(env.now - queue.popleft())
            yield env.timeout(service(rng))
        else:
            slot.idle = env.event()
            yield slot.idle


def start_incidents(state: MissionState, rng: random.Random, rate: float, team: TeamState | None) -> None:
    if rate <= 0:
        return
    process = _modulated_incidents if state.tension_on else _incidents
    state.env.process(process(state, rng, rate, team))


def _incident(state: MissionState, rng: random.Random, team: TeamState | None) -> None:
    by_day = state.incidents_by_day
    by_day[min(math.floor(state.env.now), len(by_day) - 1)] += 1
    if team is not None and team.authorised > 0 and rng.random() < state.plan.incidents.mediation_share:
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
) -> Generator[simpy.Event, None, None]:
    """Poisson with a rate that the tension index changes once a day (at each snapshot, day + 0.5).

    Each arrival consumes an Exp(1) amount of integrated rate; within a day the rate is constant,
    so the arrival time is exact, and a day without an arrival costs one timeout.
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
            yield env.timeout(span)
            if state.closed:
                return
        if state.closed:
            return
        _incident(state, rng, team)
