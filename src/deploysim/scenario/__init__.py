"""The scenario layer: what a planner states, read safely and checked before anything runs.

Modules, from the bottom up:

- ``limits``: the sanity bound on every number a scenario states, with why each is where it is;
- ``durations``: durations as distributions with units (``17 d``, ``triangular(7, 14, 28) d``),
  their samplers and typed field defaults;
- ``base``: the building blocks of a scenario (names, units, teams, rule errors);
- ``dynamics``: what changes during a mission (consent, extensions, expansions, phases, triggers);
- ``rules``: names defined once and references that find them;
- ``sanity``: rules across fields that keep a run finite and its tables true (size, dates, loops);
- ``schema``: :class:`Scenario`, the whole file, with its cross-field rules;
- ``schema_walk``: what the schema says lives at each place, for the two walks below;
- ``yaml_file``: safe YAML reading (regular files only, size, characters, nesting, alias and
  duplicate-key checks) with a line map, and the same for one ``--set`` value;
- ``messages``: pydantic's validation errors as one line (``file:line: field.path: ...``);
- ``paths``: dotted paths into a scenario (``recruitment.roster.size``) and ``PATH=VALUE`` strings,
  checked against the schema, shared by ``--set``, sweeps and :func:`variant`;
- ``load``: files and data into a validated :class:`Scenario`, optionally with dotted-path changes
  (:func:`load_scenario`);
- ``variants``: scenario variants in code and the points of a sweep, through those paths.
- ``diff``: the dotted paths where two validated scenarios differ (``deploysim diff``, ``compare``).

Nothing here imports the engine or anything above it.
"""

from deploysim.scenario.load import load_scenario
from deploysim.scenario.schema import Scenario
from deploysim.scenario.variants import variant

__all__ = ["Scenario", "load_scenario", "variant"]
