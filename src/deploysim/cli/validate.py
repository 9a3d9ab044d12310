"""``deploysim validate FILE...``: check scenario files without running them."""

from __future__ import annotations

import argparse
import sys

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
                print(f"deploysim: error: {problem}", file=sys.stderr)
            failed += 1
            continue
        _say(f"{path}: ok ({scenario.name}: {scenario.authorised_posts} posts in {len(scenario.teams)} teams)")
    return 2 if failed else 0


def _say(line: str) -> None:
    """Print ``line`` even where the terminal's encoding lacks a character of a scenario's name (a Latin-1
    console and an emoji): such characters are shown as escapes instead of ending in a traceback."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    print(line.encode(encoding, "backslashreplace").decode(encoding, "replace"))
