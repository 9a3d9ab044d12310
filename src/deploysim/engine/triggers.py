"""Triggers: a calendar date, a time after start, a signal from a decision, or a condition that holds.

Metric conditions are watched from the daily pass, which already has every value at hand, so
watching costs O(1) a day and needs no process of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from deploysim.engine.rules import MetricRule, TriggerPlan
from deploysim.engine.state import MissionState


@dataclass(slots=True)
class MetricWatcher:
    """Fires once when the rule's metric has been above/below its threshold for ``window`` consecutive days.

    The incident rate is itself a mean over the window (daily counts are too noisy to hold a
    threshold day after day), so for it one day past the threshold suffices.
    """

    rule: MetricRule
    fire: Callable[[], None]
    streak: int = 0
    fired: bool = False

    def observe(self, value: float) -> None:
        if self.fired:
            return
        rule = self.rule
        holds = value > rule.above if rule.above is not None else value < (rule.below or 0.0)
        self.streak = self.streak + 1 if holds else 0
        if self.streak >= (1 if rule.metric == "incident_rate" else rule.window):
            self.fired = True
            self.fire()


def when(state: MissionState, trigger: TriggerPlan, action: Callable[[], None], watchers: list[MetricWatcher]) -> None:
    """Arrange for ``action`` to run once, the trigger's delay after it fires; never in a closed run."""
    env = state.env
    delay = trigger.delay
    rng = state.stream(trigger.stream)

    def fire() -> None:
        if state.closed:
            return
        wait = delay(rng)
        if wait > 0:
            env.timeout(wait).callbacks.append(lambda _: None if state.closed else action())
        else:
            action()

    if trigger.at is not None:
        env.timeout(trigger.at).callbacks.append(lambda _: fire())
    elif trigger.signal is not None:
        state.on(trigger.signal, fire)
    else:
        assert trigger.metric is not None
        watchers.append(MetricWatcher(trigger.metric, fire))
