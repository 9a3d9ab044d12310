"""``deploysim report DIR``: one self-contained HTML page for a run or a comparison.

The page opens with the question and the answer, then the scenario's story with its sources and
assumptions, the summary in planner words, outcome classes, every chart, for a comparison the paired
differences, the method notes and the provenance. Rendering the same directory twice gives the same
bytes: nothing on the page depends on the clock or on random ids.
"""

from __future__ import annotations

import math
from pathlib import Path

from deploysim.experiments.comparison import Comparison
from deploysim.experiments.replications import Replications
from deploysim.reporting.charts import chart_markup, charts
from deploysim.reporting.differences import differences_table
from deploysim.reporting.headline import Headline, compare_headline, run_headline
from deploysim.reporting.html import Markup, section
from deploysim.reporting.page import document
from deploysim.reporting.sections import (
    answer_section,
    appendix_section,
    method_section,
    sources_section,
    story_section,
)
from deploysim.reporting.stored import StoredExperiment, open_experiment
from deploysim.reporting.story import scenario_story
from deploysim.reporting.summary_tables import measures_table, milestones_table, outcomes_table, targets_table
from deploysim.storage.files import write_bytes

REPORT_FILE = "report.html"


def _summary_section(result: Replications | Comparison, labels: list[str]) -> Markup:
    summary = result.summary()
    starts = ({label: s.start_date for label, s in result.scenarios.items()} if isinstance(result, Comparison)
              else {result.label: result.scenario.start_date})
    return section("summary", "Summary", outcomes_table(result.outcomes(), labels),
                   milestones_table(summary, labels, starts), targets_table(summary, labels),
                   measures_table(summary, labels))


def _headline(experiment: StoredExperiment) -> Headline:
    result = experiment.result
    if isinstance(result, Replications):
        scenario = result.scenario
        return run_headline(result.summary(), result.outcomes(), scenario.name,
                            float(math.floor(scenario.mandate.initial_length)), scenario.start_date,
                            len(result.targets))
    baseline = result.scenarios[result.baseline]
    return compare_headline(result.table(), result.labels, float(math.floor(baseline.mandate.initial_length)),
                            len(result.targets))


def render(experiment: StoredExperiment) -> str:
    """The report of an opened experiment as HTML text."""
    result, labels = experiment.result, experiment.labels
    compare = isinstance(result, Comparison)
    stories = [scenario_story(experiment, label) for label in labels]
    body = [answer_section(_headline(experiment)), story_section(stories),
            section("charts", "Charts", *(chart_markup(chart) for chart in charts(result, experiment.path))),
            _summary_section(result, labels)]
    toc = [("answer", "Question and answer"), ("scenario", "Scenario"), ("charts", "Charts"), ("summary", "Summary")]
    if isinstance(result, Comparison):
        body.append(section("differences", "Differences from the baseline",
                            differences_table(result.table(), result.baseline)))
        toc.append(("differences", "Differences"))
    sources = sources_section(stories)
    if sources is not None:
        body.append(sources)
        toc.append(("sources", "Sources and assumptions"))
    body += [method_section(experiment.manifest, result.summary(), compare),
             appendix_section(experiment.manifest, stories)]
    toc += [("method", "Method notes"), ("appendix", "Provenance")]
    manifest = experiment.manifest
    title = " vs ".join(labels) if compare else labels[0]
    kind = "Comparison" if compare else "Simulation"
    each = " per scenario" if compare else ""
    subtitle = (f"{kind} report: {manifest.get('replications')} replications{each}, root seed "
                f"{manifest.get('root_seed')}, deploysim {manifest.get('deploysim_version')}, results written "
                f"{manifest.get('created')}")
    return document(title, subtitle, toc, body, manifest)


def report(directory: str | Path, out: str | Path | None = None) -> Path:
    """Write the HTML report of a ``run`` or ``compare`` directory (to ``out``, default DIR/report.html) and
    return its path. Raises ResultsError for a directory that is not a finished run or comparison."""
    experiment = open_experiment(directory)
    target = Path(out) if out is not None else experiment.path / REPORT_FILE
    return write_bytes(target, render(experiment).encode("utf-8"))
