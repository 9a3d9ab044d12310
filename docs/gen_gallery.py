"""The plot gallery, drawn at docs build time from the shipped scenarios with few replications.

Drawing the charts at build time rather than committing pictures means the gallery always shows
what the current code draws: a change to a chart's style or content appears at the next build.
The replication counts are small (the build must stay quick on two cores), so the bands are
wider than a planner's run of 200 would give; the captions say so.

Each entry is a :class:`Figure` entry with the PNG bytes, the file name under ``gallery/`` and a
caption; :func:`render` writes the page body that shows them.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RUN_REPS = 40
PROGRAMME_REPS = 20
COMPARE_REPS = 30
SWEEP_REPS = 4
DPI = 100
SEED = 2010


@dataclass(frozen=True)
class Figure:
    name: str  # file name under gallery/
    title: str
    caption: str
    png: bytes


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor=fig.get_facecolor())
    return buffer.getvalue()


def figures(root: Path) -> Iterator[Figure]:
    """Every chart deploysim draws, from the scenarios in ``root/scenarios``."""
    import deploysim
    from deploysim.plots import cadet_progress, measure_vs_parameter, parameter_heatmap, phase_share, sensitivity_bars
    from deploysim.stats.sensitivity import by_level, heatmap_table, sensitivity

    scenarios = root / "scenarios"
    planned = deploysim.load_scenario(scenarios / "kyrgyzstan-2010.yaml")
    one = deploysim.run(planned, reps=RUN_REPS, seed=SEED, workers=1)
    runs = f"`deploysim run scenarios/kyrgyzstan-2010.yaml`, {RUN_REPS} replications"
    yield Figure("staffing.png", "Staffing fan",
                 f"Authorised, filled and present posts by date: median with 50% and 90% bands ({runs}). "
                 "`Replications.plot_staffing()`, `deploysim.plots.staffing_fan`.", _png(one.plot_staffing()))
    yield Figure("coverage.png", "Team coverage",
                 f"The share of replications in which each team meets its minimum manning, by day ({runs}). "
                 "`plot_coverage()`, `deploysim.plots.coverage_heatmap`.", _png(one.plot_coverage()))
    yield Figure("timeline.png", "Mandate timeline",
                 f"Mandate, consent and mission still active by day, and every decision across replications "
                 f"({runs}). `plot_timeline()`, `deploysim.plots.mandate_timeline`.", _png(one.plot_timeline()))

    fyrom = deploysim.run(scenarios / "fyrom-2001.yaml", reps=PROGRAMME_REPS, seed=SEED, workers=1)
    names = [p.name for p in fyrom.scenario.phases]
    fyrom_runs = f"`scenarios/fyrom-2001.yaml`, {PROGRAMME_REPS} replications"
    yield Figure("cadets.png", "Cadet programme",
                 f"Cadets in the academy, in the field and graduated ({fyrom_runs}). `deploysim.plots.cadet_progress`; "
                 "`run` writes it when a scenario has training programmes.",
                 _png(cadet_progress(fyrom.daily, title=f"{fyrom.label}: cadets")))
    yield Figure("phases.png", "Phases",
                 f"The share of replications in each phase, by day ({fyrom_runs}). `deploysim.plots.phase_share`; "
                 "`run` writes it when a scenario has phases.",
                 _png(phase_share(fyrom.daily, names, title=f"{fyrom.label}: phases")))

    roster = deploysim.variant(planned, {"recruitment.roster.size": 20, "recruitment.roster.call_up": "7 d"},
                               "With a roster of 20")
    comparison = deploysim.compare({"As planned": planned, "With a roster of 20": roster}, reps=COMPARE_REPS,
                                   seed=SEED, workers=1)
    pair = f"Kyrgyzstan 2010 as planned and with a roster of 20, {COMPARE_REPS} replications each"
    yield Figure("compare-staffing.png", "Scenarios on one calendar",
                 f"Filled posts, median and middle half, with the median mandate end marked ({pair}). "
                 "`Comparison.plot_staffing()`, `deploysim.plots.scenario_fans`.", _png(comparison.plot_staffing()))
    yield Figure("compare-measures.png", "Measures by scenario",
                 f"Each measure's estimate with its 95% CI, one panel per measure ({pair}). "
                 "`plot_measures()`, `deploysim.plots.measure_bars`.", _png(comparison.plot_measures()))
    yield Figure("compare-differences.png", "Paired differences",
                 f"Each scenario's paired difference from the baseline with its 95% CI ({pair}). "
                 "`plot_differences()`, `deploysim.plots.difference_forest`.", _png(comparison.plot_differences()))

    trigger, training = "expansions.PAG +50.trigger.above", "mediators.training"
    with tempfile.TemporaryDirectory(prefix="deploysim-docs-sweep-") as work:
        swept = deploysim.sweep(planned, {trigger: "0.4,0.6,0.8", training: "1 w,3 w,6 w",
                                          "consent.refusal_probability": "0"},
                                Path(work) / "grid", reps=SWEEP_REPS, seed=SEED, workers=1, daily="none", crn=True)
        grid_runs, manifest = swept.runs, swept.manifest
    grid = f"a 3 x 3 grid over the expansion trigger and mediator training, {SWEEP_REPS} replications per point"
    yield Figure("sweep-levels.png", "A measure against one parameter",
                 f"Mean total cost per level of the trigger, with 95% CIs ({grid}). "
                 "`deploysim.plots.measure_vs_parameter`.",
                 _png(measure_vs_parameter(by_level(grid_runs, trigger, "total_cost"))))
    yield Figure("sweep-heatmap.png", "A measure over two parameters",
                 f"Mean total cost over the grid ({grid}). `deploysim.plots.parameter_heatmap`.",
                 _png(parameter_heatmap(heatmap_table(grid_runs, trigger, training, "total_cost"))))
    yield Figure("sweep-sensitivity.png", "Sensitivity",
                 f"Standardised regression coefficients with bootstrap 95% intervals ({grid}). "
                 "`deploysim analyze`, `deploysim.plots.sensitivity_bars`.",
                 _png(sensitivity_bars(sensitivity(grid_runs, manifest, "total_cost", seed=SEED))))


def render(entries: list[Figure], image_path: Callable[[str], str]) -> str:
    """The gallery's Markdown: a heading, the picture and its caption per figure."""
    lines: list[str] = []
    for entry in entries:
        lines += [f"## {entry.title}", "", f"![{entry.title}]({image_path(entry.name)})", "", entry.caption, ""]
    return "\n".join(lines)
