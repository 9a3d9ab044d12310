"""A real headless browser, asked what a planner's browser would do with a page: what it logs to the
console, which network requests the page makes, what the DOM holds after parsing, and a screenshot.

Chromium's own background traffic (updates, sign-in, dictionaries) is switched off by flags and, where
it still happens, told apart from the page's: a request counts when the page (a ``file://`` document)
is its network isolation key.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL = "apt-get install -y chromium"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
    "--disable-extensions", "--disable-client-side-phishing-detection", "--no-pings",
    "--disable-features=Translate,OptimizationHints,MediaRouter,SpellCheck",
)
TIMEOUT = 120


def chromium() -> str:
    """The browser's path; in CI a missing browser fails the test (CI installs it), elsewhere it skips."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"chromium is not installed: {INSTALL}")
    pytest.skip(f"chromium is not installed ({INSTALL})")


@dataclass(frozen=True)
class Visit:
    console: list[str]
    requests: list[str]
    screenshot: Path


def _page_requests(net_log: Path) -> list[str]:
    log = json.loads(net_log.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in log["events"]:
        params = event.get("params", {})
        if event.get("type") == start and "file://" in str(params.get("network_isolation_key", "")):
            urls.append(str(params.get("url")))
    return urls


def visit(page: Path, screenshot: Path, size: str = "1280,2400") -> Visit:
    """Load ``page``, take a screenshot, and return the console lines and the page's network requests."""
    net_log = screenshot.with_suffix(".netlog.json")
    done = subprocess.run(
        [chromium(), *FLAGS, "--enable-logging=stderr", "--v=0", f"--log-net-log={net_log}",
         f"--screenshot={screenshot}", f"--window-size={size}", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )
    assert screenshot.is_file(), f"chromium wrote no screenshot (exit {done.returncode}): {done.stderr[-2000:]}"
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return Visit(console, _page_requests(net_log), screenshot)


def dump_dom(page: Path) -> str:
    """The document as the browser holds it after parsing (``--dump-dom``)."""
    done = subprocess.run([chromium(), *FLAGS, "--dump-dom", page.resolve().as_uri()], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    assert done.returncode == 0 and "</html>" in done.stdout, done.stderr[-2000:]
    return done.stdout
