"""``deploysim run FILE``: replications, a summary with confidence intervals, tables and plots."""

from __future__ import annotations

import argparse
from pathlib import Path

from deploysim.cli.echo import say
from deploysim.cli.options import (
    add_large_option,
    add_precision_options,
    add_target_option,
    add_watchdog_option,
    positive_int,
    precision_settings,
    seed,
    workers,
)
from deploysim.cli.outputs import add_output_options, write_outputs
from deploysim.cli.progress import ProgressLine


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run",
        help="replicate one scenario and write tables and plots",
        description="Simulate one scenario many times and report, per measure, its estimate with a 95% confidence "
                    "interval: milestones as the probability of reaching them and their median dates, shares pooled "
                    "over mandate days, costs per unit as ratios of totals, and the outcome classes of the runs. "
                    "Writes Parquet tables, a summary (CSV and Parquet), charts and a manifest into --out.",
        epilog="examples:\n"
               "  deploysim run scenarios/kyrgyzstan-2010.yaml\n"
               "  deploysim run scenarios/kyrgyzstan-2010.yaml --reps 500 --target 'foc_day<=2011-03-01'\n"
               "  deploysim run scenarios/kyrgyzstan-2010.yaml --set recruitment.roster.size=20 --out out/roster\n"
               "  deploysim run scenarios/kyrgyzstan-2010.yaml --precision cost_per_person_month=2%",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", help="scenario YAML file or shipped name (see: deploysim scenarios)")
    parser.add_argument("--reps", type=positive_int, default=100, help="replications (default 100)")
    parser.add_argument("--seed", type=seed, default=0, help="root seed (default 0)")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default out/<file stem>, "
                        "as a plain name)")
    parser.add_argument("--workers", type=workers, default=None, help="processes (default: all cores)")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--overwrite", action="store_true", help="replace results already in --out")
    again.add_argument("--resume", action="store_true",
                       help="continue the unfinished run stored in --out, running only the replications not on disk")
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="change one field for this run, e.g. recruitment.roster.size=20 (repeatable)",
    )
    add_target_option(parser)
    add_precision_options(parser, "each named measure's estimate")
    add_watchdog_option(parser)
    add_large_option(parser)
    add_output_options(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from deploysim.experiments.replications import run
    from deploysim.results.text import failure_report, format_summary
    from deploysim.scenario.paths import parse_changes
    from deploysim.storage.files import plain_name
    from deploysim.storage.session import OutputSession

    targets, max_reps = precision_settings(args)
    changes = parse_changes(args.sets, "--set")
    out: Path = args.out or Path("out") / plain_name(Path(args.file).stem, "run")
    with OutputSession(out):  # one lock from the first check to the last chart
        result = run(
            args.file,
            reps=args.reps,
            seed=args.seed,
            workers=args.workers,
            precision=[str(t) for t in targets],
            max_reps=max_reps,
            changes=changes,
            out=out,
            overwrite=args.overwrite,
            progress=ProgressLine(Path(args.file).stem),
            origin="--set",
            targets=args.targets,
            resume=args.resume,
            run_timeout=args.run_timeout,
            allow_large=args.allow_large,
        )
        written = result.save(out)
        written += write_outputs(result, out, args)
    say(f"{result.label}: {result.replications} replications, seed {args.seed}")
    if args.resume:
        say(f"resumed: {result.resumed} runs were already on disk, {result.replications - result.resumed} run now")
    if targets:
        say(result.adaptive.report())
    say(format_summary(result.summary(), result.outcomes()))
    failures = failure_report(result.runs, str(out / "runs"))
    if failures:
        say(failures)
    for path in written:
        if path.suffix in (".png", ".svg", ".pdf", ".html", ".xlsx"):
            say(f"wrote {path}")
    say(f"tables in {out}/ (runs, daily, teams, events as Parquet datasets; summary as CSV and Parquet)")
    return 0
