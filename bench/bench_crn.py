"""Variance reduction from common random numbers, shown on a shipped scenario pair.

A = Kyrgyzstan 2010 as planned; B = the same with a roster of 20 pre-cleared people. Both are
replicated with the same replication numbers twice: once with the same root seed (common random
numbers: replication r of A and of B share every stream the scenarios have in common) and once
with B on a different root seed (independent streams). For each measure it prints the 95% CI
half-width of the difference B - A, each measure estimated as ``deploysim compare`` estimates it
(restricted means for milestones, pooled shares, ratios of totals, P(reached) as a share of runs):

- CRN: the paired difference over the same replications (what ``deploysim compare`` reports);
- independent: the two estimates' half-widths added in quadrature, the interval for independent samples;

and their ratio. ratio^2 is how many times more replications independent streams would need for
the same precision. Every run counts in every estimate (a milestone not reached is censored at the
horizon), and the pair is run a second time with a 12-month first mandate in both A and B.

    python bench/bench_crn.py [--reps 200] [--seed 0] [--workers N]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from deploysim import load_scenario
from deploysim.experiments.replications import run_replications
from deploysim.scenario.schema import Scenario
from deploysim.stats.paired import difference_table
from deploysim.stats.summary import summary_table

ROOT = Path(__file__).resolve().parents[1]
MEASURES = ("mean_fill", "foc_day", "ioc_day", "team_coverage", "total_cost", "cost_per_person_month")
ROSTER = {"size": 20, "call_up": "7 d"}


def with_roster(scenario: Scenario) -> Scenario:
    data = scenario.model_dump()
    data["name"] = f"{scenario.name} + roster of {ROSTER['size']}"
    data["recruitment"]["roster"] = dict(ROSTER)
    return Scenario.model_validate(data)


def _half(low: float, high: float) -> float:
    return (high - low) / 2


def independent_half_widths(a_runs, b_runs) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Half-width of B - A from two independent samples, each estimated as the summary estimates it
    (normal approximation: the half-widths add in quadrature)."""
    a = summary_table(a_runs).set_index("measure")
    b = summary_table(b_runs).set_index("measure")
    out = {m: math.hypot(a.loc[m, "half_width"], b.loc[m, "half_width"]) for m in MEASURES}
    out["P(FOC reached)"] = math.hypot(_half(a.loc["foc_day", "p_reached_low"], a.loc["foc_day", "p_reached_high"]),
                                       _half(b.loc["foc_day", "p_reached_low"], b.loc["foc_day", "p_reached_high"]))
    return out


def with_long_mandate(scenario: Scenario) -> Scenario:
    data = scenario.model_dump()
    data["name"] = f"{scenario.name}, 12-month mandate"
    data["mandate"]["initial_length"] = "12 months"
    data["horizon"] = "15 months"
    return Scenario.model_validate(data)


def report(a: Scenario, b: Scenario, reps: int, seed: int, workers: int | None) -> None:
    crn = run_replications({"A": a, "B": b}, reps, seed=seed, workers=workers).runs
    independent = run_replications({"B": b}, reps, seed=seed + 1, workers=workers).runs
    print(f"A = {a.name}; B = {b.name}; {reps} replications each, seed {seed} (independent: B on seed {seed + 1})")
    print(f"{'measure':<22} {'estimator of B - A':<48} {'B - A':>10} {'CRN hw':>10} {'indep. hw':>10} {'ratio':>6} "
          f"{'reps x':>7}")
    paired = difference_table(crn, "A", ["B"], MEASURES).set_index("measure")
    alone = independent_half_widths(crn[crn["scenario"] == "A"], independent)
    rows = [(m, str(paired.loc[m, "estimator"]), paired.loc[m, "difference"], paired.loc[m, "half_width"])
            for m in MEASURES]
    foc = paired.loc["foc_day"]
    rows.append(("P(FOC reached)", "paired difference of shares (Newcombe)", foc["p_difference"],
                 _half(foc["p_difference_low"], foc["p_difference_high"])))
    for name, estimator, difference, half_width in rows:
        ratio = alone[name] / half_width if half_width > 0 else math.inf
        print(f"{name:<22} {estimator[:48]:<48} {difference:>10,.4g} {half_width:>10,.4g} {alone[name]:>10,.4g} "
              f"{ratio:>6.2f} {ratio**2:>7.1f}")
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
    print("hw: 95% CI half-width of B - A, each measure estimated as the summary estimates it (restricted means for\n"
          "milestones, pooled shares, ratios of totals); ratio = independent hw / CRN hw; reps x = ratio^2, how many\n"
          "times more replications independent streams need for the same precision")
    return 0


if __name__ == "__main__":
    sys.exit(main())
