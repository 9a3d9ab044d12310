"""The command reference, written from the ``deploysim`` argparse parser at every docs build.

Each sub-command's section is exactly what ``deploysim CMD --help`` prints, so an option added,
renamed or re-worded in ``deploysim.cli`` changes the page at the next build and the two cannot
drift. Commands come in the order of ``deploysim.cli.main.COMMANDS``.

Run as a script to print the page: ``python docs/gen_commands.py``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager

HELP_WIDTH = 100  # columns the help is wrapped at, whatever terminal the docs are built in


@contextmanager
def _columns(width: int) -> Iterator[None]:
    """argparse wraps help at ``$COLUMNS``; fix it for the duration so the page does not depend on the terminal."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved


def subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """(name, one-line help, parser) of every sub-command, in the order they were registered."""
    found: list[tuple[str, str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            found += [(name, helps.get(name, ""), sub) for name, sub in action.choices.items()]
    return found


def render(parser: argparse.ArgumentParser | None = None) -> str:
    """The page body: the top-level help, then one section per sub-command with its ``--help``."""
    if parser is None:
        from deploysim.cli.main import build_parser

        parser = build_parser()
    with _columns(HELP_WIDTH):
        lines = ["## deploysim", "", "```text", "$ deploysim --help", parser.format_help().rstrip(), "```", ""]
        for name, summary, sub in subcommands(parser):
            lines += [f"## deploysim {name}", ""]
            if summary:
                lines += [summary[0].upper() + summary[1:] + ".", ""]
            lines += ["```text", f"$ deploysim {name} --help", sub.format_help().rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render())
