"""Reading a scenario file as data, safely, and remembering where each value was written.

A scenario file is data: only a regular file is read (a FIFO, a device or a directory is refused
from its ``stat``, before anything waits or reads), never past the size limit, as UTF-8; it is
parsed with the safe loader, a character YAML does not allow is reported at its line and column,
its nesting is bounded while parsing, and its node graph is measured before construction so that
an alias bomb (or an alias that contains itself) is refused instead of eating memory; a key written
twice is an error rather than a silently dropped value. Alongside the data comes a line map (dotted
path -> line) so that a mistake found later, by validation, can still point at its line. One
``--set`` value goes through the same limits (:func:`parse_value`).
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from deploysim.errors import ScenarioError
from deploysim.scenario.schema import Scenario

MAX_FILE_BYTES = 1_000_000
MAX_EXPANDED_NODES = 200_000
MAX_DEPTH = 64  # nesting as written; scenarios need about 5 levels
MAX_EXPANDED_DEPTH = 200  # nesting once aliases are expanded

LineMap = dict[tuple[str, ...], int]
"""Dotted path (as keys) -> 1-based line of the value in the file."""


def describe_value(value: Any) -> str:
    """A value as a planner wrote it, short enough for a one-line message."""
    text = value.isoformat() if isinstance(value, dt.date) else repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def required_fields() -> str:
    """The fields every scenario must have, for messages about a file that holds no scenario."""
    return ", ".join(name for name, field in Scenario.model_fields.items() if field.is_required())


def nearest_line(lines: LineMap, path: tuple[str, ...]) -> int | None:
    """The line of ``path``, or of its nearest ancestor the file wrote (a missing field: its parent)."""
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None


class _SafeLoader(yaml.SafeLoader):
    """The safe loader with nesting bounded while composing (no RecursionError on ``[[[[...``) and
    values Python cannot represent (``2010-02-30``, a 5,000-digit number) reported at their line."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, f"nesting deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.constructor.ConstructorError as exc:  # e.g. a !!python tag: remember where
            if not hasattr(exc, "node"):
                exc.node = node  # type: ignore[attr-defined]
            raise
        except (ValueError, OverflowError) as exc:
            what = describe_value(node.value) if isinstance(node, yaml.ScalarNode) else "this value"
            reason = str(exc)
            if "int_max_str_digits" in reason:
                reason = "too many digits"
            elif "invalid literal" in reason or "could not convert" in reason:  # a wrong tag, e.g. !!int 1.5
                reason = f"it is not a valid {node.tag.rsplit(':', 1)[-1]}"
            error = yaml.constructor.ConstructorError(None, None, f"cannot read {what}: {reason}", node.start_mark)
            error.node = node  # type: ignore[attr-defined]
            raise error from None


def _yaml_error(exc: yaml.YAMLError, source: str, root: yaml.Node | None = None) -> ScenarioError:
    """One line from PyYAML's multi-line messages, at the line of the problem."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return ScenarioError(source, f"malformed YAML: {exc}")
    mark = exc.problem_mark or exc.context_mark
    problem = ": ".join(str(part) for part in (exc.context, exc.problem) if part)
    start = exc.context_mark
    if exc.context and exc.problem and start and mark and start.line != mark.line:
        problem = f"{exc.problem} ({exc.context} started on line {start.line + 1})"
    if isinstance(exc, yaml.constructor.ConstructorError):
        if "constructor for the tag" in problem:
            problem += "; scenario files hold plain data only"
        node = getattr(exc, "node", None)
        path = _path_of(root, node) if root is not None and node is not None else None
        return ScenarioError(source, problem, ".".join(path or ()), mark.line + 1 if mark else None)
    return ScenarioError(source, f"malformed YAML: {problem}", line=mark.line + 1 if mark else None)


def _path_of(root: yaml.Node, target: yaml.Node) -> tuple[str, ...] | None:
    """Dotted path of ``target`` in the node graph (the first found), for errors raised while constructing."""
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((value, (*path, str(key.value))) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, str(i))) for i, item in enumerate(node.value))
    return None


def _expanded_size(root: yaml.Node) -> int:
    """Nodes the document would have once aliases are expanded, computed without expanding."""
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        if depth > MAX_EXPANDED_DEPTH:
            raise ValueError(f"nesting deeper than {MAX_EXPANDED_DEPTH} levels once aliases are expanded")
        key = id(node)
        if key in memo:
            return memo[key]
        if key in active:
            raise ValueError("an alias refers to a structure that contains it")
        active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
        active.discard(key)
        memo[key] = total
        return total

    return size(root, 0)


def _refuse_alias_bomb(root: yaml.Node, source: str) -> None:
    try:
        expanded = _expanded_size(root)
    except (ValueError, RecursionError) as exc:
        raise ScenarioError(source, f"YAML structure refused: {exc}") from None
    if expanded > MAX_EXPANDED_NODES:
        raise ScenarioError(
            source,
            f"YAML aliases expand to {expanded:,} nodes (limit {MAX_EXPANDED_NODES:,}); this looks like an alias bomb",
        )


def _line_map(node: yaml.Node, prefix: tuple[str, ...] = (), out: LineMap | None = None) -> LineMap:
    """Dotted path -> 1-based line of the value, so validation errors can point into the file."""
    out = {} if out is None else out
    out[prefix] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, str(key_node.value))
            out[key] = key_node.start_mark.line + 1
            _line_map(value_node, key, out)
            out[key] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, (*prefix, str(i)), out)
    return out


def _duplicate_key(root: yaml.Node) -> tuple[tuple[str, ...], int, int] | None:
    """The first key written twice in one mapping (path, line, first line): YAML keeps the last silently."""
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    if key in first:
                        return (*path, key), key_node.start_mark.line + 1, first[key]
                    first[key] = key_node.start_mark.line + 1
                stack.append((value_node, (*path, key)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, str(i))) for i, item in enumerate(node.value))
    return None


def _refuse_duplicate_key(root: yaml.Node, source: str) -> None:
    duplicate = _duplicate_key(root)
    if duplicate:
        path, line, first = duplicate
        raise ScenarioError(
            source, f"key {path[-1]!r} is written twice (first on line {first}); keep one", ".".join(path), line
        )


def _reader_error(exc: yaml.reader.ReaderError, text: str, source: str) -> ScenarioError:
    """A character YAML does not allow (a control character, a non-character), at its line and column."""
    position = max(0, min(int(exc.position), len(text)))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = exc.character if isinstance(exc.character, str) else text[position : position + 1]
    code = ord(character) if character else 0
    return ScenarioError(
        source,
        f"character U+{code:04X} (a control or non-printable character) is not allowed in YAML; remove it, "
        f'or write it as "\\u{code:04x}" inside double quotes',
        line=line,
        column=column,
    )


def _compose(text: str, source: str, *, empty: str | None) -> tuple[yaml.Node | None, _SafeLoader]:
    """The node graph of ``text``, with its size, nesting and aliases checked; ``empty``: the message for
    a text without a document, or None to accept it (the graph is then None)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise ScenarioError(source, f"is larger than {MAX_FILE_BYTES:,} bytes; scenario files are small")
    try:
        loader = _SafeLoader(text)  # the reader checks every character here, before any parsing
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, source) from None
    try:
        node = loader.get_single_node()
        if node is None and empty is not None:
            raise ScenarioError(source, empty)
        if node is not None:
            _refuse_alias_bomb(node, source)
            _refuse_duplicate_key(node, source)
    except yaml.YAMLError as exc:
        loader.dispose()
        raise _yaml_error(exc, source) from None
    except BaseException:
        loader.dispose()
        raise
    return node, loader


def _construct(node: yaml.Node, loader: _SafeLoader, source: str) -> Any:
    try:
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source, node) from None
    finally:
        loader.dispose()


def parse_yaml(text: str, source: str) -> tuple[Any, LineMap]:
    """Parse YAML text into plain data and a line map; raises ScenarioError on any problem."""
    node, loader = _compose(text, source, empty=f"the file is empty; a scenario needs at least {required_fields()}")
    assert node is not None  # an empty text was refused
    lines = _line_map(node)  # before constructing: merge keys ('<<') are flattened in place
    return _construct(node, loader, source), lines


def parse_value(text: str, source: str) -> Any:
    """One value written in YAML (``--set PATH=VALUE``), read with the same limits as a file: size,
    nesting, alias expansion, tags; a text with no value (only a comment) is None, as in a file."""
    node, loader = _compose(text, source, empty=None)
    if node is None:
        loader.dispose()
        return None
    return _construct(node, loader, source)


def _refuse_unless_regular(mode: int, size: int, source: str) -> None:
    if not stat.S_ISREG(mode):
        raise ScenarioError(source, f"is {_kind(mode)}, not a scenario file (a regular YAML file)")
    if size > MAX_FILE_BYTES:
        raise ScenarioError(source, f"is {size:,} bytes, larger than the {MAX_FILE_BYTES:,} allowed")


def _kind(mode: int) -> str:
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _read_bounded(path: Path, source: str) -> bytes:
    """At most MAX_FILE_BYTES of the regular file at ``path``.

    Anything else (a FIFO, a device such as /dev/zero, a directory, a socket) is refused from its
    ``stat`` before it is opened, and again from the open descriptor in case the path was replaced in
    between; the descriptor is opened non-blocking so that not even opening waits on a pipe. Reading
    stops one byte past the limit, so a file whose size lies (files in /proc claim 0) is still bounded.
    """
    info = os.stat(path)
    _refuse_unless_regular(info.st_mode, info.st_size, source)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    with os.fdopen(os.open(path, flags), "rb") as file:
        info = os.fstat(file.fileno())
        _refuse_unless_regular(info.st_mode, info.st_size, source)
        raw = file.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(source, f"is larger than the {MAX_FILE_BYTES:,} bytes allowed; scenario files are small")
    return raw


def _decode(raw: bytes, source: str) -> str:
    """UTF-8 text; the first byte that is not, at its line and column."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # a byte-order mark: the whole file is UTF-16
            raise ScenarioError(source, "is not UTF-8 text (UTF-16 text); save it as UTF-8") from None
        raise ScenarioError(
            source, f"is not UTF-8 text (byte 0x{raw[exc.start]:02X}); save it as UTF-8", line=line, column=column
        ) from None


def read_scenario_file(path: str | Path) -> tuple[Any, LineMap]:
    """The data and line map of a scenario file: a regular file of at most MAX_FILE_BYTES of UTF-8.

    Every way this can fail (missing, a directory or a FIFO or a device, unreadable, too large, not
    UTF-8, not YAML) is a ScenarioError naming the file.
    """
    source = str(path)
    file = Path(path)
    try:
        raw = _read_bounded(file, source)
    except FileNotFoundError:
        raise ScenarioError(source, "no such file") from None
    except NotADirectoryError:
        raise ScenarioError(source, "no such file (a part of the path is a file, not a directory)") from None
    except PermissionError:
        raise ScenarioError(source, "permission denied") from None
    except ValueError:  # a NUL character in the path
        raise ScenarioError(source, "is not a valid file name") from None
    except OSError as exc:
        raise ScenarioError(source, f"cannot be read: {exc.strerror or exc}") from None
    return parse_yaml(_decode(raw, source), source)
