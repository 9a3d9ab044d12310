"""The life of a seconded officer, from the call for contributions to rotation out.

One SimPy process per person carries them through the pipeline (call, possibly re-advertised,
selection, national pre-deployment training, travel, induction) or a roster call-up, then through
their tour: leave blocks, a possible tour extension, early repatriation as a competing hazard, and
the planned rotation. The process sleeps until the next thing that changes its state; there is no
polling. A drawdown or an abolished post interrupts it. Every draw comes from the post's stream.
"""

from __future__ import annotations

import math
from collections.abc import Generator

import simpy

from deploysim.engine.events import CALL, EXTENDED, READVERTISED, REPATRIATED, ROSTER, ROTATED
from deploysim.engine.state import MissionState, PostState

INF = math.inf


def start_person(state: MissionState, post: PostState, elapsed: float | None = None) -> None:
    """Start someone for ``post``: through the pipeline, or already deployed ``elapsed`` days into a tour."""
    state.env.process(_person(state, post, elapsed))


def _wanted(state: MissionState, post: PostState) -> bool:
    return post.open and state.recruiting


def _pipeline(state: MissionState, post: PostState) -> Generator[simpy.Event, object, bool]:
    """Returns False if the post or the recruiting stopped while the person was on the way."""
    recruitment = state.plan.recruitment
    env = state.env
    rng = post.rng
    team = post.team.plan.index
    state.in_pipeline += 1
    post.in_pipeline += 1
    generation = (state.pipeline_generation, post.generation)
    supply = state.supply
    supplied = False
    from_roster = post.roster_reserved or state.take_roster()
    post.roster_reserved = False
    if from_roster:
        state.log(ROSTER, team, post.index)
        if supply is not None:
            supplied = yield from _await_supply(state, post, needs_candidate=False)
        yield env.timeout(recruitment.roster_call_up(rng))
    else:
        state.log(CALL, team, post.index)
        yield env.timeout(recruitment.call_window(rng))
        while rng.random() < recruitment.readvertise_probability:
            if not _wanted(state, post):
                break
            state.log(READVERTISED, team, post.index)
            yield env.timeout(recruitment.call_window(rng))
        if supply is not None and _wanted(state, post):
            supplied = yield from _await_supply(state, post, needs_candidate=True)
        if _wanted(state, post):
            yield env.timeout(recruitment.selection(rng))
        if _wanted(state, post):
            state.one_off_cost += state.plan.costs.training
            yield env.timeout(recruitment.training(rng))
    while _wanted(state, post) and not state.may_deploy(post):
        yield state.consent_changed  # selected and trained, waiting for the host's consent to travel
    if _wanted(state, post) and not from_roster:  # a roster call-up already includes the journey
        yield env.timeout(recruitment.travel(rng))
        yield env.timeout(recruitment.induction(rng))
    current = generation == (state.pipeline_generation, post.generation)
    if current:  # otherwise a stand-down already took this person off the counts
        state.in_pipeline -= 1
        post.in_pipeline -= 1
    deployed = current and _wanted(state, post)
    if supplied and not deployed:
        assert supply is not None
        supply.released(post)
    return deployed


def _await_supply(state: MissionState, post: PostState, needs_candidate: bool) -> Generator[simpy.Event, object, bool]:
    """Wait for a candidate (and a funded post); True once this person counts as supplying ``post``."""
    supply = state.supply
    assert supply is not None
    served = supply.request(post, needs_candidate)
    if served is not None:
        yield served  # fires only when served; a call nobody wants any more is dropped and sleeps on
    return True


def _person(state: MissionState, post: PostState, elapsed: float | None) -> Generator[simpy.Event, object, None]:
    """One person's whole stay, kept as one state machine: every wake-up competes with every other.

    The tour's next event (leave starting or ending, repatriation, the successor's call or an
    extension, rotation) is whichever comes first, so splitting the loop would only scatter that
    comparison across functions that share all of its variables.
    """
    tour = state.plan.tour
    env = state.env
    rng = post.rng
    if elapsed is None:
        deployed = yield from _pipeline(state, post)
        if not deployed:
            return
        tour_end = env.now + tour.length(rng)
    else:
        tour_end = env.now + max(tour.length(rng) - elapsed, 0.0)
        if state.supply is not None:
            state.supply.occupy(post)
    state.arrived(post)
    me = env.active_process
    assert me is not None  # this generator is the process SimPy is running
    post.people.append(me)
    now = env.now
    repatriation = now + rng.expovariate(tour.repatriation_rate) if tour.repatriation_rate > 0 else INF
    interval = tour.leave_interval
    next_leave = now + rng.uniform(0.0, interval) if interval < INF else INF
    on_leave = False
    back_from_leave = INF
    lead = tour.replacement_lead
    request_at = tour_end - lead
    requested = False
    while True:
        leave_event = back_from_leave if on_leave else next_leave
        wake = min(leave_event, repatriation, tour_end, INF if requested else request_at)
        if wake > now:
            try:
                yield env.timeout(wake - now)
            except simpy.Interrupt as stop:
                if not state.closed:
                    post.people.remove(me)
                    state.departed(post, on_leave, str(stop.cause))
                return
            if state.closed:
                return
            now = env.now
        if wake == repatriation:
            post.people.remove(me)
            state.departed(post, on_leave, REPATRIATED)
            if not requested and _wanted(state, post):
                start_person(state, post)
            return
        if not requested and wake == request_at:
            if post.open and rng.random() < tour.extension_probability:
                tour_end += tour.extension_length(rng)
                request_at = tour_end - lead
                state.log(EXTENDED, post.team.plan.index, post.index)
            else:
                requested = True
                if _wanted(state, post):
                    start_person(state, post)
            continue
        if wake == tour_end:
            post.people.remove(me)
            state.departed(post, on_leave, ROTATED)
            return
        if on_leave:
            on_leave = False
            state.became_present(post)
        else:
            # the next block is due one interval after this one starts, so the share of time on
            # leave equals the entitlement whatever the block length
            on_leave = True
            state.became_absent(post)
            back_from_leave = now + tour.leave_block(rng)
            next_leave = max(now + interval, back_from_leave)
