"""Defaults of the statistics that the command line shows in its help, in a module that imports nothing."""

from __future__ import annotations

DEFAULT_MEASURES = ("foc_day", "mean_fill", "team_coverage", "total_cost", "cost_per_person_month")
"""Measures ``analyze`` reads when none are named, each censoring-aware or pooled as its kind needs."""
