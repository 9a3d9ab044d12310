"""``analyze``: which levers matter in a stored sweep, as tables and charts written beside it.

The statistics are pure functions in :mod:`deploysim.stats.sensitivity`; this module reads a sweep
directory, applies them to every chosen measure and to every milestone target (given here or stored
by ``sweep --target``), and writes CSV tables and PNG charts into ``DIR/analysis``. A measure that
cannot be analysed is a note, not a failure; so is every warning a reader needs before trusting an
index (replication noise, a response that is not linear).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from deploysim.errors import AnalysisError, ResultsError
from deploysim.stats.milestones import parse_targets
from deploysim.stats.responses import Response
from deploysim.stats.sensitivity import DEFAULT_MEASURES, MeasureAnalysis, analyse_measure, point_means, response
from deploysim.storage.directory import load_results, unfinished_note
from deploysim.storage.files import inside, write_csv


@dataclass
class AnalysisReport:
    """Indices of every analysed measure, the per-point estimates, the noise share of each measure,
    notes (what could not be analysed, and warnings) and the files written."""

    indices: pd.DataFrame
    points: pd.DataFrame
    measures: dict[str, MeasureAnalysis]
    notes: list[str]
    files: list[str]
    noise: pd.DataFrame


def _slug(text: str) -> str:
    """Letters and digits only (a dash for the rest): a file name part that cannot leave its folder."""
    return "".join(c if c.isalnum() else "-" for c in text).strip("-")[:60]


def _start_date(manifest: dict[str, Any]) -> dt.date | None:
    """The swept scenario's start date, for targets given as dates."""
    for definition in (manifest.get("scenario_definitions") or {}).values():
        if definition.get("start_date"):
            return dt.date.fromisoformat(str(definition["start_date"]))
    return None


def _noise_row(result: MeasureAnalysis, common: bool) -> dict[str, Any]:
    noise = result.noise
    assert noise is not None
    return {"measure": result.measure, "noise_share": noise.share, "noise_variance_per_run": noise.noise_variance,
            "point_variance": noise.point_variance, "replications": noise.replications, "points": noise.points,
            "method": noise.method, "common_random_numbers": common}


def _points(runs: pd.DataFrame, r: Response) -> pd.DataFrame:
    """Per-point estimates of one response; one that cannot be estimated is already a note."""
    try:
        return point_means(runs, r)
    except AnalysisError:
        return pd.DataFrame()


def analyze(
    path: str | Path,
    measures: Sequence[str] | None = None,
    seed: int = 0,
    plots: bool = True,
    targets: Sequence[str] = (),
) -> AnalysisReport:
    """Analyse a sweep directory: indices and noise shares (printed by the CLI), CSV tables and PNG charts
    written into ``path/analysis``. ``targets`` (``["foc_day<=200"]``) add P(milestone by the day) to
    those the sweep stored. Returns the tables; the charts can be redrawn from them as Figures with
    :mod:`deploysim.plots.sweep`. Measures that cannot be analysed, and warnings, are in ``notes``."""
    stored = load_results(path)  # warns if unfinished; the same note leads the report's notes
    if stored.manifest.get("kind") != "sweep":
        raise ResultsError(f"{path}: holds results of '{stored.manifest.get('kind')}', not of a sweep")
    runs = stored.runs
    if runs.empty:
        raise ResultsError(f"{path}: no finished runs yet (resume the sweep with --resume)")
    start = _start_date(stored.manifest)
    chosen = list(measures) if measures else [m for m in DEFAULT_MEASURES if m in runs.columns]
    wanted = [str(t) for t in parse_targets([*stored.manifest.get("targets", []), *targets])]
    chosen += [t for t in dict.fromkeys(wanted) if t not in chosen]
    responses = [response(m, runs, start) for m in chosen]  # a missing column stops here, before any output
    out = inside(Path(path), "analysis")  # never a link out of the results directory
    out.mkdir(parents=True, exist_ok=True)
    unfinished = unfinished_note(stored.path, stored.manifest)
    notes: list[str] = [unfinished] if unfinished else []
    analysed: dict[str, MeasureAnalysis] = {}
    for r in responses:
        try:
            analysed[r.name] = analyse_measure(runs, stored.manifest, r, seed)
        except AnalysisError as exc:
            notes.append(f"not analysed: {exc}")
    for result in analysed.values():
        notes += result.warnings
    common = bool(stored.manifest.get("common_random_numbers", False))
    indices = pd.concat([a.indices for a in analysed.values()], ignore_index=True) if analysed else pd.DataFrame()
    points = pd.concat([_points(runs, r) for r in responses], ignore_index=True)
    noise = pd.DataFrame([_noise_row(a, common) for a in analysed.values()])
    files = [str(write_csv(indices, inside(out, "sensitivity.csv"))), str(write_csv(points, inside(out, "points.csv"))),
             str(write_csv(noise, inside(out, "noise.csv")))]
    if plots:
        files += _write_plots(analysed, out)
    return AnalysisReport(indices, points, analysed, notes, files, noise)


def _write_plots(analysed: dict[str, MeasureAnalysis], out: Path) -> list[str]:
    from deploysim.plots.output import save_png
    from deploysim.plots.sweep import measure_vs_parameter, parameter_heatmap, sensitivity_bars

    files = []
    for measure, result in analysed.items():
        files.append(str(save_png(sensitivity_bars(result.indices), inside(out, f"sensitivity-{_slug(measure)}.png"))))
        for parameter, table in result.levels.items():
            name = f"{_slug(measure)}-by-{_slug(parameter)}.png"
            files.append(str(save_png(measure_vs_parameter(table), inside(out, name))))
        if result.heatmap is not None:
            files.append(str(save_png(parameter_heatmap(result.heatmap), inside(out, f"heatmap-{_slug(measure)}.png"))))
    return files
