"""Cadet training programmes: cohorts that need trainers present, and graduate with some yield."""

from __future__ import annotations

from collections.abc import Generator

import simpy

from deploysim.engine.events import COHORT_GRADUATED, COHORT_SLIPPED, COHORT_STARTED
from deploysim.engine.rules import IntakePlan, ProgrammePlan
from deploysim.engine.state import MissionState


def start_programme(state: MissionState, programme: ProgrammePlan) -> None:
    for intake in programme.intakes:
        state.env.process(_cohort(state, programme, intake))


def _trainers_free(state: MissionState, role: str) -> int:
    return state.present_by_role.get(role, 0) - state.trainers_committed.get(role, 0)


def _cohort(state: MissionState, programme: ProgrammePlan, intake: IntakePlan) -> Generator[simpy.Event, None, None]:
    env = state.env
    rng = state.stream(intake.stream)
    yield env.timeout(intake.at)
    role = programme.trainer_role
    needed = intake.trainers
    if role and _trainers_free(state, role) < needed:
        state.log(COHORT_SLIPPED)
        while _trainers_free(state, role) < needed:  # a cohort slips while trainers are missing
            yield env.timeout(1.0)
            if state.closed:
                return
    if role:
        state.trainers_committed[role] = state.trainers_committed.get(role, 0) + needed
    state.log(COHORT_STARTED)
    state.cadets_academy += intake.size
    yield env.timeout(programme.academy(rng))
    if role:
        state.trainers_committed[role] -= needed
    state.cadets_academy -= intake.size
    state.cadets_field += intake.size
    yield env.timeout(programme.field(rng))
    state.cadets_field -= intake.size
    graduates = sum(1 for _ in range(intake.size) if rng.random() < programme.graduation_yield)
    state.cadets_graduated += graduates
    state.log(COHORT_GRADUATED)
