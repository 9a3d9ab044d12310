"""The engine's vocabulary: every name it writes to the event log, the signals it emits, and consent states.

Event-log names are what the results layer's event table and the timeline chart read, so they are
kept in one place rather than beside each process that writes them. Signals are what a trigger may
wait for; their names are part of the scenario schema, so they are defined there and only
re-exported here.
"""

from __future__ import annotations

from enum import IntEnum

from deploysim.scenario.dynamics import EVENTS
from deploysim.scenario.dynamics import Signal as Signal  # re-exported: the engine emits these

# -- a person's path: the pipeline, the tour, and how it ends ------------------------------------
CALL = "call issued"
READVERTISED = "call re-advertised"
ROSTER = "roster call-up"
CONTINGENT = "contingent pledged"
ARRIVED = "deployed"
EXTENDED = "tour extended"
ROTATED = "rotated out"
REPATRIATED = "repatriated early"
HANDOVER = "handover"  # the interrupt cause when a successor arrives: the holder leaves after the overlap
WITHDRAWN = "withdrawn"  # also the interrupt cause when a drawdown or an abolished post sends someone home

# -- mediators and teams -------------------------------------------------------------------------
MEDIATOR_CERTIFIED = "mediator certified"
MEDIATOR_FAILED = "mediator not certified"
MEDIATOR_LEFT = "mediator left"
TEAM_OPERATIONAL = "team operational"
TEAM_DOWN = "team not operational"

# -- the mandate ---------------------------------------------------------------------------------
REVIEW = "mandate review"
EXTENSION_GRANTED = "extension granted"
EXTENSION_REFUSED = "extension refused"
ROLLOVER = "technical rollover"
MANDATE_END = "mandate ended"
BUDGET_REACHED = "budget ceiling reached"
DRAWDOWN = "drawdown started"
CLOSED = "mission closed"

# -- the host State's consent --------------------------------------------------------------------
# Also the interrupt cause when losing consent withdraws everyone at once.
CONSENT_GRANTED = "consent granted"
CONSENT_REFUSED = "consent refused"
CONSENT_WITHDRAWN = "consent withdrawn"

# -- changes to the post table -------------------------------------------------------------------
EXPANSION_TRIGGERED = "expansion triggered"
EXPANSION_APPROVED = "expansion approved"
EXPANSION_REFUSED = "expansion refused"
PHASE_STARTED = "phase started"
PHASE_STARTED_PREFIX = f"{PHASE_STARTED}: "  # each phase is logged as this prefix and its name
ABOLISHED = "post abolished"

# -- cadet cohorts -------------------------------------------------------------------------------
COHORT_STARTED = "cohort started"
COHORT_SLIPPED = "cohort waiting for trainers"
COHORT_GRADUATED = "cohort graduated"


def phase_started(name: str) -> str:
    """A phase's start is logged under its own name, so a chart can give each phase its own row."""
    return PHASE_STARTED_PREFIX + name


SIGNALS: tuple[str, ...] = EVENTS
"""Every signal name a trigger may wait for (the members of :class:`Signal`)."""


class ConsentState(IntEnum):
    """The host State's consent; the values are the daily table's ``consent_state`` codes."""

    PENDING = 0
    GRANTED = 1
    REFUSED = 2
    WITHDRAWN = 3


CONSENT_NAMES: tuple[str, ...] = tuple(state.name.lower() for state in ConsentState)
"""Category names of ``consent_state``, in code order: ("pending", "granted", "refused", "withdrawn")."""
