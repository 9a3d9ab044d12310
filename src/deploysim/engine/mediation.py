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
from collections.abc import Callable, Generator

import simpy

from deploysim.engine.state import MEDIATOR_FAILED, MediatorSlot, MissionState, TeamState


def start_mediators(state: MissionState, team: TeamState, stream: Callable[[str], random.Random]) -> None:
    """Careers and desks draw from separate streams so incident load never shifts careers."""
    for k, slot in enumerate(team.slots):
        name = f"mediator/{team.plan.name}/{k}"
        state.env.process(_career(state, team, slot, stream(name + "/career")))
        state.env.process(_desk(state, team, slot, stream(name + "/desk")))


def _career(
    state: MissionState, team: TeamState, slot: MediatorSlot, rng: random.Random
) -> Generator[simpy.Event, None, None]:
    plan = state.plan
    env = state.env
    if plan.mediators_in_place:
        state.mediators_employed += 1
        state.mediator_certified(team, slot)
    while not state.closed:
        if not slot.certified:
            yield env.timeout(plan.mediator_recruitment(rng))
            if state.closed:
                return
            state.mediators_employed += 1
            yield env.timeout(plan.mediator_training(rng))
            if state.closed:
                return
            if rng.random() >= plan.certification_yield:
                state.mediators_employed -= 1
                state.log(MEDIATOR_FAILED, team.plan.index)
                continue
            state.mediator_certified(team, slot)
        if plan.mediator_attrition_rate <= 0:
            return
        yield env.timeout(rng.expovariate(plan.mediator_attrition_rate))
        if state.closed:
            return
        state.mediators_employed -= 1
        state.mediator_left(team, slot)


def _desk(
    state: MissionState, team: TeamState, slot: MediatorSlot, rng: random.Random
) -> Generator[simpy.Event, None, None]:
    env = state.env
    service = state.plan.service_time
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
    if rate > 0:
        state.env.process(_incidents(state, rng, rate, team))


def _incidents(
    state: MissionState, rng: random.Random, rate: float, team: TeamState | None
) -> Generator[simpy.Event, None, None]:
    env = state.env
    share = state.plan.mediation_share
    by_day = state.incidents_by_day
    last_day = len(by_day) - 1
    while True:
        yield env.timeout(rng.expovariate(rate))
        if state.closed:
            return
        by_day[min(math.floor(env.now), last_day)] += 1
        if team is not None and rng.random() < share:
            state.mediation_requested(team)
