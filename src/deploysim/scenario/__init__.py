"""The scenario layer: what a planner states, read safely and checked before anything runs.

Modules, from the bottom up:

- ``durations``: durations as distributions with units (``17 d``, ``triangular(7, 14, 28) d``) and
  their samplers;
- ``base``: the building blocks of a scenario (units, teams, recruitment, tours, costs, ...);
- ``dynamics``: what changes during a mission (consent, extensions, expansions, phases, triggers);
- ``schema``: :class:`Scenario`, the whole file, with its cross-field rules;
- ``load``: safe YAML reading and validation into one-line messages (``file:line: field.path: ...``);
- ``paths``: dotted paths into a scenario (``recruitment.roster.size``), checked against the schema,
  shared by ``--set``, sweeps and :func:`variant`;
- ``variants``: scenario variants in code through those paths.

Nothing here imports the engine or anything above it.
"""

from deploysim.scenario.load import load_scenario
from deploysim.scenario.schema import Scenario
from deploysim.scenario.variants import variant

__all__ = ["Scenario", "load_scenario", "variant"]
