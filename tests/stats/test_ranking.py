"""Ranking and selection against known truth: normal outputs with the best plan known, Bernoulli plans at
the edges of the tolerance zone, and Rinott's constant against a Monte Carlo estimate of its integral."""

from __future__ import annotations

import math

import numpy as np
import pytest

from deploysim.stats.proportions import wilson_interval
from deploysim.stats.ranking import (
    FEASIBLE,
    INFEASIBLE,
    MeanBound,
    SequentialSelection,
    bernoulli_variance_floor,
    clopper_pearson_bounds,
    difference_variances,
    kn_h2,
    look_level,
    mcb_intervals,
    mean_region,
    rinott_h,
    rinott_sizes,
    screen,
    stage_size,
)

K, DELTA, N0, ALPHA = 50, 0.25, 10, 0.05  # sigma = 1: delta = 0.25 sigma
STAGE_RUNS = 64


def _kn_macroreplication(rng: np.random.Generator, rho: float) -> tuple[bool, int]:
    """One KN run on the slippage configuration (plan 0 is delta better, minimising; the other k-1 equal,
    the least favourable case) with equicorrelation rho between plans in a replication (common random
    numbers); returns (plan 0 selected, total replications)."""
    mu = np.zeros(K)
    mu[0] = -DELTA

    def draw(n: int) -> np.ndarray:
        return mu + math.sqrt(rho) * rng.standard_normal((n, 1)) + math.sqrt(1 - rho) * rng.standard_normal((n, K))

    selection = SequentialSelection(K, N0, DELTA, ALPHA)
    first = draw(N0)
    selection.first_stage(first)
    sums, r, total = first.sum(axis=0), N0, N0 * K
    selection.update(r, sums)
    while not selection.done:
        active = int(selection.active.sum())
        m = stage_size(r, active, STAGE_RUNS)
        sums = sums + draw(m).sum(axis=0)  # inactive plans' sums are ignored by update()
        r, total = r + m, total + m * active
        selection.update(r, sums)
    return selection.selected == 0, total


def test_kn_with_crn_selects_the_best_with_the_stated_probability() -> None:
    """1,000 macroreplications, k = 50, slippage, delta = 0.25 sigma, 95%, rho = 0.9: the 99% Wilson lower
    bound of the measured PCS must clear 0.95 (its binomial standard error is about 0.005 at PCS 0.98), and
    the replications must stay near the fully sequential study's 1,098 (staging costs a little) and far below
    Rinott's, which cannot use common random numbers."""
    rng = np.random.default_rng(20260601)
    outcomes = [_kn_macroreplication(rng, rho=0.9) for _ in range(1000)]
    correct = sum(ok for ok, _ in outcomes)
    pcs = wilson_interval(correct, len(outcomes), 0.98)  # two-sided 98%: its low end is a one-sided 99% bound
    mean_total = float(np.mean([n for _, n in outcomes]))
    # Rinott with independent sampling at the same guarantee: expected total from chi-square variances
    h = rinott_h(K, 20, 1 - ALPHA)
    variances = rng.chisquare(19, size=(200, K)) / 19
    rinott_total = float(np.mean([rinott_sizes(h, v, DELTA, 20).sum() for v in variances]))
    print(f"KN+CRN: PCS {pcs.estimate:.3f} [{pcs.low:.3f}, {pcs.high:.3f}] over 1000 macroreplications, "
          f"mean total N {mean_total:,.0f}; Rinott (n0=20, h={h:.2f}) mean total N {rinott_total:,.0f}")
    assert pcs.low >= 0.95
    assert mean_total <= 1300
    assert 17_000 <= rinott_total <= 20_000  # the study's 18,419: a cross-check of h and the sizes
    assert mean_total < rinott_total / 10


def test_kn_without_crn_still_covers_on_fewer_macroreplications() -> None:
    """Independent plans (rho = 0) need about ten times more replications (the study: 10,174); 100
    macroreplications (PCS standard error about 0.02) keep the test fast."""
    rng = np.random.default_rng(7)
    outcomes = [_kn_macroreplication(rng, rho=0.0) for _ in range(100)]
    pcs = wilson_interval(sum(ok for ok, _ in outcomes), len(outcomes), 0.98)
    assert pcs.high >= 0.95 and pcs.low >= 0.85  # a 98% interval that excludes 0.95 would be a failure
    assert 6_000 <= np.mean([n for _, n in outcomes]) <= 11_000


def _feasibility_macroreplication(rng: np.random.Generator, p: float, q: float, tolerance: float,
                                  alpha: float) -> int:
    """One sequential feasibility check of one Bernoulli(p) plan against P >= q; returns its verdict."""
    selection = SequentialSelection(1, 20, 1.0, 0.025, alpha, (q,), tolerance)
    selection.first_stage(np.zeros((20, 1)))
    successes, r = int((rng.random(20) < p).sum()), 20
    selection.update(r, np.zeros(1), np.array([[successes]]))
    while selection.feasibility[0, 0] == 0:
        m = stage_size(r, 1, STAGE_RUNS)
        successes, r = successes + int((rng.random(m) < p).sum()), r + m
        selection.update(r, np.zeros(1), np.array([[successes]]))
    return int(selection.feasibility[0, 0])


@pytest.mark.parametrize(("p", "wrong"), [(0.85, FEASIBLE), (0.95, INFEASIBLE)])
def test_a_plan_at_the_edge_of_the_tolerance_gets_the_wrong_verdict_rarely(p: float, wrong: int) -> None:
    """q = 0.9, tolerance 0.05, the stage's error alpha_1 = 0.025: a plan at q - tolerance may be declared
    feasible (and one at q + tolerance infeasible) with probability at most 0.025. Over 1,000
    macroreplications the 99% upper Wilson bound of the measured rate must stay below it. The looks spend
    beta_l = beta 6 / (pi l)^2 each, so the measured rate is well below 0.025 (about 0.002)."""
    rng = np.random.default_rng(11 if wrong == FEASIBLE else 12)
    verdicts = [_feasibility_macroreplication(rng, p, 0.9, 0.05, 0.025) for _ in range(1000)]
    rate = wilson_interval(sum(v == wrong for v in verdicts), len(verdicts), 0.98)
    assert rate.high <= 0.025


def test_first_stage_of_all_ones_does_not_declare_a_plan_feasible() -> None:
    """20 ones in 20 are no proof that p > 0.85 at the first look's level (0.025 * 6 / pi^2): the exact
    lower bound is 0.0152^(1/20) = 0.81, so the check goes on (a sample-variance boundary would stop)."""
    selection = SequentialSelection(1, 20, 1.0, 0.025, 0.025, (0.9,), 0.05)
    selection.first_stage(np.zeros((20, 1)))
    selection.update(20, np.zeros(1), np.array([[20]]))
    assert selection.feasibility[0, 0] == 0
    low, high = clopper_pearson_bounds(np.array([20]), 20, look_level(0.025, 1))
    assert low[0] == pytest.approx((0.025 * 6 / math.pi**2) ** (1 / 20)) and high[0] == 1.0
    assert bernoulli_variance_floor(0.9, 0.05) == pytest.approx(0.85 * 0.15)
    assert bernoulli_variance_floor(0.5, 0.05) == pytest.approx(0.25)


def test_rinott_h_solves_its_integral() -> None:
    """Monte Carlo of P(Z <= h / sqrt((n0-1)(1/X + 1/Y))) at k = 2 is the confidence (SE about 0.0007)."""
    h = rinott_h(2, 20, 0.95)
    rng = np.random.default_rng(3)
    x, y, z = rng.chisquare(19, 100_000), rng.chisquare(19, 100_000), rng.standard_normal(100_000)
    assert np.mean(z <= h / np.sqrt(19 * (1 / x + 1 / y))) == pytest.approx(0.95, abs=0.003)


def test_kn_constant_and_difference_variances() -> None:
    # eta = ((2 * 0.05 / 1)^(-2/9) - 1) / 2 for k = 2, n0 = 10
    assert kn_h2(0.05, 1, 10) == pytest.approx(2 * 9 * 0.5 * (0.1 ** (-2 / 9) - 1))
    rng = np.random.default_rng(5)
    x = rng.standard_normal((30, 3))
    s2 = difference_variances(x)
    assert s2[0, 1] == pytest.approx(np.var(x[:, 0] - x[:, 1], ddof=1))
    assert np.allclose(np.diag(s2), 0)


def test_mcb_intervals_contain_zero_and_bound_the_gap() -> None:
    low, high = mcb_intervals(np.array([10.0, 12.0, 30.0]), delta=1.0)
    assert (low <= 0).all() and (high >= 0).all()
    assert high[0] == 0.0 and low[0] == pytest.approx(-3.0)  # best: 10 - 12 - 1
    assert high[2] == pytest.approx(21.0) and low[2] == pytest.approx(0.0)


def test_identical_plans_end_instead_of_sampling_for_ever() -> None:
    """Two plans whose objective never differs (S^2 = 0): the lower plan number is kept."""
    selection = SequentialSelection(2, 10, 1.0, 0.05)
    selection.first_stage(np.ones((10, 2)))
    selection.update(10, np.array([10.0, 10.0]))
    assert selection.done and selection.selected == 0


def _mean_check(rng: np.random.Generator, mu: float, at_least: bool, beta: float) -> tuple[int, int]:
    """One sequential check of one normal(mu, 1) plan against E[Y] >= 0 (or <= 0) with tolerance 0.25;
    returns its verdict and the replications it took."""
    n0 = 20
    selection = SequentialSelection(1, n0, 1.0, 0.025, beta, (), 0.05, (MeanBound(0.0, at_least, 0.25),))
    y = mu + rng.standard_normal(n0)
    selection.first_stage(np.zeros((n0, 1)), y.reshape(n0, 1, 1))
    total, r = float(y.sum()), n0
    selection.update(r, np.zeros(1), None, np.array([[total]]))
    while selection.feasibility[0, 0] == 0:
        m = stage_size(r, 1, STAGE_RUNS)
        total, r = total + float((mu + rng.standard_normal(m)).sum()), r + m
        selection.update(r, np.zeros(1), None, np.array([[total]]))
    return int(selection.feasibility[0, 0]), r


@pytest.mark.parametrize(("mu", "at_least"), [(-0.25, True), (0.25, False)])
def test_a_mean_at_the_edge_of_the_tolerance_is_declared_feasible_rarely(mu: float, at_least: bool) -> None:
    """Normal outputs, sigma = 1, a bound at 0 with tolerance 0.25 sigma, the stage's error beta = 0.025: a
    plan whose mean lies the tolerance on the wrong side (-0.25 for >=, +0.25 for <=) may be declared
    feasible with probability at most beta. Over 4,000 macroreplications (about 1.5 s) the 99% upper Wilson
    bound of the measured rate must stay below it (measured: about 0.014, the triangular region being
    conservative; the bound's half-width there is about 0.005)."""
    rng = np.random.default_rng(31 if at_least else 32)
    verdicts = [_mean_check(rng, mu, at_least, 0.025)[0] for _ in range(4000)]
    rate = wilson_interval(sum(v == FEASIBLE for v in verdicts), len(verdicts), 0.98)
    assert rate.high <= 0.025


def test_a_mean_the_tolerance_inside_the_bound_is_declared_feasible_and_the_check_ends() -> None:
    """The other edge: E[Y] = +0.25 against E[Y] >= 0 is declared infeasible with probability at most beta,
    and every check ends by r = h^2 S^2 / eps^2 (the region closes there); 500 macroreplications."""
    rng = np.random.default_rng(33)
    outcomes = [_mean_check(rng, 0.25, True, 0.025) for _ in range(500)]
    wrong = wilson_interval(sum(v == INFEASIBLE for v, _ in outcomes), len(outcomes), 0.98)
    assert wrong.low <= 0.025 and np.mean([v == FEASIBLE for v, _ in outcomes]) >= 0.95
    h2 = kn_h2(0.025, 1, 20)
    # S^2 of 20 normals is below 3 with probability ~1 - 1e-7; the stage may overshoot by a quarter
    assert max(r for _, r in outcomes) <= 1.25 * h2 * 3 / 0.25**2 + 1
    assert mean_region(h2, np.array([1.0]), 0.25, 20)[0] == pytest.approx(h2 / 0.5 - 0.25 * 10)


def _screened_kn_macroreplication(rng: np.random.Generator, k: int, rho: float) -> tuple[bool, int, int]:
    """Screen k normal plans on n0 replications with alpha/3, then KN with 2 alpha/3 among the survivors on
    fresh replications, as ``select`` does above its screening limit. Plan 0 is delta better than 49 plans
    (the slippage configuration among them) and 150 plans are 2 sigma worse (what screening is for).
    Returns (plan 0 selected, total replications, plans screened out)."""
    mu = np.full(k, 2.0)
    mu[:50] = 0.0
    mu[0] = -DELTA

    def draw(n: int, means: np.ndarray) -> np.ndarray:
        common = math.sqrt(rho) * rng.standard_normal((n, 1))
        return means + common + math.sqrt(1 - rho) * rng.standard_normal((n, means.size))

    verdicts = screen(draw(N0, mu), ALPHA / 3)
    survivors = np.flatnonzero(verdicts == "")
    if 0 not in survivors:
        return False, N0 * k, k - survivors.size
    selection = SequentialSelection(survivors.size, N0, DELTA, 2 * ALPHA / 3)
    first = draw(N0, mu[survivors])
    selection.first_stage(first)
    sums, r, total = first.sum(axis=0), N0, N0 * (k + survivors.size)
    selection.update(r, sums)
    while not selection.done:
        active = int(selection.active.sum())
        m = stage_size(r, active, STAGE_RUNS)
        sums = sums + draw(m, mu[survivors]).sum(axis=0)
        r, total = r + m, total + m * active
        selection.update(r, sums)
    return survivors[selection.selected] == 0, total, k - survivors.size


def test_screening_then_kn_still_selects_the_best_with_the_stated_probability() -> None:
    """k = 200, delta = 0.25 sigma, 95%, rho = 0.9, 400 macroreplications: the 99% Wilson lower bound of
    the measured PCS must clear 0.95, and screening must drop the 150 plans 2 sigma worse (nearly always)
    without needing the 49 near plans to go."""
    rng = np.random.default_rng(20261201)
    outcomes = [_screened_kn_macroreplication(rng, 200, 0.9) for _ in range(400)]
    pcs = wilson_interval(sum(ok for ok, _, _ in outcomes), len(outcomes), 0.98)
    screened = np.mean([out for _, _, out in outcomes])
    print(f"screen + KN, k = 200: PCS {pcs.estimate:.3f} [{pcs.low:.3f}, {pcs.high:.3f}], mean total N "
          f"{np.mean([n for _, n, _ in outcomes]):,.0f}, mean screened out {screened:.1f}")
    assert pcs.low >= 0.95
    assert 140 <= screened <= 200 - 1


def test_screening_keeps_a_plan_that_meets_the_constraint_over_cheaper_ones_that_do_not() -> None:
    """Plans 0-2 are far cheaper but meet P >= 0.9 with probability 0.3; plan 3 meets it always. The cheap
    plans are screened out as infeasible (upper bound below 0.95) and cannot screen out plan 3, which no
    plan certified to meet the constraint beats; plan 4, dearer than plan 3 by 20 sigma, goes once plan 3 is
    certified: 150 ones in 150 put p above 0.0025^(1/150) = 0.961 > 0.95 (level 0.05 / 4 / (5 plans))."""
    rng = np.random.default_rng(3)
    n0 = 150
    objective = np.array([0.0, 0.0, 0.0, 10.0, 30.0]) + rng.standard_normal((n0, 5))
    p = np.array([0.3, 0.3, 0.3, 1.0, 1.0])
    indicators = (rng.random((n0, 5, 1)) < p[None, :, None]).astype(float)
    verdicts = screen(objective, 0.05, indicators, (0.9,), 0.05)
    assert list(verdicts) == ["infeasible", "infeasible", "infeasible", "", "worse"]
    # without certification (n0 = 20 all ones is no proof of p > 0.95 at level 0.0125 / 20) nothing is worse
    assert list(screen(objective[:20], 0.05, indicators[:20], (0.9,), 0.05))[3:] == ["", ""]


def _screened_constrained_macroreplication(rng: np.random.Generator) -> bool:
    """k = 200 plans with a chance constraint P >= 0.9 (tolerance 0.05): plans 0-99 are 2 sigma cheaper but
    meet it with probability 0.3; plan 100 is the best that meets it (always), delta better than plans
    101-199 (which meet it too). Screen with alpha/3, then the constrained procedure among the survivors on
    fresh replications with the rest, split between feasibility and selection. Returns plan 100 selected."""
    k, rho = 200, 0.9
    mu = np.zeros(k)
    mu[:100], mu[100] = -2.0, -DELTA
    p = np.where(np.arange(k) < 100, 0.3, 1.0)

    def draw(n: int, plans: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        common = math.sqrt(rho) * rng.standard_normal((n, 1))
        x = mu[plans] + common + math.sqrt(1 - rho) * rng.standard_normal((n, plans.size))
        return x, (rng.random((n, plans.size)) < p[plans]).astype(float)

    x, flags = draw(N0, np.arange(k))
    survivors = np.flatnonzero(screen(x, ALPHA / 3, flags[:, :, None], (0.9,), 0.05) == "")
    if 100 not in survivors:
        return False
    rest = 2 * ALPHA / 3
    selection = SequentialSelection(survivors.size, N0, DELTA, rest / 2, rest / 2, (0.9,), 0.05)
    x, flags = draw(N0, survivors)
    selection.first_stage(x)
    sums, successes, r = x.sum(axis=0), flags.sum(axis=0), N0
    selection.update(r, sums, successes[:, None])
    while not selection.done:
        m = stage_size(r, int(selection.active.sum()), STAGE_RUNS)
        x, flags = draw(m, survivors)
        sums, successes, r = sums + x.sum(axis=0), successes + flags.sum(axis=0), r + m
        selection.update(r, sums, successes[:, None])
    return selection.selected is not None and survivors[selection.selected] == 100


def test_screening_under_a_chance_constraint_keeps_the_guarantee() -> None:
    """150 macroreplications (about 4 s): the 99% Wilson lower bound of P(plan 100 selected) must clear 0.95
    (so at most one miss) although half the plans are cheaper than it (they must be screened out or declared
    infeasible, never selected)."""
    rng = np.random.default_rng(20261202)
    outcomes = [_screened_constrained_macroreplication(rng) for _ in range(150)]
    print(f"screen + constrained KN, k = 200: {sum(outcomes)} of {len(outcomes)} select plan 100")
    pcs = wilson_interval(sum(outcomes), len(outcomes), 0.98)
    assert pcs.low >= 0.95
