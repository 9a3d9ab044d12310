"""``deploysim diff A.yaml B.yaml``: the dotted paths where two scenarios differ, once both are validated.

Before comparing two scenarios a planner wants to know what the comparison is *of*. A text diff of
the files shows spelling (``6 w`` against ``42 d``) and misses defaults; this lists what the model
will actually see differently, with paths that ``--set`` and sweeps accept.
"""

from __future__ import annotations

import argparse

from deploysim.cli.echo import say
from deploysim.scenario.diff import diff_scenarios, format_difference
from deploysim.scenario.load import load_scenario

WIDTH = 60  # values are cut at this many characters; a whole team or a description is one line


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "diff",
        help="list the fields where two scenarios differ",
        description="Validate two scenario files and list, one per line, the dotted paths where the second "
                    "differs from the first: 'path (a -> b)', 'path (added: b)', 'path (removed)'. Durations are "
                    "compared in days and defaults are filled in, so '6 w' and '42 d' are the same; list items "
                    "are matched by name where they have one.",
        epilog="Exit status: 0 if the scenarios are the same, 1 if they differ, 2 if a file is not a valid scenario.",
    )
    parser.add_argument("first", metavar="A", help="scenario YAML file")
    parser.add_argument("second", metavar="B", help="scenario YAML file compared with A")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    a, b = load_scenario(args.first), load_scenario(args.second)
    differences = diff_scenarios(a, b)
    if not differences:
        say(f"{args.first} and {args.second}: the same scenario")
        return 0
    say(f"{args.second} differs from {args.first} in {len(differences)} field(s):")
    for difference in differences:
        say(f"  {format_difference(difference, WIDTH)}")
    return 1
