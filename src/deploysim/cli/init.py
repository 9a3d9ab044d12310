"""``deploysim init FILE --from NAME``: an editable copy of a shipped scenario, wired to the schema.

The copy keeps the original's comments and sources (it is the file's text, not a re-dump of its
data), and its first line tells YAML-aware editors where the JSON schema is, written beside it, so
completion and checks work while the planner edits.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from deploysim.cli.echo import say

SCHEMA_FILE = "scenario.schema.json"
DEFAULT_FROM = "kyrgyzstan-2010"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "init",
        help="write an editable copy of a shipped scenario",
        description=f"Copy a shipped scenario (see deploysim scenarios) to FILE with its comments and sources, "
                    f"and write its JSON schema as {SCHEMA_FILE} beside it for editor completion. "
                    "An existing FILE is never overwritten.",
        epilog="example:\n  deploysim init my-mission.yaml --from kyrgyzstan-2010\n"
               "  deploysim validate my-mission.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="the scenario file to write")
    parser.add_argument("--from", dest="source", metavar="NAME", default=DEFAULT_FROM,
                        help=f"shipped scenario to copy (default {DEFAULT_FROM})")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from deploysim.scenario.init import write_copy

    schema = write_copy(args.source, args.file)
    say(f"wrote {args.file} (from {args.source}) and its schema {schema}")
    say(f"edit it, then: deploysim validate {args.file}; deploysim run {args.file}")
    return 0
