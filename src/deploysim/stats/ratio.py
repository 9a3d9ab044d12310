"""Ratios across runs: cost per unit, shares of time, as totals over totals.

A planner's "cost per person-month" is total cost over total person-months. The mean of per-run ratios
answers another question (the typical run's ratio, every run weighted alike whatever its size) and is
pulled about by runs with small denominators; it is not an estimate of the ratio of expectations
``E[y] / E[x]``. The ratio of totals is, consistently, and its interval comes from linearisation (the
delta method), as for ratio estimators in survey sampling (Cochran, Sampling Techniques, 3rd ed. 1977,
chapter 6). The median of per-run ratios is kept beside it for display: it shows a typical run.

Pure functions over NumPy arrays; a frozen dataclass out.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from deploysim.stats.intervals import t_quantile
from deploysim.stats.proportions import z_quantile

Quantile = Literal["t", "normal"]


@dataclass(frozen=True, slots=True)
class RatioOfTotals:
    """``sum(y) / sum(x)`` over runs, with its linearisation interval.

    ``half_width``: the quantile times ``se`` (``low`` and ``high`` are ``estimate -+ half_width`` unless
    clipped to [0, 1] by ``pooled_share``); ``n``: runs used; ``excluded``: runs left out for a
    non-finite numerator or denominator;
    ``median_per_run``: the median of ``y_i / x_i`` over used runs with ``x_i > 0`` (NaN if none), for
    display beside the estimate, not an estimate of the same thing.
    """

    estimate: float
    low: float
    high: float
    se: float
    half_width: float
    n: int
    excluded: int
    numerator_total: float
    denominator_total: float
    median_per_run: float


def _pairs(numerator: ArrayLike, denominator: ArrayLike) -> tuple[np.ndarray, np.ndarray, int]:
    y = np.asarray(numerator, dtype=float)
    x = np.asarray(denominator, dtype=float)
    if y.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"numerator and denominator must be one-dimensional and match, got {y.shape} and {x.shape}")
    keep = np.isfinite(y) & np.isfinite(x)
    return y[keep], x[keep], int(y.size - keep.sum())


def ratio_of_totals(numerator: ArrayLike, denominator: ArrayLike, level: float = 0.95,
                    quantile: Quantile = "t") -> RatioOfTotals:
    """Ratio of totals ``R = sum(y) / sum(x)`` over runs, e.g. total cost over total person-months.

    Interval: the delta-method (linearisation) variance of a ratio estimator,
    ``Var R = sum((y_i - R x_i)^2) / (n (n - 1) xbar^2)`` (Cochran 1977, chapter 6, without the finite
    population correction, runs being independent draws), with a Student-t quantile on n - 1 degrees of
    freedom (``quantile="t"``, the default, slightly wider at small n) or the normal one. Runs with a
    non-finite numerator or denominator are left out and counted in ``excluded``. A zero denominator
    total gives NaN; with one run the interval is NaN.

    The interval is symmetric while the ratio's sampling distribution is right-skewed when costs are, so
    at a few tens of runs it covers a little less than nominal, mostly by lying below the truth: with
    lognormal costs over gamma person-months, 0.938 at 30 runs, 0.944 at 50 and 0.949 at 100 (20,000
    simulated experiments each; see the tests).
    """
    if quantile not in ("t", "normal"):
        raise ValueError(f"quantile must be 't' or 'normal', not {quantile!r}")
    z_normal = z_quantile(level)
    y, x, excluded = _pairs(numerator, denominator)
    n = int(y.size)
    total_y, total_x = float(y.sum()), float(x.sum())
    positive = x > 0.0
    median = float(np.median(y[positive] / x[positive])) if positive.any() else math.nan
    if n == 0 or total_x == 0.0:
        return RatioOfTotals(math.nan, math.nan, math.nan, math.nan, math.nan, n, excluded, total_y, total_x, median)
    estimate = total_y / total_x
    if n == 1:
        return RatioOfTotals(estimate, math.nan, math.nan, math.nan, math.nan, n, excluded, total_y, total_x, median)
    x_mean = total_x / n
    residuals = y - estimate * x
    se = math.sqrt(float(residuals @ residuals) / (n * (n - 1) * x_mean * x_mean))
    half = (t_quantile(0.5 + level / 2.0, n - 1) if quantile == "t" else z_normal) * se
    return RatioOfTotals(estimate, estimate - half, estimate + half, se, half, n, excluded, total_y, total_x, median)


def pooled_share(numerator: ArrayLike, denominator: ArrayLike, level: float = 0.95,
                 quantile: Quantile = "t") -> RatioOfTotals:
    """Pooled share of time across runs, e.g. filled post-days over authorised post-days.

    The same estimator as ``ratio_of_totals`` (a share of time is a ratio of totals: runs with more
    authorised post-days weigh more, as they do in the mission's own books), with the interval clipped
    to [0, 1], the range of a share, when every run's numerator lies within its denominator.
    """
    result = ratio_of_totals(numerator, denominator, level, quantile)
    y, x, _ = _pairs(numerator, denominator)
    if not (np.all(y >= 0.0) and np.all(y <= x)) or math.isnan(result.low):
        return result
    return dataclasses.replace(result, low=max(0.0, result.low), high=min(1.0, result.high))
