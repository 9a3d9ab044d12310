"""One snapshot a day of counters the engine already keeps, so daily series cost O(days), not O(events).

The snapshot is taken at midday (day + 0.5) so that events scheduled on whole days, which fixed
durations such as "17 d" produce, are never tied with it: a value on day d is the state after
everything that happened on the morning of day d. The same daily pass feeds metric triggers, the
tension index and the budget ceiling, which all need exactly these values.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import numpy as np
import simpy

from deploysim.engine.state import MissionState
from deploysim.engine.triggers import MetricWatcher
from deploysim.scenario.dynamics import Tension

DAILY_COLUMNS = (
    "authorised",
    "filled",
    "deployed",
    "present",
    "in_pipeline",
    "vacant",
    "teams_operational",
    "teams_active",
    "mediators_certified",
    "mandate_active",
    "mission_active",
    "consent_state",
    "phase",
    "cadets_in_academy",
    "cadets_in_field",
    "cadets_graduated",
)
TEAM_COLUMNS = ("operational", "authorised", "present", "filled", "mediators_certified")


class DailyRecorder:
    def __init__(
        self,
        state: MissionState,
        watchers: list[MetricWatcher],
        tension: Tension | None,
        budget_ceiling: float | None,
        on_budget: Callable[[], None],
    ) -> None:
        days = state.plan.horizon
        self.state = state
        self.watchers = watchers
        self.tension = tension
        self.budget_ceiling = budget_ceiling
        self.on_budget = on_budget
        self.days_recorded = 0
        self.levels = np.zeros((days, len(DAILY_COLUMNS)), dtype=np.int64)
        self.cost_to_date = np.zeros(days)
        self.tension_index = np.zeros(days)
        self.teams = np.zeros((len(TEAM_COLUMNS), days, len(state.teams)), dtype=np.int32)
        self._running_cost = 0.0
        self._cases_seen = 0

    def start(self) -> None:
        self.state.env.process(self._run())

    def _metric(self, watcher: MetricWatcher, day: int) -> float | None:
        """Today's value of a watched metric; None while there is not yet a full window of data."""
        state = self.state
        if watcher.metric == "team_coverage":
            return state.teams_operational / state.active_teams if state.active_teams else 0.0
        if watcher.metric == "tension":
            return state.tension
        # incident_rate: incidents per unit per day over the last `window` complete days
        if day < watcher.window:
            return None
        units = max(len(state.plan.units), 1)
        return sum(state.incidents_by_day[day - watcher.window : day]) / (watcher.window * units)

    def _daily_dynamics(self, day: int) -> None:
        state = self.state
        if self.tension is not None:
            rules = self.tension
            coverage = state.teams_operational / state.active_teams if state.active_teams else 0.0
            cases = len(state.waits) - self._cases_seen
            self._cases_seen = len(state.waits)
            change = rules.drift_per_day - rules.presence_effect * coverage - rules.mediation_effect * cases
            state.tension = min(max(state.tension + change, rules.floor), rules.ceiling)
        for watcher in self.watchers:
            value = self._metric(watcher, day)
            if value is not None:
                watcher.observe(value)
        if self.budget_ceiling is not None and self.cost_to_date[day] >= self.budget_ceiling:
            self.budget_ceiling = None
            self.on_budget()

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
            self.tension_index[day] = state.tension
            levels[day] = (
                state.authorised,
                state.filled,
                state.deployed,
                state.present,
                state.in_pipeline,
                state.authorised - state.filled if state.mandate_active else 0,
                state.teams_operational,
                state.active_teams,
                state.mediators_certified,
                state.mandate_active,
                not state.closed,
                state.consent,
                state.phase,
                state.cadets_academy,
                state.cadets_field,
                state.cadets_graduated,
            )
            team_arrays[0, day] = [t.operational for t in teams]
            team_arrays[1, day] = [t.authorised for t in teams]
            team_arrays[2, day] = [t.present for t in teams]
            team_arrays[3, day] = [t.filled for t in teams]
            team_arrays[4, day] = [t.certified for t in teams]
            self.days_recorded = day + 1
            self._daily_dynamics(day)
            yield env.timeout(1.0)

    def finish(self) -> None:
        """After the mission closed the remaining days hold the closed state; cost stays where it ended."""
        done = self.days_recorded
        state = self.state
        if done < len(self.cost_to_date):
            self.cost_to_date[done:] = self._running_cost + state.one_off_cost
            self.tension_index[done:] = state.tension
            closed = self.levels[done:]
            closed[:, DAILY_COLUMNS.index("consent_state")] = state.consent
            closed[:, DAILY_COLUMNS.index("phase")] = state.phase
            closed[:, DAILY_COLUMNS.index("cadets_graduated")] = state.cadets_graduated
