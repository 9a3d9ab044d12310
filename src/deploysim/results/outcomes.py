"""Outcome classes: what happened to a run's mission, in one word a planner can count.

Runs of one scenario can end in very different ways (the host never consents, the mandate is not
renewed, the money runs out, the mission is still running at the horizon). Averaging over such a
mixture describes no run at all, so every run is given one class; summaries count the classes and
charts and statistics can be split by them.
"""

from __future__ import annotations

from deploysim.engine.events import ConsentState
from deploysim.engine.mission import RawRun

CONSENT_REFUSED = "consent refused"
CONSENT_WITHDRAWN = "consent withdrawn"
BUDGET_EXHAUSTED = "budget exhausted"
MANDATE_ENDED = "mandate ended"
DRAWING_DOWN = "drawing down at the horizon"
RUNNING = "running at the horizon"
FAILED = "run failed"

OUTCOMES: tuple[str, ...] = (CONSENT_REFUSED, CONSENT_WITHDRAWN, MANDATE_ENDED, BUDGET_EXHAUSTED, DRAWING_DOWN,
                             RUNNING, FAILED)
"""Every class, in the order tables and legends list them; FAILED marks a run whose engine raised."""

_ENDED_BY_CONSENT = {ConsentState.REFUSED: CONSENT_REFUSED, ConsentState.WITHDRAWN: CONSENT_WITHDRAWN}


def outcome_of(raw: RawRun) -> str:
    """The class of one finished run, from the state it ended in.

    A closed mission ended by consent (refused or withdrawn, with no fallback phase), by a budget
    whose ceiling starts a drawdown, or otherwise at a mandate decision (not renewed, or the cap on
    extensions reached).
    """
    state = raw.state
    if not state.closed:
        return RUNNING if state.mandate_active else DRAWING_DOWN
    consent = ConsentState(int(state.consent))
    if consent in _ENDED_BY_CONSENT:
        return _ENDED_BY_CONSENT[consent]
    if raw.plan.budget.drawdown and "budget_reached_day" in state.milestones:
        return BUDGET_EXHAUSTED
    return MANDATE_ENDED
