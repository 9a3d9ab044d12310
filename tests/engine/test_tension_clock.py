"""The daily tension clock crosses days without an arrival exactly as a timeout per day would.

Reference: for a rate that is constant within each day [k + 0.5, k + 1.5), the n-th arrival is where
the integrated rate reaches the sum of the first n Exp(1) budgets; computed here by walking the days
in plain arithmetic, with the same budgets, and compared with the clock-driven process to 1e-9 days.
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator

import simpy

from deploysim.engine.tension_clock import TensionClock

RATE = 0.3
DAYS = 200


def _tension(day: int) -> float:
    """A tension index with zero days, spikes and slow days, so budgets cross many boundaries."""
    return 0.0 if day % 17 == 3 else 0.2 + 1.5 * (1 + math.sin(day / 5.0))


def _clocked_arrivals(seed: int) -> list[float]:
    env = simpy.Environment()
    clock = TensionClock(env)
    level = {"tension": _tension(-1)}
    arrivals: list[float] = []
    rng = random.Random(seed)

    def daily() -> Generator[simpy.Event, None, None]:
        yield env.timeout(0.5)
        for day in range(DAYS):
            level["tension"] = _tension(day)
            clock.tick(level["tension"], closed=False)
            yield env.timeout(1.0)

    def unit() -> Generator[simpy.Event, float, None]:
        while True:
            budget = rng.expovariate(1.0)
            while True:
                now = env.now
                current = RATE * level["tension"]
                span = math.floor(now - 0.5) + 1.5 - now
                if current > 0 and budget <= current * span:
                    yield env.timeout(budget / current)
                    break
                budget -= current * span
                budget = yield clock.wait(budget, RATE)
            arrivals.append(env.now)

    env.process(daily())
    env.process(unit())
    env.run(until=DAYS)
    return arrivals


def _reference_arrivals(seed: int) -> list[float]:
    rng = random.Random(seed)
    arrivals: list[float] = []
    t, day = 0.0, -1  # day -1 covers [0, 0.5) at the initial index
    budget = rng.expovariate(1.0)
    while t < DAYS:
        end = 0.5 if day < 0 else day + 1.5
        current = RATE * _tension(day)
        if current > 0 and budget <= current * (end - t):
            t += budget / current
            arrivals.append(t)
            budget = rng.expovariate(1.0)
            continue
        budget -= current * (end - t)
        t, day = end, day + 1
    return [a for a in arrivals if a < DAYS]


def test_the_clock_gives_the_arrivals_of_the_integrated_rate() -> None:
    for seed in range(5):
        clocked, reference = _clocked_arrivals(seed), _reference_arrivals(seed)
        assert len(clocked) == len(reference) > 50
        assert max(abs(a - b) for a, b in zip(clocked, reference, strict=True)) < 1e-9


def test_a_closed_mission_wakes_no_waiting_unit() -> None:
    env = simpy.Environment()
    clock = TensionClock(env)
    event = clock.wait(5.0, 1.0)
    clock.tick(10.0, closed=True)
    clock.tick(10.0, closed=False)
    assert not event.triggered
