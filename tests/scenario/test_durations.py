"""Durations: every written form parses to the right distribution, and samplers draw what they claim."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from deploysim.scenario.durations import (
    DAYS_PER_UNIT,
    Days,
    Delay,
    Duration,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Triangular,
    Uniform,
    parse_quantity,
    unit_days,
)

DELAY = TypeAdapter(Delay)
DURATION = TypeAdapter(Duration)
DAYS = TypeAdapter(Days)

WEEK = 7.0
MONTH = 365.25 / 12  # 30.4375 days
YEAR = 365.25


# --- parsing: each written form becomes the right distribution with the right mean in days ---------


@pytest.mark.parametrize(
    ("written", "kind", "mean_days"),
    [
        (17, Fixed, 17.0),
        (2.5, Fixed, 2.5),
        ("17 d", Fixed, 17.0),
        ("17d", Fixed, 17.0),
        ("3 days", Fixed, 3.0),
        ("6 w", Fixed, 6 * WEEK),
        ("2 weeks", Fixed, 14.0),
        ("4 months", Fixed, 4 * MONTH),
        ("1 month", Fixed, MONTH),
        ("1.5 mo", Fixed, 1.5 * MONTH),
        ("1 y", Fixed, YEAR),
        ("2 years", Fixed, 2 * YEAR),
        ("fixed(3) w", Fixed, 21.0),
        ("triangular(7, 14, 28) d", Triangular, (7 + 14 + 28) / 3),
        ("Triangular(7, 14, 28) D", Triangular, (7 + 14 + 28) / 3),
        ("triangular(1, 2, 3) w", Triangular, 2 * WEEK),
        ("uniform(2, 5) d", Uniform, 3.5),
        ("uniform(0, 6) months", Uniform, 3 * MONTH),
        ("exponential(1.5) d", Exponential, 1.5),
        ("lognormal(40, 10) d", Lognormal, 40.0),
        ("gamma(2, 1) w", Gamma, 14.0),
        ("empirical(3, 5, 10) d", Empirical, 6.0),
        ({"dist": "lognormal", "mean": 40, "sd": 10, "unit": "d"}, Lognormal, 40.0),
        ({"dist": "uniform", "low": 1, "high": 2, "unit": "years"}, Uniform, 1.5 * YEAR),
        ({"dist": "empirical", "values": [1, 2], "weights": [3, 1], "unit": "w"}, Empirical, (0.75 + 0.5) * WEEK),
        ({"dist": "fixed", "value": 4, "unit": "months"}, Fixed, 4 * MONTH),
    ],
)
def test_written_forms_parse_to_distribution_and_mean(written: Any, kind: type, mean_days: float) -> None:
    dist = DELAY.validate_python(written)
    assert type(dist) is kind
    assert dist.mean_days() == pytest.approx(mean_days, rel=1e-12)
    assert DURATION.validate_python(written) == dist


def test_compact_form_keeps_parameters_and_unit() -> None:
    dist = DELAY.validate_python("triangular(7, 14, 28) w")
    assert (dist.low, dist.mode, dist.high, dist.unit) == (7, 14, 28, "w")
    assert dist.min_days() == 49.0
    assert DELAY.validate_python("uniform(2, 5) d") == Uniform(dist="uniform", low=2, high=5, unit="d")


def test_unit_table_and_quantities() -> None:
    assert unit_days("") == 1.0  # a bare number is days
    assert unit_days("Months") == MONTH
    assert parse_quantity("6 w") == 42.0
    assert parse_quantity(" 1e1 d ") == 10.0
    assert DAYS.validate_python("6 months") == 6 * MONTH
    assert DAYS.validate_python(30) == 30.0


def test_delay_may_be_zero_but_duration_may_not() -> None:
    for zero in (0, "0 d", "0 months", {"dist": "fixed", "value": 0}, "uniform(0, 0) d", "empirical(0, 0) w"):
        assert DELAY.validate_python(zero).mean_days() == 0.0
        with pytest.raises(ValidationError, match="greater than zero"):
            DURATION.validate_python(zero)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("-3 d", "cannot be negative"),
        (-1, "cannot be negative"),
        ("fixed(-2) w", "cannot be negative"),
        ({"dist": "fixed", "value": -1}, "greater than or equal to 0"),
        ("uniform(-1, 3) d", "greater than or equal to 0"),
        ({"dist": "empirical", "values": [-1, 2]}, "must be >= 0"),
        ("3 fortnights", "unknown time unit 'fortnights'"),
        ({"dist": "fixed", "value": 1, "unit": "fortnight"}, "unknown time unit"),
        ("weibull(1, 2) d", "unknown distribution 'weibull'"),
        ("triangular(1, 2) d", r"takes 3 numbers \(low, mode, high\), got 2"),
        ("triangular(3, 2, 1) d", "low <= mode <= high"),
        ("triangular(1, x, 3) d", "'x' is not a number"),
        ("uniform(5, 1) d", "low <= high"),
        ("abc", "cannot read 'abc' as a duration"),
        ("", "cannot read '' as a duration"),
        (True, "must be a number, a string"),
        ([1, 2], "must be a number, a string"),
        (None, "must be a number, a string"),
        ({"value": 3}, "dist"),
        ({"dist": "weibull", "mean": 3}, "weibull"),
        ({"dist": "uniform", "low": 1}, "high"),
        ({"dist": "fixed", "value": 1, "shape": 2}, "shape"),
        ("1e999 d", "finite"),
        (math.inf, "finite"),
        ({"dist": "exponential", "mean": math.nan}, "finite"),
        ({"dist": "uniform", "low": 1, "high": math.inf}, "finite"),
        ({"dist": "lognormal", "mean": 5, "sd": 0}, "greater than 0"),
        ({"dist": "empirical", "values": []}, "at least 1 item"),
        ({"dist": "empirical", "values": [1, 2], "weights": [1]}, "match values"),
        ({"dist": "empirical", "values": [1, 2], "weights": [0, 0]}, "not all zero"),
    ],
)
def test_bad_durations_are_refused_with_a_reason(written: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DELAY.validate_python(written)


@pytest.mark.parametrize("written", ["1e999 d", "inf", True, "abc", [3]])
def test_bad_days_are_refused(written: Any) -> None:
    with pytest.raises(ValidationError):
        DAYS.validate_python(written)


# --- samplers: moments agree with mean_days() -------------------------------------------------------


def _lognormal_kurtosis(mean: float, sd: float) -> float:
    w = 1 + (sd / mean) ** 2
    return w**4 + 2 * w**3 + 3 * w**2 - 3


def _empirical_moments(values: list[float], weights: list[float]) -> tuple[float, float, float]:
    total = sum(weights)
    p = [w / total for w in weights]
    mu = sum(v * q for v, q in zip(values, p, strict=True))
    var = sum(q * (v - mu) ** 2 for v, q in zip(values, p, strict=True))
    m4 = sum(q * (v - mu) ** 4 for v, q in zip(values, p, strict=True))
    return mu, math.sqrt(var), m4 / var**2


_EMP = _empirical_moments([3, 5, 10], [1, 2, 1])

# (written, mean in days, standard deviation in days, kurtosis), all from textbook formulas, not from the code.
MOMENTS = [
    ("uniform(2, 5) w", 3.5 * WEEK, 3 * WEEK / math.sqrt(12), 9 / 5),
    ("triangular(7, 14, 28) d", 49 / 3, math.sqrt((7**2 + 14**2 + 28**2 - 7 * 14 - 7 * 28 - 14 * 28) / 18), 12 / 5),
    ("exponential(1.5) w", 1.5 * WEEK, 1.5 * WEEK, 9.0),
    ("lognormal(40, 10) d", 40.0, 10.0, _lognormal_kurtosis(40, 10)),
    ("gamma(10, 5) w", 10 * WEEK, 5 * WEEK, 3 + 6 / (10 / 5) ** 2),
    ({"dist": "empirical", "values": [3, 5, 10], "weights": [1, 2, 1]}, *_EMP),
]


@pytest.mark.parametrize(("written", "mean", "sd", "kurtosis"), MOMENTS)
def test_sample_moments_agree_with_mean_days(written: Any, mean: float, sd: float, kurtosis: float) -> None:
    dist = DELAY.validate_python(written)
    assert dist.mean_days() == pytest.approx(mean, rel=1e-12)
    draw = dist.sampler()
    rng = random.Random(20100722)
    n = 20_000
    xs = [draw(rng) for _ in range(n)]
    sample_mean = sum(xs) / n
    sample_sd = math.sqrt(sum((x - sample_mean) ** 2 for x in xs) / (n - 1))
    # The sample mean has standard error sd/sqrt(n) (CLT); 5 standard errors is a false-alarm rate of
    # about 6e-7 for an arbitrary seed, yet catches any bias larger than ~3.5% of sd (n=20,000).
    assert abs(sample_mean - mean) < 5 * sd / math.sqrt(n)
    # The sample sd has standard error about sd*sqrt((kurtosis - 1) / (4n)); again 5 of them. This is
    # what catches a lognormal or gamma parametrised by the log-scale or shape instead of mean and sd.
    assert abs(sample_sd - sd) < 5 * sd * math.sqrt((kurtosis - 1) / (4 * n))
    assert min(xs) >= dist.min_days()


def test_fixed_sampler_is_constant_and_scaled() -> None:
    draw = DELAY.validate_python("6 w").sampler()
    rng = random.Random(1)
    assert {draw(rng) for _ in range(100)} == {42.0}


@pytest.mark.parametrize("written", [written for written, *_ in MOMENTS])
def test_samplers_use_only_the_stream_they_are_given(written: Any) -> None:
    draw = DELAY.validate_python(written).sampler()
    random.seed(5)
    global_state = random.getstate()
    first = [draw(random.Random(99)) for _ in range(3)]
    again = [draw(random.Random(99)) for _ in range(3)]
    assert first == again
    assert random.getstate() == global_state  # no global random state touched


def test_empirical_never_draws_a_value_of_weight_zero() -> None:
    """The last cumulative edge is forced to 1.0; ten weights of 0.1 sum to 0.9999999999999999, so a
    trailing zero-weight value used to own the sliver [0.9999999999999999, 1)."""

    class Top:
        def random(self) -> float:
            return 1 - 2**-53  # the largest value random.random() returns

    dist = Empirical(dist="empirical", values=[*range(1, 11), 99], weights=[1] * 10 + [0])
    assert dist.sampler()(Top()) == 10.0  # type: ignore[arg-type]


# --- properties -------------------------------------------------------------------------------------

units = st.sampled_from(sorted(DAYS_PER_UNIT))
# up to 100 of the largest unit: durations are bounded at 100 years
positive = st.floats(min_value=1e-6, max_value=100, allow_nan=False, allow_infinity=False)
nonnegative = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@given(value=positive, unit=units)
def test_any_positive_fixed_value_with_any_unit_round_trips(value: float, unit: str) -> None:
    expected = value * DAYS_PER_UNIT[unit]
    for written in (f"{value!r} {unit}", f"{value!r}{unit}", {"dist": "fixed", "value": value, "unit": unit}):
        dist = DURATION.validate_python(written)
        assert isinstance(dist, Fixed)
        assert math.isclose(dist.mean_days(), expected, rel_tol=1e-12)
        assert DURATION.validate_python(DURATION.dump_python(dist)) == dist  # stored scenarios reload as equal
        assert dist.sampler()(random.Random(0)) == dist.mean_days()
    assert DURATION.validate_python(value).mean_days() == value  # a bare number is days


@given(value=positive, unit=units)
def test_negative_durations_are_always_refused(value: float, unit: str) -> None:
    for written in (f"-{value!r} {unit}", -value, f"fixed(-{value!r}) {unit}"):
        with pytest.raises(ValidationError, match="negative"):
            DELAY.validate_python(written)


@given(low=nonnegative, width=nonnegative, unit=units, seed=seeds)
@example(low=100.0, width=0.0, unit="y", seed=0)
@settings(max_examples=50)
def test_uniform_samples_stay_within_low_high(low: float, width: float, unit: str, seed: int) -> None:
    high = min(low + width, 100.0)
    low = min(low, high)
    dist = DELAY.validate_python(f"uniform({low!r}, {high!r}) {unit}")
    scale = DAYS_PER_UNIT[unit]
    draw, rng = dist.sampler(), random.Random(seed)
    slack = 1e-12 * high * scale  # a + (b - a) * u may round one ulp past b
    for _ in range(50):
        assert low * scale - slack <= draw(rng) <= high * scale + slack


@given(a=nonnegative, b=nonnegative, c=nonnegative, unit=units, seed=seeds)
@settings(max_examples=50)
def test_triangular_samples_stay_within_low_high(a: float, b: float, c: float, unit: str, seed: int) -> None:
    low, mode, high = sorted((a, b, c))
    dist = DELAY.validate_python({"dist": "triangular", "low": low, "mode": mode, "high": high, "unit": unit})
    scale = DAYS_PER_UNIT[unit]
    draw, rng = dist.sampler(), random.Random(seed)
    slack = 1e-12 * high * scale
    for _ in range(50):
        assert low * scale - slack <= draw(rng) <= high * scale + slack


@given(
    values=st.lists(nonnegative, min_size=1, max_size=8),
    data=st.data(),
    unit=units,
    seed=seeds,
)
@settings(max_examples=50)
def test_empirical_samples_are_always_among_the_values(
    values: list[float], data: st.DataObject, unit: str, seed: int
) -> None:
    weights = data.draw(st.none() | st.lists(st.integers(0, 5), min_size=len(values), max_size=len(values)))
    if weights is not None and sum(weights) == 0:
        weights[0] = 1
    dist = DELAY.validate_python({"dist": "empirical", "values": values, "weights": weights, "unit": unit})
    scale = DAYS_PER_UNIT[unit]
    allowed = {v * scale for i, v in enumerate(values) if weights is None or weights[i] > 0}
    draw, rng = dist.sampler(), random.Random(seed)
    for _ in range(50):
        assert draw(rng) in allowed


@given(mean=positive, ratio=st.floats(min_value=0.01, max_value=3), unit=units, seed=seeds)
@settings(max_examples=50)
def test_unbounded_samples_are_finite_and_nonnegative(mean: float, ratio: float, unit: str, seed: int) -> None:
    rng = random.Random(seed)
    for written in (
        {"dist": "exponential", "mean": mean, "unit": unit},
        {"dist": "lognormal", "mean": mean, "sd": mean * ratio, "unit": unit},
        {"dist": "gamma", "mean": mean, "sd": mean * ratio, "unit": unit},
    ):
        dist = DURATION.validate_python(written)
        assert math.isclose(dist.mean_days(), mean * DAYS_PER_UNIT[unit], rel_tol=1e-12)
        draw = dist.sampler()
        for _ in range(20):
            x = draw(rng)
            assert math.isfinite(x)
            assert x >= 0
