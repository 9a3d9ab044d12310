"""What the watchdog costs: the engine's run loop with ``run_watched`` against a plain ``env.run``.

Both loops run in the same process on the same identities, in alternating order from round to
round so that drift on a shared machine hits both alike; CPU time (``time.process_time``) is
compared, since other processes inflate wall time but hardly CPU time.

Run from the repository root::

    .venv/bin/python bench/bench_watchdog.py [--scenario PATH] [--reps N] [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import simpy

import deploysim.engine.mission as mission
from deploysim.engine.streams import RunIdentity
from deploysim.engine.watchdog import run_watched
from deploysim.scenario.load import load_scenario


def plain(env: simpy.Environment, stop: simpy.Event, *_: Any, **__: Any) -> None:
    """The loop before the watchdog: SimPy's own."""
    env.run(until=stop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/croatia-1998.yaml", help="scenario file")
    parser.add_argument("--reps", type=int, default=20, help="replications per loop and round (default 20)")
    parser.add_argument("--rounds", type=int, default=10, help="rounds, alternating the order (default 10)")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    loops: dict[str, Callable[..., None]] = {"env.run": plain, "watched": run_watched}
    per_run: dict[str, list[float]] = {name: [] for name in loops}
    for round_ in range(args.rounds):
        order = list(loops) if round_ % 2 == 0 else list(reversed(loops))
        for name in order:
            mission.run_watched = loops[name]
            started = time.process_time()
            for replication in range(args.reps):
                mission.run_engine(scenario, RunIdentity(0, 0, replication))
            per_run[name].append((time.process_time() - started) / args.reps)
    mission.run_watched = run_watched
    for name, times in per_run.items():
        print(f"{name:>8}: median {statistics.median(times) * 1000:.1f} ms CPU per run "
              f"({args.rounds} rounds of {args.reps})")
    overhead = statistics.median(per_run["watched"]) / statistics.median(per_run["env.run"]) - 1
    print(f"watchdog overhead: {overhead:+.1%}")


if __name__ == "__main__":
    main()
