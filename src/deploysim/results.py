"""One run's results as tidy tables, and :func:`simulate`, the single-run entry point."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from deploysim.engine.mission import RawRun, run_engine
from deploysim.engine.recorder import DAILY_COLUMNS, TEAM_COLUMNS
from deploysim.measures import summarise
from deploysim.scenario import Scenario
from deploysim.streams import RunIdentity


@dataclass
class RunResult:
    """Everything one replication produced, with the identity that reproduces it."""

    scenario: str
    identity: RunIdentity
    summary: dict[str, float]
    daily: pd.DataFrame
    teams: pd.DataFrame
    events: pd.DataFrame
    sim_events: int
    runtime_s: float
    extra: dict[str, object] = field(default_factory=dict)


def _dates(start: dt.date, days: np.ndarray) -> pd.Series:
    return pd.Timestamp(start) + pd.to_timedelta(days, unit="D")


def daily_table(raw: RawRun, start: dt.date) -> pd.DataFrame:
    days = np.arange(raw.plan.horizon)
    table = pd.DataFrame(raw.recorder.levels, columns=list(DAILY_COLUMNS))
    table.insert(0, "day", days)
    table.insert(1, "date", _dates(start, days))
    table["incidents"] = raw.incidents_by_day
    table["cost_to_date"] = raw.recorder.cost_to_date
    table["mandate_active"] = table["mandate_active"].astype(bool)
    return table


def team_table(raw: RawRun, start: dt.date) -> pd.DataFrame:
    n_days = raw.plan.horizon
    names = [t.name for t in raw.plan.teams]
    days = np.repeat(np.arange(n_days), len(names))
    table = pd.DataFrame(
        {
            "day": days,
            "date": _dates(start, days),
            "team": pd.Categorical(np.tile(names, n_days), categories=names),
        }
    )
    for i, column in enumerate(TEAM_COLUMNS):
        table[column] = raw.recorder.teams[i].reshape(-1)
    table["operational"] = table["operational"].astype(bool)
    return table


def event_table(raw: RawRun, start: dt.date) -> pd.DataFrame:
    names = [t.name for t in raw.plan.teams] + [""]
    roles = [p.role for p in raw.plan.posts] + [""]
    if raw.state.events:
        time, what, team, post = (list(c) for c in zip(*raw.state.events, strict=True))
    else:
        time, what, team, post = [], [], [], []
    table = pd.DataFrame(
        {"day": np.asarray(time, dtype=float), "event": what, "post": np.asarray(post, dtype=np.int64)}
    )
    table.insert(1, "date", pd.Timestamp(start) + pd.to_timedelta(table["day"], unit="D"))
    table.insert(3, "team", [names[i] for i in team])
    table.insert(4, "role", [roles[i] for i in post])
    return table


def simulate(
    scenario: Scenario,
    seed: int = 0,
    replication: int = 0,
    point: int = 0,
    record_events: bool = True,
) -> RunResult:
    """Simulate one replication. Seeds derive from (seed, point, replication) only."""
    identity = RunIdentity(seed, point, replication)
    raw = run_engine(scenario, identity, record_events=record_events)
    start = scenario.start_date
    return RunResult(
        scenario=scenario.name,
        identity=identity,
        summary=summarise(raw),
        daily=daily_table(raw, start),
        teams=team_table(raw, start),
        events=event_table(raw, start),
        sim_events=raw.sim_events,
        runtime_s=raw.runtime_s,
    )
