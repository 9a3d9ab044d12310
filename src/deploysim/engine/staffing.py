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

from deploysim.engine.budget import Commitment
from deploysim.engine.events import CALL, CONTINGENT, EXTENDED, HANDOVER, READVERTISED, REPATRIATED, ROSTER, ROTATED
from deploysim.engine.state import MissionState, PostState

INF = math.inf


def start_person(
    state: MissionState, post: PostState, tour_left: float | None = None, commitment: Commitment | None = None
) -> None:
    """Start someone for ``post``: through the pipeline, or already deployed with ``tour_left`` days to serve
    (and what the budget committed to them on day 0)."""
    state.env.process(_person(state, post, tour_left, commitment))


def start_in_place(state: MissionState, post: PostState) -> None:
    """Someone in post on day 0, part-way through a tour; a committed budget reserves their cost at once,
    before any call or extension is decided."""
    tour = state.plan.tour
    elapsed = tour.initial_elapsed(post.rng)
    tour_left = max(tour.length(post.rng) - elapsed, 0.0)
    commitment = state.ledger.in_place(post, tour_left) if state.ledger is not None else None
    start_person(state, post, tour_left, commitment)


def _wanted(state: MissionState, post: PostState) -> bool:
    return post.open and state.recruiting


def _pipeline(
    state: MissionState, post: PostState
) -> Generator[simpy.Event, object, tuple[bool, Commitment | None]]:
    """Whether the person deployed (not if the post or the recruiting stopped while they were on the way,
    or the budget could not commit to them), and what the budget reserved for them."""
    recruitment = state.plan.recruitment
    env = state.env
    rng = post.rng
    team = post.team.plan.index
    contingent = post.contingent_jitter
    post.contingent_jitter = None
    reserved = post.roster_reserved
    from_roster = contingent is not None or reserved or state.take_roster()
    post.roster_reserved = False
    commitment = None
    if state.ledger is not None:
        commitment = state.ledger.call(post, from_roster)
        if commitment is None:  # no call is made: the roster person stays on the roster
            post.roster_reserved = reserved
            if from_roster and not reserved and contingent is None:
                state.roster_left += 1
            return False, None
    state.in_pipeline += 1
    post.in_pipeline += 1
    generation = (state.pipeline_generation, post.generation)
    supply = state.supply
    supplied = False
    if contingent is not None:  # the block's arrival, then this person's own jitter; no call, no journey
        state.log(CONTINGENT, team, post.index)
        if supply is not None:
            supplied = yield from _await_supply(state, post, needs_candidate=False)
        yield env.timeout(max(post.contingent_arrival - env.now, 0.0) + contingent(rng))
    elif from_roster:
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
            if commitment is not None:
                commitment.training = 0.0  # spent
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
    if not deployed:
        if supplied:
            assert supply is not None
            supply.released(post)
        if commitment is not None:
            assert state.ledger is not None
            state.ledger.release(commitment, None)
    return deployed, commitment


def _await_supply(state: MissionState, post: PostState, needs_candidate: bool) -> Generator[simpy.Event, object, bool]:
    """Wait for a candidate (and a funded post); True once this person counts as supplying ``post``."""
    supply = state.supply
    assert supply is not None
    served = supply.request(post, needs_candidate)
    if served is not None:
        yield served  # fires only when served; a call nobody wants any more is dropped and sleeps on
    return True


def _person(
    state: MissionState, post: PostState, tour_left: float | None, commitment: Commitment | None
) -> Generator[simpy.Event, object, None]:
    """One person's whole stay, kept as one state machine: every wake-up competes with every other.

    The tour's next event (leave starting or ending, repatriation, the successor's call or an
    extension, rotation) is whichever comes first, so splitting the loop would only scatter that
    comparison across functions that share all of its variables.
    """
    tour = state.plan.tour
    env = state.env
    rng = post.rng
    ledger = state.ledger
    if tour_left is None:
        deployed, commitment = yield from _pipeline(state, post)
        if not deployed:
            return
        length = tour.length(rng)
        if commitment is not None:  # the budget funded the longest tour it reserved, and no more
            length = min(length, state.plan.budget.tour_reserve_days)
        tour_end = env.now + length
    else:
        tour_end = env.now + tour_left
        if state.supply is not None:
            state.supply.occupy(post)
    arrived_at = env.now
    state.arrived(post)
    me = env.active_process
    assert me is not None  # this generator is the process SimPy is running
    for predecessor in post.people:  # the handover starts: they leave after the overlap (or at tour end)
        predecessor.interrupt(HANDOVER)
    post.people.append(me)
    now = env.now
    # one draw each whatever the rates (random.Random's expovariate and uniform, written out), so that a
    # zero rate against a tiny one shifts no later draw of the post: common random numbers stay paired
    repatriation_draw = rng.random()
    rate = tour.repatriation_rate
    repatriation = now - math.log(1.0 - repatriation_draw) / rate if rate > 0 else INF
    interval = tour.leave_interval
    leave_draw = rng.random()
    next_leave = now + interval * leave_draw if interval < INF else INF
    on_leave = False
    back_from_leave = INF
    lead = tour.replacement_lead
    request_at = tour_end - lead
    requested = False
    extensions = 0
    while True:
        leave_event = back_from_leave if on_leave else next_leave
        wake = min(leave_event, repatriation, tour_end, INF if requested else request_at)
        if wake > now:
            try:
                yield env.timeout(wake - now)
            except simpy.Interrupt as stop:
                if stop.cause == HANDOVER:
                    now = env.now
                    tour_end = min(tour_end, now + tour.handover_overlap)
                    continue
                if not state.closed:
                    post.people.remove(me)
                    state.departed(post, on_leave, str(stop.cause))
                    if commitment is not None:
                        assert ledger is not None
                        ledger.release(commitment, env.now - arrived_at)
                return
            if state.closed:
                return
            now = env.now
        if wake == repatriation:
            post.people.remove(me)
            state.departed(post, on_leave, REPATRIATED)
            if commitment is not None:
                assert ledger is not None
                ledger.release(commitment, now - arrived_at)
            if not requested and _wanted(state, post):
                start_person(state, post)
            return
        if not requested and wake == request_at:
            # no extension once recruiting has stopped (a budget reached), nor one the budget cannot commit to
            extension = 0.0
            if post.open and state.recruiting and extensions < tour.max_extensions and (
                rng.random() < tour.extension_probability
            ):
                extension = tour.extension_length(rng)
                if commitment is not None and not (ledger is not None and ledger.extend(commitment, extension)):
                    extension = 0.0
            if extension > 0:
                extensions += 1
                tour_end += extension
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
            if commitment is not None:
                assert ledger is not None
                ledger.release(commitment, now - arrived_at)
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
