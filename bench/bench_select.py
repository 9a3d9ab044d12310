"""Choosing a plan with a guarantee on Kyrgyzstan 2010: time, replications, and what CRN buys.

30 plans (host consent granted from the start; roster 0..50 step 10 x 5..9 advisers per field team),
required P(IOC by day 60) >= 0.9, minimise total cost, delta EUR 50,000, tolerance 0.05, 95%. It runs
``deploysim.select`` once and prints

- the answer, its sentence, the wall time and the replications used;
- a fixed-sample procedure with the same guarantee and no common random numbers: every plan runs the
  Bonferroni fixed sample of the feasibility check, n = (z_{1-beta} sigma / epsilon)^2 with sigma^2 the
  Bernoulli variance floor, and Rinott's two-stage sample for the cost, N_i = (h S_i / delta)^2 from the
  first-stage variance of each plan's own cost; the total is the sum over plans of the larger of the two;
- KN with and without CRN: the largest stopping point of the pairs KN had to settle, h^2 S^2_il / delta^2,
  once with the paired variance S^2_il and once with S^2_i + S^2_l (what independent seeds give);
- the measured correlation of total cost between plans over their common replications.

    python bench/bench_select.py [--workers 2] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from deploysim.experiments.selection import select
from deploysim.stats.proportions import z_quantile
from deploysim.stats.ranking import bernoulli_variance_floor, kn_h2, rinott_h

SCENARIO = "kyrgyzstan-2010"
LEVERS = ["consent.initial=granted", "recruitment.roster.size=0:50:10", "teams.*.posts.adviser=5:9:1"]
REQUIRE = "P(ioc_day<=60)>=0.9"
DELTA, TOLERANCE, CONFIDENCE, N0 = 50_000.0, 0.05, 0.95, 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    started = time.perf_counter()
    result = select(SCENARIO, LEVERS, [REQUIRE], delta=DELTA, tolerance=TOLERANCE, confidence=CONFIDENCE,
                    n0=N0, workers=args.workers, seed=args.seed, plot=False)
    wall = time.perf_counter() - started
    table, runs = result.table, result.runs
    k = len(table)
    print(f"{k} plans, {REQUIRE}, minimise total_cost, delta EUR {DELTA:,.0f}, tolerance {TOLERANCE}, "
          f"{CONFIDENCE:.0%}, {args.workers} workers")
    print(result.sentence)
    print(f"guaranteed selection: {wall:.1f} s wall, {result.replications:,} replications "
          f"({result.replications / wall:.0f} runs/s); verdicts: "
          + ", ".join(f"{v} {n}" for v, n in table["verdict"].value_counts().items()))

    cost = runs.pivot(index="replication", columns="point", values="total_cost")
    first = cost.loc[: N0 - 1].to_numpy(float)
    own = first.var(axis=0, ddof=1)
    alpha = 1 - CONFIDENCE
    beta = alpha / 2 / k
    n_feasibility = math.ceil((z_quantile(1 - 2 * beta) * math.sqrt(bernoulli_variance_floor(0.9, TOLERANCE))
                               / TOLERANCE) ** 2)
    h = rinott_h(k, N0, 1 - alpha / 2)
    n_rinott = np.maximum(N0, np.ceil(h * h * own / DELTA**2))
    fixed = int(np.maximum(n_feasibility, n_rinott).sum())
    print(f"fixed-sample approach, same guarantee, no CRN: {fixed:,} replications (feasibility n = "
          f"{n_feasibility} per plan; Rinott h = {h:.2f}, median N_i = {np.median(n_rinott):,.0f}); "
          f"{fixed / result.replications:.1f}x the sequential procedure")

    h2 = kn_h2(alpha / 2, k - 1, N0)
    centred = first - first.mean(axis=0)
    cov = centred.T @ centred / (N0 - 1)
    paired = np.diag(cov)[:, None] + np.diag(cov)[None, :] - 2 * cov
    independent = np.diag(cov)[:, None] + np.diag(cov)[None, :]
    survivors = table.index[table["verdict"] != "infeasible"].to_numpy()
    pairs = np.ix_(survivors, survivors)
    mask = ~np.eye(len(survivors), dtype=bool)
    with_crn = float(np.median((h2 * paired[pairs] / DELTA**2)[mask]))
    without = float(np.median((h2 * independent[pairs] / DELTA**2)[mask]))
    print(f"KN stopping point of a pair of plans not declared infeasible (median over pairs): {with_crn:,.0f} "
          f"replications with CRN, {without:,.0f} without: {without / max(with_crn, 1):.1f}x")

    common = cost.dropna()
    correlation = np.corrcoef(common.to_numpy(float).T)
    upper = correlation[np.triu_indices(k, 1)]
    print(f"correlation of total cost between plans over {len(common)} common replications: median "
          f"{np.median(upper):.3f}, range {upper.min():.3f}-{upper.max():.3f}")


if __name__ == "__main__":
    main()
