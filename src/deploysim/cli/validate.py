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
        _say(f"{path}: ok ({scenario.name}: {scenario.authorised_posts} posts in {len(scenario.teams)} teams)")
    return 2 if failed else 0


def _say(line: str) -> None:
    """Print ``line`` even where the terminal's encoding lacks a character of a scenario's name (a Latin-1
    console and an emoji): such characters are shown as escapes instead of ending in a traceback."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    print(line.encode(encoding, "backslashreplace").decode(encoding, "replace"))
