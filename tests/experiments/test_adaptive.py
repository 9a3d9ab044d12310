"""Adaptive replications: precision specs parse with clear errors, and the real engine stops at the target."""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import SMALL_TWO_TEAMS

from deploysim import compare
from deploysim.errors import PrecisionError, UsageError
from deploysim.experiments.precision import (
    MIN_FIRST_CHECK,
    Check,
    PrecisionTarget,
    next_total,
    parse_precision,
    parse_precisions,
)
from deploysim.experiments.replications import replicate, run_replications
from deploysim.scenario.schema import Scenario
from deploysim.stats.intervals import Interval, mean_ci

# A small, self-contained mission (consent granted, no extensions) so these tests do not move when the
# shipped scenarios gain dynamics; the targets are set from a pilot run, so they need only finite variance.
SMALL = SMALL_TWO_TEAMS


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario.model_validate(SMALL)


def with_roster(scenario: Scenario, size: int = 4) -> Scenario:
    data = scenario.model_dump()
    data["name"] = f"{scenario.name} + roster"
    data["recruitment"]["roster"] = {"size": size, "call_up": "7 d"}
    return Scenario.model_validate(data)


def pilot_half_width(runs, measure: str) -> float:
    """Half-width after the first check's replications: the adaptive run sees exactly this at its first look."""
    first = runs[runs["replication"] < MIN_FIRST_CHECK]
    return mean_ci(first[measure].to_numpy(float)).half_width


def test_parse_absolute_relative_and_several() -> None:
    assert parse_precision("mean_fill=0.01") == PrecisionTarget("mean_fill", 0.01, relative=False)
    assert parse_precision(" foc_day = 5% ") == PrecisionTarget("foc_day", 5.0, relative=True)
    targets = parse_precisions(["mean_fill=0.01,ioc_day=2%", "total_cost=1e4"])
    assert [str(t) for t in targets] == ["mean_fill=0.01", "ioc_day=2%", "total_cost=10000"]
    assert parse_precisions({"mean_fill": 0.01, "foc_day": "5%"})[1].relative
    assert parse_precisions(None) == ()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("fill=0.01", "unknown measure 'fill'; valid measures: ioc_day, foc_day, mean_fill"),
        ("mean_fill=0", "half-width must be a positive number"),
        ("mean_fill=-0.5", "half-width must be a positive number"),
        ("foc_day=-5%", "half-width must be a positive number"),
        ("mean_fill=abc", "'abc' is not a number"),
        ("mean_fill", "expected MEASURE=HALFWIDTH"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(PrecisionError, match=message) as caught:
        parse_precisions([spec])
    assert isinstance(caught.value, UsageError) and isinstance(caught.value, ValueError)
    assert "\n" not in str(caught.value)


def test_a_measure_given_twice_is_refused() -> None:
    with pytest.raises(PrecisionError, match="given twice"):
        parse_precisions(["mean_fill=0.01", "mean_fill=0.02"])


def test_relative_target_uses_the_absolute_mean() -> None:
    target = PrecisionTarget("ioc_day", 5.0, relative=True)
    assert target.met(Interval(-100.0, 4.9, 30))
    assert not target.met(Interval(-100.0, 5.1, 30))
    assert not target.met(Interval(100.0, math.nan, 1))


def test_next_total_projects_from_the_worst_target_with_bounded_growth() -> None:
    target = PrecisionTarget("mean_fill", 0.01)
    close = Check(target, "A", Interval(0.5, 0.011, 40))  # needs 40 * 1.21 = 49
    far = Check(target, "B", Interval(0.5, 0.05, 40))  # needs 40 * 25: capped at doubling
    undefined = Check(target, "C", Interval(math.nan, math.nan, 0))
    assert next_total(40, [close], 1000) == 49
    assert next_total(40, [close, far], 1000) == 80
    assert next_total(40, [undefined], 1000) == 80
    assert next_total(40, [far], 60) == 60
    assert next_total(40, [Check(target, "A", Interval(0.5, 0.01001, 40))], 1000) == 44  # at least 10% more


def test_run_stops_at_the_requested_precision(scenario: Scenario) -> None:
    pilot = run_replications({"A": scenario}, MIN_FIRST_CHECK, seed=3, workers=1).runs
    target = 0.6 * pilot_half_width(pilot, "mean_fill")  # needs about (1 / 0.6)^2 = 2.8 times the pilot
    experiment, result = replicate({"A": scenario}, MIN_FIRST_CHECK, parse_precisions(f"mean_fill={target}"),
                                   max_reps=400, seed=3, workers=1)
    assert result.reached
    assert MIN_FIRST_CHECK < result.replications < 400
    runs = experiment.runs
    assert sorted(runs["replication"]) == list(range(result.replications))
    assert mean_ci(runs["mean_fill"].to_numpy(float)).half_width <= target
    assert result.history[-1] == (result.replications, True)
    assert all(not reached for _, reached in result.history[:-1])
    assert "precision reached after" in result.report()


def test_adaptive_data_equal_a_fixed_run_of_the_same_size(scenario: Scenario) -> None:
    experiment, result = replicate({"A": scenario}, 10, parse_precisions("ioc_day=0.01%"), max_reps=25, seed=5,
                                   workers=1)
    assert [n for n, _ in result.history] == [10, 20, 25]  # three batches, numbered on from the last
    fixed = run_replications({"A": scenario}, result.replications, seed=5, workers=1)
    columns = ["replication", "ioc_day", "mean_fill", "total_cost"]
    assert experiment.runs[columns].equals(fixed.runs[columns])


def test_compare_stops_when_the_paired_difference_is_precise(scenario: Scenario) -> None:
    pair = [scenario, with_roster(scenario)]
    pilot = compare(pair, reps=MIN_FIRST_CHECK, seed=11, workers=1).differences(["mean_fill"]).iloc[0]
    target = 0.6 * pilot["half_width"]
    comparison = compare(pair, reps=MIN_FIRST_CHECK, seed=11, workers=1, precision=[f"mean_fill={target}"],
                         max_reps=400)
    assert comparison.adaptive.reached
    assert MIN_FIRST_CHECK < comparison.replications < 400
    row = comparison.differences(["mean_fill"]).iloc[0]
    assert row["n"] == comparison.replications
    assert row["half_width"] <= target
    assert comparison.manifest()["precision"] == [f"mean_fill={target:g}"]


def test_unreachable_precision_stops_at_max_reps(scenario: Scenario) -> None:
    _, result = replicate({"A": scenario}, 10, parse_precisions("mean_fill=1e-6"), max_reps=16, seed=1, workers=1)
    assert not result.reached
    assert result.replications == 16
    assert [n for n, _ in result.history] == [10, 16]
    assert "NOT reached" in result.report()


def test_max_reps_below_the_first_check_is_refused(scenario: Scenario) -> None:
    with pytest.raises(PrecisionError, match="below the 10 replications"):
        replicate({"A": scenario}, 5, parse_precisions("mean_fill=0.01"), max_reps=8, workers=1)


def test_undefined_measure_is_reported_not_met() -> None:
    check = Check(PrecisionTarget("foc_day", 5.0), "A", Interval(math.nan, math.nan, 0))
    assert not check.met and check.shortfall() == math.inf
    assert "not defined" in check.describe()
    assert np.isinf(check.shortfall())
