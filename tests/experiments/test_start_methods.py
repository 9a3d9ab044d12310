"""Every laptop: fork, forkserver and spawn pools write the same tables, and a pool that cannot start
leaves the runs to this process with one line on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import deploysim
from deploysim.errors import UsageError
from deploysim.experiments import runner

TIMING = ["runtime_s"]
REPS = 6


def _comparable(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs table without wall-clock columns, in run order."""
    return runs.drop(columns=TIMING).sort_values(["scenario", "point", "replication"]).reset_index(drop=True)


def _cli_runs(method: str, out: Path, repo_root: Path) -> pd.DataFrame:
    env = {**os.environ, "MPLBACKEND": "Agg", runner.START_METHOD_VARIABLE: method}
    env["PYTHONPATH"] = os.pathsep.join([str(repo_root / "src"), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-m", "deploysim", "run", "kyrgyzstan-2010", "--reps", str(REPS), "--workers", "2",
         "--out", str(out)],
        capture_output=True, text=True, timeout=600, env=env, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "cannot start worker processes" not in proc.stderr
    return pd.read_parquet(out / "runs")


@pytest.mark.skipif("fork" not in runner.multiprocessing.get_all_start_methods(), reason="needs fork to compare")
def test_the_cli_writes_the_same_tables_under_spawn_as_under_fork(tmp_path: Path, repo_root: Path) -> None:
    forked = _cli_runs("fork", tmp_path / "fork", repo_root)
    spawned = _cli_runs("spawn", tmp_path / "spawn", repo_root)
    pd.testing.assert_frame_equal(_comparable(forked), _comparable(spawned))


@pytest.mark.skipif("fork" not in runner.multiprocessing.get_all_start_methods(), reason="needs fork to compare")
def test_the_python_api_gives_the_same_tables_under_spawn_as_under_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    tables = {}
    for method in ("fork", "spawn"):
        monkeypatch.setenv(runner.START_METHOD_VARIABLE, method)
        assert runner.start_method() == method
        result = deploysim.run("kyrgyzstan-2010", reps=REPS, workers=2)
        tables[method] = (_comparable(result.runs), result.daily)
    pd.testing.assert_frame_equal(tables["fork"][0], tables["spawn"][0])
    pd.testing.assert_frame_equal(tables["fork"][1], tables["spawn"][1])


def test_a_start_method_the_platform_lacks_or_a_typo_is_one_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(runner.START_METHOD_VARIABLE, "sporn")
    with pytest.raises(UsageError, match="expected one of fork, forkserver, spawn"):
        runner.start_method()
    monkeypatch.delenv(runner.START_METHOD_VARIABLE)
    assert runner.start_method() in runner.multiprocessing.get_all_start_methods()


def test_a_pool_that_cannot_start_falls_back_to_this_process_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(workers: int | None = None) -> runner.Executor:
        raise OSError("[Errno 38] Function not implemented")

    monkeypatch.setattr(runner, "local_executor", refuse)
    with runner.executor_for(workers=2) as (pool, window):
        assert pool is None and window == 1
    err = capsys.readouterr().err
    assert err == ("deploysim: cannot start worker processes ([Errno 38] Function not implemented); "
                   "running in one process\n")
    result = deploysim.run("kyrgyzstan-2010", reps=2, workers=2)
    assert result.replications == 2 and (result.runs["status"] == "ok").all()
