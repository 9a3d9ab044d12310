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
from deploysim.engine.mediation import start_mediators, start_unit_incidents
from deploysim.engine.plan import Plan, compile_plan
from deploysim.engine.roster import call_up_order
from deploysim.engine.staffing import start_in_place, start_person
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
    tables = [
        [
            (state.open_post(team, role), k < in_place)
            for role, count, in_place in team.plan.opening_posts
            for k in range(count)
        ]
        for team in state.teams
    ]
    vacant = [post for table in tables for post, in_place in table if not in_place]
    _reserve_roster(state, vacant)
    _reserve_contingents(state, vacant)
    for team, table in zip(state.teams, tables, strict=True):
        for post, in_place in table:
            if in_place:
                start_in_place(state, post)
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


def _reserve_roster(state: MissionState, vacant: list[PostState]) -> None:
    """Day 0's roster goes to the posts its call-up order puts first (see :mod:`deploysim.engine.roster`)."""
    count = min(state.roster_left, len(vacant))
    if count <= 0:
        return
    order = call_up_order(state.plan, [(post.team.plan.index, post.role) for post in vacant])
    for position in order[:count]:
        vacant[position].roster_reserved = True
    state.roster_left -= count


def _reserve_contingents(state: MissionState, vacant: list[PostState]) -> None:
    """Each pledged contingent takes day 0's vacant eligible posts the roster left, in the same call-up order;
    its whole block arrives after one delay drawn from the contributor's stream (people it cannot place stay home)."""
    supply = state.plan.supply
    if supply is None:
        return
    for contributor in supply.contributors:
        if contributor.contingent is None:
            continue
        free = [p for p in vacant if not p.roster_reserved and p.contingent_arrival < 0]
        eligible = [p for p in free if contributor.eligible(p.team.plan.index, p.role)]
        order = call_up_order(state.plan, [(post.team.plan.index, post.role) for post in eligible])
        arrival = contributor.contingent.delay(state.stream(contributor.stream))
        for position in order[: int(contributor.pool)]:
            eligible[position].contingent_arrival = arrival
            eligible[position].contingent_jitter = contributor.contingent.jitter


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
    start_unit_incidents(state, "")
    _schedule_dynamics(state, watchers)

    def end_of_horizon(_: simpy.Event) -> None:
        if not state.stop.triggered:
            state.stop.succeed()

    env.timeout(plan.horizon).callbacks.append(end_of_horizon)
    with cyclic_gc_paused():
        run_watched(env, state.stop, budget or Budget.for_scenario(scenario), plan.horizon, on_month)
    if not state.closed:
        state.count_open_gaps(min(env.now, float(plan.horizon)))
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
