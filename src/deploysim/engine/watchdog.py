"""A watchdog per run: an event budget, a wall-time budget and a no-progress detector.

A scenario that validates can still make a run that never ends: a loop in zero simulated time that
the static rules (:mod:`deploysim.scenario.sanity`) do not recognise, or work far beyond what its
size predicts. The engine runs its SimPy environment in chunks of :data:`CHECK_EVERY` events and,
between chunks, asks the watchdog whether the run may go on. A run past a budget stops with
:class:`RunStopped`, naming the budget and the simulated day it reached; in a replication set or a
sweep it becomes a failed row and the other runs go on.

Default budgets are generous multiples of the run's work estimate (:mod:`deploysim.scenario.work`),
with floors so that a small scenario is never cut short by a slow machine:

===============  ======================================  ===============================================
Budget           Default                                 Why
===============  ======================================  ===============================================
events           max(5,000,000, 50 x estimated events)   the estimate is within 2x on every shipped
                                                         scenario; 50x is a run gone wrong
wall time        max(600 s, 50 x estimated seconds)      a loaded laptop is a few times slower; the
                                                         large mission (~8 s) gets 10 minutes
no progress      max(200,000, 20 x live processes)       events at one simulated instant: the most
                                                         seen is 1.2 per post (day 0 of the large
                                                         mission, 18,498 events for 15,000 posts)
===============  ======================================  ===============================================

``--run-timeout SECONDS`` (``run_timeout=`` in Python) replaces the wall-time budget; the others
are taken from the scenario. Checking costs one comparison per chunk, not per event.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import simpy
from simpy.core import EmptySchedule, StopSimulation

from deploysim.scenario.work import estimate_run

if TYPE_CHECKING:
    from deploysim.scenario.schema import Scenario

CHECK_EVERY = 256
"""Events between two checks: small against any budget, large enough that checking costs nothing."""
MIN_EVENTS = 5_000_000
EVENT_FACTOR = 50.0
MIN_SECONDS = 600.0
SECONDS_FACTOR = 50.0
MIN_STALL_EVENTS = 200_000
STALL_FACTOR = 20
DAYS_PER_MONTH = 365.25 / 12

MonthTick = Callable[[int, int], None]
"""Called with (simulated months done, months in the horizon) as a run passes each month."""


class RunStopped(RuntimeError):
    """A run the watchdog stopped; the message names the budget and the simulated day reached."""

    def __init__(self, budget: str, message: str, day: float) -> None:
        self.budget = budget
        self.day = day
        super().__init__(message)

    def __reduce__(self) -> tuple[type[RunStopped], tuple[str, str, float]]:
        return type(self), (self.budget, str(self), self.day)


@dataclass(frozen=True)
class Budget:
    """What one run may spend: events, wall seconds, events without the simulated clock moving."""

    events: int
    seconds: float
    stall_events: int

    @classmethod
    def for_scenario(cls, scenario: Scenario, seconds: float | None = None) -> Budget:
        """The documented defaults from the scenario's work estimate; ``seconds`` replaces the time budget."""
        work = estimate_run(scenario)
        return cls(
            events=int(max(MIN_EVENTS, EVENT_FACTOR * work.events)),
            seconds=seconds if seconds is not None else max(MIN_SECONDS, SECONDS_FACTOR * work.seconds),
            stall_events=max(MIN_STALL_EVENTS, STALL_FACTOR * work.processes),
        )


def run_watched(env: simpy.Environment, stop: simpy.Event, budget: Budget, horizon: int,
                on_month: MonthTick | None = None) -> None:
    """``env.run(until=stop)`` in chunks of events, with the budget checked between chunks.

    ``on_month`` hears each simulated month passed (checked between chunks, so a month is reported
    at most :data:`CHECK_EVERY` events late).
    """
    if stop.callbacks is None:  # already processed: nothing to run
        return
    stop.callbacks.append(StopSimulation.callback)
    started = time.perf_counter()
    step = env.step
    events = 0
    stalled = 0
    last_now = env.now
    months = max(1, round(horizon / DAYS_PER_MONTH))
    month = 0
    try:
        while True:
            for _ in range(CHECK_EVERY):
                step()
            events += CHECK_EVERY
            now = env.now
            if now == last_now:
                stalled += CHECK_EVERY
                if stalled >= budget.stall_events:
                    raise RunStopped(
                        "no progress",
                        f"no progress: {stalled:,} events at simulated day {now:,.1f} of {horizon} without the "
                        "clock moving (a loop in zero simulated time; look at zero durations with "
                        "probabilities near 1)",
                        now,
                    )
            else:
                stalled = 0
                last_now = now
            if events >= budget.events:
                raise RunStopped(
                    "event budget",
                    f"event budget of {budget.events:,} events exceeded at simulated day {now:,.1f} of {horizon} "
                    f"({EVENT_FACTOR:g} times what the scenario's size predicts)",
                    now,
                )
            if time.perf_counter() - started > budget.seconds:
                raise RunStopped(
                    "time budget",
                    f"time budget of {budget.seconds:,.0f} s exceeded at simulated day {now:,.1f} of {horizon} "
                    "(raise it with --run-timeout)",
                    now,
                )
            if on_month is not None and now >= (month + 1) * DAYS_PER_MONTH:
                month = min(months, int(now / DAYS_PER_MONTH))
                on_month(month, months)
    except StopSimulation:
        if on_month is not None:
            on_month(months, months)
    except EmptySchedule:
        raise RuntimeError(f"the run ran out of events at simulated day {env.now:,.1f} before its horizon") from None
