"""Mission state kept incrementally: every change touches O(1) counters, never a scan.

A post is *filled* while at least one holder is deployed and *present* while at least one holder
is deployed and not on leave (a handover overlap briefly gives a post two holders). Team
operational status is a count of unmet minimum-manning requirements, updated only for the role
whose presence changed, so deciding whether a team is operational costs the same for 6 teams or
150.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import simpy

from deploysim.engine.plan import Plan, PostPlan, TeamPlan

# Event-log codes, kept short because a large mission logs hundreds of thousands of them.
CALL = "call issued"
READVERTISED = "call re-advertised"
ROSTER = "roster call-up"
ARRIVED = "deployed"
ROTATED = "rotated out"
REPATRIATED = "repatriated early"
EXTENDED = "tour extended"
MEDIATOR_CERTIFIED = "mediator certified"
MEDIATOR_FAILED = "mediator not certified"
MEDIATOR_LEFT = "mediator left"
TEAM_OPERATIONAL = "team operational"
TEAM_DOWN = "team not operational"
MANDATE_END = "mandate ended"


@dataclass(slots=True)
class MediatorSlot:
    certified: bool = False
    idle: simpy.Event | None = None


@dataclass(slots=True)
class TeamState:
    plan: TeamPlan
    present_by_role: dict[str, int]
    unmet: int
    filled: int = 0
    present: int = 0
    certified: int = 0
    operational: bool = False
    slots: list[MediatorSlot] = field(default_factory=list)
    queue: deque[float] = field(default_factory=deque)


@dataclass(slots=True)
class PostState:
    plan: PostPlan
    team: TeamState
    holders: int = 0
    present: int = 0
    successor_requested: bool = False
    ever_filled: bool = False
    gap_since: float = -1.0


class MissionState:
    """All mutable state of one run, on one object, as SimPy keeps all of its state on one Environment."""

    def __init__(self, env: simpy.Environment, plan: Plan, record_events: bool) -> None:
        self.env = env
        self.plan = plan
        self.record_events = record_events
        self.events: list[tuple[float, str, int, int]] = []
        self.teams = [self._team_state(t) for t in plan.teams]
        self.posts = [PostState(p, self.teams[p.team]) for p in plan.posts]
        self.authorised = len(self.posts)
        self.filled = 0
        self.present = 0
        self.in_pipeline = 0
        self.teams_operational = 0
        self.mediators_certified = 0
        self.mediators_employed = 0
        self.daily_burn = plan.local_staff_daily_total
        self.one_off_cost = 0.0
        self.roster_left = plan.roster_size
        self.closed = False
        self.handover_gap_days = 0.0
        self.waits: list[float] = []
        self.incidents_by_day = [0] * (plan.horizon + 1)
        for team in self.teams:
            self._refresh(team)

    def _team_state(self, plan: TeamPlan) -> TeamState:
        unmet = sum(1 for need in plan.min_manning.values() if need > 0) + (1 if plan.needs_mediator else 0)
        present_by_role = {role: 0 for role in plan.min_manning}
        return TeamState(plan, present_by_role, unmet, slots=[MediatorSlot() for _ in range(plan.mediators)])

    def log(self, what: str, team: int = -1, post: int = -1) -> None:
        if self.record_events:
            self.events.append((self.env.now, what, team, post))

    def _refresh(self, team: TeamState) -> None:
        operational = team.unmet == 0
        if operational != team.operational:
            team.operational = operational
            self.teams_operational += 1 if operational else -1
            self.log(TEAM_OPERATIONAL if operational else TEAM_DOWN, team.plan.index)

    # -- holders of posts ---------------------------------------------------------------
    def became_present(self, post: PostState) -> None:
        post.present += 1
        if post.present == 1:
            self.present += 1
            team = post.team
            team.present += 1
            role = post.plan.role
            need = team.plan.min_manning.get(role, 0)
            if need:
                count = team.present_by_role[role] + 1
                team.present_by_role[role] = count
                if count == need:
                    team.unmet -= 1
                    self._refresh(team)

    def became_absent(self, post: PostState) -> None:
        post.present -= 1
        if post.present == 0:
            self.present -= 1
            team = post.team
            team.present -= 1
            role = post.plan.role
            need = team.plan.min_manning.get(role, 0)
            if need:
                count = team.present_by_role[role] - 1
                team.present_by_role[role] = count
                if count == need - 1:
                    team.unmet += 1
                    self._refresh(team)

    def arrived(self, post: PostState) -> None:
        post.holders += 1
        self.daily_burn += self.plan.daily_rate_by_role[post.plan.role]
        self.one_off_cost += self.plan.travel_cost
        if post.holders == 1:
            self.filled += 1
            post.team.filled += 1
            if post.gap_since >= 0:
                self.handover_gap_days += self.env.now - post.gap_since
                post.gap_since = -1.0
            post.ever_filled = True
        self.became_present(post)
        self.log(ARRIVED, post.plan.team, post.plan.index)

    def departed(self, post: PostState, on_leave: bool, why: str) -> None:
        if not on_leave:
            self.became_absent(post)
        post.holders -= 1
        self.daily_burn -= self.plan.daily_rate_by_role[post.plan.role]
        if post.holders == 0:
            self.filled -= 1
            post.team.filled -= 1
            post.gap_since = self.env.now
        self.log(why, post.plan.team, post.plan.index)

    # -- mediators ------------------------------------------------------------------------
    def mediator_certified(self, team: TeamState, slot: MediatorSlot) -> None:
        slot.certified = True
        team.certified += 1
        self.mediators_certified += 1
        if team.certified == 1 and team.plan.needs_mediator:
            team.unmet -= 1
            self._refresh(team)
        self.log(MEDIATOR_CERTIFIED, team.plan.index)
        if slot.idle is not None and team.queue:
            event, slot.idle = slot.idle, None
            event.succeed()

    def mediator_left(self, team: TeamState, slot: MediatorSlot) -> None:
        slot.certified = False
        team.certified -= 1
        self.mediators_certified -= 1
        if team.certified == 0 and team.plan.needs_mediator:
            team.unmet += 1
            self._refresh(team)
        self.log(MEDIATOR_LEFT, team.plan.index)

    def mediation_requested(self, team: TeamState) -> None:
        team.queue.append(self.env.now)
        for slot in team.slots:
            if slot.certified and slot.idle is not None:
                event, slot.idle = slot.idle, None
                event.succeed()
                return

    # -- the end ----------------------------------------------------------------------------
    def close(self) -> None:
        """Mandate over: everyone leaves at once and no process acts again (drawdown)."""
        self.closed = True
        self.log(MANDATE_END)
        for post in self.posts:
            post.holders = post.present = 0
        for team in self.teams:
            team.filled = team.present = team.certified = 0
            team.operational = False
            team.queue.clear()
        self.authorised = self.filled = self.present = self.in_pipeline = 0
        self.teams_operational = self.mediators_certified = self.mediators_employed = 0
        self.daily_burn = 0.0
