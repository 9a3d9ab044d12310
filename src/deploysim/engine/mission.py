"""Assemble one run: the environment, the state, every process, and the stop condition."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import simpy

from deploysim.engine.mediation import start_incidents, start_mediators
from deploysim.engine.plan import Plan, compile_plan
from deploysim.engine.recorder import DailyRecorder
from deploysim.engine.staffing import start_person
from deploysim.engine.state import MissionState
from deploysim.scenario import Scenario
from deploysim.streams import RunIdentity, Streams


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


def run_engine(scenario: Scenario, identity: RunIdentity, record_events: bool = True) -> RawRun:
    started = time.perf_counter()
    plan = compile_plan(scenario)
    streams = Streams(identity)
    env = simpy.Environment()
    state = MissionState(env, plan, record_events)
    recorder = DailyRecorder(state)
    recorder.start()
    for post in state.posts:
        rng = streams.stream(post.plan.stream_name)
        elapsed = plan.initial_elapsed(rng) if post.plan.in_place else None
        start_person(state, post, rng, elapsed)
    for team in state.teams:
        start_mediators(state, team, streams.stream)
    for unit in plan.units:
        team = state.teams[unit.team] if unit.team is not None else None
        start_incidents(state, streams.stream(f"incidents/{unit.name}"), unit.rate_per_day, team)

    stop = env.event()

    def end_of_mandate(_: simpy.Event) -> None:
        state.close()
        if not stop.triggered:
            stop.succeed()

    def end_of_horizon(_: simpy.Event) -> None:
        if not stop.triggered:
            stop.succeed()

    if plan.mandate_end < plan.horizon:
        env.timeout(plan.mandate_end).callbacks.append(end_of_mandate)
    env.timeout(plan.horizon).callbacks.append(end_of_horizon)
    env.run(until=stop)
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
