"""``deploysim validate FILE...``: check scenario files without running them."""

from __future__ import annotations

import argparse
import sys

from deploysim.errors import ScenarioError
from deploysim.scenario.load import load_scenario


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help="check scenario files")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            print(f"deploysim: error: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"{path}: ok ({scenario.name}: {scenario.authorised_posts} posts in {len(scenario.teams)} teams)")
    return 2 if failed else 0
