"""``deploysim report DIR``: one self-contained HTML page of a run or a comparison, to read or to mail."""

from __future__ import annotations

import argparse
from pathlib import Path

from deploysim.cli.echo import say


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "report", help="write one self-contained HTML report of a run or compare directory",
        description="Write the question and the answer, the scenario's story with its sources and assumptions, "
                    "the summary, outcome classes, every chart, the differences of a comparison, method notes and "
                    "the manifest into one HTML file that loads nothing from anywhere.",
    )
    parser.add_argument("directory", metavar="DIR", type=Path, help="results directory of deploysim run or compare")
    parser.add_argument("-o", "--out", type=Path, default=None, metavar="FILE",
                        help="HTML file to write (default DIR/report.html)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from deploysim.reporting.build import report

    say(f"wrote {report(args.directory, args.out)}")
    return 0
