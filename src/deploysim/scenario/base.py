"""Building blocks shared by the scenario schema and its dynamics: strict models, names, units and teams.

Every count and amount here is bounded (see :mod:`deploysim.scenario.limits` for the bounds and why).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from deploysim.scenario.limits import (
    MAX_INCIDENT_RATE,
    MAX_MONEY,
    MAX_NAME,
    MAX_ROLES,
    MAX_TEAM_MEDIATORS,
    MAX_TEAM_POSTS,
)

RULE_ERROR = "scenario_rule"
RulePath = tuple[str | int, ...]


def rule_error(path: RulePath, message: str) -> PydanticCustomError:
    """A rule across fields broken at ``path`` (below the model that checks it), for ``raise``.

    The path travels as data, not as text in the message, so names with spaces or dots in it (a
    team called ``Team 1 Osh city``) still lead the message to the right field and line.
    """
    where = ".".join(str(part) for part in path)
    return PydanticCustomError(RULE_ERROR, "{where}: {message}", {"path": path, "where": where, "message": message})


Probability = Annotated[float, Field(ge=0.0, le=1.0)]
PostCount = Annotated[int, Field(ge=0, le=MAX_TEAM_POSTS)]
Money = Annotated[float, Field(ge=0.0, le=MAX_MONEY)]


def _plain_name(name: str) -> str:
    """Names appear in every table and message and are matched by ``--set`` paths, which strip spaces:
    no control or format characters (a newline, a terminal escape, a right-to-left override), no lone
    surrogates (they cannot be written to a table or a terminal), no surrounding spaces."""
    odd = next((ch for ch in name if not ch.isprintable() and ch != " "), None)
    if odd is not None:
        raise ValueError(f"a name must be printable text; {name!r} holds the character U+{ord(odd):04X}")
    if name != name.strip():
        raise ValueError(f"a name must not begin or end with spaces, got {name!r}")
    return name


NAME_RULE = f"printable text, no surrounding spaces, at most {MAX_NAME} characters"
"""What every name may hold, said in each name field's description."""

Name = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME, description=NAME_RULE),
    AfterValidator(_plain_name),
]
"""The name of a unit, team, phase, expansion, programme or role: 1-200 printable characters."""
Role = Name


class Strict(BaseModel):
    """Unknown keys are errors, defaults are validated like user input, and models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)


class Unit(Strict):
    """A territorial unit of the host State's police (PAG: of the Interior Ministry)."""

    name: Name = Field(description=f"the unit's name, which teams give as their unit; {NAME_RULE}")
    incident_rate: float | None = Field(
        default=None,
        ge=0,
        le=MAX_INCIDENT_RATE,
        description="incidents per day in this unit, overriding incidents.rate_per_day; default: none (the "
        f"mission-wide rate); at most {MAX_INCIDENT_RATE:g}",
    )


class Team(Strict):
    """A team co-located with one unit; ``posts`` and ``min_manning`` are counts by role."""

    name: Name = Field(description=f"the team's name, unique in the mission; {NAME_RULE}")
    unit: Name = Field(description=f"the name of the unit the team is co-located with; {NAME_RULE}")
    posts: dict[Role, PostCount] = Field(
        min_length=1,
        max_length=MAX_ROLES,
        description=f"number of authorised posts by role; at most {MAX_TEAM_POSTS:,} posts in a team and "
        f"{MAX_ROLES} roles",
    )
    min_manning: dict[Role, PostCount] = Field(
        default_factory=dict,
        max_length=MAX_ROLES,
        description="number of holders present by role for the team to be operational; default: none (operational "
        "with anyone present); at most the team's posts of the role",
    )
    needs_mediator: bool = Field(
        default=True,
        description="whether the team is operational only with a certified mediator; default: assumption (teams "
        "work with a local mediator, as in the PAG design)",
    )
    mediators: int = Field(
        default=1,
        ge=0,
        le=MAX_TEAM_MEDIATORS,
        description=f"number of mediator slots of the team; default: assumption (one); at most {MAX_TEAM_MEDIATORS}",
    )
    in_place: dict[Role, PostCount] = Field(
        default_factory=dict,
        max_length=MAX_ROLES,
        description="number of people already deployed on day 0, by role; default: none (every post starts "
        "vacant); at most the team's posts of the role",
    )

    @model_validator(mode="after")
    def _mediator_rule(self) -> Team:
        if self.needs_mediator and self.mediators == 0:
            raise rule_error(
                ("needs_mediator",),
                "the team needs a mediator to be operational but has mediators: 0; "
                "set mediators: 1 or needs_mediator: false",
            )
        if self.size > MAX_TEAM_POSTS:
            raise rule_error(("posts",), f"a team can have at most {MAX_TEAM_POSTS:,} posts, got {self.size:,}")
        return self

    @property
    def size(self) -> int:
        return sum(self.posts.values())
