"""Where each number of a scenario comes from, read from the comments of its YAML file.

Scenario files name their sources beside the numbers: a legend in the header (``#   [PC.DEC/947]
OSCE Permanent Council Decision No. 947 ...``) and tags in the comments of the lines they support
(``initial_length: 4 months  # [PC.DEC/947]``), with ``[A]`` for an assumption. A briefing must show
which numbers are sourced and which are assumed, so this module reads those comments back: the
legend, and for every tagged line the field's dotted path (the one ``--set`` takes), its value, its
tags and the rest of the comment. It reads lines, not YAML: comments are all it needs, and a file
that no longer parses still shows its sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ASSUMPTION = "A"
_TAG = re.compile(r"\[([^\[\]]+)\]")
_LEGEND = re.compile(r"^#(?P<indent>\s+)\[(?P<tag>[^\[\]]+)\]\s+(?P<text>.*)$")
_KEY = re.compile(r"^(?P<key>[^\s#'\"{\[&*!|>-][^:#]*?|'[^']*'|\"[^\"]*\"):(?:\s+(?P<value>.*))?$")
_FLOW_NAME = re.compile(r"\bname:\s*(?P<name>[^,}]+)")
_BLOCK_SCALAR = re.compile(r"^[|>][+-]?\d*$")
_ASSUMED_IN_DETAIL = re.compile(r"(?:^|[\s;,])A(?:$|[\s;,.])")


@dataclass(frozen=True)
class Source:
    """One entry of the file's legend: its tag and what it stands for."""

    tag: str
    text: str


@dataclass(frozen=True)
class Citation:
    """A line of the scenario that names its sources: the field, its value as written, and the comment."""

    path: str
    value: str
    tags: tuple[str, ...]
    note: str
    line: int

    @property
    def keys(self) -> tuple[str, ...]:
        """Each tag's key: ``[seed: six teams; split A]`` is the ``seed`` source."""
        return tuple(tag.split(":", 1)[0].strip() for tag in self.tags)

    @property
    def basis(self) -> str:
        """``source``, ``assumption``, or ``source and assumption`` when the line names both: an ``[A]`` tag
        beside a source, or a source tag whose detail says part of it is assumed (``[seed: six teams; split A]``)."""
        if all(key == ASSUMPTION for key in self.keys):
            return "assumption"
        partly = any(_ASSUMED_IN_DETAIL.search(tag.partition(":")[2]) for tag in self.tags)
        return "source and assumption" if partly or ASSUMPTION in self.keys else "source"

    @property
    def assumption(self) -> bool:
        """Whether the value rests on an assumption at all (alone or beside a source)."""
        return self.basis != "source"


@dataclass(frozen=True)
class Annotations:
    """Everything the comments of one scenario file say about its sources."""

    intro: str
    legend: tuple[Source, ...]
    citations: tuple[Citation, ...]

    @property
    def assumptions(self) -> tuple[Citation, ...]:
        return tuple(c for c in self.citations if c.assumption)

    @property
    def sourced(self) -> tuple[Citation, ...]:
        return tuple(c for c in self.citations if not c.assumption)


def split_comment(line: str) -> tuple[str, str]:
    """A line's content and its comment: the first ``#`` outside quotes that starts the line or follows a space."""
    quote: str | None = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"" and (i == 0 or line[i - 1] in " :{[,"):
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def _header(lines: list[str]) -> tuple[str, tuple[Source, ...], int]:
    """The leading comment block: its free text, its legend, and the index of the first line after it."""
    intro: list[str] = []
    legend: list[list[str]] = []
    indent = 0
    i = 0
    while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
        line = lines[i].rstrip()
        match = _LEGEND.match(line.strip())
        body = line.strip().removeprefix("#")
        if match:
            legend.append([match["tag"].strip(), match["text"].strip()])
            indent = len(match["indent"])
        elif legend and body.strip() and len(body) - len(body.lstrip()) > indent:
            legend[-1][1] += " " + body.strip()
        elif body.strip() and not legend:
            intro.append(body.strip())
        i += 1
    return " ".join(intro), tuple(Source(tag, text) for tag, text in legend), i


@dataclass
class _Level:
    """One open mapping key or list item while walking the file; an item's segment becomes its name once seen."""

    indent: int
    segment: list[str]
    item: bool = False
    items: int = 0


@dataclass
class _Walk:
    stack: list[_Level] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    found: list[tuple[list[list[str]], str, tuple[str, ...], str, int]] = field(default_factory=list)
    block_indent: int | None = None

    def pop_to(self, column: int, item: bool) -> None:
        while self.stack and (self.stack[-1].indent > column or (self.stack[-1].indent == column and
                                                                   (not item or self.stack[-1].item))):
            self.stack.pop()

    def open_item(self, column: int) -> _Level:
        self.pop_to(column, item=True)
        parent = self.stack[-1] if self.stack else None
        index = parent.items if parent else 0
        if parent:
            parent.items += 1
        level = _Level(column, [str(index)], item=True)
        self.stack.append(level)
        return level

    def cite(self, value: str, comment: str, number: int) -> None:
        notes = [*self.pending, comment] if comment else list(self.pending)
        self.pending = []
        text = " ".join(notes)
        tags = tuple(tag.strip() for tag in _TAG.findall(text))
        if tags:
            note = re.sub(r"\s+", " ", _TAG.sub("", text)).strip(" ;,.")
            self.found.append(([level.segment for level in self.stack], value, tags, note, number))


def _content_line(walk: _Walk, content: str, comment: str, number: int) -> None:
    """Open the key or list item this line starts, then record its citation if its comment has tags."""
    column = len(content) - len(content.lstrip())
    text = content.strip()
    item: _Level | None = None
    while text.startswith("- ") or text == "-":
        item = walk.open_item(column)
        rest = text[1:].lstrip()
        column += len(text) - len(rest)
        text = rest
    match = _KEY.match(text)
    if match:
        key, value = match["key"].strip().strip("'\""), (match["value"] or "").strip()
        if key == "name" and item is None and walk.stack and walk.stack[-1].item and walk.stack[-1].indent < column:
            walk.stack[-1].segment[0] = value.strip("'\"")
        elif key == "name" and item is not None:
            item.segment[0] = value.strip("'\"")
        if key not in ("<<", "name"):  # a name is the item's own label (cited as the item), never a parent
            walk.pop_to(column, item=False)
            walk.stack.append(_Level(column, [key]))
        if _BLOCK_SCALAR.match(value):
            walk.block_indent = column
    else:
        value = text
        flow = _FLOW_NAME.search(text)
        if item is not None and flow:
            item.segment[0] = flow["name"].strip().strip("'\"")
    walk.cite(value, comment, number)


def read_annotations(text: str) -> Annotations:
    """The legend and every tagged line of a scenario file's text."""
    lines = text.splitlines()
    intro, legend, start = _header(lines)
    walk = _Walk()
    for number, line in enumerate(lines[start:], start=start + 1):
        indent = len(line) - len(line.lstrip())
        if walk.block_indent is not None:
            if not line.strip() or indent > walk.block_indent:
                continue
            walk.block_indent = None
        content, comment = split_comment(line)
        if not content.strip():
            if _TAG.search(comment):
                walk.pending.append(comment)
            continue
        _content_line(walk, content, comment, number)
    citations = tuple(Citation(".".join(seg[0] for seg in segments), value, tags, note, number)
                      for segments, value, tags, note, number in walk.found)
    return Annotations(intro, legend, citations)
