"""Durations as probability distributions, written the way planners write them.

Every duration in a scenario is a distribution in days. Planners write ``17 d``, ``6 w`` or
``4 months`` for a fixed value, a bare number for a fixed number of days, ``triangular(7, 14, 28) d``
as a compact form, or a mapping such as ``{dist: lognormal, mean: 40, sd: 10, unit: d}``. All of
them become one of the pydantic models below, and each model compiles to a sampler: a plain
function of a ``random.Random`` stream, so the engine's hot path pays no validation cost.
"""

from __future__ import annotations

import bisect
import math
import random
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    model_validator,
)

from deploysim.scenario.limits import MAX_DURATION_DAYS, MAX_EMPIRICAL_VALUES, MAX_SD_RATIO, MIN_SD_RATIO, years

DAYS_PER_UNIT: dict[str, float] = {
    "d": 1.0,
    "day": 1.0,
    "days": 1.0,
    "w": 7.0,
    "wk": 7.0,
    "week": 7.0,
    "weeks": 7.0,
    "m": 365.25 / 12,
    "mo": 365.25 / 12,
    "month": 365.25 / 12,
    "months": 365.25 / 12,
    "y": 365.25,
    "yr": 365.25,
    "year": 365.25,
    "years": 365.25,
}
DAYS_PER_MONTH = DAYS_PER_UNIT["month"]
DAYS_PER_YEAR = DAYS_PER_UNIT["year"]

Sampler = Callable[[random.Random], float]

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_QUANTITY = re.compile(rf"^\s*({_NUMBER})\s*([A-Za-z]*)\s*$")
_CALL = re.compile(r"^\s*([A-Za-z]+)\s*\((.*)\)\s*([A-Za-z]*)\s*$")
_POSITIONAL: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "exponential": ("mean",),
    "lognormal": ("mean", "sd"),
    "gamma": ("mean", "sd"),
    "empirical": (),
}
DISTRIBUTIONS: tuple[str, ...] = tuple(_POSITIONAL)
"""Every distribution a planner may name, as the ``dist`` tag of its mapping form."""


def _any_case(word: str) -> str:
    """``"wk"`` -> ``"[wW][kK]"``: JSON Schema patterns have no flags, and the parser ignores case."""
    return "".join(f"[{ch.lower()}{ch.upper()}]" for ch in word)


# The JSON Schema's view of the two parsers above, so editors catch ``6 weks`` as they type. It
# accepts what they accept for every form a planner writes, in any case (JSON Schema patterns have
# no flags), signs aside: a negative duration is refused by validation, so the pattern refuses it at
# once. tests/scenario/test_duration_pattern.py holds parser and pattern to the same examples.
_PATTERN_NUMBER = r"\+?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_PATTERN_UNIT = "(?:" + "|".join(_any_case(unit) for unit in sorted(DAYS_PER_UNIT, key=len, reverse=True)) + ")"
_PATTERN_ARGUMENT = rf"\s*{_PATTERN_NUMBER}\s*"


def _pattern_call(name: str, arity: int) -> str:
    """``triangular(7, 14, 28) d``: exactly ``arity`` numbers, or one or more for empirical (arity 0)."""
    repeat = "*" if arity == 0 else f"{{{arity - 1}}}"
    more = "" if arity == 1 else f"(?:,{_PATTERN_ARGUMENT}){repeat}"
    return rf"{_any_case(name)}\s*\({_PATTERN_ARGUMENT}{more}\)\s*{_PATTERN_UNIT}?"


_PATTERN_QUANTITY = rf"{_PATTERN_NUMBER}\s*{_PATTERN_UNIT}?"
QUANTITY_PATTERN = rf"^\s*{_PATTERN_QUANTITY}\s*$"
"""A fixed number of days as a string (``"30 d"``, ``"6 w"``, ``"4 months"``, ``"17"``), as a JSON Schema pattern."""
DURATION_PATTERN = (
    r"^\s*(?:"
    + "|".join([_PATTERN_QUANTITY] + [_pattern_call(name, len(args)) for name, args in _POSITIONAL.items()])
    + r")\s*$"
)
"""A duration as a string: a quantity or a distribution's compact form (``"triangular(7, 14, 28) d"``)."""
_PATTERN_HINT = "patternErrorMessage"  # what VS Code's YAML extension shows instead of the pattern itself


def unit_days(unit: str) -> float:
    """Days in one ``unit``; raises ValueError naming the accepted units otherwise."""
    key = unit.strip().lower() or "d"
    if key not in DAYS_PER_UNIT:
        raise ValueError(f"unknown time unit {unit!r}; use one of d, w, months, years")
    return DAYS_PER_UNIT[key]


def parse_quantity(text: str) -> float:
    """``"6 w"`` -> 42.0 days. A bare number is days."""
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"cannot read {text!r} as a duration such as '17 d', '6 w' or '4 months'")
    return float(match.group(1)) * unit_days(match.group(2))


def _compact_to_mapping(text: str) -> dict[str, Any]:
    """``"triangular(7, 14, 28) d"`` -> ``{dist: triangular, low: 7, mode: 14, high: 28, unit: d}``."""
    match = _CALL.match(text)
    if not match:
        if "(" in text and ")" not in text:
            raise ValueError(
                f"{text!r} looks cut off at a comma: inside a {{...}} mapping, quote it, e.g. \"uniform(0, 40) d\""
            )
        return {"dist": "fixed", "value": parse_quantity(text)}
    name, args, unit = match.groups()
    name = name.lower()
    if name not in _POSITIONAL:
        raise ValueError(f"unknown distribution {name!r}; use one of {', '.join(_POSITIONAL)}")
    values = [_number(v, name) for v in args.split(",") if v.strip()] if args.strip() else []
    if name == "empirical":
        return {"dist": "empirical", "values": values, "unit": unit or "d"}
    names = _POSITIONAL[name]
    if len(values) != len(names):
        raise ValueError(f"{name}(...) takes {len(names)} numbers ({', '.join(names)}), got {len(values)}")
    return {"dist": name, **dict(zip(names, values, strict=True)), "unit": unit or "d"}


def _number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{name}(...): {text.strip()!r} is not a number") from None


def _describe(value: Any) -> str:
    """A value for a message, cut short: a number written with thousands of digits stays readable."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _coerce_distribution(value: Any) -> Any:
    if isinstance(value, _Dist | Mapping):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(
            f"a duration must be a number, a string like '17 d', or a mapping with 'dist', not {_describe(value)}"
        )
    try:
        mapping: dict[str, Any] = (
            {"dist": "fixed", "value": float(value)} if isinstance(value, int | float) else _compact_to_mapping(value)
        )
    except OverflowError:  # a whole number too large for a float
        raise ValueError(f"a duration must be a finite number, got {_describe(value)}") from None
    if mapping["dist"] == "fixed" and not math.isfinite(mapping["value"]):
        raise ValueError(f"a duration must be a finite number, got {_describe(value)}")
    if mapping["dist"] == "fixed" and mapping["value"] < 0:
        raise ValueError(f"a duration cannot be negative, got {_describe(value)}")
    return mapping


_IN_UNIT = "in the distribution's unit (days unless unit says otherwise)"


def _tag(name: str) -> Any:
    """The ``dist`` field of one distribution's mapping form."""
    return Field(description=f"the distribution: {name}")


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    unit: str = Field(
        default="d",
        description="time unit of the numbers: d, w, months or years (day, week, month, year and their plurals "
        "too); default: days, the model's time step",
    )

    @property
    def scale(self) -> float:
        return unit_days(self.unit)

    @model_validator(mode="after")
    def _known_unit(self) -> _Dist:
        unit_days(self.unit)
        return self


class Fixed(_Dist):
    dist: Literal["fixed"] = _tag("fixed, always the same value")
    value: float = Field(ge=0, description=f"the duration, {_IN_UNIT}")

    def mean_days(self) -> float:
        return self.value * self.scale

    def sampler(self) -> Sampler:
        value = self.mean_days()
        return lambda rng: value

    def min_days(self) -> float:
        return self.mean_days()

    def largest_days(self) -> float:
        return self.mean_days()


class Uniform(_Dist):
    dist: Literal["uniform"] = _tag("uniform, every value between low and high equally likely")
    low: float = Field(ge=0, description=f"shortest value, {_IN_UNIT}")
    high: float = Field(description=f"longest value, {_IN_UNIT}; at least low")

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError("uniform needs low <= high")
        return self

    def mean_days(self) -> float:
        return 0.5 * (self.low + self.high) * self.scale

    def min_days(self) -> float:
        return self.low * self.scale

    def largest_days(self) -> float:
        return self.high * self.scale

    def sampler(self) -> Sampler:
        low, high = self.low * self.scale, self.high * self.scale
        return lambda rng: rng.uniform(low, high)


class Triangular(_Dist):
    dist: Literal["triangular"] = _tag("triangular, from low through the most likely mode to high")
    low: float = Field(ge=0, description=f"shortest value, {_IN_UNIT}")
    mode: float = Field(description=f"most likely value, {_IN_UNIT}; between low and high")
    high: float = Field(description=f"longest value, {_IN_UNIT}; at least mode")

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError("triangular needs low <= mode <= high")
        return self

    def mean_days(self) -> float:
        return (self.low + self.mode + self.high) / 3 * self.scale

    def min_days(self) -> float:
        return self.low * self.scale

    def largest_days(self) -> float:
        return self.high * self.scale

    def sampler(self) -> Sampler:
        low, mode, high = (v * self.scale for v in (self.low, self.mode, self.high))
        return lambda rng: rng.triangular(low, high, mode)


class _Unbounded(_Dist):
    """A distribution from zero with no upper end, given by its mean."""

    mean: float = Field(gt=0, description=f"average duration, {_IN_UNIT}")

    def mean_days(self) -> float:
        return self.mean * self.scale

    def min_days(self) -> float:
        return 0.0

    def largest_days(self) -> float:
        """Unbounded; the mean stands in for it."""
        return self.mean_days()


class Exponential(_Unbounded):
    dist: Literal["exponential"] = _tag("exponential, memoryless, given by its mean")

    def sampler(self) -> Sampler:
        rate = 1.0 / self.mean_days()
        return lambda rng: rng.expovariate(rate)


class _MeanSd(_Unbounded):
    sd: float = Field(
        gt=0,
        description=f"standard deviation of the duration itself, {_IN_UNIT}; between {MIN_SD_RATIO:g} and "
        f"{MAX_SD_RATIO:g} times the mean",
    )

    @model_validator(mode="after")
    def _spread(self) -> _MeanSd:
        # (sd/mean)^2 and its inverse, a gamma's shape, overflow a float long before either ratio is absurd
        if self.sd > MAX_SD_RATIO * self.mean:
            raise ValueError(
                f"sd must be at most {MAX_SD_RATIO:g} times the mean, got sd {self.sd:g} for mean {self.mean:g}"
            )
        if self.sd < MIN_SD_RATIO * self.mean:
            raise ValueError(
                f"sd must be at least {MIN_SD_RATIO:g} times the mean (a fixed duration has none), got sd "
                f"{self.sd:g} for mean {self.mean:g}"
            )
        return self


class Lognormal(_MeanSd):
    """Parametrised by the mean and standard deviation of the duration itself, as planners
    estimate them, not of its logarithm."""

    dist: Literal["lognormal"] = _tag("lognormal, skewed to the right, given by its mean and sd")

    def sampler(self) -> Sampler:
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        mu = math.log(self.mean_days()) - sigma2 / 2
        sigma = math.sqrt(sigma2)
        return lambda rng: rng.lognormvariate(mu, sigma)


class Gamma(_MeanSd):
    dist: Literal["gamma"] = _tag("gamma, skewed to the right, given by its mean and sd")

    def sampler(self) -> Sampler:
        shape = (self.mean / self.sd) ** 2
        scale = self.mean_days() / shape
        return lambda rng: rng.gammavariate(shape, scale)


class Empirical(_Dist):
    """Resamples observed durations, e.g. last year's recorded selection times."""

    dist: Literal["empirical"] = _tag("empirical, one of the observed values at random")
    values: list[float] = Field(
        min_length=1,
        max_length=MAX_EMPIRICAL_VALUES,
        description=f"observed durations, {_IN_UNIT}; at most {MAX_EMPIRICAL_VALUES:,} values",
    )
    weights: list[float] | None = Field(
        default=None,
        max_length=MAX_EMPIRICAL_VALUES,
        description="relative weight of each value, one per value, at least one above zero, their sum a finite "
        "number; default: none (every value equally likely)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Empirical:
        if any(v < 0 for v in self.values):
            raise ValueError("empirical values must be >= 0")
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("empirical weights must match values one for one")
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("empirical weights must be >= 0 and not all zero")
            if not math.isfinite(sum(self.weights)):  # inf / inf: every probability NaN
                raise ValueError("empirical weights are too large: their sum must be a finite number")
        return self

    def _probabilities(self) -> list[float]:
        weights = self.weights or [1.0] * len(self.values)
        total = sum(weights)
        return [w / total for w in weights]

    def mean_days(self) -> float:
        return sum(v * p for v, p in zip(self.values, self._probabilities(), strict=True)) * self.scale

    def min_days(self) -> float:
        return min(self.values) * self.scale

    def largest_days(self) -> float:
        return max(self.values) * self.scale

    def sampler(self) -> Sampler:
        # Values of weight zero are dropped: the last edge is forced to 1.0 against rounding, and
        # that must never hand the rounding sliver to a value the scenario says cannot occur.
        pairs = [(v * self.scale, p) for v, p in zip(self.values, self._probabilities(), strict=True) if p > 0]
        values = [v for v, _ in pairs]
        cumulative: list[float] = []
        running = 0.0
        for _, p in pairs:
            running += p
            cumulative.append(running)
        cumulative[-1] = 1.0
        if len(values) == 1:
            only = values[0]
            return lambda rng: only

        last = len(values) - 1

        def draw(rng: random.Random) -> float:
            # the first value whose cumulative edge is above u, found by bisection: up to 10,000 values
            return values[min(bisect.bisect_right(cumulative, rng.random()), last)]

        return draw


Distribution = Fixed | Uniform | Triangular | Exponential | Lognormal | Gamma | Empirical
"""What a duration field holds once validated."""

_AnyDist = Annotated[Distribution, Field(discriminator="dist")]


def _positive(dist: Any) -> Any:
    if dist.mean_days() <= 0:
        raise ValueError(f"a duration must be greater than zero, got {dist.mean_days():g} days")
    return dist


def _bounded(dist: Any) -> Any:
    """No duration beyond twice the longest horizon: longer could not matter, and sums must stay finite."""
    largest = max(dist.largest_days(), dist.mean_days())
    if not largest <= MAX_DURATION_DAYS:  # also NaN or inf, from a finite value times its unit
        raise ValueError(f"a duration can be at most {years(MAX_DURATION_DAYS)}, got {largest:.6g} days")
    return dist


def min_mean(days: float, why: str) -> AfterValidator:
    """A validator for a duration whose mean must be at least ``days``, because of ``why``."""

    def check(dist: Any) -> Any:
        if dist.mean_days() < days:
            raise ValueError(f"must be at least {years(days)} on average ({why}), got {dist.mean_days():.6g} days")
        return dist

    return AfterValidator(check)


# What a file may hold, for the JSON Schema: editors must accept '17 d' and bare numbers too.
_DistInput = (
    float
    | Annotated[
        str,
        Field(
            pattern=DURATION_PATTERN,
            json_schema_extra={
                _PATTERN_HINT: "a duration such as '17 d', '6 w', '4 months' or 'triangular(7, 14, 28) d'; units "
                "d, w, months, years; distributions " + ", ".join(DISTRIBUTIONS)
            },
        ),
    ]
    | _AnyDist
)

Delay = Annotated[
    _AnyDist, BeforeValidator(_coerce_distribution, json_schema_input_type=_DistInput), AfterValidator(_bounded)
]
"""A duration that may be zero: a stage a scenario can skip. At most 100 years, like any duration."""

Duration = Annotated[
    _AnyDist,
    BeforeValidator(_coerce_distribution, json_schema_input_type=_DistInput),
    AfterValidator(_positive),
    AfterValidator(_bounded),
]
"""A duration that must be greater than zero, such as a tour or a mandate; at most 100 years."""


def _quantity(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a number of days or a string like '30 d'")
    if isinstance(value, str):
        return parse_quantity(value)
    return value


Days = Annotated[
    float,
    AllowInfNan(False),
    BeforeValidator(
        _quantity,
        json_schema_input_type=float
        | Annotated[
            str,
            Field(
                pattern=QUANTITY_PATTERN,
                json_schema_extra={_PATTERN_HINT: "a number of days or a string like '30 d', '6 w' or '4 months'"},
            ),
        ],
    ),
]
"""A single fixed number of days (unit strings accepted), for settings that are not random."""


def at_most(days: float) -> AfterValidator:
    """A validator for a :data:`Days` setting of at most ``days``, refused in the planner's unit (``1 year``)."""

    def check(value: float) -> float:
        if value > days:
            raise ValueError(f"must be at most {years(days)}, got {value:g} days")
        return value

    return AfterValidator(check)


_DELAY: TypeAdapter[Distribution] = TypeAdapter(Delay)
_DURATION: TypeAdapter[Distribution] = TypeAdapter(Duration)


def delay_default(value: str | float, description: str | None = None) -> Distribution:
    """The default of a :data:`Delay` field, written as planners write it (``"14 d"``, ``0``).

    The value is validated here, by the field's own validator, so the field holds a distribution
    from the start (and type checkers see one); the JSON Schema shows the default as written.
    """
    return _default(_DELAY, value, description)


def duration_default(value: str | float, description: str | None = None) -> Distribution:
    """The default of a :data:`Duration` field, as :func:`delay_default` (and so never zero)."""
    return _default(_DURATION, value, description)


def _default(adapter: TypeAdapter[Distribution], value: str | float, description: str | None) -> Distribution:
    bound = f"at most {years(MAX_DURATION_DAYS)}"  # every duration's, stated where each field is described
    dist: Distribution = Field(
        default=adapter.validate_python(value),
        description=f"{description}; {bound}" if description else bound,
        json_schema_extra={"default": value},
    )
    return dist
