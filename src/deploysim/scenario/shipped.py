"""The scenarios that ship with deploysim, found by name, so a first run needs no file of one's own.

An installed package carries them as package data in ``deploysim/scenarios/``; a source checkout
keeps them in the repository's ``scenarios/`` (the single copy, mapped into the package when a
wheel is built). A scenario argument is a path when such a file exists, else a shipped scenario's
name (its file stem, e.g. ``kyrgyzstan-2010``); anything else is an error naming the shipped ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from deploysim.errors import ScenarioError

SUFFIX = ".yaml"


def shipped_directory() -> Path:
    """Where the shipped scenarios are: inside the installed package, else the checkout's ``scenarios/``."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "scenarios"
    if installed.is_dir():
        return installed
    return package.parents[1] / "scenarios"


def shipped_names() -> list[str]:
    """The names (file stems) of the shipped scenarios, sorted."""
    directory = shipped_directory()
    return sorted(p.stem for p in directory.glob(f"*{SUFFIX}")) if directory.is_dir() else []


def shipped_path(name: str) -> Path | None:
    """The file of the shipped scenario ``name``, or None if none has that name."""
    if name not in shipped_names():
        return None
    return shipped_directory() / f"{name}{SUFFIX}"


def _looks_like_name(text: str) -> bool:
    """A bare word without a YAML suffix or a directory: meant as a shipped name, not as a file."""
    return Path(text).suffix.lower() not in (".yaml", ".yml") and "/" not in text and "\\" not in text


def resolve_scenario(given: str | Path) -> Path:
    """The file ``given`` names: an existing path wins, then a shipped scenario's name.

    A missing path that looks like a file is returned as it is, so reading it reports "no such
    file" with the path; a bare name that matches nothing is refused here with the shipped names.
    """
    path = Path(given)
    if path.exists():
        return path
    text = str(given)
    found = shipped_path(text)
    if found is not None:
        return found
    if _looks_like_name(text):
        names = ", ".join(shipped_names()) or "none found"
        raise ScenarioError(text, f"no such file and no shipped scenario of that name; shipped: {names}")
    return path


@dataclass(frozen=True)
class ShippedScenario:
    """One shipped scenario as ``deploysim scenarios`` lists it: its name, title and story."""

    name: str
    title: str
    description: str
    path: Path

    @property
    def story(self) -> str:
        """The first sentence of the description: the one line a list has room for."""
        text = " ".join(self.description.split())
        head, dot, _ = text.partition(". ")
        return head + ("." if dot else "")


def shipped_scenarios() -> list[ShippedScenario]:
    """Every shipped scenario with its ``name`` and ``description`` fields, read without validating."""
    listed = []
    for name in shipped_names():
        path = shipped_directory() / f"{name}{SUFFIX}"
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        listed.append(ShippedScenario(name, str(data.get("name", name)), str(data.get("description", "")), path))
    return listed
