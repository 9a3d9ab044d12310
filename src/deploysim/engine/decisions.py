"""Decisions with their own streams: mandate renewal by consensus, and the host State's consent.

Each decision draws from a stream named after it, so adding or changing one decision never
shifts another's draws, nor any post's.
"""

from __future__ import annotations

from collections.abc import Generator

import simpy

from deploysim.engine.state import (
    GRANTED,
    MANDATE_END,
    PENDING,
    REFUSED,
    WITHDRAWN_CONSENT,
    MissionState,
)
from deploysim.scenario.dynamics import Consensus, Consent, Extensions

REVIEW = "mandate review"
EXTENSION_GRANTED = "extension granted"
EXTENSION_REFUSED = "extension refused"
ROLLOVER = "technical rollover"
CONSENT_GRANTED = "consent granted"
CONSENT_REFUSED = "consent refused"
CONSENT_WITHDRAWN = "consent withdrawn"


def decide(consensus: Consensus, draw: float) -> bool:
    """One uniform draw decides: granted with probability (1-p)^N (or the single probability)."""
    return draw < consensus.probability()


def mandate(
    state: MissionState, initial_length: float, extensions: Extensions | None
) -> Generator[simpy.Event, None, None]:
    """Reviews before each expiry; a renewal extends the mandate, a refusal starts the drawdown."""
    env = state.env
    rng = state.stream("decision/extensions")
    expiry = initial_length
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
        delay = extensions.decision.delay.sampler()(rng)
        renewed = decide(extensions.decision, rng.random())
        length = extensions.length.sampler()(rng)
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
            state.emit("extension_refused")
            yield env.timeout(max(expiry - env.now, 0.0))
            state.begin_drawdown(MANDATE_END)
            return
        granted += 1
        state.count("extensions_granted")
        state.log(EXTENSION_GRANTED)
        state.emit("extension_granted")
        expiry = max(expiry + length, env.now)


def consent(state: MissionState, rules: Consent) -> Generator[simpy.Event, None, None]:
    """Pending until the host decides; once granted it may be withdrawn at a constant hazard."""
    env = state.env
    rng = state.stream("decision/consent")
    if rules.initial == "pending":
        wait = rules.time_to_decision.sampler()(rng)
        refused = rng.random() < rules.refusal_probability
        yield env.timeout(wait)
        if state.closed:
            return
        if refused:
            lose_consent(state, rules, REFUSED)
            return
        grant(state)
    if rules.withdrawal_annual_hazard > 0:
        yield env.timeout(rng.expovariate(rules.withdrawal_annual_hazard / 365.25))
        if not state.closed and state.consent == GRANTED:
            lose_consent(state, rules, WITHDRAWN_CONSENT)


def grant(state: MissionState) -> None:
    if state.consent == GRANTED:
        return
    state.set_consent(GRANTED, CONSENT_GRANTED)
    state.milestone("consent_day")
    state.emit("consent_granted")


def lose_consent(state: MissionState, rules: Consent, how: int) -> None:
    """Everyone is withdrawn at once; then either a fallback phase reshapes the mission or it ends."""
    what = CONSENT_REFUSED if how == REFUSED else CONSENT_WITHDRAWN
    state.set_consent(how, what)
    if rules.fallback_phase is None:
        state.begin_drawdown(None)
    else:
        for post in state.posts:
            state.abolish_post(post)
            for person in list(post.people):
                person.interrupt(what)
    state.emit("consent_refused" if how == REFUSED else "consent_withdrawn")


def initial_consent(rules: Consent) -> int:
    return PENDING if rules.initial == "pending" else GRANTED
