"""Changes to the post table while the mission runs: expansion tranches and phases.

New posts go through the same pipeline as the first ones and draw from streams named after the
post (team, role, number), so the draws of every post that existed before are untouched.
"""

from __future__ import annotations

from collections.abc import Generator

import simpy

from deploysim.engine.decisions import decide, grant
from deploysim.engine.mediation import start_mediators
from deploysim.engine.plan import default_min_manning
from deploysim.engine.staffing import start_person
from deploysim.engine.state import WITHDRAWN, MissionState, PostState, TeamState
from deploysim.scenario.dynamics import Expansion, Phase

EXPANSION_TRIGGERED = "expansion triggered"
EXPANSION_APPROVED = "expansion approved"
EXPANSION_REFUSED = "expansion refused"
PHASE_STARTED = "phase started"
ABOLISHED = "post abolished"


def activate(state: MissionState, team: TeamState) -> None:
    """A team with posts gets its mediators' careers started (once)."""
    if team.plan.mediators > 0:
        start_mediators(state, team)


def add_posts(state: MissionState, team: TeamState, role: str, count: int) -> list[PostState]:
    posts = [state.open_post(team, role) for _ in range(count)]
    activate(state, team)
    if state.recruiting:
        for post in posts:
            start_person(state, post)
    return posts


def expansion_process(state: MissionState, expansion: Expansion) -> Generator[simpy.Event, None, None]:
    """Approval (its own consensus and delay), then the tranche's posts open."""
    env = state.env
    rng = state.stream(f"decision/expansion/{expansion.name}")
    state.log(EXPANSION_TRIGGERED)
    approved = True
    if expansion.approval is not None:
        delay = expansion.approval.delay.sampler()(rng)
        approved = decide(expansion.approval, rng.random())
        yield env.timeout(delay)
    if state.closed or not state.mandate_active:
        return
    if not approved:
        state.log(EXPANSION_REFUSED)
        return
    state.log(EXPANSION_APPROVED)
    state.milestone("expansion_approval_day")
    state.emit("expansion_approved")
    for team_def in expansion.new_teams:
        team = state.teams[state.plan.team_index[team_def.name]]
        state.set_team_rules(
            team, team_def.min_manning or default_min_manning(team_def.posts), team_def.needs_mediator
        )
    for team_def in expansion.new_teams:
        team = state.teams[state.plan.team_index[team_def.name]]
        for role, count in team_def.posts.items():
            add_posts(state, team, role, count)
    for name, posts in expansion.add_posts.items():
        team = state.teams[state.plan.team_index[name]]
        for role, count in posts.items():
            add_posts(state, team, role, count)


def _abolish(state: MissionState, post: PostState, at_once: bool) -> None:
    state.abolish_post(post)
    state.log(ABOLISHED, post.team.plan.index, post.index)
    if at_once:
        for person in list(post.people):
            person.interrupt(WITHDRAWN)


def apply_phase(state: MissionState, number: int, phase: Phase) -> None:
    """Re-role, then reconcile every (team, role) count with the phase's post table.

    Surplus posts are abolished vacant ones first, so as few holders as possible are displaced.
    """
    if state.closed or not state.mandate_active:
        return
    state.phase = number
    state.log(f"{PHASE_STARTED}: {phase.name}")
    at_once = phase.abolished_holders_leave == "at_once"
    open_posts = [p for p in state.posts if p.open]
    for post in open_posts:
        if post.role in phase.rerole:
            state.rerole(post, phase.rerole[post.role])
    current: dict[tuple[int, str], list[PostState]] = {}
    for post in open_posts:
        current.setdefault((post.team.plan.index, post.role), []).append(post)
    target: dict[tuple[int, str], int] = {}
    for team_def in phase.teams:
        index = state.plan.team_index[team_def.name]
        for role, count in team_def.posts.items():
            target[(index, role)] = count
        state.set_team_rules(
            state.teams[index], team_def.min_manning or default_min_manning(team_def.posts), team_def.needs_mediator
        )
    for key in sorted(set(current) | set(target)):
        posts = current.get(key, [])
        want = target.get(key, 0)
        if len(posts) > want:
            surplus = sorted(posts, key=lambda p: (p.holders > 0, -p.index))[: len(posts) - want]
            for post in surplus:
                _abolish(state, post, at_once)
        elif len(posts) < want:
            add_posts(state, state.teams[key[0]], key[1], want - len(posts))
    if phase.local_staff is not None:
        state.daily_burn += (phase.local_staff - state.local_staff) * state.plan.local_staff_daily
        state.local_staff = phase.local_staff
    if phase.grants_consent:
        grant(state)
