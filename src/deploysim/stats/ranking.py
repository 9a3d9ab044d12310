"""Selecting the best of k plans with a stated probability: the arithmetic of ranking and selection.

The planner's question, "which plan meets P(FOC by day 150) >= 0.9 at least cost?", is selecting
the best system subject to stochastic constraints (Andradottir & Kim 2010, Naval Research Logistics
57(5)). Two sequential tests share one error budget ``alpha = alpha_feasibility + alpha_selection``:

* **Feasibility** of each plan and constraint, on the 0/1 indicator "the milestone came by day D",
  with a tolerance ``epsilon``: a plan with ``p <= q - epsilon`` is declared feasible, and one with
  ``p >= q + epsilon`` infeasible, each with probability at most ``beta = alpha_feasibility / (k s)``
  (Bonferroni over k plans and s constraints). The check is sequential like Andradottir & Kim's, but
  its boundaries are exact for a Bernoulli: at the l-th look, a one-sided Clopper-Pearson bound at
  level ``beta_l = beta 6 / (pi^2 l^2)`` (so that the looks spend at most ``beta`` in all): feasible
  once the lower bound exceeds ``q - epsilon``, infeasible once the upper bound falls below
  ``q + epsilon``. A wrong verdict needs a bound to miss ``p`` at some look, so its probability is at
  most ``sum beta_l = beta``. (Andradottir & Kim's triangular region needs a sample variance, which for
  a Bernoulli is zero after a first stage of all ones, P = 0.85^20 = 4% at q - epsilon = 0.85, far above
  beta; floored at the largest variance in the zone it is valid but a plan that always meets the target
  then needs ~190 replications at k = 30 where the exact bounds need ~50.)
* **Selection** among the plans not declared infeasible by KN (Kim & Nelson 2001, ACM TOMACS 11(3)):
  first-stage variances of the *pairwise differences* ``S^2_il``, so common random numbers shrink
  them and the number of replications almost in proportion to ``1 - rho``; plan i is eliminated by
  a plan l declared feasible when it is worse by more than ``W_il(r) = max(0, delta / (2 r)
  (h^2 S^2_il / delta^2 - r))``. The plan left is within ``delta`` of the best plan with
  ``p >= q + epsilon`` with probability at least ``1 - alpha`` (Bonferroni over both stages).

* **Feasibility of a mean** ``E[Y] >= q`` (or ``<= q``) of a per-run amount, with a tolerance
  ``epsilon`` in Y's unit (:class:`MeanBound`): Andradottir & Kim's sequential check. With ``S^2`` the
  plan's first-stage variance of Y and ``h^2 = kn_h2(beta, 1, n0)``, the sum ``D(r) = sum (Y_j - q)``
  (signed so that larger is better) declares the plan feasible once ``D(r) >= R(r)`` and infeasible once
  ``D(r) <= -R(r)``, ``R(r) = max(0, h^2 S^2 / (2 epsilon) - epsilon r / 2)`` (:func:`mean_region`): a
  plan with ``E[Y]`` on the wrong side of ``q`` by epsilon gets the wrong verdict with probability at
  most ``beta``. It shares the feasibility budget with the chance constraints (``beta = alpha_feasibility
  / (k s)`` with ``s`` counting both kinds).

**Screening** for large spaces (:func:`screen`), a search phase before the procedure above, with its
own error ``alpha_screen``: on a first stage of ``n0`` replications of every plan it keeps every plan
that could still be the best plan meeting every constraint with the tolerance to spare (call it b).
A plan is screened out as *infeasible* when a one-sided bound at level ``alpha_screen / (4 s)`` puts a
constraint below ``q + epsilon`` (b is dropped so only when one of its own s bounds misses, so no
Bonferroni over plans is needed), and as *worse* when some plan l beats it by more than Nelson et
al.'s (2001, Operations Research 49(6)) margin ``t S_il / sqrt(n0)``, t the Student quantile at
``1 - alpha_o / (k - 1)`` (Bonferroni, valid under common random numbers), but only a plan l certified
to meet every constraint with the tolerance to spare (lower bounds above ``q + epsilon`` at level
``alpha_screen / (4 k s)``) may screen others out, since only such a plan shows that b is not the
cheapest that does. So b survives with probability at least ``1 - alpha_screen``; the procedure above
then runs among the survivors on *fresh* replications (numbered on from ``n0``), so its own guarantee
holds given the survivors, and the two add up (Bonferroni).

Decisions are taken only at the ends of stages (:func:`stage_size`): a test looked at less often
eliminates and decides no more often than the fully sequential one, so the guarantee holds.

Rinott's two-stage constant (:func:`rinott_h`) is here for the fixed-sample comparison: a procedure
with the same guarantee that cannot use common random numbers.

Pure functions and one small state machine over arrays; nothing here runs a simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

UNDECIDED, FEASIBLE, INFEASIBLE = 0, 1, -1


def kn_h2(alpha: float, comparisons: int, n0: int) -> float:
    """KN's ``h^2 = 2 eta (n0 - 1)`` with ``eta = ((2 alpha / comparisons)^(-2 / (n0 - 1)) - 1) / 2``.

    ``comparisons`` is k - 1 for selection among k plans and 1 for one feasibility check with error
    ``alpha``. Kim & Nelson (2001), c = 1.
    """
    if n0 < 2:
        raise ValueError(f"the first stage needs at least 2 replications, not {n0}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, not {alpha!r}")
    comparisons = max(comparisons, 1)
    eta = 0.5 * ((2.0 * alpha / comparisons) ** (-2.0 / (n0 - 1)) - 1.0)
    return 2.0 * eta * (n0 - 1)


def difference_variances(first_stage: np.ndarray) -> np.ndarray:
    """``S^2_il``: the sample variances of ``X_i - X_l`` over the first stage (rows: replications,
    columns: plans); the same replication numbers across plans make them paired."""
    x = np.asarray(first_stage, dtype=float)
    centred = x - x.mean(axis=0)
    # Var(X_i - X_l) = Var_i + Var_l - 2 Cov_il, all from one covariance matrix
    cov = centred.T @ centred / (x.shape[0] - 1)
    diag = np.diag(cov)
    return np.maximum(diag[:, None] + diag[None, :] - 2.0 * cov, 0.0)


def kn_half_width(h2: float, s2: np.ndarray, delta: float, r: int) -> np.ndarray:
    """``W_il(r)``, the elimination margin after ``r`` paired replications (zero once ``r`` passes
    ``h^2 S^2_il / delta^2``, when the sign of the difference alone decides)."""
    return np.maximum(0.0, delta / (2.0 * r) * (h2 * s2 / delta**2 - r))


@dataclass(frozen=True)
class MeanBound:
    """A constraint on the mean of a per-run amount: ``E[Y] >= threshold`` (``at_least``) or ``<=``,
    with the tolerance ``tolerance`` in Y's unit."""

    threshold: float
    at_least: bool
    tolerance: float

    @property
    def sign(self) -> float:
        """+1 when larger is better, -1 when smaller is: ``sign (Y - q)`` is the evidence for feasibility."""
        return 1.0 if self.at_least else -1.0


def mean_region(h2: float, s2: np.ndarray, tolerance: float, r: int) -> np.ndarray:
    """Andradottir & Kim's continuation half-width on the *sum* ``D(r)``: ``max(0, h^2 S^2 / (2 eps) - eps r / 2)``."""
    return np.maximum(0.0, h2 * np.asarray(s2, dtype=float) / (2.0 * tolerance) - tolerance * r / 2.0)


def bernoulli_variance_floor(threshold: float, tolerance: float) -> float:
    """The largest ``p (1 - p)`` over ``[q - tolerance, q + tolerance]`` (clipped to [0, 1]): the variance a
    fixed-sample feasibility check must be sized for."""
    low, high = max(threshold - tolerance, 0.0), min(threshold + tolerance, 1.0)
    nearest_half = min(max(0.5, low), high)
    return nearest_half * (1.0 - nearest_half)


def look_level(beta: float, look: int) -> float:
    """The error a feasibility check may spend at its ``look``-th look (1, 2, ...): ``beta 6 / (pi l)^2``,
    which sums to ``beta`` over every look however many there are."""
    return beta * 6.0 / (math.pi * look) ** 2


def clopper_pearson_bounds(successes: np.ndarray, n: int, level: float) -> tuple[np.ndarray, np.ndarray]:
    """One-sided exact bounds for a binomial p: ``P(p < low) <= level`` and ``P(p > high) <= level``."""
    from scipy.special import betaincinv

    s = np.asarray(successes, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(s > 0, betaincinv(np.maximum(s, 1e-300), n - s + 1, level), 0.0)
        high = np.where(s < n, betaincinv(s + 1, np.maximum(n - s, 1e-300), 1.0 - level), 1.0)
    return low, high


def stage_size(replications: int, active: int, stage_runs: int) -> int:
    """Replications to add to each active plan: enough that a stage has about ``stage_runs`` runs to
    keep the executor busy, but at most a quarter more than each plan has, so that a stage does not
    overshoot the stopping point by much. Depends on neither the executor nor the worker count, so
    the same data give the same stages everywhere."""
    fill = math.ceil(stage_runs / max(active, 1))
    return max(1, min(fill, math.ceil(replications / 4)))


def mcb_intervals(means: np.ndarray, delta: float) -> tuple[np.ndarray, np.ndarray]:
    """Multiple comparisons with the best for an indifference-zone procedure (Nelson & Matejcik 1995):
    ``mu_i - best_{l != i} mu_l`` lies in ``[min(0, D_i - delta), max(0, D_i + delta)]`` with
    ``D_i = mean_i - best of the other means``, for either direction (``best`` as the caller orders
    them: pass costs for minimising, negated gains for maximising)."""
    x = np.asarray(means, dtype=float)
    if x.size < 2:
        return np.zeros_like(x), np.zeros_like(x)
    others = np.array([np.min(np.delete(x, i)) for i in range(x.size)])
    d = x - others
    return np.minimum(0.0, d - delta), np.maximum(0.0, d + delta)


def rinott_h(k: int, n0: int, confidence: float, points: int = 600) -> float:
    """Rinott's (1978) two-stage constant, solving
    ``E_Y[ E_X[ Phi(h / sqrt((n0 - 1)(1/X + 1/Y))) ]^(k-1) ] = confidence`` for X, Y chi-square with
    n0 - 1 degrees of freedom, by quadrature at ``points`` chi-square quantiles."""
    from scipy.optimize import brentq
    from scipy.special import chdtri, ndtr

    df = n0 - 1
    grid = chdtri(df, 1.0 - (np.arange(points) + 0.5) / points)  # upper-tail inverse: the quantiles

    def coverage(h: float) -> float:
        inner = ndtr(h / np.sqrt(df * (1.0 / grid[:, None] + 1.0 / grid[None, :]))).mean(axis=0)
        return float(np.mean(inner ** (k - 1)))

    return float(brentq(lambda h: coverage(h) - confidence, 0.01, 50.0))


def rinott_sizes(h: float, variances: np.ndarray, delta: float, n0: int) -> np.ndarray:
    """Rinott's total replications per plan, ``max(n0, ceil(h^2 S_i^2 / delta^2))``."""
    return np.maximum(n0, np.ceil(h * h * np.asarray(variances, dtype=float) / delta**2)).astype(int)


SCREENED_WORSE, SCREENED_INFEASIBLE = "worse", "infeasible"


def screen(
    objective: np.ndarray,
    alpha: float,
    indicators: np.ndarray | None = None,
    thresholds: tuple[float, ...] = (),
    tolerance: float = 0.05,
    bounded: np.ndarray | None = None,
    bounds: tuple[MeanBound, ...] = (),
) -> np.ndarray:
    """The screening phase of the module docstring over a first stage (``objective`` ``n0 x k``,
    minimised; ``indicators`` ``n0 x k x s`` of 0/1; ``bounded`` ``n0 x k x m``). Returns, per plan, ""
    when it survives or why it was screened out (:data:`SCREENED_WORSE`, :data:`SCREENED_INFEASIBLE`)."""
    from scipy.special import stdtrit

    x = np.asarray(objective, dtype=float)
    n0, k = x.shape
    flags = np.zeros((n0, k, 0)) if indicators is None else np.asarray(indicators, dtype=float)
    amounts = np.zeros((n0, k, 0)) if bounded is None else np.asarray(bounded, dtype=float)
    s = len(thresholds) + len(bounds)
    alpha_objective = alpha / 2 if s else alpha
    drop_level, certify_level = (alpha / (4 * s), alpha / (4 * k * s)) if s else (0.0, 0.0)
    infeasible = np.zeros(k, dtype=bool)
    certified = np.ones(k, dtype=bool)
    for j, q in enumerate(thresholds):
        successes = flags[:, :, j].sum(axis=0)
        _, high = clopper_pearson_bounds(successes, n0, drop_level)
        low, _ = clopper_pearson_bounds(successes, n0, certify_level)
        infeasible |= high < q + tolerance
        certified &= low > q + tolerance
    for j, bound in enumerate(bounds):
        y = bound.sign * (amounts[:, :, j] - bound.threshold)  # larger is better
        mean, se = y.mean(axis=0), y.std(axis=0, ddof=1) / math.sqrt(n0)
        infeasible |= mean + float(stdtrit(n0 - 1, 1 - drop_level)) * se < bound.tolerance
        certified &= mean - float(stdtrit(n0 - 1, 1 - certify_level)) * se > bound.tolerance
    t = float(stdtrit(n0 - 1, 1 - alpha_objective / max(k - 1, 1)))
    margin = t * np.sqrt(difference_variances(x) / n0)
    means = x.mean(axis=0)
    beaten = (means[:, None] - means[None, :] > margin) & certified[None, :]
    np.fill_diagonal(beaten, False)
    return np.where(infeasible, SCREENED_INFEASIBLE, np.where(beaten.any(axis=1), SCREENED_WORSE, ""))


@dataclass
class SequentialSelection:
    """The state of a constrained selection over ``k`` plans, advanced one stage at a time.

    The caller runs every *active* plan to the same number of replications ``r`` (common random
    numbers: replication j of every plan shares its seeds) and calls :meth:`first_stage` once with
    the first ``n0`` objective values, then :meth:`update` with running sums. The objective is
    *minimised*; pass negated values to maximise. ``thresholds`` are the chance constraints' ``q`` (the
    indicator's mean must be at least q), ``bounds`` the constraints on means; none means plain KN. The
    columns of :attr:`feasibility` are the chance constraints, then the bounds.
    """

    k: int
    n0: int
    delta: float
    alpha_selection: float
    alpha_feasibility: float = 0.0
    thresholds: tuple[float, ...] = ()
    tolerance: float = 0.05
    bounds: tuple[MeanBound, ...] = ()
    feasibility: np.ndarray = field(init=False)
    eliminated: np.ndarray = field(init=False)
    replications: np.ndarray = field(init=False)
    eliminated_by: np.ndarray = field(init=False)
    s2: np.ndarray | None = field(init=False, default=None)
    bound_s2: np.ndarray = field(init=False)
    means: np.ndarray = field(init=False)
    shares: np.ndarray = field(init=False)
    bound_means: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        if self.delta <= 0:
            raise ValueError(f"the indifference zone delta must be positive, not {self.delta!r}")
        if self.thresholds and not self.tolerance > 0:
            raise ValueError(f"the tolerance must be positive, not {self.tolerance!r}")
        if any(not b.tolerance > 0 for b in self.bounds):
            raise ValueError("every mean constraint needs a positive tolerance")
        s = len(self.thresholds) + len(self.bounds)
        self.feasibility = np.full((self.k, s), UNDECIDED, dtype=int)
        self.eliminated = np.zeros(self.k, dtype=bool)
        self.eliminated_by = np.full(self.k, -1, dtype=int)
        self.replications = np.zeros(self.k, dtype=int)
        self.means = np.full(self.k, np.nan)
        self.shares = np.full((self.k, len(self.thresholds)), np.nan)
        self.bound_means = np.full((self.k, len(self.bounds)), np.nan)
        self.bound_s2 = np.zeros((self.k, len(self.bounds)))
        self.h2_selection = kn_h2(self.alpha_selection, self.k - 1, self.n0)
        self.beta = self.alpha_feasibility / max(self.k * s, 1)
        if s and not 0 < self.beta < 1:
            raise ValueError(f"constraints need a feasibility error in (0, 1), not {self.alpha_feasibility!r}")
        self.h2_bounds = kn_h2(self.beta, 1, self.n0) if self.bounds else 0.0
        self.looks = 0

    @property
    def infeasible(self) -> np.ndarray:
        return (self.feasibility == INFEASIBLE).any(axis=1)

    @property
    def declared_feasible(self) -> np.ndarray:
        return (self.feasibility == FEASIBLE).all(axis=1)

    @property
    def active(self) -> np.ndarray:
        """Plans still sampled: neither declared infeasible nor eliminated."""
        return ~self.infeasible & ~self.eliminated

    @property
    def done(self) -> bool:
        """No verdict pending: every active plan is declared feasible and at most one is left."""
        active = self.active
        return bool(active.sum() <= 1 and self.declared_feasible[active].all())

    @property
    def selected(self) -> int | None:
        """The plan chosen once :attr:`done`, or None when every plan was declared infeasible."""
        if not self.done:
            return None
        left = np.flatnonzero(self.active)
        return int(left[0]) if left.size else None

    def first_stage(self, objective: np.ndarray, bounded: np.ndarray | None = None) -> None:
        """The first ``n0`` objective values of every plan (rows: replications 0..n0-1) and, with
        :attr:`bounds`, the first ``n0`` values of each bounded amount (``n0 x k x bounds``)."""
        x = np.asarray(objective, dtype=float)
        if x.shape != (self.n0, self.k):
            raise ValueError(f"the first stage must be {self.n0} x {self.k}, not {x.shape}")
        self.s2 = difference_variances(x)
        if self.bounds:
            y = np.asarray(bounded, dtype=float)
            if y.shape != (self.n0, self.k, len(self.bounds)):
                shape = (self.n0, self.k, len(self.bounds))
                raise ValueError(f"the bounded amounts must be {shape}, not {y.shape}")
            self.bound_s2 = y.var(axis=0, ddof=1)

    def update(self, r: int, objective_sums: np.ndarray, indicator_sums: np.ndarray | None = None,
               bound_sums: np.ndarray | None = None) -> None:
        """Take the stage's decisions after every active plan has ``r`` replications; the sums are over
        replications 0..r-1 (rows of inactive plans are ignored); ``bound_sums`` is ``k x bounds``."""
        if self.s2 is None:
            raise RuntimeError("first_stage() must come before update()")
        active = self.active
        self.replications[active] = r
        self.means[active] = np.asarray(objective_sums, dtype=float)[active] / r
        if self.thresholds:
            sums = np.asarray(indicator_sums, dtype=float)
            self.shares[active] = sums[active] / r
            self._check_feasibility(r, sums, active)
        if self.bounds:
            totals = np.asarray(bound_sums, dtype=float).reshape(self.k, len(self.bounds))
            self.bound_means[active] = totals[active] / r
            self._check_bounds(r, totals, active)
        self._eliminate(r)

    def _check_bounds(self, r: int, totals: np.ndarray, active: np.ndarray) -> None:
        first = len(self.thresholds)
        for j, bound in enumerate(self.bounds):
            evidence = bound.sign * (totals[:, j] - r * bound.threshold)  # D(r): positive favours feasible
            region = mean_region(self.h2_bounds, self.bound_s2[:, j], bound.tolerance, r)
            undecided = (self.feasibility[:, first + j] == UNDECIDED) & active
            # past the region (R = 0) the sign decides; an exact tie counts as feasible, as for shares
            feasible = evidence >= region
            infeasible = (evidence <= -region) & ~feasible
            self.feasibility[undecided & feasible, first + j] = FEASIBLE
            self.feasibility[undecided & infeasible, first + j] = INFEASIBLE

    def _check_feasibility(self, r: int, sums: np.ndarray, active: np.ndarray) -> None:
        self.looks += 1
        q = np.asarray(self.thresholds, dtype=float)
        low, high = clopper_pearson_bounds(np.rint(sums), r, look_level(self.beta, self.looks))
        undecided = (self.feasibility[:, : q.size] == UNDECIDED) & active[:, None]
        feasible = low > q - self.tolerance
        infeasible = high < q + self.tolerance
        both = feasible & infeasible  # the interval lies inside the zone: either verdict is allowed
        feasible = np.where(both, sums / r >= q, feasible)
        infeasible = np.where(both, ~feasible, infeasible)
        chance = self.feasibility[:, : q.size]  # a view: the chance constraints' columns
        chance[undecided & feasible] = FEASIBLE
        chance[undecided & infeasible] = INFEASIBLE

    def _eliminate(self, r: int) -> None:
        assert self.s2 is not None
        contenders = np.flatnonzero(self.active)
        judges = contenders[self.declared_feasible[contenders]]  # only a feasible plan may eliminate
        if judges.size == 0 or contenders.size < 2:
            return
        margin = kn_half_width(self.h2_selection, self.s2[np.ix_(contenders, judges)], self.delta, r)
        gap = self.means[contenders][:, None] - self.means[judges][None, :]
        # past a pair's region the sign decides; an exact tie there (plans whose objective never
        # differs) keeps the lower plan number instead of sampling forever
        tie = (gap == 0) & (margin == 0) & (contenders[:, None] > judges[None, :])
        beaten = ((gap > margin) | tie) & (contenders[:, None] != judges[None, :])
        losers = beaten.any(axis=1)
        self.eliminated[contenders[losers]] = True
        self.eliminated_by[contenders[losers]] = judges[np.argmax(beaten[losers], axis=1)]
