"""A results directory opened as the experiment that wrote it, so a report recomputes nothing by hand.

The manifest keeps every scenario as validated, the seed, the replications and the targets; with the
run tables on disk that is all a :class:`Replications` or a :class:`Comparison` needs. Rebuilding them
means the report's summary, differences and charts come from the very code that ``run`` and
``compare`` use, and cannot drift from the CSV files beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from deploysim.errors import DeploysimError, ResultsError
from deploysim.experiments.comparison import Comparison
from deploysim.experiments.precision import AdaptiveResult, parse_precisions
from deploysim.experiments.replications import Replications
from deploysim.scenario.paths import parse_changes
from deploysim.scenario.schema import Scenario
from deploysim.stats.milestones import parse_targets
from deploysim.storage.directory import StoredResults, load_results, unfinished_note

REPORTED_KINDS = ("run", "compare")


@dataclass(frozen=True)
class StoredExperiment:
    """One output directory: its manifest, its tables and the experiment rebuilt from them."""

    path: Path
    manifest: dict[str, Any]
    tables: StoredResults
    result: Replications | Comparison

    @property
    def kind(self) -> str:
        return str(self.manifest.get("kind"))

    @property
    def labels(self) -> list[str]:
        """Scenario labels in the experiment's order, the baseline first."""
        if isinstance(self.result, Comparison):
            return list(self.result.labels)
        return [self.result.label]

    @property
    def scenarios(self) -> dict[str, Scenario]:
        if isinstance(self.result, Comparison):
            return dict(self.result.scenarios)
        return {self.result.label: self.result.scenario}

    def file_of(self, label: str) -> str | None:
        entry = self.manifest.get("scenarios", {}).get(label, {})
        return entry.get("file") if isinstance(entry, dict) else None

    def hash_of(self, label: str) -> str | None:
        entry = self.manifest.get("scenarios", {}).get(label, {})
        return entry.get("hash") if isinstance(entry, dict) else None


def _scenarios(manifest: dict[str, Any], where: Path) -> dict[str, Scenario]:
    definitions = manifest.get("scenario_definitions")
    if not isinstance(definitions, dict) or not definitions:
        raise ResultsError(f"{where}: the manifest holds no scenario definitions to report on")
    try:
        return {label: Scenario.model_validate(data) for label, data in definitions.items()}
    except ValidationError as exc:
        raise ResultsError(f"{where}: a stored scenario no longer validates with this deploysim version: "
                           f"{exc.errors()[0].get('msg', exc)}") from None


def _adaptive(manifest: dict[str, Any]) -> AdaptiveResult:
    return AdaptiveResult(int(manifest.get("replications", 0)), bool(manifest.get("precision_reached", True)))


def open_experiment(path: str | Path) -> StoredExperiment:
    """Open a finished ``run`` or ``compare`` directory; ResultsError says why another one cannot be reported."""
    stored = load_results(path)
    manifest, where = stored.manifest, stored.path
    kind = manifest.get("kind")
    if kind not in REPORTED_KINDS:
        raise ResultsError(f"{where}: a report covers run and compare results; this directory holds a {kind} "
                           "(for a sweep, see `deploysim analyze`)")
    if manifest.get("complete") is not True:
        note = unfinished_note(where, manifest) or f"{where}: the results are incomplete"
        raise ResultsError(f"{note}; a report covers finished results only")
    scenarios = _scenarios(manifest, where)
    try:
        targets = parse_targets(manifest.get("targets") or None)
        precision = parse_precisions(manifest.get("precision") or None)
        changes = parse_changes(manifest.get("overrides") or [], "overrides")
    except DeploysimError as exc:
        raise ResultsError(f"{where}: unreadable manifest: {exc}") from None
    seed = int(manifest.get("root_seed", 0))
    files = {label: (entry or {}).get("file") for label, entry in manifest.get("scenarios", {}).items()}
    result: Replications | Comparison
    if kind == "run":
        label, scenario = next(iter(scenarios.items()))
        result = Replications(scenario, files.get(label), seed, _adaptive(manifest), stored, precision, changes,
                              targets=targets)
    else:
        labels = [str(x) for x in manifest.get("scenario_order") or scenarios]
        result = Comparison(labels, {label: scenarios[label] for label in labels}, files, seed, _adaptive(manifest),
                            stored, precision, targets=targets)
    return StoredExperiment(stored.path, manifest, stored, result)
