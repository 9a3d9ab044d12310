"""Bounded work, estimated before anything runs: an experiment too large to finish is refused at once.

Single fields are bounded where they are declared (:mod:`deploysim.scenario.limits`): at most 50,000
posts, 50 years, 10,000 incidents a day. Their products are not: 50,000 posts for 50 years, or a
sweep of a million points, each pass alone and would run for days or exhaust memory. Before a
``run``, ``compare`` or ``sweep`` starts, its work is estimated from the scenario's size
(:func:`deploysim.scenario.work.estimate_run`) times its runs, and refused with one line naming the
field or flag that drives it when it passes a limit below; ``--allow-large`` (``allow_large=True``)
proceeds knowingly. The watchdog (:mod:`deploysim.engine.watchdog`) still watches every run.

======================  ===========  =========================================================
Limit                   Value        Why
======================  ===========  =========================================================
events of one run       20,000,000   about 3 minutes of one core; the 15,000-post, 3-year large
                                     mission is estimated at 1.2 million (measured 765,000), and
                                     the same mission over 50 years at 20.2 million
memory of one run       2 GiB        its live posts and its daily and per-team tables; a laptop
                                     runs one per core
work of the experiment  4 hours      single-core seconds of every run (and of validating every
                                     design point); 1,000 reps of the large mission are ~3.4
                                     hours, a grid of 10^6 points of Kyrgyzstan ~16 hours
tables held at the end  4 GiB        ``run`` and ``compare`` read every run's daily and team rows
                                     back for the summary and charts (the large mission: ~10 MiB
                                     a run, so ~420 runs); a sweep holds its runs table
======================  ===========  =========================================================

A sweep's runs are estimated from its base scenario; design points that make runs larger are
left to the watchdog. An adaptive run (``--precision``) is estimated at its cap, ``--max-reps``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from deploysim.errors import UsageError
from deploysim.scenario.schema import Scenario
from deploysim.scenario.work import (
    EVENTS_PER_INCIDENT,
    EVENTS_PER_POST_DAY,
    SECONDS_PER_EVENT,
    RunWork,
    estimate_run,
)

MAX_RUN_EVENTS = 20_000_000
MAX_RUN_BYTES = 2 * 2**30
MAX_WORK_SECONDS = 4 * 3600.0
MAX_HELD_BYTES = 4 * 2**30
BYTES_PER_RUN_ROW = 1_000
"""A row of the runs table: identity, status, error text and every measure."""
SECONDS_PER_POINT = 6e-3
"""Validating one design point of a sweep (measured: 5.9 ms for the Kyrgyzstan scenario)."""


@dataclass(frozen=True)
class Work:
    """An experiment's estimated size: runs, single-core seconds and bytes held at the end."""

    runs: int
    seconds: float
    held_bytes: float


def _gib(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:,.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:,.0f} minutes"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:,.1f} hours"
    return f"{seconds / 86400:,.0f} days"


def _refuse(what: str, driver: tuple[str, str] | None = None) -> UsageError:
    """One line naming what drives the excess: ``driver`` is (the library's words, the flag's words)."""
    library, cli = driver or ("", "")
    return UsageError(f"{library}{what}; pass allow_large=True to run it anyway",
                      cli=f"{cli}{what}; pass --allow-large to run it anyway")


def check_run(label: str, work: RunWork) -> None:
    """One run's events and memory: the fields that drive an excess are named."""
    if work.events > MAX_RUN_EVENTS:
        posts_part = EVENTS_PER_POST_DAY * work.post_days
        incidents_part = EVENTS_PER_INCIDENT * work.incident_days
        drivers = (f"teams x horizon ({work.posts:,} posts x {work.days:,} days)" if posts_part >= incidents_part
                   else f"incidents.rate_per_day x horizon ({work.incidents_per_day:,.0f} incidents a day at "
                        f"most x {work.days:,} days)")
        raise _refuse(f"{label}: {drivers}: about {work.events:,.0f} events per run "
                      f"(~{_duration(SECONDS_PER_EVENT * work.events)}); at most {MAX_RUN_EVENTS:,}")
    if work.memory_bytes > MAX_RUN_BYTES:
        raise _refuse(f"{label}: teams x horizon ({work.teams:,} teams, {work.posts:,} posts, {work.days:,} days): "
                      f"about {_gib(work.memory_bytes)} per run; at most {_gib(MAX_RUN_BYTES)}")


def check_replications(scenarios: Mapping[str, Scenario], reps: int, adaptive: bool = False,
                       allow_large: bool = False) -> Work:
    """``run`` and ``compare``: ``reps`` of every scenario (for an adaptive run, its cap), tables held."""
    works = {label: estimate_run(s) for label, s in scenarios.items()}
    work = Work(reps * len(scenarios), reps * sum(w.seconds for w in works.values()),
                reps * sum(w.table_bytes + BYTES_PER_RUN_ROW for w in works.values()))
    if allow_large:
        return work
    for label, run_work in works.items():
        check_run(label, run_work)
    times = f" x {len(scenarios)} scenarios" if len(scenarios) > 1 else ""
    names = ("max_reps", "--max-reps") if adaptive else ("reps", "--reps")
    _check_totals(work, (f"{names[0]} {reps:,}{times}: ", f"{names[1]} {reps:,}{times}: "))
    return work


def check_sweep(scenario: Scenario, points: int, reps: int, allow_large: bool = False) -> Work:
    """A sweep: ``points`` x ``reps`` runs of the base scenario (points may differ in size; the watchdog
    guards each run), plus validating each point; only the runs table is held in memory."""
    run_work = estimate_run(scenario)
    runs = points * reps
    work = Work(runs, runs * run_work.seconds + points * SECONDS_PER_POINT, runs * BYTES_PER_RUN_ROW)
    if allow_large:
        return work
    check_run(scenario.name, run_work)
    _check_totals(work, (f"reps {reps:,} x {points:,} design points: ", f"--reps {reps:,} x {points:,} design points "
                                                                          "(--set levels, --samples): "))
    return work


def _check_totals(work: Work, driver: tuple[str, str]) -> None:
    if work.seconds > MAX_WORK_SECONDS:
        raise _refuse(f"{work.runs:,} runs, about {_duration(work.seconds)} of work on one core in all; "
                      f"at most {_duration(MAX_WORK_SECONDS)}", driver)
    if work.held_bytes > MAX_HELD_BYTES:
        raise _refuse(f"{work.runs:,} runs hold about {_gib(work.held_bytes)} of tables; "
                      f"at most {_gib(MAX_HELD_BYTES)}", driver)
