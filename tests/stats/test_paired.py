"""Paired differences: the interval covers at its nominal rate, and identical scenarios differ by exactly zero."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from deploysim import compare, load_scenario
from deploysim.results.measures import MEASURES
from deploysim.stats.intervals import Interval
from deploysim.stats.paired import difference_table, excludes_zero, paired_interval, replication_differences

ROOT = Path(__file__).resolve().parents[2]
KYRGYZSTAN = ROOT / "scenarios" / "kyrgyzstan-2010.yaml"

TRIALS = 4000
PAIRS = 5
LEVEL = 0.95
# Under an exact interval, the number of trials whose interval covers the truth is Binomial(TRIALS, LEVEL),
# so the observed share has standard deviation sqrt(LEVEL (1 - LEVEL) / TRIALS) = 0.0034. Four of them
# (+-0.014) are exceeded with probability 6e-5, so the test does not depend on a lucky seed, yet the
# tolerance is narrow enough to reject the usual mistakes (see test_tolerance_rejects_wrong_intervals).
TOLERANCE = 4 * math.sqrt(LEVEL * (1 - LEVEL) / TRIALS)
TRUE_DIFFERENCE = 1.5


def synthetic_pairs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Paired normal data with a large shared component (what common random numbers give a scenario pair)."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(0.0, 5.0, size=(TRIALS, PAIRS))
    baseline = 10.0 + shared + rng.normal(0.0, 1.0, size=(TRIALS, PAIRS))
    other = 10.0 + TRUE_DIFFERENCE + shared + rng.normal(0.0, 1.5, size=(TRIALS, PAIRS))
    return baseline, other


def coverage(intervals: list[Interval]) -> float:
    return float(np.mean([iv.low <= TRUE_DIFFERENCE <= iv.high for iv in intervals]))


def test_paired_interval_covers_the_true_difference_at_its_nominal_rate() -> None:
    baseline, other = synthetic_pairs(seed=20100722)
    intervals = [paired_interval(a, b, LEVEL) for a, b in zip(baseline, other, strict=True)]
    assert abs(coverage(intervals) - LEVEL) <= TOLERANCE


def test_tolerance_rejects_wrong_intervals() -> None:
    """The coverage test has power: a z-interval (ignores n=5) and an unpaired interval both fall outside."""
    baseline, other = synthetic_pairs(seed=20100722)
    z = stats.norm.ppf(0.5 + LEVEL / 2)
    diffs = other - baseline
    z_intervals = [Interval(d.mean(), z * d.std(ddof=1) / math.sqrt(PAIRS), PAIRS) for d in diffs]
    assert coverage(z_intervals) < LEVEL - TOLERANCE  # about 0.88: too narrow
    t = stats.t.ppf(0.5 + LEVEL / 2, 2 * PAIRS - 2)
    unpaired = [
        Interval(b.mean() - a.mean(), t * math.sqrt(a.var(ddof=1) / PAIRS + b.var(ddof=1) / PAIRS), PAIRS)
        for a, b in zip(baseline, other, strict=True)
    ]
    assert coverage(unpaired) > LEVEL + TOLERANCE  # about 1.0: wastes the pairing, far too wide


def runs_table(values: dict[str, list[float]], measure: str = "mean_fill") -> pd.DataFrame:
    rows = []
    for scenario, column in values.items():
        for replication, value in enumerate(column):
            rows.append({"scenario": scenario, "point": 0, "replication": replication, "status": "ok", measure: value})
    return pd.DataFrame(rows)


def test_difference_table_pairs_by_replication_and_skips_undefined_and_failed_runs() -> None:
    runs = runs_table({"B": [2.0, 5.0, math.nan, 4.0, 9.0], "A": [1.0, 3.0, 2.0, math.nan, 6.0]})
    runs.loc[(runs["scenario"] == "B") & (runs["replication"] == 4), "status"] = "error"
    table = difference_table(runs, "A", ["B"], ["mean_fill"])
    row = table.iloc[0]
    expected = paired_interval([1.0, 3.0], [2.0, 5.0])  # replications 0 and 1 are the only usable pairs
    assert row["n"] == 2
    assert row["difference"] == pytest.approx(1.5)
    assert row["half_width"] == pytest.approx(expected.half_width)
    assert row["baseline"] == "A" and row["scenario"] == "B"
    per_rep = replication_differences(runs, "A", ["B"], ["mean_fill"])
    assert per_rep["replication"].tolist() == [0, 1, 2, 3]
    assert per_rep["mean_fill"].iloc[:2].tolist() == [1.0, 2.0]
    assert per_rep["mean_fill"].iloc[2:].isna().all()


def test_excludes_zero() -> None:
    assert excludes_zero(Interval(1.0, 0.5, 10))
    assert excludes_zero(Interval(-1.0, 0.5, 10))
    assert not excludes_zero(Interval(1.0, 1.5, 10))
    assert not excludes_zero(Interval(0.0, 0.0, 10))  # identical in every replication: no difference
    assert not excludes_zero(Interval(1.0, math.nan, 1))


def test_unknown_scenario_is_named() -> None:
    runs = runs_table({"A": [1.0, 2.0]})
    with pytest.raises(ValueError, match="'B'"):
        difference_table(runs, "A", ["B"], ["mean_fill"])


def test_identical_scenarios_differ_by_exactly_zero_in_every_replication() -> None:
    scenario = load_scenario(KYRGYZSTAN)
    comparison = compare([scenario, KYRGYZSTAN], reps=12, seed=7, workers=1)
    assert comparison.labels == [scenario.name, f"{scenario.name} (2)"]
    runs = comparison.runs
    a = runs[runs["scenario"] == comparison.labels[0]].sort_values("replication")
    b = runs[runs["scenario"] == comparison.labels[1]].sort_values("replication")
    assert (a["status"] == "ok").all() and len(a) == 12
    for measure in MEASURES:
        assert np.array_equal(a[measure].to_numpy(float), b[measure].to_numpy(float), equal_nan=True), measure
    per_rep = comparison.replication_differences()
    defined = per_rep[list(MEASURES)].notna()
    assert (per_rep[list(MEASURES)][defined] == 0.0).sum().sum() == defined.sum().sum()
    table = comparison.differences()
    finite = table[table["n"] >= 2]
    assert (finite["difference"] == 0.0).all()
    # differences of means and ratios are t-intervals over per-pair differences: all zero, so zero width;
    # differences of shares of runs (Newcombe) keep a positive width at zero discordant pairs, as they should
    # (twelve pairs cannot prove two probabilities equal), but stay centred on zero
    paired_means = finite[~finite["estimator"].str.contains("Newcombe")]
    assert (paired_means["half_width"] == 0.0).all()
    shares = finite[finite["estimator"].str.contains("Newcombe")]
    assert len(shares) and ((shares["ci_low"] < 0) & (shares["ci_high"] > 0)).all()
    assert not table["excludes_zero"].any()
    daily = comparison.daily
    assert np.array_equal(
        daily.loc[daily["scenario"] == comparison.labels[0], "filled"].to_numpy(),
        daily.loc[daily["scenario"] == comparison.labels[1], "filled"].to_numpy(),
    )
