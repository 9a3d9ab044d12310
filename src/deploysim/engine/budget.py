"""A budget that caps: in ``committed`` mode every cost is reserved before it is incurred.

The fixed daily costs (local staff at the largest count any phase has, every mediator slot the
mission may ever have) are reserved to the horizon on day 0, with the people already in place.
Each call then reserves its person's whole cost (training, travel, and daily pay at the highest
rate the post's role may be re-roled to, for the longest tour plus one day, since the daily pass
charges a day for each midday inside a stay); each extension reserves its own pay. A reservation
that does not fit under the ceiling is refused: the call is not made, the extension not granted.
What a person did not use is released when they leave. Actual cost never exceeds what was
reserved, so the run's total stays within the ceiling unless day 0's commitments alone exceed it.

Tours drawn from a distribution without a largest value (exponential, lognormal, gamma) are
reserved at three times their mean and cut there: a planner's funding rule, an assumption.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deploysim.engine.events import BUDGET_REACHED

if TYPE_CHECKING:
    from deploysim.engine.plan import Plan
    from deploysim.engine.state import MissionState, PostState

UNBOUNDED_TOUR_MEANS = 3.0  # a tour without a largest value is funded for this many means (assumption)


@dataclass(slots=True)
class Commitment:
    """What one person has reserved and not yet spent or released."""

    training: float
    travel: float
    rate: float
    pay_days: float  # days of pay reserved: the tour (and extensions) plus one


class BudgetLedger:
    """The committed total of one run; nothing is incurred that was not reserved first."""

    def __init__(self, state: MissionState, plan: Plan, ceiling: float, tour_days: float) -> None:
        self.state = state
        self.ceiling = ceiling
        self.tour_days = tour_days
        costs = plan.costs
        local = max([costs.local_staff, *(p.local_staff for p in plan.phases if p.local_staff is not None)])
        slots = sum(team.mediators for team in plan.teams)
        self.committed = (local * costs.local_staff_daily + slots * costs.mediator_daily) * plan.horizon
        self.day0_committed = self.committed  # raised by the people in place; what a ceiling cannot undo
        rates = costs.daily_rate_by_role
        self._reserve_rate = dict(rates)
        for phase in plan.phases:
            for old, new in phase.rerole.items():
                self._reserve_rate[old] = max(self._reserve_rate[old], rates[new])
        self.reached = False

    def _fits(self, amount: float) -> bool:
        if self.committed + amount <= self.ceiling:
            self.committed += amount
            return True
        if not self.reached:
            self.reached = True
            state = self.state
            state.log(BUDGET_REACHED)
            state.milestone("budget_reached_day")
            if state.plan.budget.drawdown:
                state.begin_drawdown(BUDGET_REACHED)
        return False

    def call(self, post: PostState, from_roster: bool) -> Commitment | None:
        """Reserve a new person's whole cost, or None: the call is not made."""
        costs = self.state.plan.costs
        commitment = Commitment(
            0.0 if from_roster else costs.training, costs.travel, self._reserve_rate[post.role], self.tour_days + 1
        )
        return commitment if self._fits(self.total(commitment)) else None

    def in_place(self, post: PostState, remaining_days: float) -> Commitment:
        """Day 0's holders are committed whatever the ceiling."""
        commitment = Commitment(0.0, self.state.plan.costs.travel, self._reserve_rate[post.role], remaining_days + 1)
        amount = self.total(commitment)
        self.committed += amount
        self.day0_committed += amount
        return commitment

    def extend(self, commitment: Commitment, days: float) -> bool:
        if self._fits(commitment.rate * days):
            commitment.pay_days += days
            return True
        return False

    @staticmethod
    def total(commitment: Commitment) -> float:
        return commitment.training + commitment.travel + commitment.rate * commitment.pay_days

    def release(self, commitment: Commitment, served_days: float | None) -> None:
        """Give back what was not used: everything not yet spent if the person never arrived, else the pay
        of the reserved days not served (a stay of d days is charged at most floor(d) + 1 middays)."""
        unused = commitment.training + commitment.rate * commitment.pay_days
        if served_days is None:
            unused += commitment.travel
        else:
            unused -= commitment.rate * (math.floor(served_days) + 1)
        self.committed -= max(unused, 0.0)
        commitment.training = commitment.travel = commitment.pay_days = 0.0


def tour_reserve_days(largest: float, mean: float) -> float:
    """Days of tour a call reserves pay for: the longest tour, or a multiple of the mean when there is none."""
    return largest if math.isfinite(largest) else UNBOUNDED_TOUR_MEANS * mean
