"""``deploysim compare A.yaml B.yaml [C.yaml ...]``: paired differences from the first scenario, with CIs."""

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
from deploysim.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "compare",
        help="replicate scenarios with common random numbers and compare each with the first",
        description="Replicate every scenario with the same replication seeds and report, per measure, each "
                    "scenario's mean with its 95% CI and its paired difference from the first scenario.",
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="scenario YAML files or shipped names; the first is the baseline"
    )
    parser.add_argument("--reps", type=positive_int, default=100, help="replications per scenario (default 100)")
    parser.add_argument("--seed", type=seed, default=0, help="root seed shared by all scenarios (default 0)")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default out/compare-<A>-vs-<B>)")
    parser.add_argument("--workers", type=workers, default=None, help="processes (default: all cores)")
    parser.add_argument("--overwrite", action="store_true", help="replace results already in --out")
    add_target_option(parser)
    add_precision_options(parser, "every paired difference from the first scenario")
    add_watchdog_option(parser)
    add_large_option(parser)
    add_output_options(parser)
    parser.set_defaults(handler=handle)


def default_out(files: list[str]) -> Path:
    from deploysim.storage.files import plain_name

    stems = [plain_name(Path(f).stem, "scenario") for f in files]
    return Path("out") / plain_name(("compare-" + "-vs-".join(stems))[:100], "compare")


def handle(args: argparse.Namespace) -> int:
    from deploysim.experiments.comparison import compare
    from deploysim.results.text import failure_report
    from deploysim.scenario.diff import IDENTITY_FIELDS, diff_scenarios, summarize
    from deploysim.storage.session import OutputSession

    if len(args.files) < 2:
        raise UsageError("compare needs at least two scenario files; the first is the baseline")
    targets, max_reps = precision_settings(args)
    out: Path = args.out or default_out(args.files)
    with OutputSession(out):  # one lock from the first check to the last chart
        comparison = compare(
            args.files,
            reps=args.reps,
            seed=args.seed,
            workers=args.workers,
            precision=[str(t) for t in targets],
            max_reps=max_reps,
            out=out,
            overwrite=args.overwrite,
            progress=ProgressLine(f"compare {len(args.files)} scenarios"),
            target=args.targets,
            run_timeout=args.run_timeout,
            allow_large=args.allow_large,
        )
        written = comparison.save(out)
        written += write_outputs(comparison, out, args)
    say(f"{len(comparison.labels)} scenarios, {comparison.replications} replications each, seed {args.seed}, "
          "common random numbers")
    if targets:
        say(comparison.adaptive.report())
    baseline = comparison.scenarios[comparison.baseline]
    for label in comparison.labels[1:]:  # what each comparison is of, before its numbers
        differences = diff_scenarios(baseline, comparison.scenarios[label], ignore=IDENTITY_FIELDS)
        say(f"{label} differs from the baseline in: {summarize(differences)}")
    say(comparison.format_table())
    failures = failure_report(comparison.runs, str(out / "runs"))
    if failures:
        say(failures)
    for path in written:
        if path.suffix in (".png", ".svg", ".pdf", ".html", ".xlsx"):
            say(f"wrote {path}")
    say(f"tables in {out}/ (comparison, summary, differences as CSV and Parquet; runs, daily, teams, events "
          "as Parquet datasets)")
    return 0
