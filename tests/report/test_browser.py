"""The report in a real browser (Debian's chromium, headless): it loads with no console message and no
network request, its DOM refers to nothing outside itself, and its screenshot shows the charts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from browser import dump_dom, visit
from page_scan import scan
from PIL import Image

SCREENSHOTS = "DEPLOYSIM_SCREENSHOTS"
"""Set to a folder to keep the screenshots there, to look at them as a planner would."""


def _coloured_share(image: Image.Image) -> float:
    """The share of tinted pixels (not white, grey or black): chart lines and bands, not text, whose ink is grey."""
    pixels = np.asarray(image.convert("RGB"), dtype=int)
    spread = pixels.max(axis=2) - pixels.min(axis=2)
    return float((spread > 15).mean())


def test_the_detectors_catch_a_console_message_and_a_network_request(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="http://192.0.2.1/x.png">'
                   '<script>console.error("boom")</script></body></html>')
    seen = visit(bad, tmp_path / "bad.png", size="400,300")
    assert any("boom" in line for line in seen.console)
    assert seen.requests == ["http://192.0.2.1/x.png"]


@pytest.mark.parametrize("which", ["run", "compare"])
def test_the_report_loads_clean_and_its_screenshot_shows_the_charts(which: str, request: pytest.FixtureRequest,
                                                                    tmp_path: Path) -> None:
    page: Path = request.getfixturevalue(f"{which}_report")
    seen = visit(page, tmp_path / f"{which}.png")
    assert seen.console == []
    assert seen.requests == []
    with Image.open(seen.screenshot) as shot:
        assert shot.size == (1280, 2400)
        non_white = float((np.asarray(shot.convert("L")) < 245).mean())
        lower = shot.crop((0, 1000, 1280, 2400))
        assert non_white > 0.08, f"only {non_white:.1%} of the page is not white"
        assert _coloured_share(lower) > 0.04, "the charts' colours are missing from the screenshot"
    if os.environ.get(SCREENSHOTS):
        keep = Path(os.environ[SCREENSHOTS])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(seen.screenshot, keep / f"{which}.png")


def test_the_parsed_dom_refers_to_nothing_outside_the_page(run_report: Path) -> None:
    dom = scan(dump_dom(run_report))
    assert dom.counts["svg"] == 4  # staffing, outcomes, coverage, timeline
    assert dom.external == []
