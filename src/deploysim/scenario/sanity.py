"""Rules across fields that keep a run finite and its tables true: size, dates and zero-time loops.

Single fields are bounded where they are declared (:mod:`~deploysim.scenario.limits`); what is
checked here needs several at once: the posts, teams and mediators of every post table the mission
may open, the incidents of all units at the tension ceiling, the dates the tables will hold, the
mean time to fill a post, and the loops the engine would run in zero time that no single field
rules out: a mediator slot retrying certification with no time per attempt, and a holder extending
a tour again and again on arrival because the replacement lead is longer than the tour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deploysim.scenario.base import Team, rule_error
from deploysim.scenario.limits import (
    FIRST_DATE,
    LAST_DATE,
    MAX_CADETS,
    MAX_EXTENSIONS_AT_ONCE,
    MAX_FILL_DAYS,
    MAX_INTAKES,
    MAX_MEDIATORS,
    MAX_MISSION_INCIDENTS,
    MAX_POSTS,
    MAX_READVERTISE,
    MAX_TEAMS,
    MAX_UNITS,
    MIN_ATTEMPT_DAYS,
    MIN_QUICK_YIELD,
    years,
)

if TYPE_CHECKING:
    from deploysim.scenario.schema import Scenario


def check_sanity(scenario: Scenario) -> None:
    _check_dates(scenario)
    _check_size(scenario)
    _check_incidents(scenario)
    _check_pipeline(scenario)
    _check_extensions(scenario)
    _check_certification(scenario)
    _check_cadets(scenario)


def _check_dates(scenario: Scenario) -> None:
    """Every date of the result tables must exist in pandas' datetime64[ns]; past its end they wrap."""
    start = scenario.start_date
    if start < FIRST_DATE:
        raise rule_error(("start_date",), f"must be {FIRST_DATE} or later (the first date the result tables hold)")
    days = scenario.horizon_days
    if (LAST_DATE - start).days < days:
        raise rule_error(
            ("start_date",),
            f"{start} plus the horizon of {years(days)} ends after {LAST_DATE}, the last date the result tables "
            "can hold; start earlier or shorten the horizon",
        )


def all_teams(scenario: Scenario) -> list[Team]:
    """Each team definition the mission may use, day-0 teams first, as the engine compiles them."""
    teams: dict[str, Team] = {t.name: t for t in scenario.teams}
    for phase in scenario.phases:
        for team in phase.teams:
            teams.setdefault(team.name, team)
    for expansion in scenario.expansions:
        for new in expansion.new_teams:
            teams.setdefault(new.name, new)
    return list(teams.values())


def posts_ever(scenario: Scenario) -> int:
    """Posts the mission may open at most: the day-0 table, every phase's whole table (a phase opens at
    most that many), and every expansion tranche. Closed posts stay in memory, so all of them count."""
    total = sum(t.size for t in scenario.teams)
    total += sum(t.size for phase in scenario.phases for t in phase.teams)
    for expansion in scenario.expansions:
        total += sum(t.size for t in expansion.new_teams)
        total += sum(n for posts in expansion.add_posts.values() for n in posts.values())
    return total


def _check_size(scenario: Scenario) -> None:
    posts = posts_ever(scenario)
    if posts > MAX_POSTS:
        raise rule_error(
            ("teams",),
            f"the mission may open {posts:,} posts (day-0 teams, every phase's table and every expansion); "
            f"at most {MAX_POSTS:,} can be simulated",
        )
    teams = all_teams(scenario)
    if len(teams) > MAX_TEAMS:
        raise rule_error(("teams",), f"{len(teams):,} teams with phases and expansions; at most {MAX_TEAMS:,}")
    units = {u.name for u in scenario.units}
    units |= {u.name for p in scenario.phases for u in p.new_units}
    units |= {u.name for e in scenario.expansions for u in e.new_units}
    if len(units) > MAX_UNITS:
        raise rule_error(("units",), f"{len(units):,} units with phases and expansions; at most {MAX_UNITS:,}")
    slots = sum(t.mediators for t in teams)
    if slots > MAX_MEDIATORS:
        raise rule_error(
            ("teams",), f"{slots:,} mediator slots in all teams; at most {MAX_MEDIATORS:,} can be simulated"
        )


def incidents_per_day(scenario: Scenario) -> float:
    """All units' incident rates together (day-0 units, every phase's and expansion's), before tension."""
    default = scenario.incidents.rate_per_day
    units = [scenario.units, *(p.new_units for p in scenario.phases), *(e.new_units for e in scenario.expansions)]
    return sum(default if u.incident_rate is None else u.incident_rate for group in units for u in group)


def peak_incidents_per_day(scenario: Scenario) -> float:
    """All units' incidents a day at the highest tension the scenario allows: the most a day can hold."""
    tension = scenario.tension
    return incidents_per_day(scenario) * (max(tension.ceiling, tension.initial) if tension is not None else 1.0)


def _check_incidents(scenario: Scenario) -> None:
    """All units' incidents at the highest tension; each incident is one event of the run."""
    per_day = incidents_per_day(scenario)
    tension = scenario.tension
    peak = peak_incidents_per_day(scenario)
    if peak > MAX_MISSION_INCIDENTS:
        where = ("tension", "ceiling") if tension is not None and per_day <= MAX_MISSION_INCIDENTS else None
        raise rule_error(
            where or ("incidents", "rate_per_day"),
            f"all units together would have {peak:,.0f} incidents a day"
            f"{' at the tension ceiling' if tension is not None else ''}; at most {MAX_MISSION_INCIDENTS:,.0f}",
        )


def mean_fill_days(scenario: Scenario) -> float:
    """Mean days from a call to arrival: calls (with re-advertisements), selection, training, travel, induction."""
    recruitment = scenario.recruitment
    calls = 1 / (1 - min(recruitment.readvertise_probability, MAX_READVERTISE))
    return (
        recruitment.call_window.mean_days() * calls
        + recruitment.selection.mean_days()
        + recruitment.pre_deployment_training.mean_days()
        + recruitment.travel.mean_days()
        + recruitment.induction.mean_days()
    )


def _check_pipeline(scenario: Scenario) -> None:
    """The mean pipeline is the default replacement lead; while the lead exceeds the time left in a
    tour, an extension is decided again at once, so a huge lead is a loop in (almost) zero time."""
    days = mean_fill_days(scenario)
    if days > MAX_FILL_DAYS:
        raise rule_error(
            ("recruitment",),
            f"filling a post would take {days:,.0f} days on average (calls with re-advertisements, selection, "
            f"training, travel, induction); at most {years(MAX_FILL_DAYS)}",
        )


def replacement_lead(scenario: Scenario) -> float:
    """Days before a tour ends that the successor is called: as stated, or the mean fill time plus the overlap."""
    tour = scenario.tour
    if tour.replacement_lead is not None:
        return tour.replacement_lead
    return mean_fill_days(scenario) + tour.handover_overlap


def _check_extensions(scenario: Scenario) -> None:
    """Whether to extend is decided when the successor would be called, a replacement lead before the tour
    ends; while that moment is already past, the holder decides again at once, one extension later. With
    a lead longer than the tour and extensions granted for certain, a holder extends lead / extension
    times on arrival without the clock moving."""
    tour = scenario.tour
    p = tour.extension_probability
    deficit = max(0.0, replacement_lead(scenario) - tour.length.mean_days())
    extension = tour.extension_length.mean_days()
    at_once = deficit / extension if p == 1 else min(1 / (1 - p), deficit / extension)
    if at_once > MAX_EXTENSIONS_AT_ONCE:
        raise rule_error(
            ("tour", "extension_probability"),
            f"{p:g} with a replacement lead {deficit:,.0f} days longer than the tour: each holder would extend "
            f"about {at_once:,.0f} times on arrival in no time (extensions of {extension:g} days); shorten the "
            "replacement lead or lower the probability",
        )


def _check_certification(scenario: Scenario) -> None:
    """A failed certification starts a new recruitment at once: with no time per attempt and no yield,
    a mediator slot loops for ever without the clock moving."""
    mediators = scenario.mediators
    if not any(t.mediators for t in all_teams(scenario)):
        return
    attempt = mediators.recruitment.mean_days() + mediators.training.mean_days()
    if attempt < MIN_ATTEMPT_DAYS and mediators.certification_yield < MIN_QUICK_YIELD:
        retries = "for ever" if mediators.certification_yield == 0 else (
            f"about {1 / mediators.certification_yield:,.0f} times"
        )
        raise rule_error(
            ("mediators", "certification_yield"),
            f"{mediators.certification_yield:g} with recruitment and training of {attempt:g} days: a mediator slot "
            f"would retry certification {retries} in no time; give recruitment or training at least "
            f"{years(MIN_ATTEMPT_DAYS)} or a yield of at least {MIN_QUICK_YIELD:g}",
        )


def _check_cadets(scenario: Scenario) -> None:
    intakes = [intake for programme in scenario.training_programmes for intake in programme.intakes]
    if len(intakes) > MAX_INTAKES:
        raise rule_error(("training_programmes",), f"{len(intakes):,} intakes in all; at most {MAX_INTAKES:,}")
    cadets = sum(intake.size for intake in intakes)
    if cadets > MAX_CADETS:
        raise rule_error(("training_programmes",), f"{cadets:,} cadets in all intakes; at most {MAX_CADETS:,}")
