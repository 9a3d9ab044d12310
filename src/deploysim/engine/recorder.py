"""One snapshot a day of counters the engine already keeps, so daily series cost O(days), not O(events).

The snapshot is taken at midday (day + 0.5) so that events scheduled on whole days, which fixed
durations such as "17 d" produce, are never tied with it: a value on day d is the state after
everything that happened on the morning of day d.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from deploysim.engine.state import MissionState

DAILY_COLUMNS = (
    "authorised",
    "filled",
    "present",
    "in_pipeline",
    "vacant",
    "teams_operational",
    "mediators_certified",
    "mandate_active",
)
TEAM_COLUMNS = ("operational", "present", "filled", "mediators_certified")


class DailyRecorder:
    def __init__(self, state: MissionState) -> None:
        days = state.plan.horizon
        n_teams = len(state.teams)
        self.state = state
        self.days_recorded = 0
        self.levels = np.zeros((days, len(DAILY_COLUMNS)), dtype=np.int64)
        self.cost_to_date = np.zeros(days)
        self.teams = np.zeros((len(TEAM_COLUMNS), days, n_teams), dtype=np.int32)
        self._running_cost = 0.0

    def start(self) -> None:
        self.state.env.process(self._run())

    def _run(self) -> Generator[simpy.Event, None, None]:
        state = self.state
        env = state.env
        mediator_daily = state.plan.mediator_daily
        levels = self.levels
        team_arrays = self.teams
        teams = state.teams
        yield env.timeout(0.5)
        for day in range(levels.shape[0]):
            self._running_cost += state.daily_burn + state.mediators_employed * mediator_daily
            self.cost_to_date[day] = self._running_cost + state.one_off_cost
            levels[day] = (
                state.authorised,
                state.filled,
                state.present,
                state.in_pipeline,
                state.authorised - state.filled,
                state.teams_operational,
                state.mediators_certified,
                0 if state.closed else 1,
            )
            team_arrays[0, day] = [t.operational for t in teams]
            team_arrays[1, day] = [t.present for t in teams]
            team_arrays[2, day] = [t.filled for t in teams]
            team_arrays[3, day] = [t.certified for t in teams]
            self.days_recorded = day + 1
            yield env.timeout(1.0)

    def finish(self) -> None:
        """After an early stop the remaining days hold the closed state; cost stays where it ended."""
        done = self.days_recorded
        if done < len(self.cost_to_date):
            self.cost_to_date[done:] = self._running_cost + self.state.one_off_cost
