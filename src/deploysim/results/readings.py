"""When a sweep's indices stop saying what they seem to: the thresholds and the sentences that say so.

The analysis writes these as notes, the terminal prints them and the charts grey their bars, so the
numbers and their wording live here, once, below every layer that uses them.

* **Replication noise.** An index compares design points; the share of the variance of the point
  values that replication noise alone would produce (:mod:`deploysim.stats.noise`) is, with
  independent seeds, about the total Sobol index a parameter that does nothing gets. Above
  ``NOISY_SHARE`` most of every index is luck.
* **Linearity.** Standardised regression coefficients describe a response that is a straight line in
  the parameters; the R^2 of that fit on the point values says how far it is one. Below ``LOW_R2``
  the per-parameter charts say more than the bars.
"""

from __future__ import annotations

NOISY_SHARE = 0.5
LOW_R2 = 0.5

NOISY = "indices are mostly replication noise: add replications"
NOISY_INDEPENDENT = NOISY + " or keep common random numbers (leave out --independent)"
NOT_LINEAR = "the response is not linear in these parameters: read the per-parameter charts; the bars say little"


def noise_warning(share: float, common: bool) -> str | None:
    """The sentence for a noise share above ``NOISY_SHARE``, else None (NaN is no warning: nothing to say)."""
    if not share > NOISY_SHARE:
        return None
    return f"replication noise explains {share:.0%} of the variance of the point values; " + (
        NOISY if common else NOISY_INDEPENDENT
    )


def linearity_warning(r2: float) -> str | None:
    """The sentence for an R^2 below ``LOW_R2``, else None."""
    if not r2 < LOW_R2:
        return None
    return f"R\u00b2 = {r2:.2f}: {NOT_LINEAR}"
