"""Rules on the names in a scenario: each is defined once, and each reference finds what it names.

A name written twice or a reference to nothing would not stop a run: the engine keeps the first
definition of a team or unit it meets, a phase's post table is a mapping in which a second entry
for a team silently replaces the first, and posts added under a misspelt role become a new role.
The run would then answer another question than the one asked, so each is refused here, at the
field that holds it (see :func:`~deploysim.scenario.base.rule_error`).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from deploysim.scenario.base import RulePath, Team, Unit, rule_error
from deploysim.scenario.dynamics import Expansion, PhaseTeam, Trigger

if TYPE_CHECKING:
    from deploysim.scenario.schema import Scenario


def _listed(names: Iterable[str], shown: int = 10) -> str:
    """Names for a message, sorted; past ``shown`` of them, how many more (a large mission has 150 teams)."""
    ordered = sorted(names)
    more = f" and {len(ordered) - shown:,} more" if len(ordered) > shown else ""
    return ", ".join(ordered[:shown]) + more or "(none)"


def _closest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def require_unique(field: RulePath, names: list[str]) -> None:
    """Each name of a list once: the engine would keep the first and silently drop the rest."""
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in first:
            raise rule_error((*field, i, "name"), f"{name!r} appears twice (first as item {first[name]})")
        first[name] = i


def every_role(scenario: Scenario) -> list[str]:
    """Every role any post may ever have: initial teams, phases (re-roles included) and expansions."""
    roles = defined_roles(scenario)
    for expansion in scenario.expansions:
        roles |= {role for posts in expansion.add_posts.values() for role in posts}
    return sorted(roles)


def defined_roles(scenario: Scenario) -> set[str]:
    """The roles of the post tables a scenario writes out (teams, phases, re-roles, new teams), which
    posts added to an existing team must be among."""
    roles = {role for t in scenario.teams for role in t.posts}
    for phase in scenario.phases:
        roles |= {role for t in phase.teams for role in t.posts} | set(phase.rerole.values())
    for expansion in scenario.expansions:
        roles |= {role for t in expansion.new_teams for role in t.posts}
    return roles


def _check_team(where: RulePath, team: Team | PhaseTeam) -> None:
    """Minimum manning and people in place fit within the team's posts."""
    for role, need in team.min_manning.items():
        have = team.posts.get(role, 0)
        if need > have:
            raise rule_error(
                (*where, "min_manning", role),
                f"team {team.name!r} needs {need} {role} present but has only {have} {role} "
                f"post{'s' if have != 1 else ''}",
            )
    for role, count in team.in_place.items():
        if count > team.posts.get(role, 0):
            raise rule_error(
                (*where, "in_place", role),
                f"{count} people in place but only {team.posts.get(role, 0)} {role} posts",
            )


def check_tables(scenario: Scenario) -> None:
    """The day-0 post table: unique names, teams in known units, manning within posts, roles costed."""
    require_unique(("units",), [u.name for u in scenario.units])
    require_unique(("teams",), [t.name for t in scenario.teams])
    unit_names = {u.name for u in scenario.units}
    for i, team in enumerate(scenario.teams):
        if team.unit not in unit_names:
            raise rule_error(
                ("teams", i, "unit"),
                f"team {team.name!r} points at unit {team.unit!r}, which is not among units ({_listed(unit_names)})",
            )
        _check_team(("teams", i), team)
        if team.size == 0:
            raise rule_error(("teams", i, "posts"), f"team {team.name!r} has no posts")
    known_roles = set(every_role(scenario))
    for role in scenario.costs.roles:
        if role not in known_roles:
            raise rule_error(
                ("costs", "roles", role),
                f"no post anywhere has role {role!r}; roles: {_listed(known_roles)}{_closest(role, known_roles)}",
            )


def _fixed_start(trigger: Trigger, start: dt.date) -> float | None:
    if trigger.date is not None:
        return float((trigger.date - start).days)
    if trigger.after is not None:
        return float(trigger.after)
    return None


def _new_units(where: RulePath, units: list[Unit], known: dict[str, str]) -> None:
    """Units a phase or an expansion adds: new names only (a second definition would be ignored)."""
    require_unique(where, [u.name for u in units])
    for i, unit in enumerate(units):
        if unit.name in known:
            raise rule_error(
                (*where, i, "name"), f"unit {unit.name!r} is already defined in {known[unit.name]}; give a new name"
            )
        known[unit.name] = ".".join(str(part) for part in where)


class _Known:
    """Names defined so far, in the order the engine meets them: day-0 tables, phases, expansions."""

    def __init__(self, scenario: Scenario) -> None:
        self.units = {u.name: "units" for u in scenario.units}
        self.teams = {t.name: t for t in scenario.teams}
        self.mediators = {t.name: t.mediators for t in scenario.teams}


def _phase_team(where: RulePath, team: PhaseTeam, known: _Known) -> None:
    existing = known.teams.get(team.name)
    if existing is not None and "mediators" in team.model_fields_set and team.mediators > known.mediators[team.name]:
        raise rule_error(
            (*where, "mediators"),
            f"team {team.name!r} has {known.mediators[team.name]} mediator slot(s) where it is first defined; "
            "a phase can stop needing mediators but cannot add slots",
        )
    if team.unit is None and existing is None:
        raise rule_error(
            (*where, "name"),
            f"unknown team {team.name!r}; name an existing team ({_listed(known.teams)}) or give the new team a unit"
            f"{_closest(team.name, known.teams)}",
        )
    if team.unit is not None and team.unit not in known.units:
        raise rule_error((*where, "unit"), f"unit {team.unit!r} is not among units or new_units")
    if team.unit is not None and existing is not None and existing.unit not in (None, team.unit):
        raise rule_error(
            (*where, "unit"),
            f"team {team.name!r} is based in unit {existing.unit!r}; a phase cannot move it (leave the unit out, "
            "or give a new team a new name)",
        )
    if team.in_place:
        raise rule_error((*where, "in_place"), "only teams of the day-0 table (teams) can have people in place")
    _check_team(where, team)


def _check_phases(scenario: Scenario, known: _Known) -> None:
    roles = set(every_role(scenario))
    previous_start: float | None = None
    for k, phase in enumerate(scenario.phases):
        _new_units(("phases", k, "new_units"), phase.new_units, known.units)
        require_unique(("phases", k, "teams"), [t.name for t in phase.teams])
        for i, team in enumerate(phase.teams):
            _phase_team(("phases", k, "teams", i), team, known)
        for team in phase.teams:
            known.teams.setdefault(team.name, team)
            known.mediators.setdefault(team.name, team.mediators)
        for old in phase.rerole:
            if old not in roles:
                raise rule_error(
                    ("phases", k, "rerole", old), f"no post anywhere has role {old!r}{_closest(old, roles)}"
                )
        start = _fixed_start(phase.trigger, scenario.start_date)
        if start is not None and previous_start is not None and start <= previous_start:
            raise rule_error(
                ("phases", k, "trigger"),
                f"phase {phase.name!r} would start on day {start:g}, not after the previous phase (day "
                f"{previous_start:g}); phases are ordered and must not overlap",
            )
        previous_start = start if start is not None else previous_start


def _check_expansion(k: int, expansion: Expansion, known: _Known, roles: set[str]) -> None:
    _new_units(("expansions", k, "new_units"), expansion.new_units, known.units)
    require_unique(("expansions", k, "new_teams"), [t.name for t in expansion.new_teams])
    for i, team in enumerate(expansion.new_teams):
        where: RulePath = ("expansions", k, "new_teams", i)
        if team.unit not in known.units:
            raise rule_error((*where, "unit"), f"unit {team.unit!r} is not among units")
        if team.name in known.teams:
            raise rule_error(
                (*where, "name"), f"team {team.name!r} already exists; to give it more posts use add_posts"
            )
        if team.in_place:
            raise rule_error((*where, "in_place"), "only teams of the day-0 table (teams) can have people in place")
        _check_team(where, team)
    known.teams.update({t.name: t for t in expansion.new_teams})
    for name, posts in expansion.add_posts.items():
        if name not in known.teams:
            raise rule_error(
                ("expansions", k, "add_posts", name),
                f"unknown team {name!r}; known: {_listed(known.teams)}{_closest(name, known.teams)}",
            )
        for role in posts:
            if role not in roles:
                raise rule_error(
                    ("expansions", k, "add_posts", name, role),
                    f"no post table has role {role!r}{_closest(role, roles)}; posts added to a team must have a "
                    f"role of the scenario ({_listed(roles)})",
                )


def check_dynamics(scenario: Scenario) -> None:
    """Names used by consent, expansions, phases and programmes must exist; phases must not overlap."""
    known = _Known(scenario)
    require_unique(("phases",), [p.name for p in scenario.phases])
    require_unique(("expansions",), [e.name for e in scenario.expansions])
    require_unique(("training_programmes",), [p.name for p in scenario.training_programmes])
    _check_phases(scenario, known)
    roles = defined_roles(scenario)
    for k, expansion in enumerate(scenario.expansions):
        _check_expansion(k, expansion, known, roles)
    day0 = {t.name for t in scenario.teams}
    for i, name in enumerate(scenario.consent.advance_teams):
        if name not in day0:
            raise rule_error(
                ("consent", "advance_teams", i), f"unknown team {name!r}; teams: {_listed(day0)}{_closest(name, day0)}"
            )
    fallback = scenario.consent.fallback_phase
    phase_names = [p.name for p in scenario.phases]
    if fallback is not None and fallback not in phase_names:
        raise rule_error(
            ("consent", "fallback_phase"), f"no phase is named {fallback!r}{_closest(fallback, phase_names)}"
        )
    all_roles = set(every_role(scenario))
    _check_supply_names(scenario, all_roles, set(known.teams))
    for k, programme in enumerate(scenario.training_programmes):
        if programme.trainer_role is not None and programme.trainer_role not in all_roles:
            raise rule_error(
                ("training_programmes", k, "trainer_role"),
                f"no post anywhere has role {programme.trainer_role!r}{_closest(programme.trainer_role, all_roles)}",
            )


def _check_supply_names(scenario: Scenario, roles: set[str], teams: set[str]) -> None:
    """Contributors' and the roster's eligibility and priorities name roles and teams that exist."""
    checks: list[tuple[RulePath, list[str], set[str], str]] = []
    roster = scenario.recruitment.roster
    checks.append((("recruitment", "roster", "priority_roles"), roster.priority_roles, roles, "role"))
    checks.append((("recruitment", "roster", "priority_teams"), roster.priority_teams, teams, "team"))
    if scenario.supply is not None:
        require_unique(("supply", "contributors"), [c.name for c in scenario.supply.contributors])
        for k, contributor in enumerate(scenario.supply.contributors):
            where: RulePath = ("supply", "contributors", k)
            checks.append(((*where, "eligible_roles"), contributor.eligible_roles, roles, "role"))
            checks.append(((*where, "eligible_teams"), contributor.eligible_teams, teams, "team"))
    for where, names, known, kind in checks:
        for i, name in enumerate(names):
            if name not in known:
                raise rule_error(
                    (*where, i), f"no {kind} is named {name!r}; {kind}s: {_listed(known)}{_closest(name, known)}"
                )
