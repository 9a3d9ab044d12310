"""Extra outputs of ``run`` and ``compare``, written after the results are saved: the HTML report, the
workbook, and the charts in a vector format for briefings."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deploysim.experiments.comparison import Comparison
    from deploysim.experiments.replications import Replications

FORMATS = ("png", "svg", "pdf")  # those of deploysim.plots.output.save_figure; kept here so --help imports no plotting


class _NeedsOpenpyxl(argparse.Action):
    """``--xlsx`` fails when it is parsed, not after a long simulation, if the workbook cannot be written."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=False, **kwargs)  # type: ignore[arg-type]

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        if importlib.util.find_spec("openpyxl") is None:
            parser.error("--xlsx needs openpyxl: pip install 'deploysim[report]'")
        setattr(namespace, self.dest, True)


def add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--report", action="store_true", help="also write OUT/report.html, one self-contained page")
    parser.add_argument("--xlsx", action=_NeedsOpenpyxl,
                        help="also write OUT/results.xlsx: summary, daily quantiles, team coverage, outcomes, manifest "
                             "(needs openpyxl: pip install 'deploysim[report]')")
    parser.add_argument("--format", dest="chart_format", choices=FORMATS, default="png",
                        help="chart format; svg and pdf are written beside the PNGs, with the scenario hash in "
                             "their metadata (default png)")


def write_outputs(result: Replications | Comparison, out: Path, args: argparse.Namespace) -> list[Path]:
    """Write what the flags ask for into ``out`` (which already holds the saved results); return the paths."""
    from deploysim.reporting import report, save_charts, write_workbook

    written: list[Path] = []
    if args.chart_format != "png":
        written += save_charts(result, out, args.chart_format)
    if args.xlsx:
        written.append(write_workbook(out))
    if args.report:
        written.append(report(out))
    return written
