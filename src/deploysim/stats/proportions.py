"""Intervals for yes/no outcomes: a share of runs, and the paired difference of two such shares.

A yes/no outcome (reached FOC within the horizon, stayed within budget, ...) is a proportion. The
Student-t interval of its 0/1 values can leave [0, 1] and is badly off near 0 and 1, where planners'
outcomes often are. The score intervals here stay in [0, 1] (or [-1, 1] for a difference) and keep
their coverage close to nominal at the sample sizes deploysim runs.

Pure functions over counts or boolean arrays; frozen dataclasses out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

PairedMethod = Literal["newcombe", "tango"]


@dataclass(frozen=True, slots=True)
class Proportion:
    """A share of runs with its confidence interval; NaNs when there are no runs."""

    estimate: float
    low: float
    high: float
    n: int
    successes: int


@dataclass(frozen=True, slots=True)
class PairedProportionDifference:
    """``P(b) - P(a)`` for paired yes/no outcomes, with its interval and the 2x2 table of the pairs.

    ``both``: yes in a and b; ``only_a``: yes in a, no in b; ``only_b``: no in a, yes in b;
    ``neither``: no in both. Only the discordant pairs (``only_a``, ``only_b``) move the estimate.
    """

    estimate: float
    low: float
    high: float
    n: int
    both: int
    only_a: int
    only_b: int
    neither: int
    method: PairedMethod

    @property
    def p_a(self) -> float:
        return (self.both + self.only_a) / self.n if self.n else math.nan

    @property
    def p_b(self) -> float:
        return (self.both + self.only_b) / self.n if self.n else math.nan


def z_quantile(level: float) -> float:
    """Two-sided standard normal quantile for a confidence level, e.g. 1.95996 for 0.95."""
    from scipy.special import ndtri

    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must lie strictly between 0 and 1, not {level!r}")
    return float(ndtri(0.5 + level / 2.0))


def _count(value: int | np.integer, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer count, not {type(value).__name__}")
    count = int(value)
    if count < 0:
        raise ValueError(f"{name} must not be negative, got {count}")
    return count


def _wilson_bounds(successes: int, n: int, z: float) -> tuple[float, float]:
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * math.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n))
    # At 0 or n successes one bound is exactly 0 or 1 in exact arithmetic; rounding must not leave [0, 1].
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def wilson_interval(successes: int, n: int, level: float = 0.95) -> Proportion:
    """Wilson score interval for a binomial proportion (Wilson 1927).

    The interval is the set of p whose score test ``|k - n p| / sqrt(n p (1 - p)) <= z`` does not
    reject, in closed form. Unlike the Wald or t interval it stays within [0, 1], has positive width
    at 0 and n successes, and its coverage stays near nominal for small n and p near 0 or 1 (Brown,
    Cai & DasGupta 2001, Statistical Science 16:101-133; Newcombe 1998, Stat Med 17:857-872). Like
    every interval for a discrete count, its exact coverage oscillates with p and n around the
    nominal level rather than staying above it.

    With ``n == 0`` every field but the counts is NaN.
    """
    n = _count(n, "n")
    successes = _count(successes, "successes")
    if successes > n:
        raise ValueError(f"successes ({successes}) cannot exceed n ({n})")
    z = z_quantile(level)
    if n == 0:
        return Proportion(math.nan, math.nan, math.nan, 0, 0)
    low, high = _wilson_bounds(successes, n, z)
    return Proportion(successes / n, low, high, n, successes)


def _as_flags(values: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.dtype == bool:
        return array
    if array.size and not np.isin(array, (0, 1)).all():
        raise ValueError(f"{name} must hold yes/no outcomes (booleans or 0/1)")
    return array.astype(bool)


def paired_proportion_difference(a: ArrayLike, b: ArrayLike, level: float = 0.95,
                                 method: PairedMethod = "newcombe") -> PairedProportionDifference:
    """``P(b) - P(a)`` for yes/no outcomes of the same replications in two scenarios.

    ``a[i]`` and ``b[i]`` must come from the same replication (common random numbers), so the pairs
    are dependent; intervals for two independent proportions ignore that and are too wide (or,
    with negative dependence, too narrow). See ``paired_difference_from_counts`` for the methods.
    """
    flags_a = _as_flags(a, "a")
    flags_b = _as_flags(b, "b")
    if flags_a.shape != flags_b.shape:
        raise ValueError(f"paired outcomes must match: {flags_a.size} in a but {flags_b.size} in b")
    both = int(np.count_nonzero(flags_a & flags_b))
    only_a = int(np.count_nonzero(flags_a & ~flags_b))
    only_b = int(np.count_nonzero(~flags_a & flags_b))
    neither = int(flags_a.size) - both - only_a - only_b
    return paired_difference_from_counts(both, only_a, only_b, neither, level, method)


def paired_difference_from_counts(both: int, only_a: int, only_b: int, neither: int, level: float = 0.95,
                                  method: PairedMethod = "newcombe") -> PairedProportionDifference:
    """``P(b) - P(a)`` from the 2x2 table of paired outcomes, with a score-based interval.

    ``method="newcombe"`` (default): Newcombe's hybrid score ("square-and-add") interval for paired
    data, method 10 of Newcombe (1998, Stat Med 17:2635-2650). Each margin gets its Wilson interval
    and the two distances are combined with the phi correlation of the table, corrected as Newcombe
    does (``ad - bc`` is reduced by n/2 when positive, with 0 in between), and set to 0 when a margin
    is empty. Closed form; recommended by Fagerland, Lydersen & Laake (2014, Stat Med 33:2850-2875).

    ``method="tango"``: Tango's asymptotic score interval (Tango 1998, Stat Med 17:891-908): the set of
    differences D whose score statistic ``(only_b - only_a - n D) / sqrt(n (2 q(D) + D (1 - D)))`` is within
    +-z, with ``q(D)`` the constrained maximum-likelihood estimate of the ``only_a`` cell probability;
    the two limits are found by root finding.

    Both intervals lie in [-1, 1]; with no discordant pairs the estimate is exactly 0 and the interval
    has positive width that shrinks with n. With ``n == 0`` estimate and limits are NaN.
    """
    counts = [_count(c, name) for c, name in ((both, "both"), (only_a, "only_a"), (only_b, "only_b"),
                                                (neither, "neither"))]
    both, only_a, only_b, neither = counts
    if method not in ("newcombe", "tango"):
        raise ValueError(f"method must be 'newcombe' or 'tango', not {method!r}")
    z = z_quantile(level)
    n = both + only_a + only_b + neither
    if n == 0:
        return PairedProportionDifference(math.nan, math.nan, math.nan, 0, 0, 0, 0, 0, method)
    estimate = (only_b - only_a) / n
    if method == "newcombe":
        low, high = _newcombe_paired(both, only_a, only_b, neither, z)
    else:
        low, high = _tango_paired(only_a, only_b, n, z)
    low = min(max(-1.0, low), estimate)
    high = max(min(1.0, high), estimate)
    return PairedProportionDifference(estimate, low, high, n, both, only_a, only_b, neither, method)


def _newcombe_paired(both: int, only_a: int, only_b: int, neither: int, z: float) -> tuple[float, float]:
    # Newcombe's notation for theta = p1 - p2 with p1 = P(b), p2 = P(a): a = both, b = only_b (yes in
    # the first, no in the second), c = only_a, d = neither.
    n = both + only_a + only_b + neither
    yes_1, yes_2 = both + only_b, both + only_a
    p1, p2 = yes_1 / n, yes_2 / n
    l1, u1 = _wilson_bounds(yes_1, n, z)
    l2, u2 = _wilson_bounds(yes_2, n, z)
    margins = float(yes_1) * float(n - yes_1) * float(yes_2) * float(n - yes_2)
    phi = 0.0
    if margins > 0.0:
        cross = float(both) * float(neither) - float(only_b) * float(only_a)
        if cross > n / 2.0:
            phi = (cross - n / 2.0) / math.sqrt(margins)
        elif cross < 0.0:
            phi = cross / math.sqrt(margins)
    below = (p1 - l1) ** 2 - 2.0 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    above = (p2 - l2) ** 2 - 2.0 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2
    estimate = p1 - p2
    return estimate - math.sqrt(max(below, 0.0)), estimate + math.sqrt(max(above, 0.0))


def _tango_paired(only_a: int, only_b: int, n: int, z: float) -> tuple[float, float]:
    from scipy.optimize import brentq

    def score(delta: float) -> float:
        # Constrained MLE of the only_a cell probability q given P(only_b) - P(only_a) = delta: the
        # positive root of 2 n q^2 + w q - only_a delta (1 - delta) = 0.
        w = -(only_a + only_b) + delta * (2 * n - only_b + only_a)
        q = (math.sqrt(max(w * w + 8.0 * n * only_a * delta * (1.0 - delta), 0.0)) - w) / (4.0 * n)
        variance = n * (2.0 * q + delta * (1.0 - delta))
        numerator = only_b - only_a - n * delta
        if variance <= 0.0:
            return math.copysign(math.inf, numerator) if numerator else 0.0
        return numerator / math.sqrt(variance)

    estimate = (only_b - only_a) / n
    edge = 1e-12
    low, high = -1.0, 1.0
    if estimate > -1.0 and score(-1.0 + edge) > z:
        low = brentq(lambda d: score(d) - z, -1.0 + edge, estimate, xtol=1e-12)
    if estimate < 1.0 and score(1.0 - edge) < -z:
        high = brentq(lambda d: score(d) + z, estimate, 1.0 - edge, xtol=1e-12)
    return float(low), float(high)
