"""How much of a sweep's differences between design points is replication luck: the noise share.

Every index of a sweep (Sobol, regression) is computed from one value per design point, the
estimate over its R replications. Those values differ because the parameters differ and because
each point's replications drew their own luck. The **noise share** is the part of the variance of
the point values that luck alone would produce::

    noise share = (sigma^2 / R) / var(point values)        clipped to [0, 1]

with R the harmonic mean of the replications per point and sigma^2 the per-run variance of the luck
that does *not* cancel between points:

* **independent seeds**: the pooled within-point variance, ``sum (y_pr - ybar_p)^2 / sum (R_p - 1)``.
  Each point's mean carries its own ``sigma^2 / R`` of noise, and with Saltelli's scheme the total
  index of a parameter that does nothing comes out near the noise share: a share of 0.8 means an
  irrelevant parameter would get ST of about 0.8 (the Jansen estimator's squared differences between
  points that differ only in that parameter are pure noise).
* **common random numbers**: replication r has the same seeds at every point, so its luck splits
  into a part common to all points (``b_r``: it shifts every point value alike and moves no index)
  and a point-by-luck interaction ``e_pr``, estimated by the residuals of the two-way table
  ``y_pr - ybar_p - ybar_r + ybar`` over the replications complete at every point, with
  ``(P - 1)(R - 1)`` degrees of freedom. A parameter that does nothing gets an index of exactly zero
  (its points run identically); the share says how much of the other indices would change with
  other seeds. If fewer than two replications are complete at every point (failed runs, undefined
  values) the within-point variance is used instead, which overstates the noise.

With one replication per point nothing separates luck from parameters: the share is NaN, and the
analysis says to run two or more. The values are those of :func:`deploysim.stats.responses.run_values`,
whose mean over a point is the point's estimate, so the share is about the numbers the indices use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

WITHIN = "within points (independent seeds)"
INTERACTION = "point x replication interaction (common random numbers)"
WITHIN_FALLBACK = "within points (common random numbers, but too few replications complete at every point)"
ONE_REPLICATION = "not estimable: one replication per point"


@dataclass(frozen=True, slots=True)
class NoiseShare:
    """The noise share of one measure and what it is made of (see the module docstring)."""

    share: float
    noise_variance: float
    point_variance: float
    replications: float
    points: int
    method: str


def _within(values: pd.DataFrame) -> tuple[float, int]:
    """Pooled within-point variance and its degrees of freedom."""
    centred = values["value"] - values.groupby("point")["value"].transform("mean")
    df = int((values.groupby("point")["value"].count() - 1).sum())
    return (float((centred**2).sum()) / df if df > 0 else math.nan), df


def _interaction(values: pd.DataFrame) -> tuple[float, int]:
    """Residual variance of the point x replication table over the replications complete at every point."""
    table = values.pivot_table(index="point", columns="replication", values="value", aggfunc="mean")
    table = table.dropna(axis=1, how="any")
    points, reps = table.shape
    df = (points - 1) * (reps - 1)
    if df <= 0 or reps < 2:
        return math.nan, 0
    y = table.to_numpy(dtype=float)
    residual = y - y.mean(axis=1, keepdims=True) - y.mean(axis=0, keepdims=True) + y.mean()
    return float((residual**2).sum()) / df, df


def noise_share(values: pd.DataFrame, common: bool) -> NoiseShare:
    """The noise share of ``values`` (columns ``point``, ``replication``, ``value``; one row per run),
    under common random numbers (``common``) or independent seeds."""
    values = values[np.isfinite(values["value"].to_numpy(dtype=float))]
    counts = values.groupby("point")["value"].count()
    points = len(counts)
    if points < 2:
        return NoiseShare(math.nan, math.nan, math.nan, math.nan, points, "not estimable: fewer than two points")
    point_variance = float(values.groupby("point")["value"].mean().var(ddof=1))
    replications = float(len(counts) / (1.0 / counts).sum())
    if int(counts.max()) < 2:
        return NoiseShare(math.nan, math.nan, point_variance, replications, points, ONE_REPLICATION)
    method = WITHIN
    variance, df = math.nan, 0
    if common:
        variance, df = _interaction(values)
        method = INTERACTION if df > 0 else WITHIN_FALLBACK
    if df == 0:
        variance, df = _within(values)
    return NoiseShare(_share(variance / replications, point_variance), variance, point_variance, replications,
                      points, method)


def _share(noise: float, point_variance: float) -> float:
    """Noise over the point variance, clipped to 1; where the points do not differ, all noise or nothing."""
    if point_variance > 0:
        return min(1.0, noise / point_variance)
    return 1.0 if noise > 0 else math.nan
