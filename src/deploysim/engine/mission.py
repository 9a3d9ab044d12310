"""Assemble one run: the environment, the state, every process, and the stop condition."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

import numpy as np
import simpy

from deploysim.engine import cadets, decisions, post_table
from deploysim.engine.daily import DailySnapshot, daily_pass
from deploysim.engine.daily_rules import DailyRules
from deploysim.engine.events import Signal
from deploysim.engine.mediation import start_incidents, start_mediators
from deploysim.engine.plan import Plan, compile_plan
from deploysim.engine.staffing import start_person
from deploysim.engine.state import MissionState, PostState
from deploysim.engine.streams import RunIdentity, Streams
from deploysim.engine.triggers import MetricWatcher, when
from deploysim.engine.watchdog import Budget, MonthTick, run_watched
from deploysim.scenario.schema import Scenario


@dataclass(slots=True)
class RawRun:
    """What the engine hands to the results layer: arrays and lists, no DataFrames yet."""

    plan: Plan
    identity: RunIdentity
    daily: DailySnapshot
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


def _staff_opening_posts(state: MissionState) -> None:
    """Day 0: people already in place start mid-tour; other posts are called for now, or once the host consents."""
    hold = state.plan.consent.hold_calls
    held: list[PostState] = []
    for team in state.teams:
        for role, count, in_place in team.plan.opening_posts:
            for k in range(count):
                post = state.open_post(team, role)
                if k < in_place:
                    start_person(state, post, state.plan.tour.initial_elapsed(post.rng))
                elif hold and not team.advance:
                    held.append(post)
                else:
                    start_person(state, post)
        if team.plan.initial:
            start_mediators(state, team)
    if held:

        def release() -> None:
            for post in held:
                if post.open and state.recruiting:
                    start_person(state, post)

        state.on(Signal.CONSENT_GRANTED, release)


def _schedule_dynamics(state: MissionState, watchers: list[MetricWatcher]) -> None:
    """Decisions, triggers and cohorts, scheduled after the people: SimPy breaks ties by scheduling order."""
    env = state.env
    plan = state.plan
    env.process(decisions.mandate(state))
    env.process(decisions.consent(state))
    for expansion in plan.expansions:
        when(state, expansion.trigger, partial(post_table.start_expansion, state, expansion), watchers)
    for phase in plan.phases:
        when(state, phase.trigger, partial(post_table.apply_phase, state, phase), watchers)
    for programme in plan.programmes:
        cadets.start_programme(state, programme)


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


def run_engine(scenario: Scenario, identity: RunIdentity, record_events: bool = True,
               budget: Budget | None = None, on_month: MonthTick | None = None) -> RawRun:
    """Compile the scenario, then simulate it from the plan alone, watched by ``budget`` (by default
    the scenario's, see :mod:`deploysim.engine.watchdog`); ``on_month`` hears each simulated month."""
    started = time.perf_counter()
    plan = compile_plan(scenario)
    streams = Streams(identity)
    env = simpy.Environment()
    state = MissionState(env, plan, record_events, streams.stream)
    watchers: list[MetricWatcher] = []
    snapshot = DailySnapshot(state)
    env.process(daily_pass(state, snapshot, DailyRules(state, watchers)))
    _staff_opening_posts(state)
    for unit in plan.units:
        team = state.teams[unit.team] if unit.team is not None else None
        start_incidents(state, streams.stream(f"incidents/{unit.name}"), unit.rate_per_day, team)
    _schedule_dynamics(state, watchers)

    def end_of_horizon(_: simpy.Event) -> None:
        if not state.stop.triggered:
            state.stop.succeed()

    env.timeout(plan.horizon).callbacks.append(end_of_horizon)
    with cyclic_gc_paused():
        run_watched(env, state.stop, budget or Budget.for_scenario(scenario), plan.horizon, on_month)
    snapshot.finish()
    return RawRun(
        plan=plan,
        identity=identity,
        daily=snapshot,
        state=state,
        sim_events=_processed_events(env),
        runtime_s=time.perf_counter() - started,
        incidents_by_day=np.asarray(state.incidents_by_day[: plan.horizon], dtype=np.int64),
    )
