"""Candidates for calls: contributors' nominations and pools, the fill ceiling and the funded-post limit.

A call that has closed asks the desk for a candidate. It gets one at once from the first eligible
contributor with a pool (and no nomination rate) that is not used up; otherwise it waits, first come
first served, for a nomination: each contributor with a rate nominates as a Poisson process while an
eligible call waits (memoryless, so sleeping while nobody waits changes nothing). A post counts
against the fill ceiling and the funded-post limit while it is held or being filled by someone who
has a candidate (a successor on a held post adds nothing); a call waits while the limit is reached
and is served when a post is released. The desk exists only when a scenario limits supply, so
unlimited scenarios pay nothing for it.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import simpy

from deploysim.engine.streams import stream_name
from deploysim.scenario.durations import Sampler
from deploysim.scenario.schema import Scenario

if TYPE_CHECKING:
    from deploysim.engine.state import MissionState, PostState


@dataclass(frozen=True, slots=True)
class ContingentPlan:
    delay: Sampler
    jitter: Sampler


@dataclass(frozen=True, slots=True)
class ContributorPlan:
    name: str
    rate: float | None  # nominations per day; none: the pool is there at once
    pool: float  # candidates in all; inf: no limit
    roles: frozenset[str] | None  # none: every role
    teams: frozenset[int] | None  # none: every team
    contingent: ContingentPlan | None
    stream: str

    def eligible(self, team: int, role: str) -> bool:
        return (self.roles is None or role in self.roles) and (self.teams is None or team in self.teams)


@dataclass(frozen=True, slots=True)
class SupplyPlan:
    contributors: tuple[ContributorPlan, ...]  # empty: candidates are unlimited, only the limits apply
    fill_ceiling: float
    funded_posts: float  # inf: no limit


def compile_supply(scenario: Scenario, team_index: dict[str, int]) -> SupplyPlan | None:
    """None when nothing limits supply, so the engine keeps its unlimited fast path."""
    supply = scenario.supply
    funded = scenario.budget.funded_posts
    if supply is None and funded is None:
        return None
    contributors: tuple[ContributorPlan, ...] = ()
    ceiling = 1.0
    if supply is not None:
        ceiling = supply.fill_ceiling
        contributors = tuple(
            ContributorPlan(
                name=c.name,
                rate=c.nominations,
                pool=math.inf if c.pool is None else float(c.pool),
                roles=frozenset(c.eligible_roles) or None,
                teams=frozenset(team_index[t] for t in c.eligible_teams) or None,
                contingent=None if c.contingent is None else ContingentPlan(
                    c.contingent.delay.sampler(), c.contingent.jitter.sampler()
                ),
                stream=stream_name("supply", c.name),
            )
            for c in supply.contributors
        )
    return SupplyPlan(contributors, ceiling, math.inf if funded is None else float(funded))


@dataclass(slots=True)
class _Waiting:
    post: PostState
    generation: tuple[int, int]
    needs_candidate: bool
    served: simpy.Event


class SupplyDesk:
    """The run's candidates and limits; every call that needs a candidate or a funded post asks here."""

    def __init__(self, state: MissionState, plan: SupplyPlan) -> None:
        self.state = state
        self.plan = plan
        self.remaining = [c.pool for c in plan.contributors]
        self.instant = [k for k, c in enumerate(plan.contributors) if c.rate is None and c.contingent is None]
        self.instant_left = sum(self.remaining[k] for k in self.instant)  # candidates a call finds at once
        self.unlimited = not plan.contributors
        self._authorised_seen = 0  # more authorised posts raise the fill ceiling: serve waiting calls then
        self.waiting: list[_Waiting] = []
        self.posts_supplied = 0
        self.changed = state.env.event()
        for k, contributor in enumerate(plan.contributors):
            if contributor.rate is not None and contributor.rate > 0:
                state.env.process(self._nominate(k, contributor.rate))

    # -- limits ---------------------------------------------------------------------------------
    def limit(self) -> float:
        ceiling = math.floor(self.plan.fill_ceiling * self.state.authorised + 1e-9)
        return min(self.plan.funded_posts, ceiling)

    def _gate_open(self, post: PostState) -> bool:
        return post.supplied > 0 or self.posts_supplied < self.limit()

    def occupy(self, post: PostState) -> None:
        """Someone now holds or is being sent to ``post`` (a served call, a roster call-up, a day-0 holder)."""
        post.supplied += 1
        if post.supplied == 1:
            self.posts_supplied += 1

    def released(self, post: PostState) -> None:
        """That person left or was stood down; a waiting call may now have room."""
        post.supplied -= 1
        if post.supplied == 0:
            self.posts_supplied -= 1
            if self.waiting and self.posts_supplied + 1 >= self.limit():  # the limit was binding: room now
                self._serve()
                self._wake_nominators()

    # -- calls ----------------------------------------------------------------------------------
    def request(self, post: PostState, needs_candidate: bool) -> simpy.Event | None:
        """None: served now (the post is occupied); else the event that fires when it is served."""
        if self.waiting and self.state.authorised > self._authorised_seen:
            self._serve()
        self._authorised_seen = self.state.authorised
        if self._gate_open(post) and (not needs_candidate or self._take_instant(post)):
            self.occupy(post)
            return None
        state = self.state
        entry = _Waiting(post, (state.pipeline_generation, post.generation), needs_candidate, state.env.event())
        self.waiting.append(entry)
        self._wake_nominators()
        return entry.served

    def _stale(self, entry: _Waiting) -> bool:
        state = self.state
        post = entry.post
        return (
            not (post.open and state.recruiting)
            or entry.generation != (state.pipeline_generation, post.generation)
            or state.closed
        )

    def _take_instant(self, post: PostState) -> bool:
        if self.unlimited:
            return True
        if self.instant_left < 1:
            return False
        team, role = post.team.plan.index, post.role
        for k in self.instant:
            if self.remaining[k] >= 1 and self.plan.contributors[k].eligible(team, role):
                self.remaining[k] -= 1
                self.instant_left -= 1
                return True
        return False

    def _serve(self) -> None:
        """Serve waiting calls in order while candidates and room last; drop calls nobody wants any more."""
        kept: list[_Waiting] = []
        for entry in self.waiting:
            if self._stale(entry):
                continue
            if self._gate_open(entry.post) and (not entry.needs_candidate or self._take_instant(entry.post)):
                self.occupy(entry.post)
                entry.served.succeed()
            else:
                kept.append(entry)
        self.waiting = kept

    def _wake_nominators(self) -> None:
        if self.changed.callbacks:
            event, self.changed = self.changed, self.state.env.event()
            event.succeed()

    def _ready(self, k: int) -> _Waiting | None:
        """The first waiting call contributor ``k`` may answer: eligible, needing a candidate, with room."""
        contributor = self.plan.contributors[k]
        for entry in self.waiting:
            post = entry.post
            if (
                entry.needs_candidate
                and not self._stale(entry)
                and contributor.eligible(post.team.plan.index, post.role)
                and self._gate_open(post)
            ):
                return entry
        return None

    def _nominate(self, k: int, rate: float) -> Generator[simpy.Event, None, None]:
        state = self.state
        env = state.env
        rng = state.stream(self.plan.contributors[k].stream)
        while self.remaining[k] >= 1 and not state.closed:
            if self._ready(k) is None:
                yield self.changed
                continue
            yield env.timeout(rng.expovariate(rate))
            entry = self._ready(k)
            if entry is None or state.closed:
                continue  # the nomination finds no call: as if none had been made (memoryless)
            self.remaining[k] -= 1
            self.waiting.remove(entry)
            self.occupy(entry.post)
            entry.served.succeed()
