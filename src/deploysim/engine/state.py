"""Mission state kept incrementally: every change touches O(1) counters, never a scan.

A post is *filled* while at least one holder is deployed and *present* while at least one holder
is deployed and not on leave (a handover overlap briefly gives a post two holders). Team
operational status is a count of unmet minimum-manning requirements, updated only for the role
whose presence changed, so deciding whether a team is operational costs the same for 6 teams or
150. Posts can be opened, abolished and re-roled while the mission runs (expansions, phases).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import simpy

from deploysim.engine.budget import BudgetLedger
from deploysim.engine.events import (
    ARRIVED,
    CLOSED,
    DRAWDOWN,
    MEDIATOR_CERTIFIED,
    MEDIATOR_LEFT,
    ROTATED,
    TEAM_DOWN,
    TEAM_OPERATIONAL,
    WITHDRAWN,
    ConsentState,
)
from deploysim.engine.plan import Plan, TeamPlan
from deploysim.engine.streams import stream_name
from deploysim.engine.supply import SupplyDesk
from deploysim.engine.tension_clock import TensionClock
from deploysim.scenario.durations import Sampler


@dataclass(slots=True)
class MediatorSlot:
    """One mediator post of a team. ``active`` is false once a phase removes the slot: its career and
    desk stop at their next step and its pay stops at once. ``employed``: someone holds it and is paid
    (from recruitment on, certified or still in training)."""

    certified: bool = False
    idle: simpy.Event | None = None
    active: bool = True
    employed: bool = False
    started: bool = False


@dataclass(slots=True)
class TeamState:
    plan: TeamPlan
    min_manning: dict[str, int]
    needs_mediator: bool
    present_by_role: dict[str, int] = field(default_factory=dict)
    unmet: int = 0
    authorised: int = 0
    filled: int = 0
    present: int = 0
    certified: int = 0
    operational: bool = False
    advance: bool = True
    mediators_started: bool = False
    slots: list[MediatorSlot] = field(default_factory=list)
    active_slots: int = 0
    queue: deque[float] = field(default_factory=deque)


@dataclass(slots=True)
class PostState:
    index: int
    team: TeamState
    role: str
    rng: random.Random
    open: bool = True
    holders: int = 0
    present: int = 0
    gap_since: float = -1.0
    in_pipeline: int = 0
    generation: int = 0
    people: list[simpy.Process] = field(default_factory=list)
    roster_reserved: bool = False  # day 0's roster call-up order gave this post a roster person
    contingent_arrival: float = -1.0  # a pledged contingent's block arrives then (days; -1: none)
    contingent_jitter: Sampler | None = None  # each of its people's own delay after the block
    supplied: int = 0  # people with a candidate for this post, on the way or deployed (supply desk only)


class MissionState:
    """All mutable state of one run, on one object, as SimPy keeps all of its state on one Environment."""

    def __init__(
        self, env: simpy.Environment, plan: Plan, record_events: bool, stream: Callable[[str], random.Random]
    ) -> None:
        self.env = env
        self.plan = plan
        self.record_events = record_events
        self.stream = stream
        self.events: list[tuple[float, str, int, int]] = []
        self.teams = [
            TeamState(
                t,
                dict(t.min_manning),
                t.needs_mediator,
                advance=t.advance,
                slots=[MediatorSlot() for _ in range(t.mediators)],
                active_slots=t.mediators,
            )
            for t in plan.teams
        ]
        self.posts: list[PostState] = []
        self.next_post_number: dict[tuple[int, str], int] = {}
        self.authorised = 0
        self.filled = 0
        self.deployed = 0
        self.present = 0
        self.present_by_role: dict[str, int] = {role: 0 for role in plan.roles}
        self.in_pipeline = 0
        self.pipeline_generation = 0
        self.teams_operational = 0
        self.active_teams = 0
        self.mediators_certified = 0
        self.mediators_employed = 0
        self.daily_rate_by_role = plan.costs.daily_rate_by_role
        self.daily_burn = plan.costs.local_staff_daily_total
        self.local_staff = plan.costs.local_staff
        self.one_off_cost = 0.0
        self.roster_left = plan.recruitment.roster_size  # below zero once a refill is being drawn on
        self.roster_refill = plan.recruitment.roster_refill_per_day
        self.recruiting = True
        self.mandate_active = True
        self.closed = False
        self.closed_at = -1.0
        self.consent = plan.consent.initial
        self.consent_changed = env.event()
        self.phase = 0
        self.handover_gap_days = 0.0
        self.waits: list[float] = []  # requests served: the wait until a mediator took them up
        self.censored_waits: list[float] = []  # requests still waiting when the mission closed: time waited so far
        self.mediation_requests = 0
        self.mediation_unmet = 0
        self.incidents_by_day = [0] * (plan.horizon + 1)
        self.watched_incidents_by_day = [0] * (plan.horizon + 1)  # in units whose team is active (rate trigger)
        self.tension_on = plan.tension is not None
        self.tension = plan.tension.initial if plan.tension is not None else 1.0
        self.tension_clock = TensionClock(env)
        self.listeners: dict[str, list[Callable[[], None]]] = {}
        self.milestones: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.cadets_academy = 0
        self.cadets_field = 0
        self.cadets_graduated = 0
        self.cadets_at_close = 0  # in the academy or the field when the mission closed: their course ends with it
        self.trainers_committed: dict[str, int] = {}
        self.stop = env.event()
        for team in self.teams:
            self._recount(team)
        self.supply = SupplyDesk(self, plan.supply) if plan.supply is not None else None
        budget = plan.budget
        self.ledger = (
            BudgetLedger(self, plan, budget.ceiling, budget.tour_reserve_days)
            if budget.committed and budget.ceiling is not None
            else None
        )

    def take_roster(self) -> bool:
        """One roster person for a call, if any is left (a refill adds people steadily over time)."""
        available = self.roster_left + (int(self.roster_refill * self.env.now) if self.roster_refill else 0)
        if available <= 0:
            return False
        self.roster_left -= 1
        return True

    # -- bookkeeping ------------------------------------------------------------------------
    def log(self, what: str, team: int = -1, post: int = -1) -> None:
        if self.record_events:
            self.events.append((self.env.now, what, team, post))

    def milestone(self, name: str) -> None:
        """Record the first time something happened (consent, expansion approval, ...)."""
        self.milestones.setdefault(name, self.env.now)

    def count(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    def on(self, signal: str, callback: Callable[[], None]) -> None:
        self.listeners.setdefault(signal, []).append(callback)

    def emit(self, signal: str) -> None:
        for callback in self.listeners.pop(signal, []):
            callback()

    def _refresh(self, team: TeamState) -> None:
        operational = team.unmet == 0 and team.authorised > 0
        if operational != team.operational:
            team.operational = operational
            self.teams_operational += 1 if operational else -1
            self.log(TEAM_OPERATIONAL if operational else TEAM_DOWN, team.plan.index)

    def _recount(self, team: TeamState) -> None:
        """Recompute a team's unmet requirements from scratch: only when its rules change."""
        unmet = sum(1 for role, need in team.min_manning.items() if team.present_by_role.get(role, 0) < need)
        team.unmet = unmet + (1 if team.needs_mediator and team.certified == 0 else 0)
        self._refresh(team)

    def set_team_rules(self, team: TeamState, min_manning: dict[str, int], needs_mediator: bool) -> None:
        team.min_manning = dict(min_manning)
        team.needs_mediator = needs_mediator
        self._recount(team)

    # -- the post table ---------------------------------------------------------------------
    def open_post(self, team: TeamState, role: str) -> PostState:
        """A post's stream is named after its team, role and number, so opening one never shifts another's draws."""
        key = (team.plan.index, role)
        number = self.next_post_number.get(key, 0)
        self.next_post_number[key] = number + 1
        post = PostState(len(self.posts), team, role, self.stream(stream_name("post", team.plan.name, role, number)))
        self.posts.append(post)
        self.authorised += 1
        if team.authorised == 0:
            self.active_teams += 1
        team.authorised += 1
        self._refresh(team)
        return post

    def abolish_post(self, post: PostState) -> None:
        """Close a post: no successor is called; its holders leave as the caller arranges.

        Holders still serving out their tours are no longer counted as filling a post or manning
        a team (the post table no longer has their post), but they are paid until they leave.
        """
        if not post.open:
            return
        if post.present:
            self.present -= 1
            post.team.present -= 1
            self._role_presence(post.team, post.role, -1)
        if post.holders:
            self.filled -= 1
            post.team.filled -= 1
        post.open = False
        self.in_pipeline -= post.in_pipeline  # whoever was on the way is stood down
        post.in_pipeline = 0
        post.generation += 1
        self.authorised -= 1
        team = post.team
        team.authorised -= 1
        if team.authorised == 0:
            self.active_teams -= 1
        self._refresh(team)

    def rerole(self, post: PostState, role: str) -> None:
        """The post and its holders stay; presence, rules and pay follow the new role."""
        old = post.role
        if old == role:
            return
        team = post.team
        if post.present:
            self._role_presence(team, old, -1)
        rates = self.daily_rate_by_role
        self.daily_burn += post.holders * (rates[role] - rates[old])
        post.role = role
        if post.present:
            self._role_presence(team, role, +1)

    # -- holders of posts ---------------------------------------------------------------------
    def _role_presence(self, team: TeamState, role: str, change: int) -> None:
        count = team.present_by_role.get(role, 0) + change
        team.present_by_role[role] = count
        self.present_by_role[role] = self.present_by_role.get(role, 0) + change
        need = team.min_manning.get(role, 0)
        if need:
            if change > 0 and count == need:
                team.unmet -= 1
                self._refresh(team)
            elif change < 0 and count == need - 1:
                team.unmet += 1
                self._refresh(team)

    def became_present(self, post: PostState) -> None:
        post.present += 1
        if post.present == 1 and post.open:
            self.present += 1
            post.team.present += 1
            self._role_presence(post.team, post.role, +1)

    def became_absent(self, post: PostState) -> None:
        post.present -= 1
        if post.present == 0 and post.open:
            self.present -= 1
            post.team.present -= 1
            self._role_presence(post.team, post.role, -1)

    def arrived(self, post: PostState) -> None:
        post.holders += 1
        self.deployed += 1
        self.daily_burn += self.daily_rate_by_role[post.role]
        self.one_off_cost += self.plan.costs.travel
        if post.holders == 1 and post.open:
            self.filled += 1
            post.team.filled += 1
            if post.gap_since >= 0:
                self.handover_gap_days += self.env.now - post.gap_since
                post.gap_since = -1.0
        self.became_present(post)
        self.log(ARRIVED, post.team.plan.index, post.index)

    def departed(self, post: PostState, on_leave: bool, why: str) -> None:
        if not on_leave:
            self.became_absent(post)
        post.holders -= 1
        self.deployed -= 1
        self.daily_burn -= self.daily_rate_by_role[post.role]
        if self.supply is not None:
            self.supply.released(post)
        if post.holders == 0 and post.open:
            self.filled -= 1
            post.team.filled -= 1
            if self.recruiting and why == ROTATED:  # after an early repatriation it is a vacancy, not a handover
                post.gap_since = self.env.now
        self.log(why, post.team.plan.index, post.index)

    def count_open_gaps(self, until: float) -> None:
        """Handover gaps still open when the run ends count up to its end (then they are closed)."""
        for post in self.posts:
            if post.open and post.gap_since >= 0:
                self.handover_gap_days += max(until - post.gap_since, 0.0)
                post.gap_since = -1.0

    def stop_recruiting(self) -> None:
        """No new calls; everyone on the way is stood down at once (they stop at their next step)."""
        self.recruiting = False
        self.in_pipeline = 0
        self.pipeline_generation += 1
        for post in self.posts:
            post.in_pipeline = 0

    # -- consent ---------------------------------------------------------------------------
    def may_deploy(self, post: PostState) -> bool:
        return self.consent == ConsentState.GRANTED or post.team.advance

    def set_consent(self, state: ConsentState, what: str) -> None:
        self.consent = state
        self.log(what)
        event, self.consent_changed = self.consent_changed, self.env.event()
        event.succeed()

    # -- mediators ------------------------------------------------------------------------
    def mediator_hired(self, slot: MediatorSlot) -> None:
        """Pay starts with recruitment and runs through training, certified or not."""
        slot.employed = True
        self.mediators_employed += 1

    def mediator_released(self, slot: MediatorSlot) -> None:
        if slot.employed:
            slot.employed = False
            self.mediators_employed -= 1

    def mediator_certified(self, team: TeamState, slot: MediatorSlot) -> None:
        slot.certified = True
        team.certified += 1
        self.mediators_certified += 1
        if team.certified == 1 and team.needs_mediator:
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
        if team.certified == 0 and team.needs_mediator:
            team.unmet += 1
            self._refresh(team)
        self.log(MEDIATOR_LEFT, team.plan.index)

    def remove_mediator_slot(self, team: TeamState, slot: MediatorSlot) -> None:
        """A phase abolishes the slot: the mediator's career ends and pay stops now.

        When the team's last slot goes, the requests still queued for it will never be served: they
        are counted as unmet, not left waiting to the end of the mission.
        """
        if not slot.active:
            return
        slot.active = False
        slot.idle = None
        team.active_slots -= 1
        if slot.certified:
            self.mediator_left(team, slot)
        self.mediator_released(slot)
        if team.active_slots == 0 and team.queue:
            self.mediation_unmet += len(team.queue)
            team.queue.clear()

    def mediation_requested(self, team: TeamState) -> None:
        """A request while the team is deployed and has a mediator slot: queued for a certified
        mediator, or unmet when the team has none certified (demand, not a months-long wait)."""
        self.mediation_requests += 1
        if team.certified == 0:
            self.mediation_unmet += 1
            return
        team.queue.append(self.env.now)
        for slot in team.slots:
            if slot.certified and slot.idle is not None:
                event, slot.idle = slot.idle, None
                event.succeed()
                return

    # -- the end ----------------------------------------------------------------------------
    def begin_drawdown(self, why: str | None) -> None:
        """Mandate over: no new calls, posts close, holders leave over the drawdown period, then close."""
        if not self.mandate_active:
            return
        self.mandate_active = False
        self.stop_recruiting()
        if why:
            self.log(why)
        self.log(DRAWDOWN)
        period = self.plan.mandate.drawdown_days
        rng = self.stream("drawdown")
        for post in self.posts:
            if post.open:
                self.abolish_post(post)
            for person in list(post.people):
                leave_at = rng.uniform(0.0, period) if period > 0 else 0.0
                self.env.timeout(leave_at).callbacks.append(_interrupter(person))
        self.env.timeout(period).callbacks.append(lambda _: self.close())

    def close(self) -> None:
        """Mission over: everything still running stops acting and the run ends."""
        if self.closed:
            return
        self.closed = True
        self.closed_at = self.env.now
        self.mandate_active = False
        self.log(CLOSED)
        for post in self.posts:
            post.holders = post.present = 0
            post.people.clear()
        self.cadets_at_close = self.cadets_academy + self.cadets_field
        now = self.env.now
        for team in self.teams:
            team.filled = team.present = team.certified = team.authorised = 0
            team.operational = False
            self.censored_waits.extend(now - since for since in team.queue)  # still waiting: censored here
            team.queue.clear()
        self.authorised = self.filled = self.deployed = self.present = self.in_pipeline = 0
        self.teams_operational = self.mediators_certified = self.mediators_employed = self.active_teams = 0
        self.daily_burn = 0.0
        if not self.stop.triggered:
            self.stop.succeed()


def _interrupter(person: simpy.Process) -> Callable[[simpy.Event], None]:
    def interrupt(_: simpy.Event) -> None:
        if person.is_alive:
            person.interrupt(WITHDRAWN)

    return interrupt
