"""The daily pass: one snapshot a day of counters the engine already keeps, then the day's rules.

Daily series therefore cost O(days), not O(events). The pass runs at midday (day + 0.5) so that
events scheduled on whole days, which fixed durations such as "17 d" produce, are never tied with
it: a value on day d is the state after everything that happened on the morning of day d. The
rules that act on the day's values (tension, metric triggers, the budget ceiling: see
:mod:`deploysim.engine.daily_rules`) run in the same pass, right after the snapshot, so they cost
no SimPy events of their own.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from deploysim.engine.daily_rules import DailyRules
from deploysim.engine.state import MissionState

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


class DailySnapshot:
    """The daily arrays the results layer builds its tables from; costs accumulate here too."""

    def __init__(self, state: MissionState) -> None:
        days = state.plan.horizon
        self.state = state
        self.days_recorded = 0
        self.levels = np.zeros((days, len(DAILY_COLUMNS)), dtype=np.int64)
        self.cost_to_date = np.zeros(days)
        self.tension_index = np.zeros(days)
        self.teams = np.zeros((len(TEAM_COLUMNS), days, len(state.teams)), dtype=np.int32)
        self._mediator_daily = state.plan.costs.mediator_daily
        self._running_cost = 0.0
        self.mediator_days = 0  # mediators employed, summed over days: their pay is this times the daily rate

    def take(self, day: int) -> None:
        state = self.state
        self.mediator_days += state.mediators_employed
        self._running_cost += state.daily_burn + state.mediators_employed * self._mediator_daily
        self.cost_to_date[day] = self._running_cost + state.one_off_cost
        self.tension_index[day] = state.tension
        self.levels[day] = (
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
        teams = state.teams
        team_arrays = self.teams
        team_arrays[0, day] = [t.operational for t in teams]
        team_arrays[1, day] = [t.authorised for t in teams]
        team_arrays[2, day] = [t.present for t in teams]
        team_arrays[3, day] = [t.filled for t in teams]
        team_arrays[4, day] = [t.certified for t in teams]
        self.days_recorded = day + 1

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


def daily_pass(state: MissionState, snapshot: DailySnapshot, rules: DailyRules) -> Generator[simpy.Event, None, None]:
    """One SimPy process for the whole horizon: a start, then one timeout a day."""
    env = state.env
    yield env.timeout(0.5)
    for day in range(state.plan.horizon):
        snapshot.take(day)
        rules.apply(day, float(snapshot.cost_to_date[day]))
        if state.tension_on:
            state.tension_clock.tick(state.tension, state.closed)
        yield env.timeout(1.0)
