"""Variance reduction from common random numbers, shown on a shipped scenario pair.

A = Kyrgyzstan 2010 as planned; B = the same with a roster of 20 pre-cleared people. Both are
replicated with the same replication numbers twice: once with the same root seed (common random
numbers: replication r of A and of B share every stream the scenarios have in common) and once
with B on a different root seed (independent streams). For each measure it prints the 95% CI
half-width of the mean difference B - A:

- CRN: paired t-interval over per-replication differences (what ``deploysim compare`` reports);
- independent: Welch two-sample t-interval, the right interval for independent samples;

and their ratio. ratio^2 is how many times more replications independent streams would need for
the same precision. n says in how many replications (pairs, for CRN) a measure was defined: FOC,
and even IOC, are not reached in every replication (consent may be refused, the mandate not
renewed), so IOC day is shown beside FOC day, and the pair is run a second time with a 12-month
first mandate in both A and B, where FOC is reached more often.

    python bench/bench_crn.py [--reps 200] [--seed 0] [--workers N]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
from scipy import stats

from deploysim import load_scenario
from deploysim.experiments.replications import run_replications
from deploysim.scenario.schema import Scenario
from deploysim.stats.paired import paired_interval

ROOT = Path(__file__).resolve().parents[1]
MEASURES = ("mean_fill", "foc_day", "ioc_day", "team_coverage", "total_cost")
ROSTER = {"size": 20, "call_up": "7 d"}
MIN_PAIRS = 30


def with_roster(scenario: Scenario) -> Scenario:
    data = scenario.model_dump()
    data["name"] = f"{scenario.name} + roster of {ROSTER['size']}"
    data["recruitment"]["roster"] = dict(ROSTER)
    return Scenario.model_validate(data)


def welch_half_width(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, int, int]:
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if a.size < 2 or b.size < 2:
        return math.nan, a.size, b.size
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    if se == 0:
        return 0.0, a.size, b.size
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return float(stats.t.ppf(0.5 + level / 2, dof) * se), a.size, b.size


def measure_column(runs, label: str, measure: str) -> np.ndarray:
    ok = runs[(runs["scenario"] == label) & (runs["status"] == "ok")].sort_values("replication")
    return ok[measure].to_numpy(dtype=float)


def with_long_mandate(scenario: Scenario) -> Scenario:
    data = scenario.model_dump()
    data["name"] = f"{scenario.name}, 12-month mandate"
    data["mandate"]["initial_length"] = "12 months"
    data["horizon"] = "15 months"
    return Scenario.model_validate(data)


def report(a: Scenario, b: Scenario, reps: int, seed: int, workers: int | None) -> None:
    crn = run_replications({"A": a, "B": b}, reps, seed=seed, workers=workers)
    independent = run_replications({"B": b}, reps, seed=seed + 1, workers=workers)
    print(f"A = {a.name}; B = {b.name}; {reps} replications each, seed {seed} (independent: B on seed {seed + 1})")
    print(f"{'measure':<15} {'mean B-A':>12} {'CRN hw':>11} {'n':>5} {'indep. hw':>11} {'nA/nB':>9} "
          f"{'ratio':>7} {'reps x':>8}")
    for measure in MEASURES:
        base = measure_column(crn.runs, "A", measure)
        paired = paired_interval(base, measure_column(crn.runs, "B", measure))
        indep_hw, n_a, n_b = welch_half_width(base, measure_column(independent.runs, "B", measure))
        ratio = indep_hw / paired.half_width if paired.half_width > 0 else math.inf
        few = " (few pairs: the ratio compares intervals over different runs)" if paired.n < MIN_PAIRS else ""
        print(f"{measure:<15} {paired.mean:>12,.4g} {paired.half_width:>11,.4g} {paired.n:>5} {indep_hw:>11,.4g} "
              f"{f'{n_a}/{n_b}':>9} {ratio:>7.2f} {ratio**2:>8.1f}{few}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)

    print(f"$ python bench/{Path(__file__).name} " + " ".join(sys.argv[1:] if argv is None else argv))
    a = load_scenario(ROOT / "scenarios" / "kyrgyzstan-2010.yaml")
    report(a, with_roster(a), args.reps, args.seed, args.workers)
    long = with_long_mandate(a)
    report(long, with_roster(long), args.reps, args.seed, args.workers)
    print("hw: 95% CI half-width of the mean difference B - A; ratio = independent hw / CRN hw; reps x = ratio^2,\n"
          "how many times more replications independent streams need for the same precision")
    return 0


if __name__ == "__main__":
    sys.exit(main())
