"""Results of one run: the tidy tables and the summary measures a planner reads.

- ``run``: :func:`simulate` (one replication) and :class:`RunResult`, its daily, team and event tables;
- ``measures``: the registry of measures (name, label, unit, kind, the totals a ratio divides) and how
  one run's are computed;
- ``outcomes``: the outcome class of a run (consent refused, mandate ended, running at the horizon, ...);
- ``text``: summary and comparison tables as plain text for the terminal, in the registry's words.
- ``readings``: the thresholds (noise share, R^2) past which a sweep's indices say little, and their wording.
"""

from deploysim.results.measures import MEASURES
from deploysim.results.run import RunResult, simulate

__all__ = ["MEASURES", "RunResult", "simulate"]
