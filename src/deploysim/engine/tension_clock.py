"""The day boundaries at which tension-modulated incident processes read the tension index anew.

A unit's incidents under a tension index form a Poisson process whose rate is constant within a
day (the index changes once a day, at the daily pass, day + 0.5). Each arrival consumes an Exp(1)
amount of integrated rate. A process whose next arrival lies beyond the coming boundary used to
sleep until it with a timeout of its own, so every unit cost one SimPy event a day, about half of
all events in a mission with tension. Instead the daily pass, right after it updates the index,
moves every waiting unit's budget across the day here, in plain Python, and wakes only the units
whose next arrival falls within the coming day. The arithmetic is the same as the per-unit sleep
(span 1 day, the same order of operations), so each stream makes the same draws at the same times.
"""

from __future__ import annotations

import simpy


class TensionClock:
    """Units waiting for the boundary at which their remaining budget runs out within a day."""

    __slots__ = ("_env", "_waiting")

    def __init__(self, env: simpy.Environment) -> None:
        self._env = env
        self._waiting: list[tuple[simpy.Event, float, float]] = []

    def wait(self, budget: float, rate: float) -> simpy.Event:
        """An event that fires at the first boundary after which ``budget`` (integrated rate still to go)
        is used up within a day at ``rate`` times the index; its value is the budget left at that boundary."""
        event = self._env.event()
        self._waiting.append((event, budget, rate))
        return event

    def tick(self, tension: float, closed: bool) -> None:
        """A boundary, after the index was updated: a day of budget for each unit whose arrival is later."""
        if closed:  # a closed mission has no more incidents: the waiting processes are left asleep
            self._waiting = []
            return
        still = []
        for event, budget, rate in self._waiting:
            current = rate * tension
            if current > 0 and budget <= current:
                event.succeed(budget)
            else:
                still.append((event, budget - current, rate))
        self._waiting = still
