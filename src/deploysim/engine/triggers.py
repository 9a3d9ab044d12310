"""Triggers: a calendar date, a time after start, a signal from a decision, or a condition that holds.

Metric conditions are watched from the daily snapshot, which already has every value at hand, so
watching costs O(1) a day and needs no process of its own.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from deploysim.engine.state import MissionState
from deploysim.scenario.dynamics import Trigger


@dataclass(slots=True)
class MetricWatcher:
    """Fires once when ``metric`` has been above/below its threshold for ``window`` consecutive days.

    The incident rate is itself a mean over the window (daily counts are too noisy to hold a
    threshold day after day), so for it one day past the threshold suffices.
    """

    metric: str
    above: float | None
    below: float | None
    window: int
    fire: Callable[[], None]
    streak: int = 0
    fired: bool = False

    def observe(self, value: float) -> None:
        if self.fired:
            return
        holds = value > self.above if self.above is not None else value < (self.below or 0.0)
        self.streak = self.streak + 1 if holds else 0
        if self.streak >= (1 if self.metric == "incident_rate" else self.window):
            self.fired = True
            self.fire()


def when(
    state: MissionState,
    trigger: Trigger,
    start: dt.date,
    action: Callable[[], None],
    rng: random.Random,
    watchers: list[MetricWatcher],
) -> None:
    """Arrange for ``action`` to run once, ``trigger.delay`` after the trigger fires."""
    env = state.env
    delay = trigger.delay.sampler()

    def fire() -> None:
        if state.closed:
            return
        wait = delay(rng)
        if wait > 0:
            env.timeout(wait).callbacks.append(lambda _: None if state.closed else action())
        else:
            action()

    if trigger.date is not None:
        at = max(float((trigger.date - start).days), 0.0)
        env.timeout(at).callbacks.append(lambda _: fire())
    elif trigger.after is not None:
        env.timeout(float(trigger.after)).callbacks.append(lambda _: fire())
    elif trigger.event is not None:
        state.on(trigger.event, fire)
    else:
        assert trigger.metric is not None
        watchers.append(
            MetricWatcher(trigger.metric, trigger.above, trigger.below, max(1, round(trigger.window)), fire)
        )
