"""What changes once a day from the day's values: the tension index, metric triggers, the budget ceiling.

These rules run inside the daily pass (:mod:`deploysim.engine.daily`), right after its snapshot,
because they need exactly the values it has just read, at the same midday instant.
"""

from __future__ import annotations

from deploysim.engine.events import BUDGET_REACHED
from deploysim.engine.state import MissionState
from deploysim.engine.triggers import MetricWatcher


def units_watched(state: MissionState) -> int:
    """Units the incident rate is taken over: those with incidents (a positive rate) whose team is active
    (has open posts) today. A unit without a team, a rate-0 counterpart such as a ministry, and a unit
    whose team has not opened yet or has been dropped would only dilute the rate."""
    teams = state.teams
    return sum(1 for unit in state.plan.units
               if unit.team is not None and unit.rate_per_day > 0 and teams[unit.team].authorised > 0)


def incident_rate(state: MissionState, day: int, window: int) -> float:
    """Incidents per watched unit per day over the ``window`` complete days before ``day``: incidents
    in units whose team was active when they happened, divided by today's watched units (0 if none)."""
    units = units_watched(state)
    if units == 0:
        return 0.0
    return sum(state.watched_incidents_by_day[day - window : day]) / (window * units)


class DailyRules:
    def __init__(self, state: MissionState, watchers: list[MetricWatcher]) -> None:
        self.state = state
        self.watchers = watchers  # filled in as triggers are arranged, before the run starts
        self.tension = state.plan.tension
        budget = state.plan.budget
        # cleared once reached, so it acts once; a committed budget is enforced where costs are committed
        self.budget_ceiling = None if budget.committed else budget.ceiling
        self._cases_seen = 0

    def apply(self, day: int, cost_to_date: float) -> None:
        state = self.state
        rules = self.tension
        if rules is not None:
            coverage = state.teams_operational / state.active_teams if state.active_teams else 0.0
            cases = len(state.waits) - self._cases_seen
            self._cases_seen = len(state.waits)
            change = rules.drift_per_day - rules.presence_effect * coverage - rules.mediation_effect * cases
            state.tension = min(max(state.tension + change, rules.floor), rules.ceiling)
        for watcher in self.watchers:
            value = self._metric(watcher, day)
            if value is not None:
                watcher.observe(value)
        if self.budget_ceiling is not None and cost_to_date >= self.budget_ceiling:
            self.budget_ceiling = None
            self._budget_reached()

    def _metric(self, watcher: MetricWatcher, day: int) -> float | None:
        """Today's value of a watched metric; None while there is not yet a full window of data."""
        state = self.state
        metric = watcher.rule.metric
        if metric == "team_coverage":
            return state.teams_operational / state.active_teams if state.active_teams else 0.0
        if metric == "tension":
            return state.tension
        window = watcher.rule.window
        if day < window:
            return None
        return incident_rate(state, day, window)

    def _budget_reached(self) -> None:
        state = self.state
        state.log(BUDGET_REACHED)
        state.milestone("budget_reached_day")
        if state.plan.budget.drawdown:
            state.begin_drawdown(BUDGET_REACHED)
        else:
            state.stop_recruiting()
