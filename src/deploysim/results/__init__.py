"""Results of one run: the tidy tables and the summary measures a planner reads.

- ``run``: :func:`simulate` (one replication) and :class:`RunResult`, its daily, team and event tables;
- ``measures``: the registry of summary measures (name, label, unit, kind) and how one run's are computed;
- ``readings``: the thresholds (noise share, R^2) past which a sweep's indices say little, and their wording.
"""

from deploysim.results.measures import MEASURES
from deploysim.results.run import RunResult, simulate

__all__ = ["MEASURES", "RunResult", "simulate"]
