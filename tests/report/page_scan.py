"""What a test needs to know about a report page, read with the standard library's HTML parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

LOCAL_PREFIXES = ("#", "data:")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@dataclass
class Page:
    """Elements counted, references gathered, and the text of the parts the tests look at."""

    counts: dict[str, int] = field(default_factory=dict)
    references: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, value)
    ids: list[str] = field(default_factory=list)
    meta: list[dict[str, str]] = field(default_factory=list)
    answer: str = ""
    headings: list[str] = field(default_factory=list)
    scripts: list[tuple[dict[str, str], str]] = field(default_factory=list)

    @property
    def external(self) -> list[tuple[str, str, str]]:
        """Every reference that would make the browser fetch something: anything but a fragment or data: URL."""
        return [ref for ref in self.references if not ref[2].startswith(LOCAL_PREFIXES)]


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._in: list[str] = []
        self._answer_depth: int | None = None
        self._script: dict[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.page.counts[tag] = self.page.counts.get(tag, 0) + 1
        for name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
            if name in values:
                self.page.references.append((tag, name, values[name]))
        if "id" in values:
            self.page.ids.append(values["id"])
        if tag == "meta":
            self.page.meta.append(values)
        if tag == "ul" and "answer" in values.get("class", "").split():
            self._answer_depth = len(self._in)
        if tag == "script":
            self._script, self._text = values, []
        if tag not in VOID:
            self._in.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._in.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.page.scripts.append((self._script, "".join(self._text)))
            self._script = None
        while self._in and self._in.pop() != tag:
            pass
        if self._answer_depth is not None and len(self._in) <= self._answer_depth:
            self._answer_depth = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)
        if self._answer_depth is not None:
            self.page.answer += data
        if self._in and self._in[-1] in ("h1", "h2"):
            self.page.headings.append(data.strip())


def scan(html: str) -> Page:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.page
