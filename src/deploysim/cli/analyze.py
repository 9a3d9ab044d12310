"""``deploysim analyze DIR``: which levers matter, printed, and written as CSV and PNG into DIR/analysis."""

from __future__ import annotations

import argparse
from pathlib import Path

from deploysim.cli.echo import say
from deploysim.cli.options import seed
from deploysim.stats.defaults import DEFAULT_MEASURES


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("analyze", help="sensitivity indices and sweep plots of a sweep directory")
    parser.add_argument("directory", metavar="DIR", type=Path, help="output directory of deploysim sweep")
    parser.add_argument(
        "--measure",
        dest="measures",
        action="append",
        default=None,
        metavar="M",
        help=f"measure to analyse (repeatable; default: {', '.join(DEFAULT_MEASURES)})",
    )
    parser.add_argument(
        "--target", dest="targets", action="append", default=[], metavar="MILESTONE<=DAY",
        help="also analyse P(milestone reached by the day), e.g. foc_day<=200 (repeatable; adds to those the "
        "sweep stored)",
    )
    parser.add_argument("--seed", type=seed, default=0, help="seed of the bootstrap confidence intervals (default 0)")
    parser.add_argument("--no-plots", action="store_true", help="write the CSV tables only")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from deploysim.experiments.analyze import analyze
    from deploysim.results.measures import measure_label
    from deploysim.results.text import format_indices, format_noise

    report = analyze(args.directory, args.measures, seed=args.seed, plots=not args.no_plots, targets=args.targets)
    for measure, result in report.measures.items():
        sobol = result.indices["method"].iloc[0] == "sobol"
        method = "Sobol indices" if sobol else "standardised regression coefficients"
        say(f"\n{measure_label(measure)} ({measure}): {method} of the {result.indices['estimator'].iloc[0]}")
        say(format_indices(result.indices))
        if result.noise is not None:
            say(format_noise(result.noise.share, result.noise.method))
    for note in report.notes:
        say(f"\n{note}")
    say(f"\nwrote {len(report.files)} files into {args.directory / 'analysis'}/")
    return 0
