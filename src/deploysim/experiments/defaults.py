"""Defaults and choices that the command line shows in its help, in a module that imports nothing.

``deploysim --help`` builds every sub-command's parser; if their help texts came from the modules
that use these values, parsing alone would import pandas and scipy (seconds on a laptop).
"""

from __future__ import annotations

MIN_FIRST_CHECK = 30
"""Fewest replications before an adaptive run first checks its precision."""

DEFAULT_MAX_REPS = 1000
"""Cap of an adaptive run's replications when none is given."""

DESIGNS = ("grid", "lhs", "sobol")
"""Sweep designs."""

DAILY_MODES = ("none", "thin", "full")
"""What a sweep keeps of the daily series."""

SELECT_N0 = 20
"""First-stage replications of ``select``: enough for the variances of pairwise differences (KN)."""
SELECT_STAGE_RUNS = 64
"""Runs a stage of ``select`` aims at, whatever the executor, so every executor stops at the same point."""
SELECT_MAX_REPS = 5000
"""Replications per plan after which ``select`` stops and says its answer has no guarantee."""
SELECT_SCREEN_ABOVE = 60
"""Above this many plans ``select`` screens them first (a search phase costing n0 more replications per
survivor); an assumption, not a measured optimum: on normal test configurations at k = 200 the screen
cost 2-6% more replications than the procedure alone (see the README, "Large spaces")."""
