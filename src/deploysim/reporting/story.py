"""Each scenario's story for the report: its description, its file as written, and the sources it cites.

The manifest names the file a scenario was read from, relative to where the command ran. The file is
looked for there and beside the results; it is used only if it still gives the scenario that ran
(same hash, after the run's ``--set`` changes): a file edited since would put the wrong sources beside
the results, so then the report says so and falls back to the stored definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from deploysim.errors import DeploysimError
from deploysim.reporting.sources import Annotations, read_annotations
from deploysim.reporting.stored import StoredExperiment
from deploysim.scenario.load import load_scenario
from deploysim.scenario.paths import parse_changes

FOUND = "found"
CHANGED = "changed"
MISSING = "missing"


@dataclass(frozen=True)
class ScenarioStory:
    """What the report says about one scenario: ``status`` is ``found``, ``changed`` or ``missing``
    (no file named, or none found), ``text`` the YAML shown (the file, else the stored definition)."""

    label: str
    name: str
    description: str
    file: str | None
    hash: str | None
    status: str
    text: str
    annotations: Annotations | None


def locate(file: str | None, results: Path) -> Path | None:
    """The scenario file as the manifest names it: absolute, from here, or from a folder above the results."""
    if not file:
        return None
    given = Path(file)
    above = [folder / given for folder in results.resolve().parents]
    candidates = [given] if given.is_absolute() else [Path.cwd() / given, *above]
    return next((c for c in candidates if c.is_file()), None)


def _same_scenario(path: Path, changes: dict[str, Any], expected: str | None) -> bool:
    try:
        return load_scenario(path, changes or None).fingerprint() == expected
    except DeploysimError:
        return False


def definition_yaml(definition: dict[str, Any]) -> str:
    """The stored definition as YAML, in the schema's own field order."""
    return yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=100)


def scenario_story(experiment: StoredExperiment, label: str) -> ScenarioStory:
    scenario = experiment.scenarios[label]
    file, expected = experiment.file_of(label), experiment.hash_of(label)
    changes = parse_changes(experiment.manifest.get("overrides") or [], "overrides")
    definition = experiment.manifest.get("scenario_definitions", {}).get(label, {})
    path = locate(file, experiment.path)
    status = MISSING
    text = definition_yaml(definition)
    annotations = None
    if path is not None:
        status = FOUND if _same_scenario(path, changes, expected) else CHANGED
        if status == FOUND:
            text = path.read_text(encoding="utf-8")
            annotations = read_annotations(text)
    return ScenarioStory(label, scenario.name, (scenario.description or "").strip(), file, expected, status, text,
                         annotations)
