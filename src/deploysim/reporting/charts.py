"""The charts of a stored experiment, each with the sentence that says how to read it.

A run shows the charts ``run`` saves (staffing, coverage, timeline, and cadets and phases where the
scenario has them); a comparison those ``compare`` saves. They are drawn again from the stored tables,
so the page and the PNGs beside it show the same thing.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deploysim.experiments.comparison import Comparison
from deploysim.experiments.replications import Replications
from deploysim.reporting.html import Markup, element, esc
from deploysim.reporting.inline_svg import figure_svg

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_SVG_CHARS = 700_000
"""Past this an inline SVG costs more than the picture is worth: the chart is embedded as a PNG instead."""
PNG_DPI = 110

CAPTIONS = {
    "staffing": "Lines: the median across runs of authorised, filled and present posts; shading: the middle 50% "
                "and 90% of runs.",
    "coverage": "For each team and day, the share of runs in which the team met its minimum manning; the right "
                "axis gives each team's mean over the period.",
    "timeline": "When the decisions that make or end the mission fall: consent, mandate reviews and extensions, "
                "expansion and drawdown, across runs.",
    "cadets": "The cadet pipeline: cadets in the academy, in the field and graduated, across runs.",
    "phases": "The share of runs in each phase of the mission, by date.",
    "measures": "Each scenario's estimate with its 95% confidence interval, one panel per key measure.",
    "differences": "Each scenario's paired difference from the baseline with its 95% interval; an interval clear "
                   "of the zero line is a difference the runs can tell apart.",
}
TITLES = {"staffing": "Staffing over time", "coverage": "Team coverage", "timeline": "Mandate timeline",
          "cadets": "Cadets", "phases": "Phases", "measures": "Key measures by scenario",
          "differences": "Differences from the baseline"}


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    caption: str
    figure: Figure


def experiment_figures(result: Replications | Comparison) -> dict[str, Figure]:
    """The charts ``run`` or ``compare`` saves, by file name."""
    if isinstance(result, Replications):
        return result.plots()
    return {"staffing.png": result.plot_staffing(), "measures.png": result.plot_measures(),
            "differences.png": result.plot_differences()}


BEHIND_THE_BANDS = {"staffing-quantiles.csv": "staffing-quantiles.csv",
                    "results.xlsx": "results.xlsx (sheet Daily quantiles)"}


def bands_note(directory: Path) -> str:
    """Where the numbers behind the fan chart are, among the files beside the report."""
    found = [text for name, text in BEHIND_THE_BANDS.items() if (directory / name).is_file()]
    if not found:
        return "The numbers behind the bands: deploysim run --xlsx writes them into a workbook."
    return f"The numbers behind the bands are in {' and '.join(found)}."


def charts(result: Replications | Comparison, directory: Path | None = None) -> list[Chart]:
    """The charts with their titles and captions; ``directory`` (the results) names the files behind the fans."""
    found = []
    for name, figure in experiment_figures(result).items():
        stem = Path(name).stem
        caption = CAPTIONS.get(stem, "")
        if isinstance(result, Comparison) and stem == "staffing":
            caption = ("Filled posts over time, every scenario on one calendar: median lines with the middle 50% of "
                       "runs shaded, and each scenario's median mandate end.")
        if stem == "staffing" and directory is not None:
            caption += " " + bands_note(directory)
        found.append(Chart(stem, TITLES.get(stem, stem.capitalize()), caption, figure))
    return found


def _png_markup(fig: Figure, title: str) -> Markup:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PNG_DPI, facecolor=fig.get_facecolor(), metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Markup(f'<img class="chart" alt="{esc(title)}" src="data:image/png;base64,{data}">')


def chart_markup(chart: Chart, max_svg: int = MAX_SVG_CHARS) -> Markup:
    """A ``<figure>`` with the chart as inline SVG (as PNG when the SVG would be too large) and its caption."""
    svg = figure_svg(chart.figure, chart.name, chart.title)
    picture = Markup(svg) if len(svg) <= max_svg else _png_markup(chart.figure, chart.title)
    return element("figure", [element("h3", chart.title), picture, element("figcaption", chart.caption)],
                   id=f"chart-{chart.name}")


def chart_metadata(manifest: dict[str, Any], title: str) -> dict[str, str]:
    """What a chart file says about itself: its title, and the scenario hashes tying it to its manifest."""
    scenarios = manifest.get("scenarios", {})
    hashes = [f"{label}: {entry.get('hash')}" for label, entry in scenarios.items() if isinstance(entry, dict)]
    keywords = ["deploysim", *(f"scenario-hash:{entry.get('hash')}" for entry in scenarios.values()
                               if isinstance(entry, dict))]
    return {"Title": title, "Subject": f"deploysim {manifest.get('kind', '')}; scenario hash " + "; ".join(hashes),
            "Keywords": ", ".join(keywords)}


def save_charts(result: Replications | Comparison, directory: str | Path, fmt: str) -> list[Path]:
    """Write every chart of ``result`` as ``fmt`` (png, svg or pdf) into ``directory``, each file carrying the
    scenario hash of the experiment's manifest in its metadata."""
    from deploysim.plots.output import save_figure

    manifest = result.manifest()
    out = Path(directory)
    return [save_figure(figure, out / f"{Path(name).stem}.{fmt}",
                        chart_metadata(manifest, TITLES.get(Path(name).stem, Path(name).stem)))
            for name, figure in experiment_figures(result).items()]
