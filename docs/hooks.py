"""mkdocs hooks: the parts of the site that are generated at build time, so that none can drift.

- ``<!-- readme: HEADING -->`` in a page is replaced by the text of that section of ``README.md``
  (up to the next heading): the README stays the one place the user guide is written, and the site
  shows it page by page. Links into other README sections are pointed at the page that includes
  them; the README's ``docs/...`` pictures at the same files here.
- ``<!-- generated: scenario-fields -->``: the field reference, from the scenario JSON Schema
  (``gen_reference``); the schema itself is published beside it as ``reference/scenario.schema.json``.
- ``<!-- generated: commands -->``: every command's ``--help``, from the argparse parser (``gen_commands``).
- ``<!-- generated: gallery -->``: the charts, drawn from the shipped scenarios (``gen_gallery``).
- ``notebooks/*.ipynb``: the repository's notebooks, executed with their outputs (``gen_notebooks``),
  then rendered by mkdocs-jupyter.
- API pages: Sphinx roles in docstrings (``:func:`run```) are shown as code.

A placeholder that names an unknown README section or generator fails the build.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import gen_commands  # noqa: E402
import gen_gallery  # noqa: E402
import gen_notebooks  # noqa: E402
import gen_reference  # noqa: E402

README = ROOT / "README.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
README_MARK = re.compile(r"^<!-- readme: (?P<heading>.+?) -->[ \t]*$", re.MULTILINE)
GENERATED_MARK = re.compile(r"^<!-- generated: (?P<name>[\w-]+) -->[ \t]*$", re.MULTILINE)
HEADING = re.compile(r"^(#{1,6}) +(.+?) *#*$")
ROLE = re.compile(r":(?:py:)?(?:func|class|mod|meth|attr|data|exc|obj|const):<code>(~?)([\w.]+)</code>")
SCHEMA_FILE = "reference/scenario.schema.json"

_state: dict[str, Any] = {}


# ---------------------------------------------------------------------------- README sections


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading, which is what the README's own links use."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def readme_sections(text: str) -> dict[str, str]:
    """Heading -> the section's own text (to the next heading of any level), outside code blocks."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        match = None if fenced else HEADING.match(line)
        if match:
            current = sections.setdefault(match.group(2).strip(), [])
            continue
        if current is not None:
            current.append(line)
    return {heading: "\n".join(lines).strip("\n") + "\n" for heading, lines in sections.items()}


def included_sections(docs_dir: Path) -> dict[str, str]:
    """README heading slug -> the page (path under docs/) that includes that section."""
    found: dict[str, str] = {}
    for page in sorted(docs_dir.rglob("*.md")):
        for match in README_MARK.finditer(page.read_text(encoding="utf-8")):
            found.setdefault(slug(match.group("heading")), page.relative_to(docs_dir).as_posix())
    return found


def relative(target: str, page: str) -> str:
    """``target`` (a path under docs/) as a link from ``page`` (a path under docs/)."""
    depth = page.count("/")
    return "../" * depth + target


def adapt_links(text: str, page: str, pages_by_slug: dict[str, str]) -> str:
    """README links as links of the site: ``#section`` to the page holding it, ``docs/x.png`` to ``x.png``."""

    def anchor(match: re.Match[str]) -> str:
        target = pages_by_slug.get(match.group(1))
        if target is None or target == page:
            return match.group(0)
        return f"]({relative(target, page)})"

    text = re.sub(r"\]\(#([\w-]+)\)", anchor, text)
    return re.sub(r"\]\(docs/([^)\s]+)\)", lambda m: f"]({relative(m.group(1), page)})", text)


def include_readme(markdown: str, page: str) -> str:
    sections = _state.setdefault("readme", readme_sections(README.read_text(encoding="utf-8")))
    pages_by_slug = _state["included"]

    def replace(match: re.Match[str]) -> str:
        heading = match.group("heading")
        if heading not in sections:
            raise PluginError(f"{page}: README.md has no section '{heading}'; its sections: {', '.join(sections)}")
        return adapt_links(sections[heading], page, pages_by_slug)

    return README_MARK.sub(replace, markdown)


# ---------------------------------------------------------------------------- generated parts


def generated(name: str, page: str) -> str:
    if name == "scenario-fields":
        return gen_reference.render(_state["schema"])
    if name == "commands":
        return gen_commands.render()
    if name == "gallery":
        return gen_gallery.render(_state["gallery"], lambda file: relative(f"gallery/{file}", page))
    raise PluginError(f"{page}: no generator named '{name}' (scenario-fields, commands, gallery)")


def on_pre_build(config: MkDocsConfig) -> None:
    """Start the notebooks first: they run in their own kernels while the gallery is drawn here."""
    work = Path(tempfile.mkdtemp(prefix="deploysim-docs-"))
    _state.clear()
    _state["work"] = work
    _state["included"] = included_sections(Path(config["docs_dir"]))
    _state["notebooks"] = gen_notebooks.start(NOTEBOOKS, work) if gen_notebooks.execution_enabled() else {}


@event_priority(100)  # before mkdocs-jupyter's on_files, so the executed notebooks become its pages
def on_files(files: Files, config: MkDocsConfig) -> Files:
    from deploysim import Scenario

    _state["schema"] = Scenario.model_json_schema()
    files.append(File.generated(config, SCHEMA_FILE, content=json.dumps(_state["schema"], indent=2) + "\n"))
    try:
        _state["gallery"] = list(gen_gallery.figures(ROOT))
    except Exception as exc:
        raise PluginError(f"gallery: drawing the charts failed: {exc!r}") from exc
    for figure in _state["gallery"]:
        files.append(File.generated(config, f"gallery/{figure.name}", content=figure.png))
    futures: dict[str, Future[Path]] = _state["notebooks"]
    for source in NOTEBOOKS:
        if source.name in futures:
            try:
                executed = futures[source.name].result()
            except gen_notebooks.NotebookError as exc:
                raise PluginError(str(exc)) from None
        else:
            executed = source
        # a File with a source directory, not File.generated: mkdocs-jupyter finds the notebook through
        # src_dir (it wraps the File and does not see a generated file's own abs_src_path)
        files.append(File(f"notebooks/{source.name}", src_dir=str(executed.parent.parent),
                          dest_dir=config["site_dir"], use_directory_urls=config["use_directory_urls"]))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    src = page.file.src_uri
    markdown = include_readme(markdown, src)
    return GENERATED_MARK.sub(lambda m: generated(m.group("name"), src), markdown)


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Docstrings are written with Sphinx roles (``:func:`run```); show them as the code they name."""
    if not page.file.src_uri.startswith("api/"):
        return html
    # Sphinx shows ``~a.b.c`` as ``c``
    return ROLE.sub(lambda m: f"<code>{m.group(2).rsplit('.', 1)[-1] if m.group(1) else m.group(2)}</code>", html)


def on_post_build(config: MkDocsConfig) -> None:
    _cleanup()


def on_build_error(error: Exception) -> None:
    _cleanup()


def _cleanup() -> None:
    work = _state.get("work")
    if isinstance(work, Path):
        shutil.rmtree(work, ignore_errors=True)
