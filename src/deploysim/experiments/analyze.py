"""``analyze``: which levers matter in a stored sweep, as tables and charts written beside it.

The statistics are pure functions in :mod:`deploysim.stats.sensitivity`; this module reads a sweep
directory, applies them to every chosen measure and writes CSV tables and PNG charts into
``DIR/analysis``. A measure that cannot be analysed is a note, not a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from deploysim.errors import AnalysisError, ResultsError
from deploysim.stats.sensitivity import DEFAULT_MEASURES, MeasureAnalysis, analyse_measure, point_means, require_measure
from deploysim.storage.directory import load_results
from deploysim.storage.files import write_csv


@dataclass
class AnalysisReport:
    """Indices of every analysed measure, the per-point means, notes on what could not be analysed
    and the files written."""

    indices: pd.DataFrame
    points: pd.DataFrame
    measures: dict[str, MeasureAnalysis]
    notes: list[str]
    files: list[str]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text).strip("-")[:60]


def analyze(
    path: str | Path, measures: list[str] | tuple[str, ...] | None = None, seed: int = 0, plots: bool = True
) -> AnalysisReport:
    """Analyse a sweep directory: indices (printed by the CLI), CSV tables and PNG charts written
    into ``path/analysis``. Returns the tables; the charts can be redrawn from them as Figures with
    :mod:`deploysim.plots.sweep`. Measures that cannot be analysed are listed in ``notes``."""
    stored = load_results(path)
    if stored.manifest.get("kind") != "sweep":
        raise ResultsError(f"{path}: holds results of '{stored.manifest.get('kind')}', not of a sweep")
    runs = stored.runs
    if runs.empty:
        raise ResultsError(f"{path}: no finished runs yet (resume the sweep with --resume)")
    chosen = list(measures) if measures else [m for m in DEFAULT_MEASURES if m in runs.columns]
    for measure in chosen:
        require_measure(runs, measure)
    out = Path(path) / "analysis"
    out.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    files: list[str] = []
    analysed: dict[str, MeasureAnalysis] = {}
    for measure in chosen:
        try:
            analysed[measure] = analyse_measure(runs, stored.manifest, measure, seed)
        except AnalysisError as exc:
            notes.append(str(exc))
    indices = pd.concat([a.indices for a in analysed.values()], ignore_index=True) if analysed else pd.DataFrame()
    points = pd.concat([point_means(runs, m) for m in chosen], ignore_index=True)
    files += [str(write_csv(indices, out / "sensitivity.csv")), str(write_csv(points, out / "points.csv"))]
    if plots:
        files += _write_plots(analysed, out)
    return AnalysisReport(indices, points, analysed, notes, files)


def _write_plots(analysed: dict[str, MeasureAnalysis], out: Path) -> list[str]:
    from deploysim.plots.output import save_png
    from deploysim.plots.sweep import measure_vs_parameter, parameter_heatmap, sensitivity_bars

    files = []
    for measure, result in analysed.items():
        files.append(str(save_png(sensitivity_bars(result.indices), out / f"sensitivity-{_slug(measure)}.png")))
        for parameter, table in result.levels.items():
            name = f"{_slug(measure)}-by-{_slug(parameter)}.png"
            files.append(str(save_png(measure_vs_parameter(table), out / name)))
        if result.heatmap is not None:
            files.append(str(save_png(parameter_heatmap(result.heatmap), out / f"heatmap-{_slug(measure)}.png")))
    return files
