"""Yes/no outcomes: Wilson's interval and the paired difference of two proportions.

Coverage is checked against a known truth. Simulated coverage over T trials has standard error
sqrt(0.95 * 0.05 / T); an assertion ``coverage >= 0.95 - 3 SE`` fails by chance with probability
about 0.001 when the true coverage is nominal. Counts are discrete, so an interval's exact coverage
oscillates with p and n around the nominal level instead of staying above it; where that matters the
exact coverage is computed by summing the binomial (or multinomial) probabilities of every outcome,
and the simulation is compared with it (two-sided, +-3 SE: it then checks the implementation).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest
from scipy import stats

from deploysim.stats.proportions import (
    PairedProportionDifference,
    Proportion,
    paired_difference_from_counts,
    paired_proportion_difference,
    wilson_interval,
)

LEVEL = 0.95


def se_of_coverage(trials: int, level: float = LEVEL) -> float:
    return math.sqrt(level * (1.0 - level) / trials)


# --- Wilson ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (0, 20), (3, 20), (10, 20), (20, 20), (7, 200), (199, 200)])
def test_wilson_matches_scipy(k: int, n: int) -> None:
    ours = wilson_interval(k, n)
    theirs = stats.binomtest(k, n).proportion_ci(confidence_level=LEVEL, method="wilson")
    assert ours.estimate == k / n
    assert ours.low == pytest.approx(theirs.low, abs=1e-12)
    assert ours.high == pytest.approx(theirs.high, abs=1e-12)
    assert (ours.n, ours.successes) == (n, k)


@pytest.mark.parametrize("n", [1, 5, 20, 200, 10_000])
def test_wilson_stays_in_unit_interval_at_zero_and_all(n: int) -> None:
    none, every = wilson_interval(0, n), wilson_interval(n, n)
    assert none.low == 0.0 and 0.0 < none.high < 1.0
    assert every.high == 1.0 and 0.0 < every.low < 1.0
    assert none.high == pytest.approx(1.0 - every.low, abs=1e-15)  # symmetric in k <-> n - k
    for k in range(0, n + 1, max(1, n // 50)):
        p = wilson_interval(k, n)
        assert 0.0 <= p.low <= p.estimate <= p.high <= 1.0


def test_wilson_without_runs_is_nan() -> None:
    p = wilson_interval(0, 0)
    assert isinstance(p, Proportion)
    assert math.isnan(p.estimate) and math.isnan(p.low) and math.isnan(p.high)
    assert (p.n, p.successes) == (0, 0)


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson_interval(5, 4)
    with pytest.raises(ValueError):
        wilson_interval(-1, 4)
    with pytest.raises(TypeError):
        wilson_interval(1.5, 4)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        wilson_interval(1, 4, level=1.0)


def test_wilson_width_shrinks_with_level() -> None:
    assert wilson_interval(5, 20, 0.80).high < wilson_interval(5, 20, 0.95).high < wilson_interval(5, 20, 0.99).high


@cache
def _wilson_limits(n: int) -> np.ndarray:
    return np.array([(w.low, w.high) for w in (wilson_interval(k, n) for k in range(n + 1))])


def _exact_wilson_coverage(p: float, n: int) -> float:
    k = np.arange(n + 1)
    limits = _wilson_limits(n)
    covered = (limits[:, 0] <= p) & (p <= limits[:, 1])
    return float(stats.binom.pmf(k, n, p)[covered].sum())


@pytest.mark.parametrize("n", [20, 200])
@pytest.mark.parametrize("p", [0.05, 0.5, 0.9])
def test_wilson_coverage_by_simulation(p: float, n: int) -> None:
    trials = 4000
    rng = np.random.default_rng(20_240 + n + int(100 * p))
    draws = rng.binomial(n, p, size=trials)
    limits = {k: wilson_interval(int(k), n) for k in np.unique(draws)}
    simulated = float(np.mean([limits[k].low <= p <= limits[k].high for k in draws]))
    exact = _exact_wilson_coverage(p, n)
    print(f"\nWilson coverage p={p} n={n}: simulated {simulated:.4f} over {trials} trials, exact {exact:.4f}")
    # The simulation must agree with the exact coverage (two-sided: this checks the implementation) ...
    assert abs(simulated - exact) <= 3 * math.sqrt(exact * (1 - exact) / trials)
    # ... and the exact coverage must be what Wilson's interval is known to give: near nominal, with dips
    # where the binomial's lattice falls badly (0.9245 at p = 0.05, n = 20: k = 3 of 20 gives a lower limit
    # of 0.052; Brown, Cai & DasGupta 2001 show the same dips). ``>= 0.95 - 3 SE`` on the simulation would
    # fail there by the method's nature, not by a bug, so the floor is the exact one, 0.92.
    assert exact >= 0.92


@pytest.mark.parametrize("n", [20, 200])
def test_wilson_exact_coverage_averages_to_nominal(n: int) -> None:
    # Averaged over p the oscillations cancel: mean exact coverage over p in [0.01, 0.99] is 0.954 (n = 20)
    # and 0.950 (n = 200). This is exact (no sampling error), so the tolerance only allows for the grid.
    grid = np.linspace(0.01, 0.99, 99)
    coverage = [_exact_wilson_coverage(float(p), n) for p in grid]
    print(f"\nWilson exact coverage n={n}: mean {np.mean(coverage):.4f}, min {np.min(coverage):.4f} over p grid")
    assert abs(float(np.mean(coverage)) - LEVEL) <= 0.01


# --- paired difference -----------------------------------------------------------------------------------

# Cavo et al. (2012), complete response before and after consolidation therapy, the worked example of
# Fagerland, Lydersen & Laake, "Statistical Analysis of Contingency Tables" (2017), chapter 8: 59 yes/yes,
# 6 yes/no, 16 no/yes, 80 no/no; difference (first - second) -0.0621. Published 95% intervals: Newcombe
# square-and-add -0.1186 to -0.0046, Tango asymptotic score -0.1240 to -0.0054. Here "b" is the first
# measurement and "a" the second, so that P(b) - P(a) is the published difference.
CAVO = {"both": 59, "only_b": 6, "only_a": 16, "neither": 80}


@pytest.mark.parametrize(("method", "low", "high"), [("newcombe", -0.1186, -0.0046), ("tango", -0.1240, -0.0054)])
def test_paired_matches_published_example(method: str, low: float, high: float) -> None:
    result = paired_difference_from_counts(CAVO["both"], CAVO["only_a"], CAVO["only_b"], CAVO["neither"],
                                           method=method)  # type: ignore[arg-type]
    assert result.estimate == pytest.approx(-10 / 161)
    assert round(result.estimate, 4) == -0.0621
    assert round(result.low, 4) == low
    assert round(result.high, 4) == high


def test_paired_counts_the_table_from_arrays() -> None:
    a = np.array([1, 1, 1, 0, 0, 0, 0, 1], dtype=bool)
    b = np.array([1, 0, 1, 1, 1, 0, 0, 1], dtype=bool)
    result = paired_proportion_difference(a, b)
    assert isinstance(result, PairedProportionDifference)
    assert (result.both, result.only_a, result.only_b, result.neither, result.n) == (3, 1, 2, 2, 8)
    assert result.estimate == pytest.approx(b.mean() - a.mean())
    assert (result.p_a, result.p_b) == (a.mean(), b.mean())
    assert paired_proportion_difference(a.astype(int), b.astype(int)) == result
    swapped = paired_proportion_difference(b, a)
    assert swapped.estimate == -result.estimate
    assert swapped.low == pytest.approx(-result.high) and swapped.high == pytest.approx(-result.low)


@pytest.mark.parametrize("method", ["newcombe", "tango"])
@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_identical_outcomes_differ_by_exactly_zero(method: str, share: float) -> None:
    outcome = np.arange(40) < share * 40
    result = paired_proportion_difference(outcome, outcome.copy(), method=method)  # type: ignore[arg-type]
    assert result.estimate == 0.0
    assert result.only_a == result.only_b == 0
    assert -1.0 <= result.low <= 0.0 <= result.high <= 1.0
    assert result.high - result.low < 0.25  # 40 agreeing pairs leave little room


@pytest.mark.parametrize("method", ["newcombe", "tango"])
def test_paired_interval_stays_in_range_at_the_extremes(method: str) -> None:
    up = paired_difference_from_counts(0, 0, 25, 0, method=method)  # type: ignore[arg-type]
    down = paired_difference_from_counts(0, 25, 0, 0, method=method)  # type: ignore[arg-type]
    assert up.estimate == 1.0 and up.high == 1.0 and 0.0 < up.low < 1.0
    assert down.estimate == -1.0 and down.low == -1.0 and -1.0 < down.high < 0.0


def test_paired_rejects_bad_input_and_handles_no_pairs() -> None:
    with pytest.raises(ValueError):
        paired_proportion_difference([True, False], [True])
    with pytest.raises(ValueError):
        paired_proportion_difference([0, 2], [1, 1])
    with pytest.raises(ValueError):
        paired_difference_from_counts(1, 2, 3, 4, method="wald")  # type: ignore[arg-type]
    empty = paired_proportion_difference(np.array([], dtype=bool), np.array([], dtype=bool))
    assert empty.n == 0 and math.isnan(empty.estimate) and math.isnan(empty.low) and math.isnan(empty.high)


def test_paired_exact_coverage_over_many_tables() -> None:
    # Exact coverage at n = 30 pairs: the probability of every one of the 5,456 possible tables under
    # 60 random cell probabilities (Dirichlet(1, 1, 1, 1), fixed seed). No sampling error, so the bounds
    # are about the method: Newcombe's interval averages close to nominal (0.953 here) with dips below it
    # (minimum 0.937 here, 0.934 over 300 such tables), as Newcombe (1998) and Fagerland et al. (2014) report.
    n = 30
    tables = np.array([(a, b, c, n - a - b - c)
                       for a in range(n + 1) for b in range(n + 1 - a) for c in range(n + 1 - a - b)])
    results = [paired_difference_from_counts(int(both), int(only_a), int(only_b), int(neither))
               for both, only_a, only_b, neither in tables]
    limits = np.array([(r.low, r.high) for r in results])
    rng = np.random.default_rng(30)
    coverage = []
    for probs in rng.dirichlet(np.ones(4), size=60):
        truth = probs[2] - probs[1]  # P(b) - P(a) = P(only_b) - P(only_a)
        covered = (limits[:, 0] <= truth) & (truth <= limits[:, 1])
        coverage.append(float(stats.multinomial.pmf(tables[covered], n, probs).sum()))
    print(f"\nNewcombe paired exact coverage n={n}: mean {np.mean(coverage):.4f}, min {np.min(coverage):.4f} "
          f"over {len(coverage)} random tables")
    assert abs(float(np.mean(coverage)) - LEVEL) <= 0.01
    assert min(coverage) >= 0.92


@pytest.mark.parametrize(("method", "trials"), [("newcombe", 4000), ("tango", 1500)])
@pytest.mark.parametrize(("p_a", "p_b", "rho"), [(0.60, 0.70, 0.7), (0.85, 0.90, 0.5), (0.30, 0.30, 0.9)])
def test_paired_coverage_by_simulation(method: str, trials: int, p_a: float, p_b: float, rho: float) -> None:
    # Correlated pairs, as common random numbers give: a latent bivariate normal with correlation rho,
    # thresholded at the marginal quantiles, so P(a) = p_a and P(b) = p_b exactly.
    n = 100
    rng = np.random.default_rng(7 + int(100 * p_a + 10 * rho))
    shared = rng.standard_normal((trials, n))
    latent_a = shared
    latent_b = rho * shared + math.sqrt(1 - rho * rho) * rng.standard_normal((trials, n))
    a = latent_a < stats.norm.ppf(p_a)
    b = latent_b < stats.norm.ppf(p_b)
    truth = p_b - p_a
    hits = 0
    for i in range(trials):
        r = paired_proportion_difference(a[i], b[i], method=method)  # type: ignore[arg-type]
        hits += r.low <= truth <= r.high
    coverage = hits / trials
    print(f"\npaired {method} coverage p_a={p_a} p_b={p_b} rho={rho} n={n}: {coverage:.4f} over {trials} trials")
    assert coverage >= LEVEL - 3 * se_of_coverage(trials)
