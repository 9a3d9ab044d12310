"""``deploysim validate FILE...``: check scenario files without running them."""

from __future__ import annotations

import argparse
import sys

from deploysim.cli.echo import say
from deploysim.errors import ScenarioError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "validate",
        help="check scenario files",
        description="Check scenario files without running them: every problem in every file is reported on a "
                    "line of its own, FILE:LINE: field.path: message, and the exit status is 2 if any file has one.",
        epilog="example:\n  deploysim validate scenarios/*.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML files or shipped scenario names")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from deploysim.scenario.load import load_scenario

    failed = 0
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            for problem in exc.each():
                say(f"deploysim: error: {problem}", file=sys.stderr)
            failed += 1
            continue
        say(f"{path}: ok ({scenario.name}: {scenario.authorised_posts} posts in {len(scenario.teams)} teams)")
    return 2 if failed else 0
