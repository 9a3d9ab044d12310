"""Building blocks shared by the scenario schema and its dynamics: strict models, units and teams."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
Money = Annotated[float, Field(ge=0.0)]


class Strict(BaseModel):
    """Unknown keys are errors, defaults are validated like user input, and models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)


class Unit(Strict):
    """A territorial unit of the host State's police (PAG: of the Interior Ministry)."""

    name: str = Field(min_length=1)
    incident_rate: float | None = Field(
        default=None, ge=0, description="incidents per day in this unit; overrides incidents.rate_per_day"
    )


class Team(Strict):
    """A team co-located with one unit; ``posts`` and ``min_manning`` are counts by role."""

    name: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    posts: dict[str, Count] = Field(min_length=1)
    min_manning: dict[str, Count] = Field(default_factory=dict)
    needs_mediator: bool = True
    mediators: Count = 1
    in_place: dict[str, Count] = Field(
        default_factory=dict, description="people already deployed on day 0, by role"
    )

    @model_validator(mode="after")
    def _mediator_rule(self) -> Team:
        if self.needs_mediator and self.mediators == 0:
            raise ValueError(
                "needs_mediator: the team needs a mediator to be operational but has mediators: 0; "
                "set mediators: 1 or needs_mediator: false"
            )
        return self

    @property
    def size(self) -> int:
        return sum(self.posts.values())
