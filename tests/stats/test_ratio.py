"""Ratios of totals across runs (cost per person-month, shares of time) and their delta-method interval.

Coverage is checked by simulation against the known population ratio E[y] / E[x]. Over T trials the
coverage estimate has standard error sqrt(0.95 * 0.05 / T); ``coverage >= 0.95 - 3 SE`` fails by
chance with probability about 0.001 when the true coverage is nominal.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from deploysim.stats.intervals import t_quantile
from deploysim.stats.ratio import RatioOfTotals, pooled_share, ratio_of_totals

LEVEL = 0.95


def se_of_coverage(trials: int, level: float = LEVEL) -> float:
    return math.sqrt(level * (1.0 - level) / trials)


def test_ratio_of_totals_is_sum_over_sum_with_the_linearisation_interval() -> None:
    cost = np.array([120.0, 300.0, 90.0, 410.0])
    months = np.array([10.0, 20.0, 10.0, 40.0])
    result = ratio_of_totals(cost, months)
    assert isinstance(result, RatioOfTotals)
    assert result.estimate == 920.0 / 80.0
    assert (result.numerator_total, result.denominator_total, result.n, result.excluded) == (920.0, 80.0, 4, 0)
    # By hand: R = 11.5; residuals y - R x = 5, 70, -25, -50; their squares sum to 8,050; xbar = 20.
    assert result.se == pytest.approx(math.sqrt(8050.0 / (4 * 3 * 20.0**2)), rel=1e-14)
    half = t_quantile(0.975, 3) * result.se
    assert result.half_width == pytest.approx(half, rel=1e-14)
    assert (result.low, result.high) == pytest.approx((11.5 - half, 11.5 + half), rel=1e-14)
    # The median of per-run ratios (12, 15, 9, 10.25) is shown beside it; it is not the same estimate.
    assert result.median_per_run == pytest.approx(11.125)
    assert result.estimate != pytest.approx(np.mean(cost / months))


def test_normal_quantile_is_narrower_than_student_t() -> None:
    cost, months = [5.0, 7.0, 6.0, 9.0, 4.0], [1.0, 1.5, 1.0, 2.0, 1.0]
    t_result = ratio_of_totals(cost, months)
    z_result = ratio_of_totals(cost, months, quantile="normal")
    assert z_result.estimate == t_result.estimate and z_result.se == t_result.se
    assert z_result.half_width == pytest.approx(1.959963984540054 * t_result.se)
    assert z_result.half_width < t_result.half_width


def test_non_finite_runs_are_excluded_and_counted() -> None:
    cost = [100.0, math.nan, 50.0, 80.0, math.inf]
    months = [10.0, 5.0, math.nan, 8.0, 4.0]
    result = ratio_of_totals(cost, months)
    assert (result.n, result.excluded) == (2, 3)
    assert result.estimate == 180.0 / 18.0


def test_degenerate_cases() -> None:
    zero = ratio_of_totals([1.0, 2.0], [0.0, 0.0])
    assert math.isnan(zero.estimate) and math.isnan(zero.low) and zero.n == 2
    assert math.isnan(zero.median_per_run)  # no run with a positive denominator
    one = ratio_of_totals([3.0], [2.0])
    assert one.estimate == 1.5 and math.isnan(one.low) and math.isnan(one.high) and math.isnan(one.se)
    empty = ratio_of_totals([], [])
    assert empty.n == 0 and math.isnan(empty.estimate)
    exact = ratio_of_totals([2.0, 4.0, 6.0], [1.0, 2.0, 3.0])  # every run has the same ratio
    assert (exact.estimate, exact.se, exact.low, exact.high) == (2.0, 0.0, 2.0, 2.0)
    with pytest.raises(ValueError):
        ratio_of_totals([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        ratio_of_totals([1.0, 2.0], [1.0, 1.0], quantile="bootstrap")  # type: ignore[arg-type]


def test_pooled_share_is_the_ratio_of_totals_kept_within_the_unit_interval() -> None:
    filled = np.array([300.0, 360.0, 365.0, 100.0])
    authorised = np.array([365.0, 365.0, 365.0, 365.0])
    share, ratio = pooled_share(filled, authorised), ratio_of_totals(filled, authorised)
    assert share.estimate == ratio.estimate == filled.sum() / authorised.sum()
    assert share.se == ratio.se
    assert ratio.high > 1.0 and share.high == 1.0  # four runs, one poor: the delta interval overshoots 1
    assert share.low == ratio.low
    # Shares of 1 in every run: estimate 1 and no spread.
    full = pooled_share([10.0, 20.0], [10.0, 20.0])
    assert (full.estimate, full.low, full.high) == (1.0, 1.0, 1.0)


def test_a_large_run_weighs_more_than_in_a_mean_of_ratios() -> None:
    # Two small runs at 100 per unit and one large run at 10 per unit: the pooled rate is near 10.
    result = ratio_of_totals([100.0, 100.0, 1000.0], [1.0, 1.0, 100.0])
    assert result.estimate == pytest.approx(1200.0 / 102.0)
    assert np.mean([100.0, 100.0, 10.0]) == 70.0
    assert result.median_per_run == 100.0


# Skewed costs: person-months x ~ Gamma(4, 2.5) (mean 10), cost y = x * 2000 * LogNormal(0, 0.4) + a fixed cost
# LogNormal(log 5000, 0.8), independent. E[y] = 10 * 2000 e^0.08 + 5000 e^0.32, so E[y] / E[x] is known.
TRUE_RATIO = 2000.0 * math.exp(0.08) + 5000.0 * math.exp(0.32) / 10.0
TRIALS = 4000  # coverage SE 0.0034: the nominal bound 0.95 - 3 SE is 0.940


def simulated_costs(runs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    months = rng.gamma(4.0, 2.5, size=(TRIALS, runs))
    cost = months * 2000.0 * rng.lognormal(0.0, 0.4, size=(TRIALS, runs))
    cost += rng.lognormal(math.log(5000.0), 0.8, size=(TRIALS, runs))
    return cost, months


@pytest.mark.parametrize(("runs", "known_deficit"), [(100, 0.0), (30, 0.012)])
def test_ratio_of_totals_coverage(runs: int, known_deficit: float) -> None:
    cost, months = simulated_costs(runs, 40 + runs)
    results = [ratio_of_totals(cost[i], months[i]) for i in range(TRIALS)]
    coverage = float(np.mean([r.low <= TRUE_RATIO <= r.high for r in results]))
    above = float(np.mean([r.high < TRUE_RATIO for r in results]))
    print(f"\nratio of totals coverage ({runs} runs, skewed costs): {coverage:.4f} over {TRIALS} trials; "
          f"interval below the truth in {above:.4f} (nominal 0.025)")
    # The delta-method interval is symmetric while the ratio's sampling distribution is right-skewed here,
    # so at a few tens of runs it lies wholly below the truth more often than nominal. Over 20,000 trials in
    # this setting coverage is 0.938 at 30 runs, 0.944 at 50 and 0.949 at 100. At 100 runs the nominal
    # bound holds; at 30 the known deficit (0.012) is allowed on top of 3 SE rather than hidden.
    assert coverage >= LEVEL - known_deficit - 3 * se_of_coverage(TRIALS)
