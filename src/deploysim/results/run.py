"""One run's results as tidy tables, and :func:`simulate`, the single-run entry point."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from deploysim.engine.daily import DAILY_COLUMNS, TEAM_COLUMNS
from deploysim.engine.events import CONSENT_NAMES
from deploysim.engine.mission import RawRun, run_engine
from deploysim.engine.streams import RunIdentity
from deploysim.engine.watchdog import Budget, MonthTick
from deploysim.results.measures import summarise
from deploysim.results.outcomes import outcome_of
from deploysim.scenario.schema import Scenario


@dataclass
class RunResult:
    """Everything one replication produced, with the identity that reproduces it."""

    scenario: str
    identity: RunIdentity
    summary: dict[str, float]
    outcome: str
    daily: pd.DataFrame
    teams: pd.DataFrame
    events: pd.DataFrame
    sim_events: int
    runtime_s: float


def _dates(start: dt.date, days: np.ndarray) -> np.ndarray:
    """Calendar dates as datetime64[ns] without going through pandas' per-call machinery."""
    return (np.datetime64(start, "D") + days.astype("timedelta64[D]")).astype("datetime64[ns]")


def daily_table(raw: RawRun, start: dt.date) -> pd.DataFrame:
    days = np.arange(raw.plan.horizon)
    levels = raw.daily.levels
    columns: dict[str, np.ndarray] = {"day": days, "date": _dates(start, days)}
    for i, name in enumerate(DAILY_COLUMNS):
        columns[name] = levels[:, i]
    for flag in ("mandate_active", "mission_active"):
        columns[flag] = columns[flag].astype(bool)
    columns["consent_state"] = pd.Categorical.from_codes(columns["consent_state"], categories=CONSENT_NAMES)
    columns["tension"] = raw.daily.tension_index
    columns["incidents"] = raw.incidents_by_day
    columns["cost_to_date"] = raw.daily.cost_to_date
    return pd.DataFrame(columns, copy=False)


def team_table(raw: RawRun, start: dt.date) -> pd.DataFrame:
    n_days = raw.plan.horizon
    names = [t.name for t in raw.plan.teams]
    days = np.repeat(np.arange(n_days), len(names))
    codes = np.tile(np.arange(len(names), dtype=np.int32), n_days)
    columns: dict[str, object] = {
        "day": days,
        "date": _dates(start, days),
        "team": pd.Categorical.from_codes(codes, categories=names),
    }
    for i, column in enumerate(TEAM_COLUMNS):
        columns[column] = raw.daily.teams[i].reshape(-1)
    columns["operational"] = raw.daily.teams[0].reshape(-1).astype(bool)
    return pd.DataFrame(columns, copy=False)


def event_table(raw: RawRun, start: dt.date) -> pd.DataFrame:
    names = [t.name for t in raw.plan.teams] + [""]
    roles = [p.role for p in raw.state.posts] + [""]
    events = raw.state.events
    day = np.fromiter((e[0] for e in events), dtype=float, count=len(events))
    team = np.fromiter((e[2] for e in events), dtype=np.int64, count=len(events))
    team[team < 0] = len(names) - 1  # mission-wide events have no team: the empty name
    post = np.fromiter((e[3] for e in events), dtype=np.int64, count=len(events))
    return pd.DataFrame(
        {
            "day": day,
            "date": _dates(start, np.floor(day).astype(np.int64)) + ((day % 1) * 86400e9).astype("timedelta64[ns]"),
            "event": pd.Categorical([e[1] for e in events]),
            "team": pd.Categorical.from_codes(team, categories=names),
            "role": [roles[i] for i in post],
            "post": post,
        },
        copy=False,
    )


def simulate(
    scenario: Scenario,
    seed: int = 0,
    replication: int = 0,
    point: int = 0,
    record_events: bool = True,
    run_timeout: float | None = None,
    on_month: MonthTick | None = None,
) -> RunResult:
    """Simulate one replication. Seeds derive from (seed, point, replication) only.

    The run is watched (:mod:`deploysim.engine.watchdog`): past its event budget, its wall-time budget
    (``run_timeout`` seconds, default from the scenario's size) or stuck at one simulated instant, it
    raises :class:`~deploysim.engine.watchdog.RunStopped`. ``on_month`` hears each simulated month.
    """
    identity = RunIdentity(seed, point, replication)
    budget = Budget.for_scenario(scenario, run_timeout)
    raw = run_engine(scenario, identity, record_events=record_events, budget=budget, on_month=on_month)
    start = scenario.start_date
    return RunResult(
        scenario=scenario.name,
        identity=identity,
        summary=summarise(raw),
        outcome=outcome_of(raw),
        daily=daily_table(raw, start),
        teams=team_table(raw, start),
        events=event_table(raw, start),
        sim_events=raw.sim_events,
        runtime_s=raw.runtime_s,
    )
