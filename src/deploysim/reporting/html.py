"""The few HTML pieces the report is made of, each escaping what it is given.

Text from scenarios and results (names, descriptions, file paths) is a planner's free text: it is
escaped here, once, and only :class:`Markup` (built by these helpers) passes through unchanged.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence


class Markup(str):
    """HTML built by this module, safe to insert as it is."""


Cell = str | Markup


def esc(text: object) -> Markup:
    return text if isinstance(text, Markup) else Markup(html.escape(str(text), quote=True))


def element(name: str, content: Cell | Iterable[Cell] = "", **attributes: str | None) -> Markup:
    """``<name attr="...">content</name>``; a trailing underscore in an attribute name is dropped (``class_``)."""
    attrs = "".join(f' {key.rstrip("_").replace("_", "-")}="{esc(value)}"' for key, value in attributes.items()
                    if value is not None)
    body = esc(content) if isinstance(content, str) else Markup("".join(esc(part) for part in content))
    return Markup(f"<{name}{attrs}>{body}</{name}>")


def paragraphs(texts: Iterable[Cell], class_: str | None = None) -> Markup:
    return Markup("\n".join(element("p", text, class_=class_) for text in texts if text))


def table(headers: Sequence[str], rows: Iterable[Sequence[Cell]], caption: str | None = None,
          numeric: Iterable[int] = (), class_: str | None = None) -> Markup:
    """A table with a header row; columns in ``numeric`` are right-aligned (figures line up by digit)."""
    right = set(numeric)
    head = element("tr", [element("th", h, scope="col", class_="num" if i in right else None)
                          for i, h in enumerate(headers)])
    body = [element("tr", [element("td", cell, class_="num" if i in right else None) for i, cell in enumerate(row)])
            for row in rows]
    parts: list[Cell] = [element("caption", caption)] if caption else []
    parts += [element("thead", head), element("tbody", body)]
    return element("table", parts, class_=class_)


def section(identifier: str, title: str, *content: Cell) -> Markup:
    return element("section", [element("h2", title), *content], id=identifier)


def details(summary: str, content: Cell, open_: bool = False) -> Markup:
    return element("details", [element("summary", summary), content], open="" if open_ else None)


def definitions(items: Iterable[tuple[Cell, Cell]]) -> Markup:
    return element("dl", [Markup(element("dt", term) + element("dd", text)) for term, text in items])
