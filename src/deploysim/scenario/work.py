"""How much work one run of a scenario is, guessed from its size before anything runs.

The guess serves two ends: a run's watchdog budgets (generous multiples of it, see
:mod:`deploysim.engine.watchdog`) and the refusal of experiments too large to finish
(:mod:`deploysim.experiments.work_limits`). It is a rough expectation, not a bound: what a run
really does depends on its draws, so every use of it leaves a wide margin.

Coefficients, measured on this project's scenarios (one replication each, ``run_engine``):

=========================  ===============  ==============================================================
What                       Figure           Measured
=========================  ===============  ==============================================================
events per post and day    0.07             0.046 (Kyrgyzstan, large mission) to 0.067 (Kyrgyzstan CSI)
events per incident        1                0.71 at 1 incident a day, 0.99-1.0 at 20 and 100 a day
seconds per event          1e-5             5.5e-6 (incident-heavy Kyrgyzstan) to 9e-6 (large mission)
bytes per daily row        200              148 in memory (Kyrgyzstan), plus the run keys
bytes per team-day row     60               34 in memory (Kyrgyzstan), plus the run keys
bytes per post in memory   10,000           (268 - 142 MB peak RSS) / 15,000 posts: ~8,400 (large mission)
=========================  ===============  ==============================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from deploysim.scenario.sanity import all_teams, peak_incidents_per_day, posts_ever

if TYPE_CHECKING:
    from deploysim.scenario.schema import Scenario

EVENTS_PER_POST_DAY = 0.07
EVENTS_PER_INCIDENT = 1.0
SECONDS_PER_EVENT = 1e-5
BYTES_PER_DAILY_ROW = 200
BYTES_PER_TEAM_DAY = 60
BYTES_PER_POST = 10_000


@dataclass(frozen=True)
class RunWork:
    """One run's expected size: the quantities that drive its time and memory, and their totals."""

    posts: int
    days: int
    teams: int
    mediator_slots: int
    incidents_per_day: float
    intakes: int

    @property
    def post_days(self) -> float:
        return float(self.posts) * self.days

    @property
    def incident_days(self) -> float:
        """Incidents over the horizon at the highest tension: the most the run may have to draw."""
        return self.incidents_per_day * self.days

    @property
    def events(self) -> float:
        """SimPy events expected: posts' careers, incidents, one daily pass, a cohort waiting a day each."""
        return (EVENTS_PER_POST_DAY * self.post_days + EVENTS_PER_INCIDENT * self.incident_days
                + self.days * (1 + self.intakes + self.mediator_slots * EVENTS_PER_POST_DAY))

    @property
    def seconds(self) -> float:
        return SECONDS_PER_EVENT * self.events

    @property
    def table_bytes(self) -> float:
        """Bytes of the run's daily and per-team tables, which outlive the run."""
        return BYTES_PER_DAILY_ROW * self.days + BYTES_PER_TEAM_DAY * float(self.teams) * self.days

    @property
    def memory_bytes(self) -> float:
        """Peak bytes of one run: its live posts and mediator slots, and its tables."""
        return BYTES_PER_POST * (self.posts + self.mediator_slots) + self.table_bytes

    @property
    def processes(self) -> int:
        """Live processes at one instant at most: one per post and mediator slot, a few per team and unit."""
        return self.posts + self.mediator_slots + self.teams + self.intakes


def estimate_run(scenario: Scenario) -> RunWork:
    """The work of one replication of ``scenario``, from its size alone (nothing is simulated)."""
    teams = all_teams(scenario)
    return RunWork(
        posts=posts_ever(scenario),
        days=scenario.horizon_days,
        teams=len(teams),
        mediator_slots=sum(t.mediators for t in teams),
        incidents_per_day=peak_incidents_per_day(scenario),
        intakes=sum(len(p.intakes) for p in scenario.training_programmes),
    )
