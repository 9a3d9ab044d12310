"""Which levers matter: sensitivity indices and response tables from a sweep's runs, as pure functions.

Every table and index works on *estimates per group of runs* (a design point, a level of a
parameter, a heatmap cell), each estimated as its measure's kind needs (:mod:`deploysim.stats.responses`):
milestones as restricted means to the horizon, so that runs which never reach FOC count instead of
vanishing; shares and ratios as ratios of totals; yes/no outcomes and targets (``foc_day<=200``) as
shares of runs; amounts as means per run.

Methods, and why:

* **Sobol designs** get variance-based Sobol indices from ``SALib.analyze.sobol`` (first-order S1 and
  total ST with bootstrap confidence intervals), computed on the estimate of each design point over
  its replications, in SALib's sample order.
* **Grid and Latin hypercube designs** get standardised regression coefficients (SRC): the point
  estimates regressed on all varied numeric parameters at once, both sides standardised, with
  percentile confidence intervals from a seeded bootstrap over points. An SRC says by how many
  standard deviations the measure moves per standard deviation of the parameter; its sign gives the
  direction, which planners want ("more roster, earlier FOC"). The fit is on point estimates, not on
  single runs, so that its R^2 says how linear the response is rather than how noisy the runs are:
  a low R^2 (below :data:`deploysim.results.readings.LOW_R2`) means non-linearity or interactions,
  and the level charts say more (or use a Sobol design). Morris screening would need its own
  trajectory design and RBD-FAST a single-parameter ordering; SRC works on any design.
* **Replication noise** is reported beside the indices of every measure as its noise share
  (:mod:`deploysim.stats.noise`): the part of the variance of the point estimates that luck alone
  produces, about the index a parameter that does nothing would get with independent seeds. Sweeps
  use common random numbers by default, under which such a parameter gets zero.

Parameters whose values are text (``choice(a,b)`` of names) are left out of the regression; their
per-level tables still work. Runs that failed (``status != "ok"``) are left out and counted.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from deploysim.errors import AnalysisError
from deploysim.results.readings import linearity_warning, noise_warning
from deploysim.stats.defaults import DEFAULT_MEASURES
from deploysim.stats.noise import ONE_REPLICATION, NoiseShare, noise_share
from deploysim.stats.responses import PARAM, Response, estimate, require_measure, response, run_values
from deploysim.stats.runs import ok_runs

__all__ = ["DEFAULT_MEASURES", "MeasureAnalysis", "analyse_measure", "by_level", "heatmap_table", "noise_share",
           "parameters", "point_means", "ranked_parameters", "regression_indices", "require_measure", "response",
           "sensitivity", "sobol_indices", "varied"]

MAX_LEVELS = 10
Measure = str | Response


def parameters(runs: pd.DataFrame) -> list[str]:
    """The parameter names a sweep varied or set (``param:`` columns without the prefix)."""
    return [c.removeprefix(PARAM) for c in runs.columns if c.startswith(PARAM)]


def varied(runs: pd.DataFrame) -> list[str]:
    """Parameters that take more than one value."""
    return [p for p in parameters(runs) if runs[PARAM + p].nunique(dropna=True) > 1]


def _numeric(series: pd.Series) -> pd.Series | None:
    if pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    if pd.api.types.is_numeric_dtype(series):
        return series.astype(float)
    return None


def point_means(runs: pd.DataFrame, measure: Measure, level: float = 0.95, start: dt.date | None = None
                ) -> pd.DataFrame:
    """One row per design point: its parameter values, the measure's estimate with CI (``estimator``
    says which), the runs used and failed; milestones add P(reached) with its Wilson interval."""
    r = response(measure, runs, start)
    params = [PARAM + p for p in parameters(runs)]
    rows = []
    for point, group in runs.groupby("point", sort=True):
        ok = ok_runs(group)
        rows.append(
            {
                "point": point,
                **{p.removeprefix(PARAM): group[p].iloc[0] for p in params},
                "measure": r.name,
                "estimator": r.description,
                **estimate(ok, r, level),
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


def _parameter_column(runs: pd.DataFrame, parameter: str) -> str:
    column = PARAM + parameter
    if column not in runs.columns:
        raise AnalysisError(f"no parameter {parameter!r}; the sweep set: {', '.join(parameters(runs)) or 'nothing'}")
    return column


def by_level(runs: pd.DataFrame, parameter: str, measure: Measure, level: float = 0.95,
             start: dt.date | None = None) -> pd.DataFrame:
    """The measure's estimate and CI at each level of one parameter, pooled over everything else.

    Sampled designs (LHS, Sobol) give nearly every run its own value, so values are grouped into
    up to ten quantile bins, each reported at the mean value of its runs (``binned`` is True).
    """
    r = response(measure, runs, start)
    column = _parameter_column(runs, parameter)
    ok = ok_runs(runs)
    levels, binned = _levels(ok[column])
    rows = []
    for value, group in ok.groupby(levels, sort=True):
        rows.append({"parameter": parameter, "level": value, "measure": r.name, "estimator": r.description,
                     **estimate(group, r, level), "binned": binned})
    return pd.DataFrame(rows)


def heatmap_table(runs: pd.DataFrame, rows: str, columns: str, measure: Measure,
                  start: dt.date | None = None) -> pd.DataFrame:
    """The measure's estimate over two parameters: ``rows`` levels down, ``columns`` levels across.

    Sampled parameters are binned as in :func:`by_level`. Cells no run reached are NaN.
    """
    r = response(measure, runs, start)
    row_column, col_column = _parameter_column(runs, rows), _parameter_column(runs, columns)
    if rows == columns:
        raise AnalysisError("a heatmap needs two different parameters")
    ok = ok_runs(runs)
    row_levels, _ = _levels(ok[row_column], max_levels=6)
    col_levels, _ = _levels(ok[col_column], max_levels=6)
    cells = {key: estimate(group, r)["estimate"] for key, group in ok.groupby([row_levels, col_levels], sort=True)}
    index = pd.MultiIndex.from_tuples(list(cells), names=[rows, columns])
    table = pd.Series(list(cells.values()), index=index, dtype=float).unstack(columns).sort_index()
    table = table.reindex(columns=sorted(table.columns))
    table.attrs["measure"] = r.name
    return table


def _analysis_seed(seed: int) -> int:
    """SALib falls back to NumPy's global generator for a seed of 0; never give it one."""
    return int(np.random.SeedSequence(seed).generate_state(1)[0]) or 1


def sobol_indices(
    runs: pd.DataFrame, problem: dict, measure: Measure, seed: int = 0, second_order: bool = False,
    start: dt.date | None = None,
) -> pd.DataFrame:
    """First-order and total Sobol indices (with 95% CIs) of ``measure`` over a Sobol design's point estimates."""
    from SALib.analyze import sobol as salib_sobol

    means = point_means(runs, measure, start=start)
    name = str(means["measure"].iloc[0])
    names = list(problem.get("names", []))
    if not names:
        raise AnalysisError("the stored design has no SALib problem; Sobol indices need --design sobol")
    failed = means[means["failed"] > 0]
    if len(failed):
        raise AnalysisError(
            f"{name}: {len(failed)} design point(s) have failed runs (first: point {int(failed['point'].iloc[0])}); "
            "Sobol indices need every point"
        )
    y = means["estimate"].to_numpy(dtype=float)
    if np.isnan(y).any():
        raise AnalysisError(f"{name}: undefined at {int(np.isnan(y).sum())} design point(s)")
    if np.nanstd(y) == 0:
        raise AnalysisError(f"{name}: does not vary over the design")
    with warnings.catch_warnings():
        # Under common random numbers an inert parameter's points run identically, which SALib reports as
        # "constant values"; that is the expected zero index, not a fault.
        warnings.filterwarnings("ignore", message="Constant values encountered", category=UserWarning)
        result = salib_sobol.analyze(
            problem, y, calc_second_order=second_order, num_resamples=200, seed=_analysis_seed(seed)
        )
    return pd.DataFrame(
        {
            "measure": name,
            "parameter": names,
            "method": "sobol",
            "S1": result["S1"],
            "S1_conf": result["S1_conf"],
            "ST": result["ST"],
            "ST_conf": result["ST_conf"],
        }
    )


def _regressors(means: pd.DataFrame, names: list[str]) -> tuple[list[str], np.ndarray]:
    kept, columns = [], []
    for name in names:
        numeric = _numeric(means[name])
        if numeric is not None:
            kept.append(name)
            columns.append(numeric.to_numpy())
    return kept, (np.column_stack(columns) if columns else np.empty((len(means), 0)))


def regression_indices(runs: pd.DataFrame, measure: Measure, seed: int = 0, resamples: int = 200,
                       start: dt.date | None = None) -> pd.DataFrame:
    """Standardised regression coefficients of the point estimates of ``measure`` on the varied numeric
    parameters, with bootstrap 95% CIs over points; the fit's R^2 is in ``r2``, the points used in ``n``."""
    means = point_means(runs, measure, start=start)
    name = str(means["measure"].iloc[0])
    names, x = _regressors(means, varied(ok_runs(runs)))
    if not names:
        raise AnalysisError(f"{name}: no numeric parameter varies; nothing to regress on")
    y = means["estimate"].to_numpy(dtype=float)
    keep = ~np.isnan(y)
    x, y = x[keep], y[keep]
    if len(y) < len(names) + 2:
        raise AnalysisError(
            f"{name}: only {len(y)} design points with a value; too few to regress on {len(names)} parameters"
        )
    if np.std(y) == 0:
        raise AnalysisError(f"{name}: does not vary over the design points")
    src, r2 = _src(x, y)
    rng = np.random.default_rng(seed)
    draws = np.empty((resamples, len(names)))
    for i in range(resamples):
        pick = rng.integers(0, len(y), len(y))
        draws[i] = _src(x[pick], y[pick])[0]
    with np.errstate(invalid="ignore"):
        low, high = np.nanpercentile(draws, [2.5, 97.5], axis=0)
    return pd.DataFrame(
        {
            "measure": name,
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


def sensitivity(runs: pd.DataFrame, manifest: dict, measure: Measure, seed: int = 0,
                start: dt.date | None = None) -> pd.DataFrame:
    """Sobol indices for a Sobol design, standardised regression coefficients otherwise."""
    design = manifest.get("design", {}) or {}
    if design.get("kind") == "sobol":
        return sobol_indices(runs, manifest.get("problem") or {}, measure, seed, bool(design.get("second_order")),
                             start)
    return regression_indices(runs, measure, seed, start=start)


def ranked_parameters(indices: pd.DataFrame) -> list[str]:
    """Parameters from most to least influential: by ST for Sobol, by |SRC| otherwise."""
    key = indices["ST"] if "ST" in indices.columns else indices["SRC"].abs()
    return list(indices.assign(_key=key.to_numpy()).sort_values("_key", ascending=False)["parameter"])


@dataclass
class MeasureAnalysis:
    """One analysed measure: its indices (with ``estimator`` and ``noise_share`` columns), per-level
    tables of its two most influential parameters, their heatmap, its noise share and the warnings a
    reader needs before trusting the indices."""

    measure: str
    indices: pd.DataFrame
    levels: dict[str, pd.DataFrame]
    heatmap: pd.DataFrame | None
    noise: NoiseShare | None = None
    warnings: list[str] = field(default_factory=list)


def common_random_numbers(manifest: dict) -> bool:
    """Whether the sweep gave every point the seeds of point 0 (sweeps stored without the key had not)."""
    return bool(manifest.get("common_random_numbers", False))


def measure_warnings(indices: pd.DataFrame, noise: NoiseShare, common: bool) -> list[str]:
    """What a reader must know before trusting these indices: noise, non-linearity, unmeasured noise."""
    name = str(indices["measure"].iloc[0])
    found = [noise_warning(noise.share, common)]
    if "r2" in indices.columns:
        found.append(linearity_warning(float(indices["r2"].iloc[0])))
    if noise.method == ONE_REPLICATION:
        found.append("one replication per point: replication noise cannot be told from the parameters' effects; "
                     "run two or more (--reps 2)")
    return [f"{name}: {text}" for text in found if text]


def analyse_measure(runs: pd.DataFrame, manifest: dict, measure: Measure, seed: int = 0,
                    start: dt.date | None = None) -> MeasureAnalysis:
    """Indices, noise share, per-level tables of the two most influential parameters, and their heatmap."""
    r = response(measure, runs, start)
    common = common_random_numbers(manifest)
    noise = noise_share(run_values(runs, r), common)
    indices = sensitivity(runs, manifest, r, seed).assign(estimator=r.description, noise_share=noise.share)
    ranked = [p for p in ranked_parameters(indices) if p in varied(runs)]
    levels = {p: by_level(runs, p, r) for p in ranked[:2]}
    heat = heatmap_table(runs, ranked[0], ranked[1], r) if len(ranked) >= 2 else None
    return MeasureAnalysis(r.name, indices, levels, heat, noise, measure_warnings(indices, noise, common))
