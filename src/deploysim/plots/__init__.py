"""Plots of simulated missions: each function takes tidy result tables and returns a matplotlib Figure.

Figures are built without pyplot and without touching rcParams, so they are safe in notebooks, worker
processes and the CLI alike; write them with :func:`save_png`.

Modules, by the question a chart answers:

- :mod:`~deploysim.plots.staffing`: how staffing develops in one scenario (:func:`staffing_fan`, with
  :func:`median_milestones` to mark IOC and FOC).
- :mod:`~deploysim.plots.coverage`: team by team and day by day, how often each team met its minimum
  manning, greyed where it does not exist, the worst teams and the spread at large missions
  (:func:`coverage_heatmap`, :func:`coverage_share`, :func:`worst_teams`).
- :mod:`~deploysim.plots.outcomes`: the staffing fan split by how each run ended
  (:func:`staffing_by_outcome`).
- :mod:`~deploysim.plots.timeline`: when the decisions that make or end the mission fall
  (:func:`mandate_timeline`).
- :mod:`~deploysim.plots.programmes`: the cadet pipeline and the mission's phases
  (:func:`cadet_progress`, :func:`phase_share`).
- :mod:`~deploysim.plots.compare`: scenarios on one calendar, overlaid (:func:`scenario_fans`) or as small
  multiples against the baseline (:func:`scenario_fans_grid`).
- :mod:`~deploysim.plots.measure_panels`: scenarios' summary measures and paired differences, one
  panel per measure (:func:`measure_bars`, :func:`difference_forest`).
- :mod:`~deploysim.plots.sweep`: what a parameter sweep says (:func:`measure_vs_parameter`,
  :func:`parameter_heatmap`, :func:`sensitivity_bars`).
- :mod:`~deploysim.plots.style` (house style and colours) and :mod:`~deploysim.plots.output`
  (:func:`save_png`); the private ``_tables``, ``_fan`` and ``_format`` hold the input checks, the fan
  over the runs still active with its share-active strip, and the measure formatting the chart modules
  share.
"""

from deploysim.plots._tables import active_share, date_quantiles
from deploysim.plots.compare import scenario_fans, scenario_fans_grid
from deploysim.plots.coverage import coverage_heatmap, coverage_share, worst_teams
from deploysim.plots.measure_panels import difference_forest, measure_bars
from deploysim.plots.outcomes import staffing_by_outcome
from deploysim.plots.output import save_png
from deploysim.plots.programmes import cadet_progress, phase_share, phase_shares
from deploysim.plots.staffing import median_milestones, staffing_fan
from deploysim.plots.style import (
    OKABE_ITO,
    SERIES_COLOURS,
    format_date_axis,
    new_figure,
    place_legend,
    scenario_colour,
    series_colour,
)
from deploysim.plots.sweep import measure_vs_parameter, parameter_heatmap, sensitivity_bars
from deploysim.plots.timeline import mandate_timeline

__all__ = [
    "OKABE_ITO",
    "SERIES_COLOURS",
    "active_share",
    "cadet_progress",
    "coverage_heatmap",
    "coverage_share",
    "date_quantiles",
    "difference_forest",
    "format_date_axis",
    "mandate_timeline",
    "measure_bars",
    "measure_vs_parameter",
    "median_milestones",
    "new_figure",
    "parameter_heatmap",
    "phase_share",
    "phase_shares",
    "place_legend",
    "save_png",
    "scenario_colour",
    "scenario_fans",
    "scenario_fans_grid",
    "sensitivity_bars",
    "series_colour",
    "staffing_by_outcome",
    "staffing_fan",
    "worst_teams",
]
