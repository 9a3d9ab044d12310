"""Every error that is the user's to fix, under one base class.

The CLI catches :class:`DeploysimError` and prints it as one line with exit status 2; in a notebook
the same exceptions carry the same message. Library functions name their parameters (``reps``,
``design='lhs' needs samples``); the CLI words them as flags where it parses them.
"""

from __future__ import annotations

from typing import Any, ClassVar

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(character: str) -> str:
    code = ord(character)
    if character in _ESCAPES:
        return _ESCAPES[character]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def one_line(text: str) -> str:
    """``text`` as one printable line: line breaks of every kind, control and format characters (a
    terminal escape, a right-to-left override) and lone surrogates are shown as escapes, so whatever
    a file holds, its message is one line that shows what is there and cannot act on the terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escaped(ch) for ch in text)


def printable(text: str) -> str:
    """``text`` with line breaks kept and every other control or format character escaped, as
    :func:`one_line` does: for output of several lines (a summary table) that holds a name, a path or
    a value from input. An escape sequence in a file name or a key is shown, never obeyed."""
    return "\n".join(one_line(line) for line in text.split("\n"))


class DeploysimError(Exception):
    """Base of every error deploysim raises for bad input; its message is one line a planner can act on."""


class UsageError(DeploysimError):
    """A bad argument or option, named in the message: by its parameter name in Python, and by its flag
    (``cli``) when the command line passed it."""

    def __init__(self, message: str, cli: str | None = None) -> None:
        super().__init__(message)
        self.cli = cli

    def for_cli(self) -> str:
        return self.cli or str(self)


class OutputError(UsageError):
    """An output directory that cannot be used as asked.

    The message is a template whose ``{out}``, ``{overwrite}`` and ``{resume}`` name the parameters
    of the library function (``out``, ``overwrite=True``) and, through :meth:`for_cli`, the flags
    of the command (``--out``, ``--overwrite``), so that each reader sees the words they type.
    """

    LIBRARY_WORDS: ClassVar[dict[str, str]] = {"out": "out", "overwrite": "overwrite=True", "resume": "resume=True"}
    CLI_WORDS: ClassVar[dict[str, str]] = {"out": "--out", "overwrite": "--overwrite", "resume": "--resume"}

    def __init__(self, template: str) -> None:
        super().__init__(template.format_map(self.LIBRARY_WORDS), cli=template.format_map(self.CLI_WORDS))


class ScenarioError(DeploysimError):
    """A problem in a scenario, reported as ``file:line: field.path: message``, or ``file:line:column:``
    for a problem with one character (a control character, a byte that is not UTF-8).

    A file with several mistakes raises one error, the first with a count of the rest; ``problems``
    holds each of them (``validate`` prints them all), or is empty when there is only this one.
    """

    def __init__(
        self,
        source: str,
        message: str,
        path: str = "",
        line: int | None = None,
        column: int | None = None,
        *,
        problems: tuple[ScenarioError, ...] = (),
    ) -> None:
        self.source = source
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        self.problems = problems
        super().__init__(str(self))

    def each(self) -> tuple[ScenarioError, ...]:
        """Every problem on its own: the ``problems``, or this error alone."""
        return self.problems or (self,)

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        if self.line is not None and self.column is not None:
            where += f":{self.column}"
        field = f" {self.path}:" if self.path else ""
        return one_line(f"{where}:{field} {self.message}")

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuilt from its parts when it crosses a process boundary (a sweep's workers), not from its text."""
        return _rebuild, (type(self), self.source, self.message, self.path, self.line, self.column, self.problems)


def _rebuild(
    kind: type[ScenarioError],
    source: str,
    message: str,
    path: str,
    line: int | None,
    column: int | None,
    problems: tuple[ScenarioError, ...],
) -> ScenarioError:
    return kind(source, message, path, line, column, problems=problems)


class ResultsError(DeploysimError):
    """A results directory that cannot be read or written as asked; the message names the path."""


class SweepError(ResultsError):
    """A sweep that could not finish (a worker died, the cluster went away); finished tasks are on disk."""


class AnalysisError(ResultsError):
    """Results that cannot be analysed as asked; the message says why, in a planner's terms."""


class ComparisonError(UsageError, ValueError):
    """Scenarios that cannot be compared as asked; a ValueError too, for notebooks."""


class UnfinishedResultsWarning(UserWarning):
    """Results read back from an experiment that was interrupted or is still being written: the tables
    hold only the runs on disk, and the message says how many of how many."""


class PrecisionError(UsageError, ValueError):
    """A precision request that cannot be honoured: unknown measure, bad half-width, too few max reps."""
