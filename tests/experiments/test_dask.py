"""Sweeps on a real Dask cluster: a scheduler and a worker started as subprocesses on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytest.importorskip("distributed")

from distributed import Client

from deploysim.cli import main
from deploysim.experiments.sweep import sweep

SCENARIO = """\
name: dask test
start_date: 2010-07-22
horizon: 4 months
mandate: {initial_length: 3 months}
units: [{name: North}, {name: South}]
teams:
  - {name: Team 1, unit: North, posts: {team_leader: 1, adviser: 3}, min_manning: {team_leader: 1, adviser: 2}}
  - {name: Team 2, unit: South, posts: {team_leader: 1, adviser: 3}, min_manning: {team_leader: 1, adviser: 2}}
"""
SETS = ["recruitment.roster.size=int(0,8)", "incidents.rate_per_day=uniform(0.1,0.6)"]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group we started, then SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def scheduler_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``dask scheduler`` on a free port and one ``dask worker`` (one thread); torn down afterwards."""
    directory = tmp_path_factory.mktemp("dask")
    info = directory / "scheduler.json"
    log = (directory / "cluster.log").open("wb")
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(subprocess.Popen(
            [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(info)],
            stdout=log, stderr=log, start_new_session=True, cwd=directory,
        ))
        deadline = time.monotonic() + 60
        while not (info.exists() and info.stat().st_size > 0):
            assert started[0].poll() is None, f"dask scheduler exited; see {directory / 'cluster.log'}"
            assert time.monotonic() < deadline, "dask scheduler did not start within 60 s"
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        started.append(subprocess.Popen(
            [sys.executable, "-m", "dask", "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
             "--host", "127.0.0.1", "--local-directory", str(directory)],
            stdout=log, stderr=log, start_new_session=True, cwd=directory,
        ))
        with Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(1, timeout=60)
        yield address
    finally:
        for process in reversed(started):
            _stop(process)
        log.close()


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SCENARIO)
    return path


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["runtime_s"], errors="ignore").reset_index(drop=True)


def test_cluster_tables_equal_the_local_run(scheduler_address: str, scenario_file: Path, tmp_path: Path) -> None:
    options = {"design": "lhs", "samples": 6, "reps": 3, "seed": 21, "batch_size": 4}
    local = sweep(scenario_file, SETS, tmp_path / "local", workers=1, **options)
    code = main(["sweep", str(scenario_file), *[a for s in SETS for a in ("--set", s)], "--design", "lhs",
                 "--samples", "6", "--reps", "3", "--seed", "21", "--batch-size", "4",
                 "--scheduler", scheduler_address, "--out", str(tmp_path / "cluster")])
    assert code == 0
    from deploysim.storage.directory import load_results

    cluster = load_results(tmp_path / "cluster")
    assert len(cluster.runs) == 18 and (cluster.runs["status"] == "ok").all()
    pd.testing.assert_frame_equal(comparable(local.runs), comparable(cluster.runs))
    pd.testing.assert_frame_equal(local.daily, cluster.daily)


def test_any_executor_such_as_the_clients_gives_the_same_tables(
    scheduler_address: str, scenario_file: Path, tmp_path: Path
) -> None:
    local = sweep(scenario_file, [*SETS[:1], "incidents.rate_per_day=0.2,0.4"], tmp_path / "local", design="lhs",
                  samples=4, reps=2, workers=1)
    with Client(scheduler_address, timeout=10, set_as_default=False) as client:
        remote = sweep(scenario_file, [*SETS[:1], "incidents.rate_per_day=0.2,0.4"], tmp_path / "remote",
                       design="lhs", samples=4, reps=2, executor=client.get_executor(pure=False), batch_size=3)
    pd.testing.assert_frame_equal(comparable(local.runs), comparable(remote.runs))


def test_unreachable_scheduler_is_a_clear_error_within_seconds(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    code = main(["sweep", str(scenario_file), "--set", "recruitment.roster.size=0,4",
                 "--scheduler", f"tcp://127.0.0.1:{port}", "--out", str(tmp_path / "o")])
    elapsed = time.monotonic() - started
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and elapsed < 15
    assert len(lines) == 1
    assert lines[0].startswith(f"deploysim: error: --scheduler tcp://127.0.0.1:{port}: cannot reach a Dask scheduler")
    assert "dask scheduler" in lines[0]


def test_workers_and_scheduler_exclude_each_other(scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", str(scenario_file), "--set", "recruitment.roster.size=0,4", "--workers", "2",
                 "--scheduler", "tcp://127.0.0.1:1"])
    assert code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_select_on_the_cluster_chooses_and_tabulates_as_one_process(scheduler_address: str, tmp_path: Path) -> None:
    """Stages depend on the data only, so the cluster stops where one process stops, with the same tables."""
    from builders import BASE, merge

    from deploysim.experiments.selection import select

    data = merge(BASE, {"horizon": "70 d", "mandate": {"initial_length": "70 d"},
                        "recruitment": {"roster": {"size": 0, "call_up": "uniform(10, 50) d"}}})
    options: dict[str, Any] = {"delta": 1000.0, "tolerance": 0.2, "n0": 10, "plot": False}
    local = select(data, ["recruitment.roster.size=3,4,5"], ["P(foc_day<=60)>=0.7"], workers=1, **options)
    cluster = select(data, ["recruitment.roster.size=3,4,5"], ["P(foc_day<=60)>=0.7"], scheduler=scheduler_address,
                     out=tmp_path / "cluster", **options)
    assert local.selected == cluster.selected == 1
    pd.testing.assert_frame_equal(local.table, cluster.table)
    pd.testing.assert_frame_equal(comparable(local.runs), comparable(cluster.runs))


def test_an_unreachable_scheduler_leaves_no_directory_and_the_command_can_run_again(
    scenario_file: Path, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "o"
    command = ["sweep", str(scenario_file), "--set", "recruitment.roster.size=0,4", "--reps", "2", "--out", str(out)]
    assert main([*command, "--scheduler", f"tcp://127.0.0.1:{port}"]) == 2
    assert not out.exists(), "no manifest.json or design.parquet may stay behind"
    assert main([*command, "--workers", "1"]) == 0


def _listening(port: int) -> bool:
    with socket.socket() as client:
        return client.connect_ex(("127.0.0.1", port)) == 0


def test_a_web_server_at_the_scheduler_address_fails_within_seconds(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                              cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not _listening(port):
            assert time.monotonic() < deadline, "http.server did not start"
            time.sleep(0.05)
        started = time.monotonic()
        code = main(["sweep", str(scenario_file), "--set", "recruitment.roster.size=0,4",
                     "--scheduler", f"tcp://127.0.0.1:{port}", "--out", str(tmp_path / "o")])
        elapsed = time.monotonic() - started
    finally:
        _stop(server)
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1, lines
    assert "cannot reach a Dask scheduler" in lines[0]
    assert elapsed < 30  # the 5 s handshake limit and planning the sweep; before, it hung for minutes
    assert not (tmp_path / "o").exists()
