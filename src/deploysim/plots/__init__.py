"""Plots of simulated missions: each function takes tidy result tables and returns a matplotlib Figure.

Figures are built without pyplot and without touching rcParams, so they are safe in notebooks, worker
processes and the CLI alike; write them with :func:`save_png`.
"""

from deploysim.plots.output import save_png
from deploysim.plots.staffing import coverage_heatmap, coverage_share, date_quantiles, staffing_fan
from deploysim.plots.style import (
    OKABE_ITO,
    SERIES_COLOURS,
    format_date_axis,
    new_figure,
    place_legend,
    scenario_colour,
    series_colour,
)
from deploysim.plots.timeline import cadet_progress, mandate_timeline, phase_share, phase_shares

__all__ = [
    "OKABE_ITO",
    "SERIES_COLOURS",
    "cadet_progress",
    "coverage_heatmap",
    "coverage_share",
    "date_quantiles",
    "format_date_axis",
    "mandate_timeline",
    "new_figure",
    "phase_share",
    "phase_shares",
    "place_legend",
    "save_png",
    "scenario_colour",
    "series_colour",
    "staffing_fan",
]
