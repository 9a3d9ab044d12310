"""The ``deploysim`` command: one sub-command module each, one error policy for all.

Every user mistake (a bad scenario file, a bad flag, an unreadable results directory) ends as one
line on stderr and exit status 2; no traceback reaches a planner.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

from deploysim._version import __version__
from deploysim.cli import analyze, compare, diff, init, report, run, scenarios, schema, select, sweep, validate
from deploysim.cli.echo import say
from deploysim.errors import DeploysimError, UnfinishedResultsWarning, UsageError

EXAMPLE = "scenarios/kyrgyzstan-2010.yaml"
COMMANDS = (run, compare, sweep, select, analyze, report, validate, diff, schema, scenarios, init)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="deploysim", description="Simulate field missions many times and plan with the spread.")
    parser.add_argument("--version", action="version", version=f"deploysim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        if not arguments:  # a newcomer typing the bare command gets the map of commands, not a riddle
            say(parser.format_help(), file=sys.stderr)
            say(f"deploysim: error: give a command, e.g. deploysim run {EXAMPLE}", file=sys.stderr)
            return 2
        args = parser.parse_args(arguments)
        with warnings.catch_warnings():  # commands print such a note as one line of their own
            warnings.simplefilter("ignore", UnfinishedResultsWarning)
            return int(args.handler(args) or 0)
    except UsageError as exc:
        say(f"deploysim: error: {exc.for_cli()}", file=sys.stderr)
        return 2
    except DeploysimError as exc:
        say(f"deploysim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        say("deploysim: interrupted; finished batches are on disk", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
