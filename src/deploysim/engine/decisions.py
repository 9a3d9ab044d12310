"""Decisions with their own streams: mandate renewal by consensus, and the host State's consent.

Each decision draws from a stream named after it, so adding or changing one decision never
shifts another's draws, nor any post's.
"""

from __future__ import annotations

from collections.abc import Generator

import simpy

from deploysim.engine.events import (
    CONSENT_GRANTED,
    CONSENT_REFUSED,
    CONSENT_WITHDRAWN,
    EXTENSION_GRANTED,
    EXTENSION_REFUSED,
    MANDATE_END,
    REVIEW,
    ROLLOVER,
    ConsentState,
    Signal,
)
from deploysim.engine.state import MissionState


def mandate(state: MissionState) -> Generator[simpy.Event, None, None]:
    """Reviews before each expiry; a renewal extends the mandate, a refusal starts the drawdown."""
    env = state.env
    rng = state.stream("decision/extensions")
    rules = state.plan.mandate
    extensions = rules.extensions
    expiry = rules.initial_length
    granted = 0
    while True:
        capped = extensions is None or (
            extensions.max_extensions is not None and granted >= extensions.max_extensions
        )
        if capped:
            yield env.timeout(max(expiry - env.now, 0.0))
            state.begin_drawdown(MANDATE_END)
            return
        assert extensions is not None
        review = max(env.now, expiry - extensions.review_before_expiry)
        yield env.timeout(review - env.now)
        if not state.mandate_active:  # consent lost or budget spent: nothing left to renew
            return
        state.log(REVIEW)
        delay = extensions.decision.delay(rng)
        renewed = extensions.decision.passes(rng.random())
        length = extensions.length(rng)
        decision_at = review + delay
        if decision_at > expiry:
            yield env.timeout(expiry - env.now)
            if not state.mandate_active:
                return
            if not extensions.technical_rollover:
                state.begin_drawdown(MANDATE_END)
                return
            state.log(ROLLOVER)
        yield env.timeout(max(decision_at - env.now, 0.0))
        if not state.mandate_active:
            return
        if not renewed:
            state.log(EXTENSION_REFUSED)
            state.emit(Signal.EXTENSION_REFUSED)
            yield env.timeout(max(expiry - env.now, 0.0))
            state.begin_drawdown(MANDATE_END)
            return
        granted += 1
        state.count("extensions_granted")
        state.log(EXTENSION_GRANTED)
        state.emit(Signal.EXTENSION_GRANTED)
        expiry = max(expiry + length, env.now)


def consent(state: MissionState) -> Generator[simpy.Event, None, None]:
    """Pending until the host decides; once granted it may be withdrawn at a constant hazard."""
    env = state.env
    rng = state.stream("decision/consent")
    rules = state.plan.consent
    if rules.initial == ConsentState.PENDING:
        wait = rules.time_to_decision(rng)
        refused = rng.random() < rules.refusal_probability
        yield env.timeout(wait)
        if state.closed:
            return
        if refused:
            lose_consent(state, ConsentState.REFUSED)
            return
        grant(state)
    if rules.withdrawal_rate > 0:
        yield env.timeout(rng.expovariate(rules.withdrawal_rate))
        if not state.closed and state.consent == ConsentState.GRANTED:
            lose_consent(state, ConsentState.WITHDRAWN)


def grant(state: MissionState) -> None:
    if state.consent == ConsentState.GRANTED:
        return
    state.set_consent(ConsentState.GRANTED, CONSENT_GRANTED)
    state.milestone("consent_day")
    state.emit(Signal.CONSENT_GRANTED)


def lose_consent(state: MissionState, how: ConsentState) -> None:
    """Everyone is withdrawn at once; then either a fallback phase reshapes the mission or it ends."""
    refused = how == ConsentState.REFUSED
    what = CONSENT_REFUSED if refused else CONSENT_WITHDRAWN
    state.set_consent(how, what)
    if not state.plan.consent.fallback:
        state.begin_drawdown(None)
    else:
        for post in state.posts:
            state.abolish_post(post)
            for person in list(post.people):
                person.interrupt(what)
    state.emit(Signal.CONSENT_REFUSED if refused else Signal.CONSENT_WITHDRAWN)
