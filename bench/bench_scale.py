"""How the engine scales with mission size and horizon: time, events, throughput and memory.

Builds scaled variants of a base scenario (``scenarios/large-mission.yaml`` if present, else the
built-in :data:`BUILTIN_BASE`): 150, 1,500 and 15,000 posts in teams of 100, each team with its own
unit, over horizons of one and three years. Every configuration runs in a fresh spawned process, so
its peak memory (``ru_maxrss``) is its own and no configuration warms caches for the next. Prints a
table, the fitted growth exponent of time against posts (least squares on log-log, 3-year rows) and
the engine/bare-SimPy ratio at the largest size (``bench/baseline.py``).

Run from the repository root::

    .venv/bin/python bench/bench_scale.py [--quick] [--repeats N] [--ratio-reps N] [--base PATH]

``--quick`` measures 150 and 1,500 posts only.
"""

from __future__ import annotations

import argparse
import copy
import gc
import math
import multiprocessing
import os
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import expected_difference, run_bare_detail

from deploysim.engine.mission import run_engine
from deploysim.engine.streams import RunIdentity
from deploysim.results.run import simulate
from deploysim.scenario.schema import Scenario
from deploysim.scenario.yaml_file import read_scenario_file

POSTS = (150, 1_500, 15_000)
QUICK_POSTS = (150, 1_500)
HORIZON_YEARS = (1, 3)
DEFAULT_BASE = Path("scenarios/large-mission.yaml")

# Used only when the base file is missing: one team of 100 at the shipped scenarios' rates.
BUILTIN_BASE: dict[str, Any] = {
    "name": "Synthetic scale scenario",
    "description": "Synthetic stress scenario for benchmarks, not historical.",
    "start_date": "2030-01-01",
    "horizon": "36 months",
    "mandate": {
        "initial_length": "12 months",
        "extensions": {"decision": {"approval_probability": 1.0}, "length": "12 months"},
    },
    "units": [{"name": "Unit 001"}],
    "teams": [
        {
            "name": "Team 001",
            "unit": "Unit 001",
            "posts": {"team_leader": 1, "deputy": 4, "officer": 95},
            "min_manning": {"team_leader": 1, "officer": 60},
            "needs_mediator": True,
            "mediators": 1,
            "in_place": {"team_leader": 1, "deputy": 4, "officer": 95},
        }
    ],
    "recruitment": {
        "call_window": "17 d",
        "readvertise_probability": 0.43,
        "selection": "triangular(7, 14, 28) d",
        "pre_deployment_training": "6 w",
        "travel": "uniform(2, 5) d",
        "induction": "5 d",
    },
    "tour": {"length": "12 months", "extension_probability": 0.3, "extension_length": "6 months"},
    "initial_staff": {"tour_elapsed": "uniform(0, 12) months"},
    "leave": {"days_per_month": 2.5, "block": "10 d"},
    "repatriation": {"annual_hazard": 0.05},
    "mediators": {"in_place": True, "annual_attrition": 0.15},
    "incidents": {"rate_per_day": 0.3, "mediation_share": 0.5, "service_time": "exponential(1.5) d"},
}


def load_base(path: Path) -> dict[str, Any]:
    if path.exists():
        data, _ = read_scenario_file(path)
        if not isinstance(data, dict):
            raise SystemExit(f"{path}: a scenario must be a mapping")
        return data
    return copy.deepcopy(BUILTIN_BASE)


def _scaled_counts(counts: dict[str, int], size: int, target: int) -> dict[str, int]:
    """Counts by role scaled from a team of ``size`` to ``target`` posts, summing to ``target``.

    Roles with a single post (a team leader) keep it; the largest role absorbs the rounding.
    """
    scaled = {role: (n if n <= 1 else max(1, round(n * target / size))) for role, n in counts.items()}
    largest = max(scaled, key=lambda role: counts[role])
    scaled[largest] += target - sum(scaled.values())
    if scaled[largest] < 0:
        raise ValueError(f"cannot fit a team of {size} posts into {target}")
    return scaled


def _partial_team(template: dict[str, Any], posts: int) -> dict[str, Any]:
    """The team template shrunk to ``posts`` posts, with minimum manning and staff in place shrunk alike."""
    size = sum(template["posts"].values())
    team_posts = _scaled_counts(template["posts"], size, posts)
    team = {**template, "posts": team_posts}
    if "min_manning" in template:
        team["min_manning"] = {
            role: min(
                team_posts.get(role, 0), math.ceil(need * team_posts.get(role, 0) / max(template["posts"][role], 1))
            )
            for role, need in template["min_manning"].items()
        }
    if "in_place" in template:
        team["in_place"] = {
            role: min(team_posts.get(role, 0), math.ceil(n * team_posts.get(role, 0) / max(template["posts"][role], 1)))
            for role, n in template["in_place"].items()
        }
    return team


def scaled_scenario(base: dict[str, Any], posts: int, years: int) -> Scenario:
    """The base scenario with ``posts`` posts in copies of its first team, each with its own unit.

    When ``posts`` is not a multiple of the team size (150 posts in teams of 100) the last team is a
    proportionally smaller copy.
    """
    data = copy.deepcopy(base)
    template = dict(data["teams"][0])
    unit_template = next((u for u in data["units"] if u.get("name") == template["unit"]), data["units"][0])
    team_size = sum(template["posts"].values())
    full, rest = divmod(posts, team_size)
    teams = [dict(template) for _ in range(full)]
    if rest:
        teams.append(_partial_team(template, rest))
    data["units"] = [{**unit_template, "name": f"Unit {i:05d}"} for i in range(1, len(teams) + 1)]
    data["teams"] = [
        {**team, "name": f"Team {i:05d}", "unit": f"Unit {i:05d}"} for i, team in enumerate(teams, start=1)
    ]
    data["name"] = f"{base['name']} scaled to {posts} posts, {years} y"
    data["horizon"] = f"{12 * years} months"
    if not data.get("mandate", {}).get("extensions"):
        # Without renewals the mandate outlasts the horizon by a day, so no run closes inside it.
        data["mandate"] = {**data.get("mandate", {}), "initial_length": f"{math.ceil(365.25 * years) + 1} d"}
    return Scenario.model_validate(data)


@dataclass(frozen=True)
class Row:
    posts: int
    teams: int
    years: int
    repeats: int
    wall_s: float  # simulate(): engine plus result tables, median
    cpu_s: float  # its CPU time (process_time), median: a busy machine inflates wall time, hardly this
    engine_s: float  # run_engine() part of it, median
    wall_best_s: float  # fastest of the repeats: the least disturbed by other work on the host
    engine_best_s: float
    events: int
    person_days: float
    rss_start_mb: float
    rss_peak_mb: float

    @property
    def events_per_s(self) -> float:
        return self.events / self.engine_s

    @property
    def person_days_per_s(self) -> float:
        return self.person_days / self.wall_s


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(base: dict[str, Any], posts: int, years: int, repeats: int, seed: int) -> Row:
    """Runs in a fresh spawned process: build, then simulate() the same replication ``repeats`` times.

    The same replication every time, so repeats differ only by the host's noise: their median and
    their minimum are both meaningful, and the minimum is the steadier input to growth exponents.
    """
    scenario = scaled_scenario(base, posts, years)
    gc.collect()
    rss_start = _max_rss_mb()
    walls: list[float] = []
    cpus: list[float] = []
    engines: list[float] = []
    events: list[int] = []
    person_days: list[float] = []
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        cpu = time.process_time()
        result = simulate(scenario, seed=seed, replication=0)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        engines.append(result.runtime_s)
        events.append(result.sim_events)
        person_days.append(float(result.daily["filled"].sum()))
        del result
    return Row(
        posts=scenario.authorised_posts,
        teams=len(scenario.teams),
        years=years,
        repeats=repeats,
        wall_s=statistics.median(walls),
        cpu_s=statistics.median(cpus),
        engine_s=statistics.median(engines),
        wall_best_s=min(walls),
        engine_best_s=min(engines),
        events=round(statistics.median(events)),
        person_days=statistics.median(person_days),
        rss_start_mb=rss_start,
        rss_peak_mb=_max_rss_mb(),
    )


@dataclass(frozen=True)
class Ratio:
    engine_wall: float
    bare_wall: float
    engine_cpu: float
    bare_cpu: float
    engine_events: int
    bare_events: int
    expected_difference: int  # the engine's daily pass; 0 if the baseline ran a daily tick


def measure_ratio(base: dict[str, Any], posts: int, years: int, reps: int, seed: int) -> Ratio:
    """run_engine() against run_bare(), interleaved in alternating order; medians of wall and CPU time."""
    scenario = scaled_scenario(base, posts, years)
    times: dict[str, tuple[list[float], list[float]]] = {"engine": ([], []), "bare": ([], [])}
    engine_events = bare_events = expected = 0
    for rep in range(reps):
        identity = RunIdentity(seed, 0, rep)
        for which in ("engine", "bare") if rep % 2 == 0 else ("bare", "engine"):
            gc.collect()
            started = time.perf_counter()
            cpu = time.process_time()
            if which == "engine":
                engine_events = run_engine(scenario, identity, record_events=True).sim_events
            else:
                bare = run_bare_detail(scenario, identity)
                bare_events = bare.events
                expected = expected_difference(scenario, bare)
            times[which][0].append(time.perf_counter() - started)
            times[which][1].append(time.process_time() - cpu)
    median = statistics.median
    return Ratio(
        engine_wall=median(times["engine"][0]),
        bare_wall=median(times["bare"][0]),
        engine_cpu=median(times["engine"][1]),
        bare_cpu=median(times["bare"][1]),
        engine_events=engine_events,
        bare_events=bare_events,
        expected_difference=expected,
    )


def growth_exponent(xs: list[float], ys: list[float]) -> float:
    """Slope of log(y) on log(x) by least squares."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    sxx = sum((x - mx) ** 2 for x in lx)
    return sum((x - mx) * (y - my) for x, y in zip(lx, ly, strict=True)) / sxx if sxx > 0 else math.nan


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def default_repeats(posts: int) -> int:
    return 5 if posts <= 1_500 else 3


def main() -> None:
    parser = argparse.ArgumentParser(description="Scale benchmark: time, events, throughput and memory by size.")
    parser.add_argument("--quick", action="store_true", help="only 150 and 1,500 posts")
    parser.add_argument("--repeats", type=int, default=0, help="replications per configuration (default 5, 3 at 15k)")
    parser.add_argument("--ratio-reps", type=int, default=3, help="engine and bare runs each for the ratio (default 3)")
    parser.add_argument("--base", type=Path, default=DEFAULT_BASE, help="base scenario (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    base = load_base(args.base)
    sizes = QUICK_POSTS if args.quick else POSTS
    source = args.base if args.base.exists() else "built-in base (file not found)"
    print(f"deploysim scale benchmark; base: {source}; one fresh spawned process per configuration")
    print(f"Python {sys.version.split()[0]}; seed {args.seed}; at start: {_load()}\n")

    context = multiprocessing.get_context("spawn")
    rows: list[Row] = []
    header = (
        f"{'posts':>7} {'teams':>5} {'horizon':>7} {'reps':>4} {'wall s/rep':>10} {'best s':>7} {'CPU s/rep':>9} "
        f"{'engine s':>9} "
        f"{'SimPy events':>12} {'events/s':>9} {'person-days/s':>13} {'RSS start MB':>12} {'peak RSS MB':>11}"
    )
    print(header)
    print("-" * len(header))
    for posts in sizes:
        for years in HORIZON_YEARS:
            repeats = args.repeats or default_repeats(posts)
            with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                row = pool.submit(measure, base, posts, years, repeats, args.seed).result()
            rows.append(row)
            print(
                f"{row.posts:>7,} {row.teams:>5} {str(row.years) + ' y':>7} {row.repeats:>4} {row.wall_s:>10.3f} "
                f"{row.wall_best_s:>7.3f} {row.cpu_s:>9.3f} "
                f"{row.engine_s:>9.3f} {row.events:>12,} {row.events_per_s:>9,.0f} {row.person_days_per_s:>13,.0f} "
                f"{row.rss_start_mb:>12.0f} {row.rss_peak_mb:>11.0f}",
                flush=True,
            )

    print("\nwall s/rep: simulate() (engine + result tables) of one replication, median of the repeats;")
    print("best s: the fastest repeat; CPU s/rep: process time, median;")
    print("engine s: the run_engine() part of the wall time;")
    print("events/s: SimPy events / engine s; person-days/s: sum of daily 'filled' / wall s;")
    print("RSS start: the fresh process after imports and building the scenario; peak RSS: its ru_maxrss.")

    long_rows = [r for r in rows if r.years == max(HORIZON_YEARS)]
    posts_x = [float(r.posts) for r in long_rows]
    print(f"\nGrowth exponents against posts ({max(HORIZON_YEARS)}-year rows, log-log least squares; 1 = linear):")
    print(f"  wall time   {growth_exponent(posts_x, [r.wall_s for r in long_rows]):.3f}")
    print(f"  CPU time    {growth_exponent(posts_x, [r.cpu_s for r in long_rows]):.3f}")
    print(f"  engine time {growth_exponent(posts_x, [r.engine_s for r in long_rows]):.3f}")
    print(f"  wall time, fastest repeat   {growth_exponent(posts_x, [r.wall_best_s for r in long_rows]):.3f}")
    print(f"  engine time, fastest repeat {growth_exponent(posts_x, [r.engine_best_s for r in long_rows]):.3f}")
    print(f"  SimPy events {growth_exponent(posts_x, [float(r.events) for r in long_rows]):.3f}")
    memory = [max(r.rss_peak_mb - r.rss_start_mb, 1.0) for r in long_rows]
    print(f"  peak RSS above start {growth_exponent(posts_x, memory):.3f}")

    largest = max(sizes)
    years = max(HORIZON_YEARS)
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        ratio = pool.submit(measure_ratio, base, largest, years, args.ratio_reps, args.seed).result()
    print(f"\nEngine vs bare SimPy at {largest:,} posts, {years} y ({args.ratio_reps} interleaved runs each, medians):")
    for label, wall, cpu, events in (
        ("run_engine()", ratio.engine_wall, ratio.engine_cpu, ratio.engine_events),
        ("run_bare()", ratio.bare_wall, ratio.bare_cpu, ratio.bare_events),
    ):
        print(f"  {label:12} {wall:8.3f} s wall {cpu:8.3f} s CPU {events:>10,} events")
    difference = ratio.engine_events - ratio.bare_events
    match = "as expected" if difference == ratio.expected_difference else "MISMATCH"
    print(f"  events engine - bare {difference:,}: the engine's daily pass {ratio.expected_difference:,}, {match}")
    wall_ratio = ratio.engine_wall / ratio.bare_wall
    print(f"  ratio engine/bare {wall_ratio:.2f} wall, {ratio.engine_cpu / ratio.bare_cpu:.2f} CPU")
    print(f"\nat end: {_load()}")


if __name__ == "__main__":
    main()
