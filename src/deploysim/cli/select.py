"""``deploysim select FILE --lever PATH=SPEC --require 'P(foc_day<=150)>=0.9'``: the plan to ask for,
with a guarantee."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from deploysim.cli.echo import say
from deploysim.cli.options import positive_int, seed
from deploysim.errors import UsageError
from deploysim.experiments.defaults import SELECT_MAX_REPS, SELECT_N0, SELECT_SCREEN_ABOVE, SELECT_STAGE_RUNS

if TYPE_CHECKING:
    from deploysim.experiments.selection import Selection

EPILOG = """\
Every combination of the levers' values is a plan (SPEC as in sweep: a,b,c, lo:hi:step, or lo:hi for
every whole number from lo to hi; '*' over list items sets them all: teams.*.posts.adviser=4:8).
Each plan runs replications in stages, all plans with the same seeds (common random numbers); a
plan is dropped when it is declared infeasible or clearly dearer than a feasible one, until one is
left. The answer states what holds with --confidence: the plan meets each requirement less
--tolerance, and its objective is within --delta of the best plan meeting each requirement plus
--tolerance. The plan with the best observed mean is never the answer. A bound on a mean,
'mean(total_cost)<=5000000', takes its tolerance in the measure's unit (--tolerance-for
total_cost=100000); shares and ratios are ratios of totals and are refused. With more plans than
--screen-above, a screen on the first --n0 runs drops clearly failing or clearly worse plans first,
with a third of the error; the procedure then runs among the survivors on fresh replications.
examples:
  deploysim select scenarios/kyrgyzstan-2010.yaml --lever consent.initial=granted \\
      --lever recruitment.roster.size=0:50:10 --lever 'teams.*.posts.adviser=5:9:1' \\
      --require 'P(ioc_day<=60)>=0.9' --minimise total_cost --delta 50000 --out out/choose
"""


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must lie strictly between 0 and 1")
    return value


def _amount(text: str) -> float:
    try:
        value = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than zero")
    return value


def _tolerance(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    if not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: expected MEASURE=X, e.g. total_cost=50000")
    return name.strip(), _amount(value)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "select",
        help="choose the cheapest plan that meets the targets, with a probability of correct selection",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", help="scenario YAML file or shipped name (see: deploysim scenarios)")
    parser.add_argument("--lever", dest="levers", action="append", default=[], metavar="PATH=SPEC",
                        help="a field the plans differ in (repeatable; the plans are every combination)")
    parser.add_argument("--require", dest="requirements", action="append", default=[],
                        metavar="'P(MILESTONE<=DAY)>=P'", help="a chance constraint, e.g. 'P(foc_day<=150)>=0.9', "
                        "or a bound on a mean, e.g. 'mean(total_cost)<=2000000' (with --tolerance-for; repeatable)")
    parser.add_argument("--tolerance-for", dest="tolerances", action="append", default=[], type=_tolerance,
                        metavar="MEASURE=X", help="the tolerance of a mean(MEASURE) requirement, in the measure's "
                        "unit (required for each; repeatable)")
    goal = parser.add_mutually_exclusive_group()
    goal.add_argument("--minimise", "--minimize", metavar="MEASURE", default=None,
                      help="per-run measure to minimise (default total_cost)")
    goal.add_argument("--maximise", "--maximize", metavar="MEASURE", default=None, help="per-run measure to maximise")
    parser.add_argument("--delta", type=_amount, default=50_000.0,
                        help="indifference zone in the objective's unit: a difference the planner does not care "
                        "about (default 50000)")
    parser.add_argument("--tolerance", type=_probability, default=0.05,
                        help="feasibility tolerance on each required probability (default 0.05)")
    parser.add_argument("--confidence", type=_probability, default=0.95,
                        help="probability that the stated guarantee holds (default 0.95)")
    parser.add_argument("--n0", type=positive_int, default=SELECT_N0,
                        help=f"first-stage replications per plan (default {SELECT_N0})")
    parser.add_argument("--stage-runs", type=positive_int, default=SELECT_STAGE_RUNS,
                        help=f"runs per stage (default {SELECT_STAGE_RUNS}; larger for a big cluster; the result "
                        "depends on it, not on the workers)")
    parser.add_argument("--max-reps", type=positive_int, default=SELECT_MAX_REPS,
                        help=f"replications per plan after which to stop without a guarantee (default "
                        f"{SELECT_MAX_REPS})")
    parser.add_argument("--screen-above", type=positive_int, default=SELECT_SCREEN_ABOVE,
                        help=f"with more plans than this, screen them first on --n0 replications each and run the "
                        f"procedure among the survivors on fresh ones, with a third of the error (default "
                        f"{SELECT_SCREEN_ABOVE})")
    parser.add_argument("--seed", type=seed, default=0, help="root seed (default 0)")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default out/<file stem>-select)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=positive_int, default=None, help="local processes (default: all cores)")
    where.add_argument("--scheduler", metavar="ADDRESS", default=None, help="Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--resume", action="store_true",
                        help="continue the selection stored in --out, reusing the runs already there")
    parser.set_defaults(handler=handle)


class StageLine:
    """One line on stderr per stage: how many runs so far and the time; a selection has no total to show
    a bar against, since it stops when the data say so."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label, self.stream, self.stage = label, stream or sys.stderr, 0
        self.started = time.perf_counter()

    def __call__(self, done: int, _total: int) -> None:
        self.stage += 1
        elapsed = time.perf_counter() - self.started
        say(f"{self.label}: stage {self.stage}, {done} runs, {elapsed:.1f} s", file=self.stream, flush=True)


def handle(args: argparse.Namespace) -> int:
    from deploysim.experiments.selection import select

    if not args.levers:
        raise UsageError("deploysim select: give at least one --lever PATH=SPEC")
    out: Path = args.out or Path("out") / f"{Path(args.file).stem}-select"
    result = select(
        args.file, args.levers, args.requirements, minimise=args.minimise, maximise=args.maximise,
        delta=args.delta, tolerance=args.tolerance, confidence=args.confidence, out=out, seed=args.seed,
        n0=args.n0, stage_runs=args.stage_runs, max_reps=args.max_reps, workers=args.workers,
        scheduler=args.scheduler, resume=args.resume, progress=StageLine(Path(args.file).stem),
        tolerance_for=dict(args.tolerances), screen_above=args.screen_above,
    )
    report(result)
    return 0


def report(result: Selection, stream: TextIO | None = None) -> None:
    """The table of plans, the answer and its guarantee, and where the files are."""
    from deploysim.results.text import format_selection

    stream = stream or sys.stdout
    say(format_selection(result.table, result.plan.levers, result.plan.settings.objective,
                           result.constraint_names(), result.plan.base.costs.currency),
          file=stream)
    say("", file=stream)
    say(result.sentence, file=stream)
    near = [p for p in result.within_delta if p != result.selected]
    if result.selected is not None and near:
        say(f"plans within the indifference zone of it (also feasible): {', '.join(map(str, near))}", file=stream)
    reused = f" ({result.reused} read back from --out)" if result.reused else ""
    say(f"{result.replications} replications in all{reused}; {result.ran} runs in {result.seconds:.1f} s",
          file=stream)
    if result.path is not None:
        say(f"tables in {result.path}/ (plans.csv, plans.parquet, runs), chart {result.path}/selection.png",
              file=stream)
