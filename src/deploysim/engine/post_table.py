"""Changes to the post table while the mission runs: expansion tranches and phases.

New posts go through the same pipeline as the first ones and draw from streams named after the
post (team, role, number), so the draws of every post that existed before are untouched.
"""

from __future__ import annotations

from collections.abc import Generator

import simpy

from deploysim.engine.decisions import grant
from deploysim.engine.events import (
    ABOLISHED,
    EXPANSION_APPROVED,
    EXPANSION_REFUSED,
    EXPANSION_TRIGGERED,
    WITHDRAWN,
    Signal,
    phase_started,
)
from deploysim.engine.mediation import set_mediator_slots, start_mediators, start_unit_incidents
from deploysim.engine.plan import unit_origin
from deploysim.engine.rules import ExpansionPlan, PhasePlan, TeamRules
from deploysim.engine.staffing import start_person
from deploysim.engine.state import MissionState, PostState, TeamState


def add_posts(state: MissionState, team: TeamState, role: str, count: int) -> list[PostState]:
    """Open posts and call for people at once; a team's mediators start with its first posts."""
    posts = [state.open_post(team, role) for _ in range(count)]
    start_mediators(state, team)
    if state.recruiting:
        for post in posts:
            start_person(state, post)
    return posts


def _apply_rules(state: MissionState, rules: tuple[TeamRules, ...]) -> None:
    for team in rules:
        state.set_team_rules(state.teams[team.team], team.min_manning, team.needs_mediator)


def start_expansion(state: MissionState, expansion: ExpansionPlan) -> None:
    state.env.process(_expansion(state, expansion))


def _expansion(state: MissionState, expansion: ExpansionPlan) -> Generator[simpy.Event, None, None]:
    """Approval (its own consensus and delay), then the tranche's posts open."""
    env = state.env
    rng = state.stream(expansion.stream)
    state.log(EXPANSION_TRIGGERED)
    approved = True
    if expansion.approval is not None:
        delay = expansion.approval.delay(rng)
        approved = expansion.approval.passes(rng.random())
        yield env.timeout(delay)
    if state.closed or not state.mandate_active:
        return
    if not approved:
        state.log(EXPANSION_REFUSED)
        return
    state.log(EXPANSION_APPROVED)
    state.milestone("expansion_approval_day")
    state.emit(Signal.EXPANSION_APPROVED)
    start_unit_incidents(state, unit_origin("expansion", expansion.name))
    _apply_rules(state, expansion.new_teams)
    for team, role, count in expansion.posts:
        add_posts(state, state.teams[team], role, count)


def _abolish(state: MissionState, post: PostState, at_once: bool) -> None:
    state.abolish_post(post)
    state.log(ABOLISHED, post.team.plan.index, post.index)
    if at_once:
        for person in list(post.people):
            person.interrupt(WITHDRAWN)


def _reconcile_mediators(state: MissionState, phase: PhasePlan) -> None:
    """The phase's mediator slots: as stated for its teams (kept where not stated), none for the
    teams its post table drops, whose mediators' careers and pay end with the phase."""
    stated = {rules.team: rules.mediators for rules in phase.teams}
    for team in state.teams:
        wanted = stated.get(team.plan.index, 0)
        set_mediator_slots(state, team, team.active_slots if wanted is None else wanted)


def apply_phase(state: MissionState, phase: PhasePlan) -> None:
    """Re-role, then reconcile every (team, role) count with the phase's post table.

    Surplus posts are abolished vacant ones first, so as few holders as possible are displaced.
    """
    if state.closed or not state.mandate_active:
        return
    state.phase = phase.number
    state.log(phase_started(phase.name))
    open_posts = [p for p in state.posts if p.open]
    for post in open_posts:
        if post.role in phase.rerole:
            state.rerole(post, phase.rerole[post.role])
    current: dict[tuple[int, str], list[PostState]] = {}
    for post in open_posts:
        current.setdefault((post.team.plan.index, post.role), []).append(post)
    _apply_rules(state, phase.teams)
    _reconcile_mediators(state, phase)
    start_unit_incidents(state, unit_origin("phase", phase.name))
    target = phase.posts
    for key in sorted(set(current) | set(target)):
        posts = current.get(key, [])
        want = target.get(key, 0)
        if len(posts) > want:
            surplus = sorted(posts, key=lambda p: (p.holders > 0, -p.index))[: len(posts) - want]
            for post in surplus:
                _abolish(state, post, phase.holders_leave_at_once)
        elif len(posts) < want:
            add_posts(state, state.teams[key[0]], key[1], want - len(posts))
    if phase.local_staff is not None:
        state.daily_burn += (phase.local_staff - state.local_staff) * state.plan.costs.local_staff_daily
        state.local_staff = phase.local_staff
    if phase.grants_consent:
        grant(state)
