"""Sweep throughput and memory: local workers, a Dask cluster, and peak RSS as runs grow.

Prints a table of

(a) throughput (runs per second) of one sweep with 1 and with 2 local workers (process pool; one
    worker runs in the sweeping process) and the parallel efficiency, rate(2) / (2 * rate(1));
    target >= 85%;
(b) the same sweep through a Dask ``LocalCluster`` (2 worker processes, 1 thread each, reached with
    ``--scheduler`` as a user would) against the 2-worker process pool; target >= 80%;
(c) peak memory (max RSS of the sweeping process, read with ``getrusage`` in a fresh subprocess
    that runs only the sweep) for 1,000 and for 20,000 runs with daily series left out; flat means
    the 20,000-run figure is close to the 1,000-run one.

Throughput is wall time of the sweep itself (planning and the pilot run excluded, pool start-up and
the connection to the scheduler included) at a fixed batch size, so every configuration cuts the same
tasks; the Dask workers import deploysim before timing, as forked pool workers inherit it. On a machine shared with
other work the figures move with its load, which is printed alongside.

Run from the repository root::

    .venv/bin/python bench/bench_sweep.py [--reps N] [--memory-runs 1000,20000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "kyrgyzstan-2010.yaml"
# A grid whose points all run the whole year (consent granted), so runs cost about the same everywhere.
THROUGHPUT_SETS = {
    "consent.refusal_probability": "0",
    "recruitment.roster.size": "0,26",
    "mediators.training": "1 w,3 w,6 w",
}
BATCH_SIZE = 10

# A small mission for the memory runs: cheap runs, so 20,000 of them take a minute, over many design
# points (an LHS of runs/20 points, 20 replications each), so the design itself grows with the runs.
SMALL = """\
name: memory bench
start_date: 2010-07-22
horizon: 4 months
mandate: {initial_length: 3 months}
units: [{name: North}, {name: South}]
teams:
  - {name: Team 1, unit: North, posts: {team_leader: 1, adviser: 3}, min_manning: {team_leader: 1, adviser: 2}}
  - {name: Team 2, unit: South, posts: {team_leader: 1, adviser: 3}, min_manning: {team_leader: 1, adviser: 2}}
"""
MEMORY_SETS = {"recruitment.roster.size": "int(0,8)", "incidents.rate_per_day": "uniform(0.1,0.6)"}
MEMORY_REPS = 20


def _timed_sweep(out: Path, reps: int, **where: object) -> tuple[int, float]:
    from deploysim.experiments.sweep import run_sweep
    from deploysim.experiments.sweep_plan import TableOptions, plan_sweep

    plan = plan_sweep(SCENARIO, THROUGHPUT_SETS, reps=reps, seed=1, tables=TableOptions("none"), batch_size=BATCH_SIZE)
    outcome = run_sweep(plan, out, **where)  # type: ignore[arg-type]
    return outcome.ran, outcome.seconds


def _import_runner() -> bool:
    import deploysim.experiments.sweep  # noqa: F401

    return True


def _warm(address: str) -> None:
    """Import deploysim in the Dask workers before timing, as the forked pool workers inherit it."""
    from distributed import Client

    with Client(address, set_as_default=False) as client:
        client.run(_import_runner)


def throughput(reps: int, repeats: int, work: Path) -> tuple[int, dict[str, list[float]]]:
    """Runs per second of each configuration, ``repeats`` times, interleaved so that changes in the
    machine's load hit all configurations alike."""
    from distributed import LocalCluster

    rates: dict[str, list[float]] = {"local_1": [], "local_2": [], "dask_2": []}
    runs = 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        _warm(cluster.scheduler_address)
        where: dict[str, dict[str, object]] = {
            "local_1": {"workers": 1},
            "local_2": {"workers": 2},
            "dask_2": {"scheduler": cluster.scheduler_address},
        }
        for attempt in range(repeats):
            for name, options in where.items():
                runs, seconds = _timed_sweep(work / f"{name}-{attempt}", reps, **options)
                rates[name].append(runs / seconds)
    return runs, rates


def memory_child(runs: int, out: str) -> None:
    """Run only the sweep in this (fresh) process and print its peak RSS in MiB as JSON."""
    from deploysim.experiments.sweep import sweep

    scenario = Path(out) / "small.yaml"
    scenario.parent.mkdir(parents=True, exist_ok=True)
    scenario.write_text(SMALL)
    started = time.perf_counter()
    stored = sweep(
        scenario,
        MEMORY_SETS,
        Path(out) / "sweep",
        design="lhs",
        samples=runs // MEMORY_REPS,
        reps=MEMORY_REPS,
        seed=1,
        workers=2,
        daily="none",
    )
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"runs": int(stored.manifest["total_runs"]), "peak_mib": peak_kib / 1024, "seconds": seconds}))


def peak_memory(runs: int, work: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(runs), "--out", str(work / f"memory-{runs}")],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=80, help="replications per grid point (6 points)")
    parser.add_argument("--repeats", type=int, default=5, help="timings of each configuration; the best is used")
    parser.add_argument("--memory-runs", default="1000,20000", help="sizes of the memory sweeps")
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the benchmark itself runs")
    parser.add_argument("--memory-child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child is not None:
        memory_child(args.memory_child, args.out)
        return
    reps = 4 if args.quick else args.reps
    sizes = [200, 1000] if args.quick else [int(n) for n in args.memory_runs.split(",")]
    command = ".venv/bin/python bench/bench_sweep.py " + " ".join(sys.argv[1:])
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="deploysim-bench-sweep-") as tmp:
        work = Path(tmp)
        runs, rates = throughput(reps, 1 if args.quick else args.repeats, work)
        memory = [peak_memory(n, work) for n in sizes]
    load_after = os.getloadavg()[0]
    best = {name: max(values) for name, values in rates.items()}
    efficiency = best["local_2"] / (2 * best["local_1"])
    dask_ratio = best["dask_2"] / best["local_2"]
    print(f"deploysim sweep benchmark: {command.strip()}")
    print(f"cores: {os.cpu_count()}, load average (1 min) {load_before:.1f} before, {load_after:.1f} after")
    print(f"throughput sweep: {SCENARIO.name}, grid of 6 points x {reps} reps = {runs} runs, batch size {BATCH_SIZE},")
    print(f"daily none; best of {len(rates['local_1'])} interleaved timings each (all timings in brackets)")
    print(f"{'configuration':<44} {'runs/s':>9}  {'figure':<32}")
    rows = [
        ("local_1", "local, 1 worker (in the sweeping process)", ""),
        ("local_2", "local process pool, 2 workers", f"efficiency {efficiency:.0%} (target >= 85%)"),
        ("dask_2", "Dask LocalCluster, 2 processes x 1 thread", f"{dask_ratio:.0%} of the pool (target >= 80%)"),
    ]
    for name, label, figure in rows:
        timings = ", ".join(f"{r:.1f}" for r in rates[name])
        print(f"{label:<44} {best[name]:>9.1f}  {figure:<32} [{timings}]")
    print(f"memory sweep: small mission, LHS of runs/{MEMORY_REPS} points x {MEMORY_REPS} reps, 2 workers, daily none")
    print(f"{'runs':>8} {'peak RSS of the sweeping process':>34} {'wall':>9}")
    for row in memory:
        print(f"{row['runs']:>8,} {row['peak_mib']:>30.0f} MiB {row['seconds']:>8.1f}s")
    if len(memory) > 1:
        growth = memory[-1]["peak_mib"] / memory[0]["peak_mib"]
        print(f"peak RSS ratio {memory[-1]['runs']:,} / {memory[0]['runs']:,} runs: {growth:.2f} (flat is ~1)")


if __name__ == "__main__":
    main()
