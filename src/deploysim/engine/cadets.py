"""Cadet training programmes: cohorts that need trainers present, and graduate with some yield."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Generator

import simpy

from deploysim.engine.state import MissionState
from deploysim.scenario.dynamics import Intake, TrainingProgramme

COHORT_STARTED = "cohort started"
COHORT_SLIPPED = "cohort waiting for trainers"
COHORT_GRADUATED = "cohort graduated"


def start_programme(state: MissionState, programme: TrainingProgramme, start: dt.date) -> None:
    for k, intake in enumerate(programme.intakes):
        state.env.process(_cohort(state, programme, intake, k, start))


def _trainers_free(state: MissionState, role: str) -> int:
    return state.present_by_role.get(role, 0) - state.trainers_committed.get(role, 0)


def _cohort(
    state: MissionState, programme: TrainingProgramme, intake: Intake, number: int, start: dt.date
) -> Generator[simpy.Event, None, None]:
    env = state.env
    rng = state.stream(f"cohort/{programme.name}/{number}")
    at = float((intake.date - start).days) if intake.date is not None else float(intake.after or 0.0)
    yield env.timeout(max(at, 0.0))
    role = programme.trainer_role
    needed = math.ceil(intake.size / programme.cadets_per_trainer) if role else 0
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
    yield env.timeout(programme.academy.sampler()(rng))
    if role:
        state.trainers_committed[role] -= needed
    state.cadets_academy -= intake.size
    state.cadets_field += intake.size
    yield env.timeout(programme.field.sampler()(rng))
    state.cadets_field -= intake.size
    graduates = sum(1 for _ in range(intake.size) if rng.random() < programme.graduation_yield)
    state.cadets_graduated += graduates
    state.log(COHORT_GRADUATED)
