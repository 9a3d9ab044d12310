"""The life of a seconded officer, from the call for contributions to rotation out.

One SimPy process per person carries them through the pipeline (call, possibly re-advertised,
selection, national pre-deployment training, travel, induction) or a roster call-up, then through
their tour: leave blocks, a possible tour extension, early repatriation as a competing hazard, and
the planned rotation. The process sleeps until the next thing that changes its state; there is no
polling. Every draw comes from the post's own stream.
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator

import simpy

from deploysim.engine.state import (
    CALL,
    EXTENDED,
    READVERTISED,
    REPATRIATED,
    ROSTER,
    ROTATED,
    MissionState,
    PostState,
)

INF = math.inf


def start_person(state: MissionState, post: PostState, rng: random.Random, elapsed: float | None = None) -> None:
    """Start someone for ``post``: through the pipeline, or already deployed ``elapsed`` days into a tour."""
    state.env.process(_person(state, post, rng, elapsed))


def _pipeline(state: MissionState, post: PostState, rng: random.Random) -> Generator[simpy.Event, None, bool]:
    """Returns False if the mission closed while the person was on the way."""
    plan = state.plan
    env = state.env
    state.in_pipeline += 1
    if state.roster_left > 0:
        state.roster_left -= 1
        state.log(ROSTER, post.plan.team, post.plan.index)
        yield env.timeout(plan.roster_call_up(rng))
    else:
        state.log(CALL, post.plan.team, post.plan.index)
        yield env.timeout(plan.call_window(rng))
        while rng.random() < plan.readvertise_probability:
            if state.closed:
                return False
            state.log(READVERTISED, post.plan.team, post.plan.index)
            yield env.timeout(plan.call_window(rng))
        yield env.timeout(plan.selection(rng))
        if state.closed:
            return False
        state.one_off_cost += plan.training_cost
        yield env.timeout(plan.training(rng))
        yield env.timeout(plan.travel(rng))
        yield env.timeout(plan.induction(rng))
    if state.closed:
        return False
    state.in_pipeline -= 1
    return True


def _person(
    state: MissionState, post: PostState, rng: random.Random, elapsed: float | None
) -> Generator[simpy.Event, None, None]:
    plan = state.plan
    env = state.env
    if elapsed is None:
        deployed = yield from _pipeline(state, post, rng)
        if not deployed:
            return
        tour_end = env.now + plan.tour_length(rng)
    else:
        tour_end = env.now + max(plan.tour_length(rng) - elapsed, 0.0)
    state.arrived(post)
    post.successor_requested = False
    now = env.now
    repatriation = now + rng.expovariate(plan.repatriation_rate) if plan.repatriation_rate > 0 else INF
    interval = plan.leave_interval
    next_leave = now + rng.uniform(0.0, interval) if interval < INF else INF
    on_leave = False
    back_from_leave = INF
    lead = plan.replacement_lead
    request_at = tour_end - lead
    requested = False
    while True:
        leave_event = back_from_leave if on_leave else next_leave
        wake = min(leave_event, repatriation, tour_end, INF if requested else request_at)
        if wake > now:
            yield env.timeout(wake - now)
            if state.closed:
                return
            now = env.now
        if wake == repatriation:
            state.departed(post, on_leave, REPATRIATED)
            if not requested and not state.closed:
                start_person(state, post, rng)
            return
        if not requested and wake == request_at:
            if rng.random() < plan.extension_probability:
                tour_end += plan.extension_length(rng)
                request_at = tour_end - lead
                state.log(EXTENDED, post.plan.team, post.plan.index)
            else:
                requested = True
                post.successor_requested = True
                start_person(state, post, rng)
            continue
        if wake == tour_end:
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
            back_from_leave = now + plan.leave_block(rng)
            next_leave = max(now + interval, back_from_leave)
