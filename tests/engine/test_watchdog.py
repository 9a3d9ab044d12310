"""The watchdog stops a run past its budgets, names the budget and the simulated day, and a replication
set records the stopped run as a failed row while the others finish."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import simpy

import deploysim.engine.mission as mission
import deploysim.results.run as results_run
from deploysim.engine.state import MissionState
from deploysim.engine.streams import RunIdentity
from deploysim.engine.watchdog import Budget, RunStopped, run_watched
from deploysim.experiments.replications import run
from deploysim.scenario.load import load_scenario
from deploysim.scenario.shipped import resolve_scenario
from deploysim.scenario.work import estimate_run

GENEROUS = Budget(events=10**9, seconds=600.0, stall_events=10**9)


def _spin_from(env: simpy.Environment, day: float) -> Generator[simpy.Event, Any, None]:
    """A loop in zero simulated time from ``day`` on: what no static rule can see coming."""
    yield env.timeout(day)
    while True:
        yield env.timeout(0)


def test_a_zero_time_loop_stops_with_no_progress_and_its_day() -> None:
    env = simpy.Environment()
    env.process(_spin_from(env, 12.5))
    stop = env.timeout(100)
    with pytest.raises(RunStopped, match=r"^no progress: .* at simulated day 12\.5 of 100 ") as caught:
        run_watched(env, stop, Budget(events=10**9, seconds=600.0, stall_events=5_000), 100)
    assert caught.value.budget == "no progress" and caught.value.day == 12.5
    assert env.now == 12.5


def test_the_event_budget_stops_a_run_that_moves_but_never_ends() -> None:
    env = simpy.Environment()

    def busy() -> Generator[simpy.Event, Any, None]:
        while True:
            yield env.timeout(1e-3)  # the clock moves, so this is not "no progress"

    env.process(busy())
    with pytest.raises(RunStopped, match=r"^event budget of 10,000 events exceeded at simulated day \d"):
        run_watched(env, env.timeout(10**6), Budget(events=10_000, seconds=600.0, stall_events=10**9), 10**6)


def test_the_time_budget_stops_a_run_and_says_how_to_raise_it() -> None:
    env = simpy.Environment()
    env.process(_spin_from(env, 0))
    with pytest.raises(RunStopped, match=r"^time budget of 0 s exceeded .*--run-timeout"):
        run_watched(env, env.timeout(10), Budget(events=10**9, seconds=1e-9, stall_events=10**9), 10)


def test_a_run_within_budget_ends_at_its_stop_event_and_ticks_every_month() -> None:
    env = simpy.Environment()

    def daily() -> Generator[simpy.Event, Any, None]:
        while True:
            yield env.timeout(1 / 400)  # 400 events a simulated day: a check falls inside every day

    env.process(daily())
    ticks: list[tuple[int, int]] = []
    run_watched(env, env.timeout(365), GENEROUS, 365, lambda month, months: ticks.append((month, months)))
    assert env.now == 365
    assert [m for m, _ in ticks] == list(range(1, 13)) and {n for _, n in ticks} == {12}


def test_a_loop_built_into_the_engine_stops_the_run_with_the_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's own loop, not a stand-in: a process spinning from day 30 of a real scenario."""
    schedule = mission._schedule_dynamics

    def with_a_loop(state: MissionState, watchers: list[Any]) -> None:
        schedule(state, watchers)
        state.env.process(_spin_from(state.env, 30))

    monkeypatch.setattr(mission, "_schedule_dynamics", with_a_loop)
    scenario = load_scenario(resolve_scenario("kyrgyzstan-2010"))
    budget = Budget.for_scenario(scenario)
    with pytest.raises(RunStopped, match=r"^no progress: .* at simulated day 30\.0 of 365 "):
        mission.run_engine(scenario, RunIdentity(0, 0, 0), budget=budget)


def test_default_budgets_follow_the_work_estimate_with_floors() -> None:
    small = load_scenario(resolve_scenario("kyrgyzstan-2010"))
    large = load_scenario(resolve_scenario("large-mission"))
    assert Budget.for_scenario(small) == Budget(events=5_000_000, seconds=600.0, stall_events=200_000)
    work = estimate_run(large)
    budget = Budget.for_scenario(large, seconds=30.0)
    assert budget.seconds == 30.0
    assert budget.stall_events == 20 * work.processes > 18_498  # the most events seen at one instant
    # the measured large mission has 764,892 events: its budget is far above that, not a tight cap
    assert budget.events >= 5_000_000 and work.events > 764_892 / 2


def test_one_stopped_replication_of_five_is_a_failed_row_and_four_finish(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = results_run.run_engine

    def tight_for_replication_2(scenario: Any, identity: RunIdentity, **kwargs: Any) -> Any:
        if identity.replication == 2:
            kwargs["budget"] = Budget(events=300, seconds=600.0, stall_events=10**9)
        return real(scenario, identity, **kwargs)

    monkeypatch.setattr(results_run, "run_engine", tight_for_replication_2)
    result = run("croatia-1998", reps=5, workers=1, out=tmp_path / "out")
    runs = result.runs.set_index("replication").sort_index()
    assert list(runs["status"]) == ["ok", "ok", "error", "ok", "ok"]
    assert runs.loc[2, "error"].startswith("RunStopped: event budget of 300 events exceeded at simulated day ")
    assert runs.loc[[0, 1, 3, 4], "mean_fill"].notna().all() and pd.isna(runs.loc[2, "mean_fill"])
    summary = result.summary()
    assert (summary["failed"] == 1).all()  # every estimate says it left one run out
