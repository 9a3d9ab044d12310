"""Which levers matter: sensitivity indices and response tables from a sweep's runs, as pure functions.

Methods, and why:

* **Sobol designs** get variance-based Sobol indices from ``SALib.analyze.sobol`` (first-order S1 and
  total ST with bootstrap confidence intervals), computed on the mean of each design point over its
  replications, in SALib's sample order. Replication noise averaged this way still adds a little
  to every index; more replications per point shrink it.
* **Grid and Latin hypercube designs** get standardised regression coefficients (SRC): the measure
  regressed on all varied numeric parameters at once, over every run, with both sides standardised,
  and percentile confidence intervals from a seeded bootstrap over runs. An SRC says by how many
  standard deviations the measure moves per standard deviation of the parameter; its sign gives the
  direction, which planners want ("more roster, earlier FOC"). SRCs are meaningful when the response
  is roughly linear; R^2 is reported so a reader can tell when it is not (low R^2 with clear
  structure in the level plots means non-linearity or interactions: use a Sobol design).
  Morris screening would need its own trajectory design and RBD-FAST a single-parameter ordering;
  SRC works on any design and needs nothing special from it.

Parameters whose values are text (``choice(a,b)`` of names) are left out of the regression; their
per-level tables still work. Runs that failed (``status != "ok"``) are left out; a measure that is
NaN in a run (e.g. FOC never reached) is left out of that measure, and the count used is reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from deploysim.errors import AnalysisError, ResultsError
from deploysim.stats.intervals import mean_ci
from deploysim.storage.results import atomic_write_bytes, load_results

PARAM = "param:"
DEFAULT_MEASURES = ("foc_day", "mean_fill", "team_coverage", "mediation_wait_mean", "total_cost")
MAX_LEVELS = 10


def parameters(runs: pd.DataFrame) -> list[str]:
    """The parameter names a sweep varied or set (``param:`` columns without the prefix)."""
    return [c.removeprefix(PARAM) for c in runs.columns if c.startswith(PARAM)]


def varied(runs: pd.DataFrame) -> list[str]:
    """Parameters that take more than one value."""
    return [p for p in parameters(runs) if runs[PARAM + p].nunique(dropna=True) > 1]


def ok_runs(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[runs["status"] == "ok"] if "status" in runs.columns else runs


def _require_measure(runs: pd.DataFrame, measure: str) -> None:
    if measure not in runs.columns:
        known = [c for c in runs.columns if pd.api.types.is_float_dtype(runs[c]) and not c.startswith(PARAM)]
        raise AnalysisError(f"no measure {measure!r} in the runs table; measures: {', '.join(known)}")


def _numeric(series: pd.Series) -> pd.Series | None:
    if pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    if pd.api.types.is_numeric_dtype(series):
        return series.astype(float)
    return None


def point_means(runs: pd.DataFrame, measure: str, level: float = 0.95) -> pd.DataFrame:
    """One row per design point: its parameter values, the measure's mean with CI and the runs used."""
    _require_measure(runs, measure)
    params = [PARAM + p for p in parameters(runs)]
    rows = []
    for point, group in runs.groupby("point", sort=True):
        ok = ok_runs(group)
        interval = mean_ci(ok[measure].to_numpy(dtype=float), level)
        rows.append(
            {
                "point": point,
                **{p.removeprefix(PARAM): group[p].iloc[0] for p in params},
                "measure": measure,
                "mean": interval.mean,
                "ci_low": interval.low,
                "ci_high": interval.high,
                "n": interval.n,
                "failed": int(len(group) - len(ok)),
            }
        )
    return pd.DataFrame(rows)


def _levels(values: pd.Series, max_levels: int = MAX_LEVELS) -> tuple[pd.Series, bool]:
    """Level of each run: the value itself when there are few, else the mean of its quantile bin."""
    numeric = _numeric(values)
    if numeric is None or values.nunique() <= max_levels:
        return values, False
    bins = pd.qcut(numeric, q=max_levels, duplicates="drop")
    centre = numeric.groupby(bins, observed=True).transform("mean")
    return centre, True


def by_level(runs: pd.DataFrame, parameter: str, measure: str, level: float = 0.95) -> pd.DataFrame:
    """The measure's mean and CI at each level of one parameter, pooled over everything else.

    Sampled designs (LHS, Sobol) give nearly every run its own value, so values are grouped into
    up to ten quantile bins, each reported at the mean value of its runs (``binned`` is True).
    """
    _require_measure(runs, measure)
    column = PARAM + parameter
    if column not in runs.columns:
        raise AnalysisError(f"no parameter {parameter!r}; the sweep set: {', '.join(parameters(runs)) or 'nothing'}")
    ok = ok_runs(runs)
    levels, binned = _levels(ok[column])
    rows = []
    for value, group in ok.groupby(levels, sort=True):
        interval = mean_ci(group[measure].to_numpy(dtype=float), level)
        rows.append(
            {
                "parameter": parameter,
                "level": value,
                "measure": measure,
                "mean": interval.mean,
                "ci_low": interval.low,
                "ci_high": interval.high,
                "n": interval.n,
                "binned": binned,
            }
        )
    return pd.DataFrame(rows)


def heatmap_table(runs: pd.DataFrame, rows: str, columns: str, measure: str) -> pd.DataFrame:
    """The measure's mean over two parameters: ``rows`` levels down, ``columns`` levels across.

    Sampled parameters are binned as in :func:`by_level`. Cells no run reached are NaN.
    """
    _require_measure(runs, measure)
    for name in (rows, columns):
        if PARAM + name not in runs.columns:
            raise AnalysisError(f"no parameter {name!r}; the sweep set: {', '.join(parameters(runs)) or 'nothing'}")
    if rows == columns:
        raise AnalysisError("a heatmap needs two different parameters")
    ok = ok_runs(runs)
    row_levels, _ = _levels(ok[PARAM + rows], max_levels=6)
    col_levels, _ = _levels(ok[PARAM + columns], max_levels=6)
    frame = pd.DataFrame({rows: row_levels.to_numpy(), columns: col_levels.to_numpy(), "value": ok[measure].to_numpy()})
    table = frame.pivot_table(index=rows, columns=columns, values="value", aggfunc="mean", dropna=False)
    table.attrs["measure"] = measure
    return table


def _analysis_seed(seed: int) -> int:
    """SALib falls back to NumPy's global generator for a seed of 0; never give it one."""
    return int(np.random.SeedSequence(seed).generate_state(1)[0]) or 1


def sobol_indices(
    runs: pd.DataFrame, problem: dict, measure: str, seed: int = 0, second_order: bool = False
) -> pd.DataFrame:
    """First-order and total Sobol indices (with 95% CIs) of ``measure`` over a Sobol design's points."""
    from SALib.analyze import sobol as salib_sobol

    means = point_means(runs, measure)
    names = list(problem.get("names", []))
    if not names:
        raise AnalysisError("the stored design has no SALib problem; Sobol indices need --design sobol")
    failed = means[means["failed"] > 0]
    if len(failed):
        raise AnalysisError(
            f"{measure}: {len(failed)} design point(s) have failed runs (first: point {int(failed['point'].iloc[0])}); "
            "Sobol indices need every point"
        )
    y = means["mean"].to_numpy(dtype=float)
    if np.isnan(y).any():
        raise AnalysisError(f"{measure}: undefined at {int(np.isnan(y).sum())} design point(s) (e.g. never reached)")
    if np.nanstd(y) == 0:
        raise AnalysisError(f"{measure}: does not vary over the design")
    result = salib_sobol.analyze(
        problem, y, calc_second_order=second_order, num_resamples=200, seed=_analysis_seed(seed)
    )
    return pd.DataFrame(
        {
            "measure": measure,
            "parameter": names,
            "method": "sobol",
            "S1": result["S1"],
            "S1_conf": result["S1_conf"],
            "ST": result["ST"],
            "ST_conf": result["ST_conf"],
        }
    )


def regression_indices(runs: pd.DataFrame, measure: str, seed: int = 0, resamples: int = 200) -> pd.DataFrame:
    """Standardised regression coefficients of ``measure`` on the varied numeric parameters, with
    bootstrap 95% CIs; the model's R^2 is in column ``r2``."""
    _require_measure(runs, measure)
    ok = ok_runs(runs)
    names = []
    columns = []
    for name in varied(ok):
        numeric = _numeric(ok[PARAM + name])
        if numeric is not None:
            names.append(name)
            columns.append(numeric.to_numpy())
    if not names:
        raise AnalysisError(f"{measure}: no numeric parameter varies; nothing to regress on")
    x = np.column_stack(columns)
    y = ok[measure].to_numpy(dtype=float)
    keep = ~np.isnan(y)
    x, y = x[keep], y[keep]
    if len(y) < len(names) + 3:
        raise AnalysisError(
            f"{measure}: only {len(y)} runs with a value; too few to regress on {len(names)} parameters"
        )
    if np.std(y) == 0:
        raise AnalysisError(f"{measure}: does not vary over the runs")
    src, r2 = _src(x, y)
    rng = np.random.default_rng(seed)
    draws = np.empty((resamples, len(names)))
    for i in range(resamples):
        pick = rng.integers(0, len(y), len(y))
        draws[i] = _src(x[pick], y[pick])[0]
    low, high = np.nanpercentile(draws, [2.5, 97.5], axis=0)
    return pd.DataFrame(
        {
            "measure": measure,
            "parameter": names,
            "method": "src",
            "SRC": src,
            "ci_low": low,
            "ci_high": high,
            "r2": r2,
            "n": len(y),
        }
    )


def _src(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    sx = x.std(axis=0)
    sy = y.std()
    with np.errstate(invalid="ignore", divide="ignore"):
        zx = np.where(sx > 0, (x - x.mean(axis=0)) / sx, 0.0)
    zy = (y - y.mean()) / sy if sy > 0 else np.zeros_like(y)
    beta, *_ = np.linalg.lstsq(zx, zy, rcond=None)
    residual = zy - zx @ beta
    r2 = 1.0 - float(residual @ residual) / float(zy @ zy) if sy > 0 else math.nan
    beta = np.where(sx > 0, beta, np.nan)
    return beta, r2


def sensitivity(runs: pd.DataFrame, manifest: dict, measure: str, seed: int = 0) -> pd.DataFrame:
    """Sobol indices for a Sobol design, standardised regression coefficients otherwise."""
    design = manifest.get("design", {}) or {}
    if design.get("kind") == "sobol":
        return sobol_indices(runs, manifest.get("problem") or {}, measure, seed, bool(design.get("second_order")))
    return regression_indices(runs, measure, seed)


def ranked_parameters(indices: pd.DataFrame) -> list[str]:
    """Parameters from most to least influential: by ST for Sobol, by |SRC| otherwise."""
    key = indices["ST"] if "ST" in indices.columns else indices["SRC"].abs()
    return list(indices.assign(_key=key.to_numpy()).sort_values("_key", ascending=False)["parameter"])


@dataclass
class MeasureAnalysis:
    measure: str
    indices: pd.DataFrame
    levels: dict[str, pd.DataFrame]
    heatmap: pd.DataFrame | None


def analyse_measure(runs: pd.DataFrame, manifest: dict, measure: str, seed: int = 0) -> MeasureAnalysis:
    """Indices, per-level tables of the two most influential parameters, and their heatmap."""
    indices = sensitivity(runs, manifest, measure, seed)
    ranked = [p for p in ranked_parameters(indices) if p in varied(runs)]
    levels = {p: by_level(runs, p, measure) for p in ranked[:2]}
    heat = heatmap_table(runs, ranked[0], ranked[1], measure) if len(ranked) >= 2 else None
    return MeasureAnalysis(measure, indices, levels, heat)


def format_indices(indices: pd.DataFrame) -> str:
    """Indices as a plain-text table for the terminal."""
    if indices.empty:
        return "(no indices)"
    if indices["method"].iloc[0] == "sobol":
        lines = [f"{'parameter':<44} {'S1':>7} {'+/-':>6} {'ST':>7} {'+/-':>6}"]
        for row in indices.itertuples(index=False):
            lines.append(f"{row.parameter:<44} {row.S1:>7.3f} {row.S1_conf:>6.3f} {row.ST:>7.3f} {row.ST_conf:>6.3f}")
        return "\n".join(lines)
    lines = [f"{'parameter':<44} {'SRC':>7} {'95% CI':>17}"]
    for row in indices.itertuples(index=False):
        lines.append(f"{row.parameter:<44} {row.SRC:>7.3f} [{row.ci_low:>6.3f}, {row.ci_high:>6.3f}]")
    lines.append(f"R^2 = {indices['r2'].iloc[0]:.2f} over {int(indices['n'].iloc[0])} runs")
    return "\n".join(lines)


# -- the one function here that touches disk: ``deploysim analyze DIR`` and its Python API -----------
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
        _require_measure(runs, measure)
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
    files += [_write_csv(indices, out / "sensitivity.csv"), _write_csv(points, out / "points.csv")]
    if plots:
        files += _write_plots(analysed, out)
    return AnalysisReport(indices, points, analysed, notes, files)


def _write_csv(frame: pd.DataFrame, path: Path) -> str:
    atomic_write_bytes(path, frame.to_csv(index=False).encode())
    return str(path)


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
