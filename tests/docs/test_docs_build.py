"""The documentation site builds with ``mkdocs build --strict`` (any warning fails) and holds what it should.

This is the build CI runs: the README's sections, the field reference from the schema, every
command's help, the executed notebooks and the gallery all come out of one strict build into a
temporary directory, and the pages are then read back as a visitor would get them.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from docs_helpers import ROOT, field_paths

from deploysim import Scenario
from deploysim.cli.main import COMMANDS

BUILD_TIMEOUT_S = 900
PNG = b"\x89PNG\r\n\x1a\n"


def text_of(page: Path) -> str:
    """The visible text of a built page's article: tags dropped, entities decoded, whitespace folded."""
    source = page.read_text(encoding="utf-8")
    article = source[source.find("<article"):source.find("</article>")].replace("<wbr>", "")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", article)).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    notebooks_before = sorted(p.name for p in (ROOT / "notebooks").iterdir())
    env = {**os.environ, "MPLBACKEND": "Agg", "NO_MKDOCS_2_WARNING": "1"}
    env.pop("DEPLOYSIM_DOCS_NOTEBOOKS", None)  # the real build: notebooks executed
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False)
    took = time.perf_counter() - started
    assert proc.returncode == 0, f"mkdocs build --strict failed after {took:.0f} s:\n{proc.stdout}\n{proc.stderr}"
    logged = [line for line in proc.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert logged == []
    assert sorted(p.name for p in (ROOT / "notebooks").iterdir()) == notebooks_before, "the build wrote into notebooks/"
    print(f"mkdocs build --strict: {took:.0f} s")
    return out


def test_front_page_shows_the_readme_intro_quick_start_and_the_way_on(site: Path) -> None:
    front = site / "index.html"
    text = text_of(front)
    intro = (ROOT / "README.md").read_text().split("\n\n")[1]  # the paragraph under the title
    assert " ".join(intro.split()) in text
    assert "Quick start" in text and "deploysim run kyrgyzstan-2010 --reps 200 --report" in text
    source = front.read_text()
    for link in ("getting-started/", "reference/scenario-fields/", "reference/commands/", "api/", "gallery/",
                 "notebooks/compare-scenarios/", "summary/"):
        assert f'href="{link}"' in source, link
    assert 'src="staffing.png"' in source and (site / "staffing.png").read_bytes().startswith(PNG)


def test_reference_page_lists_every_field_path_of_the_schema(site: Path) -> None:
    text = text_of(site / "reference" / "scenario-fields" / "index.html")
    paths = list(field_paths(Scenario.model_json_schema()))
    missing = [path for path in paths if path not in text]
    assert missing == []
    assert "Durations" in text and "triangular" in text
    assert (site / "reference" / "scenario.schema.json").is_file()


def test_commands_page_has_every_commands_help(site: Path) -> None:
    text = text_of(site / "reference" / "commands" / "index.html")
    for command in COMMANDS:
        name = command.__name__.rsplit(".", 1)[-1]
        assert f"usage: deploysim {name}" in text, name
    assert "deploysim diff A.yaml B.yaml" in text  # the README's table of commands is there too


def test_notebooks_are_rendered_with_their_outputs(site: Path) -> None:
    for name in ("compare-scenarios", "parameter-sweep"):
        page = (site / "notebooks" / name / "index.html").read_text()
        assert page.count("data:image/png") >= 3, name  # the charts the cells drew
        assert "Traceback" not in page, name
        assert (site / "notebooks" / name / f"{name}.ipynb").is_file()
    choosing = (site / "notebooks" / "choosing-a-plan" / "index.html").read_text()
    assert "data:image/png" in choosing and "Traceback" not in choosing
    assert "With probability at least 0.95, plan" in html.unescape(choosing)
    assert "No plan meets P(FOC by day 150)" in html.unescape(choosing)


def test_gallery_shows_charts_drawn_at_build_time(site: Path) -> None:
    source = (site / "gallery" / "index.html").read_text()
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', source)
    assert len(images) >= 10
    for image in images:
        assert (site / "gallery" / image).read_bytes().startswith(PNG), image


def test_guide_pages_carry_the_readme_sections_and_their_links_work(site: Path) -> None:
    assert "Brookmeyer-Crowley" in text_of(site / "summary" / "index.html")
    assert "dask worker tcp://SCHEDULER-HOST:8786" in text_of(site / "cluster" / "index.html")
    assert "With probability at least 0.95" in text_of(site / "choosing" / "index.html")
    model = (site / "model" / "index.html").read_text()
    assert "Expansion tranches" in text_of(site / "model" / "index.html")
    assert 'href="../reference/scenario-fields/"' in model
    statistics = (site / "statistics" / "index.html").read_text()
    assert 'href="../summary/"' in statistics  # the README's #reading-the-summary, pointed at its page


def test_api_reference_documents_the_public_functions(site: Path) -> None:
    source = (site / "api" / "index.html").read_text()
    for name in ("load_scenario", "variant", "simulate", "run", "compare", "sweep", "analyze", "load_results"):
        assert f'id="deploysim.{name}"' in source, name
    for layer in ("scenario", "storage", "engine", "results", "plots", "stats", "experiments", "cli"):
        assert f'id="deploysim.{layer}.' in (site / "api" / layer / "index.html").read_text(), layer
    assert ":func:" not in text_of(site / "api" / "plots" / "index.html")
