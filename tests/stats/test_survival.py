"""Milestones as censored times: Kaplan-Meier, P(reached by day D), quantiles and restricted means.

Hand-computed cases first, then a cross-check of S(t) and its log(-log) band against
``scipy.stats.ecdf`` (an independent implementation), then coverage by simulation against a known
truth: Weibull times to the milestone (shape 1.5, scale 100 days) with independent censoring as a
mission gives it (30% of runs close early on a uniform day in [20, 200], the rest run to the 200-day
horizon). Simulated coverage over T trials has standard error sqrt(0.95 * 0.05 / T); ``coverage >=
0.95 - 3 SE`` fails by chance with probability about 0.001 when the true coverage is nominal.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import gamma, gammainc

from deploysim.stats.intervals import mean_ci
from deploysim.stats.proportions import wilson_interval
from deploysim.stats.survival import (
    KaplanMeier,
    kaplan_meier,
    km_quantile,
    p_by,
    restricted_mean,
)

LEVEL = 0.95

# The 6-MP arm of the leukaemia remission trial (Freireich et al. 1963; Gehan 1965), weeks in remission,
# the worked example of Klein & Moeschberger (2003), section 4.2. False: censored.
SIX_MP = [(6, True), (6, True), (6, True), (6, False), (7, True), (9, False), (10, True), (10, False), (11, False),
          (13, True), (16, True), (17, False), (19, False), (20, False), (22, True), (23, True), (25, False),
          (32, False), (32, False), (34, False), (35, False)]
SIX_MP_TIMES = np.array([t for t, _ in SIX_MP], dtype=float)
SIX_MP_REACHED = np.array([r for _, r in SIX_MP])


def se_of_coverage(trials: int, level: float = LEVEL) -> float:
    return math.sqrt(level * (1.0 - level) / trials)


# --- exact cases -------------------------------------------------------------------------------------


def test_kaplan_meier_on_a_tiny_hand_computed_example() -> None:
    # Day 1: 6 at risk, 1 reaches -> 5/6. Day 2: 5 at risk (the run censored on day 2 still counts), 1
    # reaches -> 5/6 * 4/5 = 2/3. Day 3: 3 at risk, 1 reaches -> 4/9. Day 5: the last run reaches -> 0.
    km = kaplan_meier([1, 2, 2, 3, 4, 5], [True, True, False, True, False, True])
    assert isinstance(km, KaplanMeier)
    np.testing.assert_array_equal(km.times, [1, 2, 3, 5])
    np.testing.assert_array_equal(km.at_risk, [6, 5, 3, 1])
    np.testing.assert_array_equal(km.events, [1, 1, 1, 1])
    np.testing.assert_allclose(km.survival, [5 / 6, 2 / 3, 4 / 9, 0.0], rtol=1e-15)
    # Greenwood: sum d / (n (n - d)) = 1/30, + 1/20, + 1/6; the last term (n = d) is infinite.
    np.testing.assert_allclose(km.greenwood[:3], np.cumsum([1 / 30, 1 / 20, 1 / 6]), rtol=1e-15)
    assert math.isinf(km.greenwood[3])
    np.testing.assert_allclose(km.variance, [(5 / 6) ** 2 / 30, (2 / 3) ** 2 * (1 / 30 + 1 / 20),
                                             (4 / 9) ** 2 * 0.25, 0.0], rtol=1e-14)
    assert (km.n, km.n_events, km.last_time) == (6, 4, 5.0)
    np.testing.assert_array_equal(km.censored_times, [2, 4])
    np.testing.assert_allclose(km.survival_at([0, 0.5, 1, 1.5, 2, 4.9, 5, 99]),
                               [1, 1, 5 / 6, 5 / 6, 2 / 3, 4 / 9, 0, 0])


def test_kaplan_meier_on_the_6mp_leukaemia_data() -> None:
    km = kaplan_meier(SIX_MP_TIMES, SIX_MP_REACHED)
    np.testing.assert_array_equal(km.times, [6, 7, 10, 13, 16, 22, 23])
    np.testing.assert_array_equal(km.at_risk, [21, 17, 15, 12, 11, 7, 6])
    np.testing.assert_array_equal(km.events, [3, 1, 1, 1, 1, 1, 1])
    exact = np.cumprod([Fraction(18, 21), Fraction(16, 17), Fraction(14, 15), Fraction(11, 12), Fraction(10, 11),
                        Fraction(6, 7), Fraction(5, 6)])
    np.testing.assert_allclose(km.survival, [float(s) for s in exact], rtol=1e-14)
    # The values printed in Klein & Moeschberger's worked example for these data (three decimals).
    np.testing.assert_allclose(km.survival, [0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448], atol=5e-4)
    np.testing.assert_allclose(np.sqrt(km.variance), [0.076, 0.087, 0.096, 0.107, 0.114, 0.128, 0.135], atol=5e-4)
    # S is not identified after the last (censored) observation on day 35.
    assert math.isnan(km.survival_at(36.0))


def test_kaplan_meier_without_censoring_is_the_empirical_survival() -> None:
    rng = np.random.default_rng(1)
    days = rng.integers(0, 30, size=50).astype(float)
    km = kaplan_meier(days, np.ones(50, dtype=bool))
    grid = np.arange(-1, 31)
    np.testing.assert_allclose(km.survival_at(grid), [(days > d).mean() for d in grid], atol=1e-14)


@pytest.mark.filterwarnings("ignore:The confidence interval is undefined:RuntimeWarning")  # scipy, where S = 1
def test_kaplan_meier_matches_scipy_ecdf_and_its_loglog_band() -> None:
    # Integer days with many ties between events and censorings; the last run censored so S > 0 throughout.
    rng = np.random.default_rng(2)
    days = np.minimum(rng.integers(1, 60, size=80), rng.integers(10, 70, size=80)).astype(float)
    reached = rng.random(80) < 0.7
    days[np.argmax(days)] += 1.0
    reached[np.argmax(days)] = False
    km = kaplan_meier(days, reached)
    result = stats.ecdf(stats.CensoredData(uncensored=days[reached], right=days[~reached]))
    np.testing.assert_allclose(km.survival, result.sf.evaluate(km.times), rtol=1e-12)
    grid = np.arange(0.0, days.max() + 1)
    np.testing.assert_allclose(km.survival_at(grid), result.sf.evaluate(grid), rtol=1e-12)
    band = result.sf.confidence_interval(LEVEL, method="log-log")
    for day in km.times[km.survival < 1.0]:
        by = p_by(km, day)
        assert by.method == "log-log"
        assert 1.0 - by.high == pytest.approx(float(band.low.evaluate(day)), rel=1e-9)
        assert 1.0 - by.low == pytest.approx(float(band.high.evaluate(day)), rel=1e-9)
    # Greenwood's variance against scipy's linear ("plain") band, where that is not clipped.
    linear = result.sf.confidence_interval(LEVEL, method="linear")
    low, high = linear.low.evaluate(km.times), linear.high.evaluate(km.times)
    inside = (low > 0) & (high < 1)
    z = stats.norm.ppf(0.975)
    np.testing.assert_allclose(np.sqrt(km.variance[inside]), ((high - low) / (2 * z))[inside], rtol=1e-9)


def test_kaplan_meier_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        kaplan_meier([1.0, math.nan], [True, False])
    with pytest.raises(ValueError):
        kaplan_meier([1.0, 2.0], [True])
    with pytest.raises(ValueError):
        kaplan_meier([1.0, 2.0], [1, 2])


def test_quantiles_of_the_6mp_data() -> None:
    # Hand-computed: S first drops to 0.5 or below on week 23 (0.448). The log(-log) lower band of S first
    # falls to 0.5 on week 13 (0.4316; on week 10 it is 0.5032); the upper band never does (0.680 on week
    # 23, the last event), so the upper limit is "later than observed": inf.
    median = km_quantile(SIX_MP_TIMES, SIX_MP_REACHED, 0.5)
    assert (median.estimate, median.low, median.high) == (23.0, 13.0, math.inf)
    assert median.reached and not median.bounded and median.n == 21
    early = km_quantile(SIX_MP_TIMES, SIX_MP_REACHED, 0.1)
    assert (early.estimate, early.low, early.high) == (6.0, 6.0, 10.0) and early.bounded
    # Only 1 - 0.448 = 55% are estimated to reach it within the observation: the 0.9 quantile is not reached.
    late = km_quantile(SIX_MP_TIMES, SIX_MP_REACHED, 0.9)
    assert math.isinf(late.estimate) and not late.reached
    assert math.isinf(late.high) and not late.bounded
    assert late.low == 35.0  # beyond the last observed week, with confidence


def test_quantile_not_reached_when_fewer_than_q_reach_it() -> None:
    times = [10, 20, 30] + [100] * 7
    reached = [True] * 3 + [False] * 7
    for q in (0.5, 0.9):
        result = km_quantile(times, reached, q)
        assert math.isinf(result.estimate) and not result.reached and math.isinf(result.high)
    assert km_quantile(times, reached, 0.3).estimate == 30.0  # exactly 3 of 10 by day 30
    assert km_quantile(times, reached, 0.1).estimate == 10.0


def test_quantile_without_censoring_is_the_first_day_with_enough_runs() -> None:
    times = np.arange(1.0, 11.0)
    reached = np.ones(10, dtype=bool)
    # 1 - S(5) = 0.5 exactly: the first day with at least half reached is 5 (R's survfit would say 5.5).
    assert km_quantile(times, reached, 0.5).estimate == 5.0
    assert km_quantile(times, reached, 0.51).estimate == 6.0
    assert km_quantile(times, reached, 0.9).estimate == 9.0
    # S(2) = (1 - 1/5)(1 - 1/4) = 3/5 exactly, but 0.6000000000000001 in floating point: still day 2.
    five = np.arange(1.0, 6.0)
    assert km_quantile(five, np.ones(5, dtype=bool), 0.4).estimate == 2.0


def test_quantile_rejects_q_outside_the_unit_interval() -> None:
    with pytest.raises(ValueError):
        km_quantile([1, 2], [True, True], 1.0)


def test_restricted_mean_without_censoring_is_the_mean_of_truncated_times() -> None:
    rng = np.random.default_rng(3)
    times = rng.weibull(1.5, size=40) * 100.0
    reached = np.ones(40, dtype=bool)
    truncated = np.minimum(times, 120.0)
    result = restricted_mean(times, reached, 120.0)
    assert result.estimate == pytest.approx(truncated.mean(), rel=1e-12)
    # The Kaplan-Meier variance is then the plug-in one, divisor n ...
    assert result.se == pytest.approx(truncated.std(ddof=0) / math.sqrt(40), rel=1e-10)
    # ... and the small-sample option turns the interval into the t-interval of the mean.
    corrected = restricted_mean(times, reached, 120.0, small_sample=True)
    reference = mean_ci(truncated)
    assert corrected.se == pytest.approx(truncated.std(ddof=1) / math.sqrt(40), rel=1e-10)
    assert corrected.low == pytest.approx(reference.low, rel=1e-10)
    assert corrected.high == pytest.approx(reference.high, rel=1e-10)


def test_restricted_mean_of_the_6mp_data_by_hand() -> None:
    s = [Fraction(1)]
    for n, d in [(21, 3), (17, 1), (15, 1), (12, 1), (11, 1), (7, 1), (6, 1)]:
        s.append(s[-1] * (1 - Fraction(d, n)))
    # Steps at weeks 6, 7, 10, 13, 16, 22, 23; area under S from 0 to 35.
    widths = [6, 1, 3, 3, 3, 6, 1, 12]
    area = sum(level * width for level, width in zip(s, widths, strict=True))
    result = restricted_mean(SIX_MP_TIMES, SIX_MP_REACHED, 35.0)
    assert result.estimate == pytest.approx(float(area), rel=1e-13)
    assert round(result.estimate, 3) == 23.287
    assert result.low < result.estimate < result.high and result.n == 21
    # Tau beyond the last (censored) week: S is unknown there, so neither is the restricted mean.
    assert math.isnan(restricted_mean(SIX_MP_TIMES, SIX_MP_REACHED, 40.0).estimate)
    # ... unless the curve has reached 0: then S is 0 afterwards and tau may lie beyond.
    done = restricted_mean([1, 2, 3], [True, True, True], 10.0)
    assert done.estimate == pytest.approx(2.0)


def test_restricted_mean_rejects_negative_days() -> None:
    with pytest.raises(ValueError):
        restricted_mean([-1, 2], [True, True], 5.0)
    with pytest.raises(ValueError):
        restricted_mean([1, 2], [True, True], -5.0)


def test_p_by_is_wilson_when_no_run_is_censored_before_the_day() -> None:
    times = [3, 5, 5, 8, 12, 12, 20, 20, 20, 20]
    reached = [True, True, True, True, True, False, False, False, False, False]
    for day, count in [(0, 0), (3, 1), (4, 1), (5, 3), (12, 5)]:
        result = p_by((times, reached), day)
        share = wilson_interval(count, 10)
        assert result.method == "wilson"
        assert (result.estimate, result.low, result.high) == (share.estimate, share.low, share.high)
    later = p_by((times, reached), 15)  # one run censored on day 12, before day 15
    assert later.method == "log-log" and 0.0 <= later.low < later.estimate < later.high <= 1.0
    assert later.estimate == pytest.approx(0.5)


def test_p_by_edges() -> None:
    km = kaplan_meier(SIX_MP_TIMES, SIX_MP_REACHED)
    beyond = p_by(km, 36)
    assert beyond.method == "beyond-follow-up" and math.isnan(beyond.estimate)
    assert p_by(km, 35).estimate == pytest.approx(1 - km.survival[-1])
    # Nobody reached by day 5 but runs censored earlier: Wilson's interval for 0 of the 8 still observed.
    early = p_by(([1, 2, 6, 7, 8, 9, 10, 11, 12, 13], [False, False, True, True, True, True, True, True, True,
                                                         False]), 5)
    assert early.method == "wilson-at-risk" and early.estimate == 0.0
    assert early.high == wilson_interval(0, 8).high and early.at_risk == 8
    # Everyone left at risk reaches it: 1 - S = 1, and the band's lower limit comes from the previous event.
    emptied = kaplan_meier([1, 3, 4, 5, 5], [False, True, False, True, True])
    last = p_by(emptied, 5)
    assert last.estimate == 1.0 and last.high == 1.0
    assert last.low == pytest.approx(p_by(emptied, 3).low)
    assert p_by(emptied, 3).estimate == pytest.approx(0.25)


# --- coverage by simulation ------------------------------------------------------------------------

SHAPE, SCALE, HORIZON = 1.5, 100.0, 200.0
TRIALS = 2000  # coverage SE 0.0049: the nominal bound 0.95 - 3 SE is 0.935
RUNS = 50


def true_failure(day: float) -> float:
    return 1.0 - math.exp(-((day / SCALE) ** SHAPE))


def true_quantile(q: float) -> float:
    return SCALE * (-math.log(1.0 - q)) ** (1.0 / SHAPE)


def true_restricted_mean(tau: float) -> float:
    # Closed form: integral_0^tau exp(-(t / scale)^shape) dt = scale Gamma(1 + 1/shape) P(1/shape, (tau/scale)^shape).
    return float(SCALE * gamma(1.0 + 1.0 / SHAPE) * gammainc(1.0 / SHAPE, (tau / SCALE) ** SHAPE))


def test_true_restricted_mean_closed_form_agrees_with_numerical_integration() -> None:
    for tau in (50.0, 150.0):
        numeric, _ = integrate.quad(lambda t: 1.0 - true_failure(t), 0.0, tau)
        assert true_restricted_mean(tau) == pytest.approx(numeric, rel=1e-10)


@cache
def missions(runs: int, seed: int, whole_days: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """TRIALS simulated experiments of ``runs`` runs: observed day and whether the milestone was reached."""
    rng = np.random.default_rng(seed)
    milestone = SCALE * rng.weibull(SHAPE, size=(TRIALS, runs))
    closes_early = rng.random((TRIALS, runs)) < 0.3
    end = np.where(closes_early, rng.uniform(20.0, HORIZON, size=(TRIALS, runs)), HORIZON)
    if whole_days:  # a milestone on day t counts as reached on that (whole) day
        milestone, end = np.ceil(milestone), np.floor(end)
    return np.minimum(milestone, end), milestone <= end


@pytest.mark.parametrize(("q", "runs"), [(0.5, RUNS), (0.1, 100), (0.9, 100)])
def test_quantile_coverage(q: float, runs: int) -> None:
    times, reached = missions(runs, 11)
    truth = true_quantile(q)
    results = [km_quantile(times[i], reached[i], q) for i in range(TRIALS)]
    coverage = float(np.mean([r.low <= truth <= r.high for r in results]))
    unbounded = float(np.mean([not r.bounded for r in results]))
    print(f"\nKM {q}-quantile coverage (truth {truth:.1f} days, {runs} runs): {coverage:.4f} over {TRIALS} trials; "
          f"upper limit unbounded in {unbounded:.3f}")
    assert coverage >= LEVEL - 3 * se_of_coverage(TRIALS)


def test_median_coverage_on_whole_days() -> None:
    # Days as the simulator reports them: the milestone on day ceil(T). The median of ceil(T) is
    # ceil(true median), the first whole day with P(T <= d) >= 0.5.
    times, reached = missions(RUNS, 12, whole_days=True)
    truth = math.ceil(true_quantile(0.5))
    coverage = float(np.mean([(r.low <= truth <= r.high)
                              for r in (km_quantile(times[i], reached[i], 0.5) for i in range(TRIALS))]))
    print(f"\nKM median coverage on whole days (truth day {truth}, {RUNS} runs): {coverage:.4f} over {TRIALS} trials")
    assert coverage >= LEVEL - 3 * se_of_coverage(TRIALS)


@cache
def curves(runs: int, seed: int) -> list[KaplanMeier]:
    times, reached = missions(runs, seed)
    return [kaplan_meier(times[i], reached[i]) for i in range(TRIALS)]


@pytest.mark.parametrize("day", [30.0, 90.0, 180.0])
def test_p_by_coverage(day: float) -> None:
    truth = true_failure(day)
    results = [p_by(km, day) for km in curves(RUNS, 13)]
    defined = [r for r in results if not math.isnan(r.estimate)]
    coverage = float(np.mean([r.low <= truth <= r.high for r in defined]))
    methods = {m: sum(r.method == m for r in results) for m in ("wilson", "log-log", "wilson-at-risk",
                                                                 "beyond-follow-up")}
    print(f"\nP(by day {day:.0f}) coverage (truth {truth:.3f}, {RUNS} runs): {coverage:.4f} over {len(defined)} "
          f"trials; methods {methods}")
    assert all(0.0 <= r.low <= r.estimate <= r.high <= 1.0 for r in defined)
    assert len(defined) >= 0.99 * TRIALS
    assert coverage >= LEVEL - 3 * se_of_coverage(len(defined))


@pytest.mark.parametrize("small_sample", [False, True])
def test_restricted_mean_coverage(small_sample: bool) -> None:
    tau = 150.0
    times, reached = missions(RUNS, 14)
    truth = true_restricted_mean(tau)
    results = [restricted_mean(times[i], reached[i], tau, small_sample=small_sample) for i in range(TRIALS)]
    # Undefined only when every run's observation ends before tau with the last one censored: all 50 runs
    # must miss day 150, each with probability about 0.875, so about 1 trial in 800.
    defined = [r for r in results if not math.isnan(r.estimate)]
    assert len(defined) >= 0.99 * TRIALS
    coverage = float(np.mean([r.low <= truth <= r.high for r in defined]))
    estimates = np.array([r.estimate for r in defined])
    bias = float(estimates.mean()) - truth
    print(f"\nrestricted mean (tau {tau:.0f}, truth {truth:.2f}, {RUNS} runs, small_sample={small_sample}): coverage "
          f"{coverage:.4f} over {len(defined)} trials, mean error {bias:+.3f} days")
    assert abs(bias) < 3 * estimates.std() / math.sqrt(estimates.size)  # (nearly) unbiased, as it should be
    if small_sample:
        assert coverage >= LEVEL - 3 * se_of_coverage(len(defined))
    else:
        # The standard (divisor n) variance with a normal quantile is known to cover a little less than
        # nominal at a few tens of runs: 0.941 at 50 runs over 10,000 trials in this setting (0.931 at 30,
        # 0.942 at 100). Allow that deficit (0.01) on top of 3 SE so the test checks the implementation, and
        # say so, rather than pretend the nominal level.
        assert coverage >= LEVEL - 0.01 - 3 * se_of_coverage(len(defined))
