"""``deploysim sweep FILE --set PATH=SPEC ...``: vary scenario fields over a design, many replications each."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from deploysim.cli.echo import say
from deploysim.cli.options import add_large_option, add_watchdog_option, positive_int, samples, seed, workers
from deploysim.cli.progress import ProgressLine
from deploysim.errors import UsageError
from deploysim.experiments.defaults import DAILY_MODES, DESIGNS

if TYPE_CHECKING:
    from deploysim.experiments.sweep import SweepOutcome

EPILOG = """\
SPEC is a list a,b,c, a range lo:hi:step (both ends included; for whole numbers lo:hi steps by 1),
or for --design lhs/sobol uniform(lo,hi), int(lo,hi) or choice(a,b,...). Values may carry time units ('30 d', '6 w').
PATH is dotted; list items by index or name: teams.0.posts.adviser, 'teams.Team 1 Osh city.posts.adviser'.
Every design point uses the seeds of point 0 (common random numbers) unless --independent is given.
examples:
  deploysim sweep scenarios/kyrgyzstan-2010.yaml --set recruitment.roster.size=0:50:10 \\
      --set 'mediators.training=1 w,3 w,6 w' --reps 50 --target 'foc_day<=120' --out out/roster-by-training
  deploysim sweep scenarios/kyrgyzstan-2010.yaml --design sobol --samples 64 --reps 4 --dummy \\
      --set 'recruitment.roster.size=int(0,52)' --set 'incidents.rate_per_day=uniform(0.1,1)' \\
      --scheduler tcp://10.0.0.5:8786 --out out/sobol
"""


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "sweep",
        help="vary scenario fields over a grid, Latin hypercube or Sobol design",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", help="scenario YAML file or shipped name (see: deploysim scenarios)")
    parser.add_argument(
        "--set", dest="sets", action="append", default=[], metavar="PATH=SPEC", help="a field to vary (repeatable)"
    )
    parser.add_argument("--design", choices=DESIGNS, default="grid", help="grid (default), lhs or sobol")
    parser.add_argument("--samples", type=samples, default=None, help="points of lhs; base samples N of sobol")
    parser.add_argument("--reps", type=positive_int, default=10, help="replications per design point (default 10)")
    parser.add_argument("--seed", type=seed, default=0, help="root seed (default 0)")
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument(
        "--independent",
        action="store_true",
        help="give every design point its own seeds (default: common random numbers, every point uses the "
        "seeds of point 0, so indices measure the parameters and not each point's luck)",
    )
    seeds.add_argument("--crn", action="store_true", help="common random numbers: the default, kept for old commands")
    parser.add_argument(
        "--dummy", action="store_true",
        help="add an inert factor 'dummy' (no field reads it): the index an irrelevant parameter gets",
    )
    parser.add_argument(
        "--target", dest="targets", action="append", default=[], metavar="MILESTONE<=DAY",
        help="milestone target for analyze, e.g. foc_day<=200 or foc_day<=2011-03-01 (repeatable; stored)",
    )
    parser.add_argument("--out", type=Path, default=None, help="output directory (default out/<file stem>-sweep)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=workers, default=None, help="local processes (default: all cores)")
    where.add_argument("--scheduler", metavar="ADDRESS", default=None, help="Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument(
        "--resume", action="store_true", help="continue the sweep stored in --out, running only what is missing"
    )
    parser.add_argument(
        "--daily", choices=DAILY_MODES, default="thin", help="daily series: none, thin (every 7th day, default) or full"
    )
    parser.add_argument("--teams", action="store_true", help="keep the per-team daily table (off by default)")
    parser.add_argument("--events", action="store_true", help="keep the event log (off by default)")
    parser.add_argument("--batch-size", type=positive_int, default=None, help="runs per task (default: ~0.5 s of work)")
    add_watchdog_option(parser)
    add_large_option(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from deploysim.experiments.runner import default_workers
    from deploysim.experiments.sweep import run_sweep
    from deploysim.experiments.sweep_plan import TableOptions, plan_sweep
    from deploysim.storage.files import plain_name

    if not args.sets:
        raise UsageError("deploysim sweep: give at least one --set PATH=SPEC")
    plan = plan_sweep(
        args.file,
        args.sets,
        args.design,
        args.samples,
        args.reps,
        args.seed,
        TableOptions(args.daily, args.teams, args.events),
        args.batch_size,
        args.workers or default_workers(),
        crn=not args.independent,
        dummy=args.dummy,
        targets=args.targets,
        run_timeout=args.run_timeout,
        allow_large=args.allow_large,
    )
    out: Path = args.out or Path("out") / f"{plain_name(Path(args.file).stem, 'scenario')}-sweep"
    outcome = run_sweep(
        plan,
        out,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        progress=ProgressLine(plan.label),
        batch_size_given=args.batch_size is not None,
    )
    report(outcome)
    return 0


def report(outcome: SweepOutcome, stream: TextIO | None = None) -> None:
    """A few lines for the terminal: what ran, what failed, where the tables are."""
    from deploysim.results.text import failure_report
    from deploysim.stats.runs import failed_count

    stream = stream or sys.stdout
    plan = outcome.plan
    runs = outcome.results.runs
    failed = failed_count(runs)
    say(
        f"{plan.label}: {plan.design.kind} design, {len(plan.design.points)} points x {plan.replications} "
        f"replications = {plan.total_runs} runs, seed {plan.root_seed}",
        file=stream,
    )
    seeds = ("common random numbers (every point uses the seeds of point 0)" if plan.crn
             else "independent seeds per point (--independent)")
    say(f"seeds: {seeds}", file=stream)
    if outcome.skipped:
        say(f"resumed: {outcome.skipped} runs were already on disk, {outcome.ran} run now", file=stream)
    say(f"{outcome.ran} runs in {outcome.seconds:.1f} s ({outcome.runs_per_second:,.1f} runs/s)", file=stream)
    if plan.invalid:
        first_point, first = next(iter(plan.invalid.items()))
        say(
            f"{len(plan.invalid)} design point(s) are not valid scenarios and were recorded as errors; "
            f"point {first_point}: {first.removeprefix('ScenarioError: ')}",
            file=stream,
        )
    if failed:
        say(failure_report(runs, str(outcome.results.path / "runs")), file=stream)
    say(f"tables in {outcome.results.path}/ (runs, daily as Parquet datasets); analyse with: "
          f"deploysim analyze {outcome.results.path}", file=stream)
