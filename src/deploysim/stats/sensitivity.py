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

import numpy as np
import pandas as pd

from deploysim.errors import AnalysisError
from deploysim.stats.intervals import mean_ci
from deploysim.stats.runs import ok_runs

PARAM = "param:"
DEFAULT_MEASURES = ("foc_day", "mean_fill", "team_coverage", "mediation_wait_mean", "total_cost")
MAX_LEVELS = 10


def parameters(runs: pd.DataFrame) -> list[str]:
    """The parameter names a sweep varied or set (``param:`` columns without the prefix)."""
    return [c.removeprefix(PARAM) for c in runs.columns if c.startswith(PARAM)]


def varied(runs: pd.DataFrame) -> list[str]:
    """Parameters that take more than one value."""
    return [p for p in parameters(runs) if runs[PARAM + p].nunique(dropna=True) > 1]


def require_measure(runs: pd.DataFrame, measure: str) -> None:
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
    require_measure(runs, measure)
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
    require_measure(runs, measure)
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
    require_measure(runs, measure)
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
    require_measure(runs, measure)
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
