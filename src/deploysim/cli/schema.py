"""``deploysim schema``: the JSON Schema of scenario files, for editors' completion and checks."""

from __future__ import annotations

import argparse
import json

from deploysim.cli.echo import say


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("schema", help="print the scenario JSON Schema")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from deploysim.scenario.schema import Scenario

    say(json.dumps(Scenario.model_json_schema(), indent=2))
    return 0
