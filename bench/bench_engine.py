"""How fast is one replication, and how much of it is SimPy itself?

Prints, for one scenario (default ``scenarios/kyrgyzstan-2010.yaml``):

(a) replications per second of :func:`deploysim.results.simulate` (engine plus result tables),
    single replications run one after another, median over ``--reps`` repeats;
(b) the engine's SimPy events per second beside the bare baseline and beside plain SimPy timeout
    loops measured in the same process (SimPy's own ceiling on this machine);
(c) the engine's time per replication (``run_engine``) against ``bench/baseline.py``'s
    ``run_bare``, which schedules the same events and records nothing: ``--reps`` runs of each on
    the same identities, interleaved in alternating order so that drift hits both alike.

Wall time is ``time.perf_counter``; CPU time (``time.process_time``) is shown beside it because on
a shared machine other processes inflate wall time but hardly CPU time.

Run from the repository root::

    .venv/bin/python bench/bench_engine.py [--scenario PATH] [--reps N] [--seed N]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path

import simpy

from deploysim.engine.mission import run_engine
from deploysim.engine.plan import compile_plan
from deploysim.engine.streams import RunIdentity, Streams
from deploysim.results.run import simulate
from deploysim.scenario.load import load_scenario
from deploysim.scenario.schema import Scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline import BareRun, expected_difference, run_bare_detail, unsupported


@dataclass
class Sample:
    """Repeated timings of one thing: wall and CPU seconds and SimPy events per run."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    events: list[int] = field(default_factory=list)

    def add(self, events: int, wall: float, cpu: float) -> None:
        self.events.append(events)
        self.wall.append(wall)
        self.cpu.append(cpu)

    @property
    def median_wall(self) -> float:
        return statistics.median(self.wall)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)

    @property
    def median_events(self) -> float:
        return statistics.median(self.events)

    @property
    def events_per_s(self) -> float:
        return statistics.median(e / s for e, s in zip(self.events, self.wall, strict=True))


def _timed(call: Callable[[], int]) -> tuple[int, float, float]:
    """(events, wall seconds, CPU seconds) of one call, after a collection so garbage is not inherited."""
    gc.collect()
    wall = time.perf_counter()
    cpu = time.process_time()
    events = call()
    return events, time.perf_counter() - wall, time.process_time() - cpu


def measure_simulate(scenario: Scenario, reps: int, seed: int, record_events: bool) -> Sample:
    """(a): whole single replications, as a notebook or ``deploysim run`` would call them."""
    sample = Sample()
    simulate(scenario, seed=seed, replication=0, record_events=record_events)  # warm-up
    for rep in range(reps):

        def one(rep: int = rep) -> int:
            return simulate(scenario, seed=seed, replication=rep, record_events=record_events).sim_events

        sample.add(*_timed(one))
    return sample


@dataclass
class Interleaved:
    engine: Sample
    bare: Sample
    wall_ratios: list[float]
    cpu_ratios: list[float]
    mismatches: int  # runs whose event counts differ by anything but the engine's daily pass


def measure_interleaved(scenario: Scenario, reps: int, seed: int) -> Interleaved:
    """(c): run_engine and run_bare on the same identities, alternating which goes first."""
    result = Interleaved(Sample(), Sample(), [], [], 0)
    run_engine(scenario, RunIdentity(seed, 0, 0))  # warm-up both
    run_bare_detail(scenario, RunIdentity(seed, 0, 0))
    for rep in range(reps):
        identity = RunIdentity(seed, 0, rep)
        details: list[BareRun] = []

        def engine(identity: RunIdentity = identity) -> int:
            return run_engine(scenario, identity, record_events=True).sim_events

        def bare(identity: RunIdentity = identity, details: list[BareRun] = details) -> int:
            details.append(run_bare_detail(scenario, identity))
            return details[-1].events

        if rep % 2 == 0:
            e = _timed(engine)
            b = _timed(bare)
        else:
            b = _timed(bare)
            e = _timed(engine)
        result.engine.add(*e)
        result.bare.add(*b)
        result.wall_ratios.append(e[1] / b[1])
        result.cpu_ratios.append(e[2] / b[2] if b[2] > 0 else float("nan"))
        if e[0] - b[0] != expected_difference(scenario, details[0]):
            result.mismatches += 1
    return result


def measure_setup(scenario: Scenario, reps: int, seed: int) -> Sample:
    """The set-up engine and baseline both pay: compile_plan and one random stream per process."""
    sample = Sample()
    for rep in range(reps):

        def setup(rep: int = rep) -> int:
            plan = compile_plan(scenario)
            streams = Streams(RunIdentity(seed, 0, rep))
            names = [
                f"post/{team.name}/{role}/{k}"
                for team in plan.teams
                for role, count, _ in team.opening_posts
                for k in range(count)
            ]
            for team in plan.teams:
                names += [f"mediator/{team.name}/{k}/{p}" for k in range(team.mediators) for p in ("career", "desk")]
            names += [f"incidents/{u.name}" for u in plan.units if u.rate_per_day > 0]
            return len([streams.stream(name) for name in names])

        sample.add(*_timed(setup))
    return sample


def _ticker(env: simpy.Environment, count: int) -> Generator[simpy.Event, None, None]:
    for _ in range(count):
        yield env.timeout(1.0)


def _random_ticker(env: simpy.Environment, count: int, rng: random.Random) -> Generator[simpy.Event, None, None]:
    for _ in range(count):
        yield env.timeout(rng.expovariate(1.0))


def plain_timeouts(total: int, processes: int, repeats: int = 5) -> Sample:
    """(b): SimPy's ceiling: ``processes`` generators doing nothing but timeouts, ``total`` events."""
    sample = Sample()
    per_process = max(1, total // processes)
    for _ in range(repeats):
        env = simpy.Environment()
        rng = random.Random(1)
        for _ in range(processes):
            if processes == 1:
                env.process(_ticker(env, per_process))
            else:
                env.process(_random_ticker(env, per_process, rng))

        def run(env: simpy.Environment = env) -> int:
            env.run()
            return next(env._eid) - len(env._queue)

        sample.add(*_timed(run))
    return sample


def initial_processes(scenario: Scenario) -> int:
    """Processes at the start of an engine run: people, mediator careers and desks, units, daily pass."""
    mediators = sum(t.mediators for t in scenario.teams)
    rate = scenario.incidents.rate_per_day
    units = sum(1 for u in scenario.units if (rate if u.incident_rate is None else u.incident_rate) > 0)
    return scenario.authorised_posts + 2 * mediators + units + 1


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:10.2f} ms"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark one scenario: runs/s, events/s, engine vs bare SimPy.")
    parser.add_argument("--scenario", default="scenarios/kyrgyzstan-2010.yaml", help="scenario file")
    parser.add_argument("--reps", type=int, default=50, help="replications per measurement (default 50)")
    parser.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    args = parser.parse_args()
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    scenario = load_scenario(args.scenario)
    missing = unsupported(scenario)
    if missing:
        raise SystemExit(f"{args.scenario}: the bare baseline (bench/baseline.py) does not model {', '.join(missing)}")
    print(f"deploysim engine benchmark: {scenario.name} ({args.scenario})")
    print(
        f"  {scenario.authorised_posts:,} posts in {len(scenario.teams)} teams, horizon {scenario.horizon_days} d, "
        f"first mandate {scenario.mandate.initial_length:.0f} d; {args.reps} reps; seed {args.seed}; "
        f"Python {sys.version.split()[0]}, SimPy {simpy.__version__}"
    )
    print(f"  at start: {_load()}")

    # (a)
    full = measure_simulate(scenario, args.reps, args.seed, record_events=True)
    quiet = measure_simulate(scenario, args.reps, args.seed, record_events=False)
    print("\n(a) simulate(): single replications, sequential")
    print(f"  {'':32} {'median wall':>13} {'runs/s':>8} {'p10-p90 runs/s':>16} {'median CPU':>13}")
    for label, sample in (("simulate(record_events=True)", full), ("simulate(record_events=False)", quiet)):
        deciles = statistics.quantiles(sample.wall, n=10) if len(sample.wall) > 1 else [sample.median_wall] * 9
        spread = f"{1 / deciles[-1]:.3g}-{1 / deciles[0]:.3g}"
        print(
            f"  {label:32} {_ms(sample.median_wall)} {1 / sample.median_wall:8.3g} {spread:>16} "
            f"{_ms(sample.median_cpu)}"
        )

    # (c) is measured before (b), which reuses its samples
    paired = measure_interleaved(scenario, args.reps, args.seed)
    engine, bare = paired.engine, paired.bare
    processes = initial_processes(scenario)
    total = max(int(engine.median_events), 200_000)
    many = plain_timeouts(total, processes)
    single = plain_timeouts(total, 1)
    print("\n(b) SimPy events per second (wall, median over runs)")
    print(f"  {'':44} {'events/run':>11} {'events/s':>11} {'vs plain':>9}")
    ceiling = many.events_per_s
    rows = (
        ("engine: run_engine()", engine),
        ("bare baseline: run_bare()", bare),
        (f"plain timeouts, {processes:,} processes (random)", many),
        ("plain timeouts, 1 process (fixed)", single),
    )
    for label, sample in rows:
        print(
            f"  {label:44} {sample.median_events:11,.0f} {sample.events_per_s:11,.0f} "
            f"{sample.events_per_s / ceiling:9.2f}"
        )

    setup = measure_setup(scenario, args.reps, args.seed)
    print(f"\n(c) time per replication, engine vs bare baseline ({args.reps} interleaved runs each)")
    print(f"  {'':34} {'median wall':>13} {'min wall':>13} {'median CPU':>13} {'events':>9}")
    for label, sample in (
        ("engine run_engine()", engine),
        ("bare run_bare()", bare),
        ("simulate() (for reference)", full),
        ("set-up in both (plan + streams)", setup),
    ):
        print(
            f"  {label:34} {_ms(sample.median_wall)} {_ms(min(sample.wall))} {_ms(sample.median_cpu)} "
            f"{sample.median_events:9,.0f}"
        )
    print(
        f"  ratio engine/bare: median of paired ratios {statistics.median(paired.wall_ratios):.2f} wall, "
        f"{statistics.median(paired.cpu_ratios):.2f} CPU; of medians {engine.median_wall / bare.median_wall:.2f} wall, "
        f"{engine.median_cpu / bare.median_cpu:.2f} CPU"
    )
    print(f"  ratio simulate/bare, of medians: {full.median_wall / bare.median_wall:.2f} wall")
    diffs = sorted({e - b for e, b in zip(engine.events, bare.events, strict=True)})
    shown = ", ".join(f"{d:,}" for d in diffs[:5]) + (", ..." if len(diffs) > 5 else "")
    if paired.mismatches:
        print(f"  events engine - bare: {shown}; NOT the daily pass's alone on {paired.mismatches} of {args.reps} runs")
    else:
        print(
            f"  events engine - bare: {shown}; on all {args.reps} runs exactly the engine's daily pass's\n"
            "  (0 where the baseline runs its own daily tick): every other event matches one for one"
        )
    print(f"\n  at end: {_load()}")


if __name__ == "__main__":
    main()
