"""Who can be sent: contributing States (or one pool), their nominations, pledged contingents, a fill ceiling.

Without a ``supply`` section every call finds a candidate, as if contributors were unlimited. With
one, a call that has closed waits for a candidate from a contributor eligible for its post, so a
mission fills only as fast as States nominate and only as far as their pools and the fill ceiling
allow: partial fills come out of the model instead of being typed in (UN Croatia 1998: 114 of 180
deployed after 8.5 months; OSCE SMM Ukraine 2014: about 250 of up to 500 by July).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AllowInfNan, BeforeValidator, Field, model_validator

from deploysim.scenario.base import Name, Probability, Role, Strict, name_list
from deploysim.scenario.durations import Delay, delay_default, unit_days
from deploysim.scenario.limits import MAX_CONTRIBUTORS, MAX_NOMINATION_RATE, MAX_POSTS, MAX_ROLES, MAX_TEAMS

_RATE = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?:(?:per|/|a)\s*([A-Za-z]+))?\s*$")


def parse_rate(value: Any) -> Any:
    """``"3 per week"`` -> 3/7 a day; ``"10 / month"``, ``"2 a day"``; a bare number is per day."""
    if isinstance(value, bool):
        raise ValueError("expected a rate such as '3 per week' or a number per day")
    if not isinstance(value, str):
        return value
    match = _RATE.match(value)
    if not match:
        raise ValueError(f"cannot read {value!r} as a rate such as '3 per week', '10 per month' or '0.5 per day'")
    return float(match.group(1)) / unit_days(match.group(2) or "d")


PerDay = Annotated[float, AllowInfNan(False), BeforeValidator(parse_rate, json_schema_input_type=float | str)]
"""A rate per day, written as planners write it: ``3 per week``, ``10 per month``, or a number per day."""


class Contingent(Strict):
    """A pledge that arrives as a block: one draw of the contributor's journey for all, plus each person's jitter."""

    delay: Delay = delay_default(
        "uniform(7, 21) d",
        "from the start (or the pledge's posts opening) to the block's arrival, drawn once for the whole "
        "contingent, in days or with a unit; default: assumption (EUMM Georgia 2008: national contingents "
        "deployed within 16 days)",
    )
    jitter: Delay = delay_default(
        "uniform(0, 2) d",
        "each person's own delay in days after the block's arrival; default: assumption (flights and kit)",
    )


class Contributor(Strict):
    """A contributing State (or a pool) that nominates candidates for calls it is eligible for.

    Give ``nominations`` (a rate), ``pool`` (a number of candidates), or both (a rate until the pool is
    used up). One contributor per role expresses a pool by role.
    """

    name: Name
    nominations: PerDay | None = Field(
        default=None,
        ge=0,
        le=MAX_NOMINATION_RATE,
        description="candidates nominated per day while an eligible call waits, e.g. '3 per week' (a Poisson "
        f"process); none: a pool's candidates are there at once; at most {MAX_NOMINATION_RATE:g} a day; "
        "default: none (assumption for each mission)",
    )
    pool: int | None = Field(
        default=None,
        ge=0,
        le=MAX_POSTS,
        description="number of candidates this contributor can send in all (people); default: none (no limit; "
        f"assumption for each mission); at most {MAX_POSTS:,}",
    )
    eligible_roles: list[Role] = name_list("roles it nominates for; empty: every role", MAX_ROLES)
    eligible_teams: list[Name] = name_list("teams it nominates for; empty: every team", MAX_TEAMS)
    contingent: Contingent | None = Field(
        default=None,
        description="the pool arrives as one block on day 0's vacant eligible posts instead of answering calls "
        "one by one; needs a pool; default: none (candidates answer calls one by one)",
    )

    @model_validator(mode="after")
    def _something_to_send(self) -> Contributor:
        if self.nominations is None and self.pool is None:
            raise ValueError("give nominations (a rate such as '3 per week'), a pool (a number of people), or both")
        if self.contingent is not None and (self.pool is None or self.nominations is not None):
            raise ValueError("a contingent is a pledge of a number of people: give a pool and no nominations")
        return self


class Supply(Strict):
    """Where candidates come from; absent, every call finds one (unlimited contributors)."""

    contributors: list[Contributor] = Field(
        min_length=1,
        max_length=MAX_CONTRIBUTORS,
        description=f"contributing States or pools, asked in this order; at most {MAX_CONTRIBUTORS:,}",
    )
    fill_ceiling: Probability = Field(
        default=1.0,
        description="largest share of the authorised posts that can be held or being filled at once (a share "
        "from 0 to 1); default: 1, no ceiling (assumption for each mission)",
    )
