"""Which of day 0's vacant posts the roster fills: the posts that make teams operational first.

Handing the roster out in file order sends a roster of 100 to the first two teams of a ten-team
mission of 50-post teams, which leaves eight teams without a leader. ``operational_first`` is the
planner's rule instead: each team's minimum manning first (roles with fewest posts, such as team
leaders, before the others), one post per team in turn, then the remaining posts, again one per team
in turn. Listed priority teams and roles go before all others. The order is a pure function of the
plan, so the bare SimPy baseline in ``bench/`` hands the roster out exactly as the engine does.
"""

from __future__ import annotations

from collections.abc import Sequence

from deploysim.engine.plan import Plan


def _round_robin(queues: list[list[int]]) -> list[int]:
    order: list[int] = []
    depth = max((len(q) for q in queues), default=0)
    for k in range(depth):
        order.extend(q[k] for q in queues if k < len(q))
    return order


def call_up_order(plan: Plan, vacant: Sequence[tuple[int, str]]) -> list[int]:
    """Positions in ``vacant`` (each a day-0 vacant post as (team index, role), in opening order), best first."""
    roster = plan.recruitment
    if roster.roster_order == "file":
        order = list(range(len(vacant)))
    else:
        by_team: dict[int, dict[str, list[int]]] = {}
        for position, (team, role) in enumerate(vacant):
            by_team.setdefault(team, {}).setdefault(role, []).append(position)
        essential: list[list[int]] = []
        rest: list[list[int]] = []
        for team_index, roles in by_team.items():
            plan_team = plan.teams[team_index]
            in_place = {role: present for role, _, present in plan_team.opening_posts}
            needed: list[int] = []
            others: list[int] = []
            posts_of = {role: n for role, n, _ in plan_team.opening_posts}
            for role in sorted(roles, key=lambda r: posts_of.get(r, 0)):  # stable: file order among equals
                want = max(0, plan_team.min_manning.get(role, 0) - in_place.get(role, 0))
                needed.extend(roles[role][:want])
            taken = set(needed)
            for positions in roles.values():
                others.extend(p for p in positions if p not in taken)
            essential.append(needed)
            rest.append(sorted(others))
        order = _round_robin(essential) + _round_robin(rest)
    team_rank = {team: k for k, team in enumerate(roster.roster_priority_teams)}
    role_rank = {role: k for k, role in enumerate(roster.roster_priority_roles)}
    if team_rank or role_rank:
        last_team, last_role = len(team_rank), len(role_rank)
        order.sort(key=lambda p: (team_rank.get(vacant[p][0], last_team), role_rank.get(vacant[p][1], last_role)))
    return order
