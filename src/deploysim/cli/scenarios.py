"""``deploysim scenarios``: the shipped scenarios by name, each with its one-line story."""

from __future__ import annotations

import argparse

from deploysim.cli.echo import say


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "scenarios",
        help="list the shipped scenarios (give a NAME wherever a scenario FILE is asked)",
        description="List the scenarios that ship with deploysim. Their names work wherever a scenario file "
                    "is asked: deploysim run kyrgyzstan-2010; deploysim init my.yaml --from kyrgyzstan-2010 "
                    "writes an editable copy.",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from deploysim.scenario.shipped import shipped_scenarios

    listed = shipped_scenarios()
    width = max((len(s.name) for s in listed), default=0)
    for scenario in listed:
        say(f"{scenario.name:<{width}}  {scenario.title}")
        if scenario.story:
            say(f"{'':<{width}}  {scenario.story}")
    say("\nrun one with: deploysim run NAME; copy one to edit with: deploysim init FILE --from NAME")
    return 0
