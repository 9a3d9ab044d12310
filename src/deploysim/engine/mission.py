"""Assemble one run: the environment, the state, every process, and the stop condition."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import simpy

from deploysim.engine import cadets, decisions, post_table
from deploysim.engine.daily import DailyRecorder
from deploysim.engine.mediation import start_incidents
from deploysim.engine.plan import Plan, compile_plan
from deploysim.engine.staffing import start_person
from deploysim.engine.state import MissionState
from deploysim.engine.streams import RunIdentity, Streams
from deploysim.engine.triggers import MetricWatcher, when
from deploysim.scenario.dynamics import Expansion, Phase
from deploysim.scenario.schema import Scenario

BUDGET_REACHED = "budget ceiling reached"


@dataclass(slots=True)
class RawRun:
    """What the engine hands to the results layer: arrays and lists, no DataFrames yet."""

    plan: Plan
    identity: RunIdentity
    recorder: DailyRecorder
    state: MissionState
    sim_events: int
    runtime_s: float
    incidents_by_day: np.ndarray


def _processed_events(env: simpy.Environment) -> int:
    """SimPy numbers every scheduled event; scheduled minus still queued is what was processed.

    Counting this way costs nothing per event, unlike wrapping ``Environment.step``.
    """
    scheduled = next(env._eid)
    return scheduled - len(env._queue)


def _staff_initial_posts(state: MissionState, scenario: Scenario) -> None:
    plan = state.plan
    advance = set(scenario.consent.advance_teams)
    held = scenario.consent.initial == "pending" and not scenario.consent.recruit_before_consent
    held_posts = []
    for team_def in scenario.teams:
        team = state.teams[plan.team_index[team_def.name]]
        team.advance = team_def.name in advance
        for role, count in team_def.posts.items():
            in_place = team_def.in_place.get(role, 0)
            for k in range(count):
                post = state.open_post(team, role)
                if k < in_place:
                    start_person(state, post, plan.initial_elapsed(post.rng))
                elif held and not team.advance:
                    held_posts.append(post)
                else:
                    start_person(state, post)
        post_table.activate(state, team)
    if held_posts:
        # calls for these posts go out only once the host consents
        def release() -> None:
            for post in held_posts:
                if post.open and state.recruiting:
                    start_person(state, post)

        state.on("consent_granted", release)


def _schedule_dynamics(state: MissionState, scenario: Scenario, watchers: list[MetricWatcher]) -> None:
    env = state.env
    start = scenario.start_date
    env.process(decisions.mandate(state, float(scenario.mandate.initial_length), scenario.mandate.extensions))
    env.process(decisions.consent(state, scenario.consent))
    for expansion in scenario.expansions:
        rng = state.stream(f"trigger/expansion/{expansion.name}")
        when(state, expansion.trigger, start, _starter(state, expansion), rng, watchers)
    for number, phase in enumerate(scenario.phases, start=1):
        rng = state.stream(f"trigger/phase/{phase.name}")
        when(state, phase.trigger, start, _phase_starter(state, number, phase), rng, watchers)
    for programme in scenario.training_programmes:
        cadets.start_programme(state, programme, start)


def _starter(state: MissionState, expansion: Expansion) -> Callable[[], None]:
    return lambda: state.env.process(post_table.expansion_process(state, expansion))  # when() skips a closed run


def _phase_starter(state: MissionState, number: int, phase: Phase) -> Callable[[], None]:
    return lambda: post_table.apply_phase(state, number, phase)


def _budget_action(state: MissionState, scenario: Scenario) -> Callable[[], None]:
    def reached() -> None:
        state.log(BUDGET_REACHED)
        state.milestone("budget_reached_day")
        if scenario.budget.on_reached == "drawdown":
            state.begin_drawdown(BUDGET_REACHED)
        else:
            state.stop_recruiting()

    return reached


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of a run, then restore it.

    A run allocates millions of short-lived, acyclic events (freed by reference counting) while
    tens of thousands of live processes sit in the heap; every full collection rescans all of
    them, which made a 3-year run of 15,000 posts a third slower and its cost grow faster than
    its length. Cycles left by the run are collected when the collector resumes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_engine(scenario: Scenario, identity: RunIdentity, record_events: bool = True) -> RawRun:
    started = time.perf_counter()
    plan = compile_plan(scenario)
    streams = Streams(identity)
    env = simpy.Environment()
    state = MissionState(env, plan, record_events, streams.stream)
    state.consent = decisions.initial_consent(scenario.consent)
    state.consent_granted_at_start = scenario.consent.initial == "granted"
    if scenario.tension is not None:
        state.tension_on = True
        state.tension = scenario.tension.initial
    watchers: list[MetricWatcher] = []
    recorder = DailyRecorder(
        state, watchers, scenario.tension, scenario.budget.ceiling, _budget_action(state, scenario)
    )
    recorder.start()
    _staff_initial_posts(state, scenario)
    for unit in plan.units:
        team = state.teams[unit.team] if unit.team is not None else None
        start_incidents(state, streams.stream(f"incidents/{unit.name}"), unit.rate_per_day, team)
    _schedule_dynamics(state, scenario, watchers)

    def end_of_horizon(_: simpy.Event) -> None:
        if not state.stop.triggered:
            state.stop.succeed()

    env.timeout(plan.horizon).callbacks.append(end_of_horizon)
    with cyclic_gc_paused():
        env.run(until=state.stop)
    recorder.finish()
    return RawRun(
        plan=plan,
        identity=identity,
        recorder=recorder,
        state=state,
        sim_events=_processed_events(env),
        runtime_s=time.perf_counter() - started,
        incidents_by_day=np.asarray(state.incidents_by_day[: plan.horizon], dtype=np.int64),
    )
