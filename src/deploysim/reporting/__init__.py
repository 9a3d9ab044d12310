"""Reporting: a stored experiment as one HTML page, a workbook, and charts as files to brief with.

A layer above ``experiments``: it opens a results directory, rebuilds the experiment from its
manifest and run tables, and writes what a planner takes into a meeting.

- ``stored``: a results directory opened as the Replications or Comparison that wrote it;
- ``sources`` and ``story``: a scenario's description, sources and assumptions, read from the
  comments of its file when the file still gives the scenario that ran;
- ``wording``, ``headline``, ``summary_tables``, ``differences``: the summary in planner words;
- ``inline_svg`` and ``charts``: the charts as reproducible inline SVG, and as PNG, SVG or PDF files
  carrying the scenario hash (:func:`save_charts`);
- ``html``, ``page``, ``sections``, ``build``: the page, and :func:`report`;
- ``workbook``: :func:`write_workbook`, the summary and the numbers behind every chart as .xlsx.
"""

from deploysim.reporting.build import report
from deploysim.reporting.charts import save_charts
from deploysim.reporting.workbook import write_workbook

__all__ = ["report", "save_charts", "write_workbook"]
