"""Progress tells the time on a terminal and stays sparse in logs; sizing batches simulates nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest

from deploysim.cli.progress import ProgressLine
from deploysim.experiments import runner
from deploysim.experiments.replications import run_replications
from deploysim.scenario.schema import Scenario


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_one_line_per_tenth_and_one_at_the_end() -> None:
    log = io.StringIO()
    progress = ProgressLine("kyrgyzstan-2010", log)
    for done in range(1, 201):
        progress(done, 200)
    lines = log.getvalue().splitlines()
    assert len(lines) == 11 and "\r" not in log.getvalue()  # the first run, each tenth, the end
    assert lines[-1].startswith("kyrgyzstan-2010: 200/200 replications, ")


def test_a_terminal_gets_a_bar_with_rate_and_eta() -> None:
    terminal = Terminal()
    progress = ProgressLine("kyrgyzstan-2010", terminal)
    for done in range(1, 41):
        progress(done, 40)
    text = terminal.getvalue()
    assert "kyrgyzstan-2010" in text and "40/40" in text and "100%" in text and "runs/s" in text
    assert "<" in text  # tqdm's elapsed<remaining


def test_runs_are_simulated_exactly_once_each_no_pilot(monkeypatch: pytest.MonkeyPatch,
                                                        minimal_scenario: dict[str, Any]) -> None:
    calls: list[int] = []
    simulate = runner.simulate

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return simulate(*args, **kwargs)

    monkeypatch.setattr(runner, "simulate", counting)
    seen: list[int] = []
    tables = run_replications({"m": Scenario.model_validate(minimal_scenario)}, 7, workers=1,
                              progress=lambda done, total: seen.append(done))
    assert len(calls) == 7 and len(tables.runs) == 7
    assert seen == list(range(1, 8))  # small runs advance per replication


def test_batch_sizes_follow_the_scenario_size_without_simulating(minimal_scenario: dict[str, Any]) -> None:
    small = Scenario.model_validate(minimal_scenario)
    assert runner.batch_size_for(small, 1000, 2) == 20  # progress moves in at least 50 steps
    assert runner.batch_size_for(small, 10, 2) == 1


class MonthRecorder:
    """A progress that also hears simulated months of runs in this process (``within_run``)."""

    def __init__(self) -> None:
        self.finished: list[float] = []
        self.within: list[float] = []

    def __call__(self, done: float, total: int) -> None:
        self.finished.append(done)

    def within_run(self, done: float, total: int) -> None:
        assert total == 1
        self.within.append(done)


def test_a_single_long_replication_moves_per_simulated_month(repo_root: Any) -> None:
    from deploysim.scenario.load import load_scenario

    scenario = load_scenario(repo_root / "scenarios" / "croatia-1998.yaml")  # 26 months, ~5,800 events
    progress = MonthRecorder()
    run_replications({"c": scenario}, 1, progress=progress)  # one run: in this process, whatever the cores
    months = round(scenario.horizon_days / (365.25 / 12))
    # a month is reported at the first check (every 256 events) after it passes, so a few may share one
    assert len(progress.within) >= months // 2
    assert progress.within == sorted(progress.within) and 0 < progress.within[0] < 1
    assert progress.within[-1] == 1.0 and progress.finished == [1]


def test_the_progress_line_shows_a_run_part_way() -> None:
    log = io.StringIO()
    progress = ProgressLine("croatia-1998", log)
    for month in range(1, 27):
        progress.within_run(month / 26, 1)
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("croatia-1998: 0.0/1 replications") and len(lines) == 11
    assert lines[-1].startswith("croatia-1998: 1/1 replications")
