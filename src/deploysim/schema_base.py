"""Building blocks shared by the scenario schema and its dynamics: strict models, units and teams."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Count = Annotated[int, Field(ge=0)]
Money = Annotated[float, Field(ge=0.0)]


class Strict(BaseModel):
    """Unknown keys are errors, defaults are validated like user input, and models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


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

    @property
    def size(self) -> int:
        return sum(self.posts.values())
