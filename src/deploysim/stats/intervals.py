"""Confidence intervals for replication means: small, pure functions over arrays."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import stdtrit


@dataclass(frozen=True, slots=True)
class Interval:
    mean: float
    half_width: float
    n: int

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width


def t_quantile(p: float, df: int) -> float:
    """Student-t quantile; ``scipy.special`` imports in a third of the time of ``scipy.stats``."""
    return float(stdtrit(df, p))


def mean_ci(values: np.ndarray | list[float], level: float = 0.95) -> Interval:
    """Student-t interval for the mean of independent replications; NaNs (e.g. FOC never reached) are
    left out and show up as a smaller ``n``. With one value the half-width is undefined (NaN)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return Interval(math.nan, math.nan, 0)
    mean = float(x.mean())
    if n == 1:
        return Interval(mean, math.nan, 1)
    sd = float(x.std(ddof=1))
    t = t_quantile(0.5 + level / 2, n - 1)
    return Interval(mean, t * sd / math.sqrt(n), n)
