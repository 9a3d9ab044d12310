"""The ``deploysim`` command: parsing and printing only; every command calls a library function.

- ``main``: the parser and the one error policy (one line on stderr, exit status 2);
- ``options``: argument types and options shared by sub-commands;
- ``progress``: the progress line on stderr;
- one module per sub-command (``run``, ``compare``, ``sweep``, ``analyze``, ``validate``, ``diff``,
  ``schema``), each with ``register(subparsers)`` and a handler.
"""

from deploysim.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
