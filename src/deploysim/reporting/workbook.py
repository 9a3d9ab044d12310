"""The results as an Excel workbook: the summary in planner words and the numbers behind every chart.

Planners rework figures in spreadsheets; a workbook saves them joining Parquet files. Sheets: the
summary (labels, units, estimators), outcome classes, for a comparison the paired differences, the
daily quantiles behind every fan chart (p05 ... p95 of authorised, filled and present posts by date,
over the runs still active), team coverage by team and date, and the manifest. Values stay numbers
(shares as fractions formatted as percent, dates as dates); a milestone never reached reads
"not reached" rather than an infinity Excel cannot hold. Needs openpyxl: ``pip install deploysim[report]``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd

from deploysim.errors import UsageError
from deploysim.experiments.comparison import Comparison
from deploysim.experiments.replications import Replications
from deploysim.reporting.stored import open_experiment
from deploysim.reporting.wording import kind_of
from deploysim.stats.bands import staffing_quantiles, team_coverage
from deploysim.storage.files import atomic_write

WORKBOOK_FILE = "results.xlsx"
EXCEL_CELL_LIMIT = 32_767
SUMMARY_HEADERS = {
    "scenario": "Scenario", "label": "Measure", "unit": "Unit", "estimator": "Estimator", "estimate": "Estimate",
    "ci_low": "95% CI low", "ci_high": "95% CI high", "n": "Runs", "failed": "Failed runs",
    "p_reached": "P(reached)", "p_reached_low": "P(reached) 95% CI low", "p_reached_high": "P(reached) 95% CI high",
    "median_day": "Median day", "median_date": "Median date", "median_low": "Median 95% CI low (day)",
    "median_high": "Median 95% CI high (day)", "q10_day": "10th percentile (day)", "q90_day": "90th percentile (day)",
    "median_if_reached": "Median day where reached", "median_per_run": "Median run", "target_day": "Target day",
    "target_date": "Target date", "measure": "Column",
}
DIFFERENCE_HEADERS = {
    "scenario": "Scenario", "baseline": "Baseline", "label": "Measure", "unit": "Unit", "estimator": "Estimator",
    "difference": "Difference", "ci_low": "95% CI low", "ci_high": "95% CI high", "excludes_zero": "Excludes zero",
    "n": "Pairs used", "pairs": "Pairs", "p_difference": "P(reached) difference",
    "p_difference_low": "P(reached) difference 95% CI low", "p_difference_high": "P(reached) difference 95% CI high",
    "measure": "Column",
}
OUTCOME_HEADERS = {"scenario": "Scenario", "outcome": "Outcome", "runs": "Runs", "share": "Share",
                   "ci_low": "95% CI low", "ci_high": "95% CI high", "n": "Runs in all"}
QUANTILE_HEADERS = {"scenario": "Scenario", "point": "Point", "series": "Series", "date": "Date", "day": "Day",
                    "runs": "Runs", "runs_active": "Runs still active", "p05": "p05", "p25": "p25",
                    "p50": "p50 (median)", "p75": "p75", "p95": "p95"}
COVERAGE_HEADERS = {"scenario": "Scenario", "point": "Point", "team": "Team", "date": "Date", "day": "Day",
                    "runs": "Runs", "share_operational": "Share of runs operational"}


def _cell(value: Any) -> Any:
    """A value Excel can hold: no NaN, no infinity, dates as dates, numpy scalars as Python numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isinf(value):
        return "not reached" if value > 0 else "-inf"
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return _cell(value.item())
    return value


PERCENT_IN_ROW = ("estimate", "ci_low", "ci_high", "median_per_run")
"""Summary columns read as percent in the rows of shares and proportions."""


def _formats(columns: Sequence[str], percent: Sequence[str]) -> list[str | None]:
    return ["0.0%" if c in percent else "yyyy-mm-dd" if "date" in c else None for c in columns]


def _sheet(book: Any, title: str, frame: pd.DataFrame, headers: Mapping[str, str], percent: Sequence[str] = (),
           percent_rows: Sequence[bool] | None = None) -> None:
    """One sheet, streamed: the frame's columns that ``headers`` names, in that order, under planner headers,
    frozen and filterable. ``percent_rows`` marks rows whose :data:`PERCENT_IN_ROW` columns are shares."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = [c for c in headers if c in frame.columns]
    sheet = book.create_sheet(title)
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(10, min(48, len(headers[column]) + 4))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    bold = Font(bold=True)
    head = [_text(sheet, headers[c]) for c in columns]
    for cell in head:
        cell.font = bold
    sheet.append(head)
    plain, shares = _formats(columns, percent), _formats(columns, (*percent, *PERCENT_IN_ROW))
    for k, row in enumerate(frame[columns].itertuples(index=False)):
        formats = shares if percent_rows is not None and percent_rows[k] else plain
        values: list[Any] = []
        for value, fmt in zip((_cell(v) for v in row), formats, strict=True):
            if isinstance(value, str):
                values.append(_text(sheet, value))
                continue
            if fmt is None or value is None:
                values.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = fmt
            values.append(cell)
        sheet.append(values)


def _text(sheet: Any, value: str) -> Any:
    """A cell that holds ``value`` as text: openpyxl would store a string starting with ``=`` as a formula
    (and ``#N/A`` as an error), and a team named ``=HYPERLINK(...)`` must not run when the workbook opens."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _manifest_rows(manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows = []
    for key, value in manifest.items():
        if key == "scenario_definitions" and isinstance(value, dict):
            for label, definition in value.items():
                text = json.dumps(definition, ensure_ascii=False)
                rows.append((f"scenario_definitions.{label}",
                             text if len(text) <= EXCEL_CELL_LIMIT else "(too long for a cell: see manifest.json)"))
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        rows.append((key, text[:EXCEL_CELL_LIMIT]))
    return rows


def _differences(result: Comparison) -> pd.DataFrame:
    summary = result.summary()[["scenario", "measure", "label", "unit"]]
    return result.differences().merge(summary, on=["scenario", "measure"], how="left")


def build_workbook(result: Replications | Comparison, manifest: Mapping[str, Any]) -> Any:
    """The workbook in memory (an ``openpyxl.Workbook``)."""
    try:
        from openpyxl import Workbook
    except ImportError:
        raise UsageError("writing a workbook needs openpyxl: pip install 'deploysim[report]'") from None
    labels = list(result.labels) if isinstance(result, Comparison) else [result.label]
    book = Workbook(write_only=True)
    summary = result.summary()
    shares = [kind_of(str(m)) in ("share", "proportion") for m in summary["measure"]]
    _sheet(book, "Summary", summary, SUMMARY_HEADERS, percent_rows=shares)
    outcomes = result.outcomes()
    outcomes = outcomes.iloc[outcomes["scenario"].map({s: i for i, s in enumerate(labels)}).argsort(kind="stable")]
    _sheet(book, "Outcomes", outcomes, OUTCOME_HEADERS, percent=("share", "ci_low", "ci_high"))
    if isinstance(result, Comparison):
        _sheet(book, "Differences", _differences(result), DIFFERENCE_HEADERS)
    _sheet(book, "Daily quantiles", staffing_quantiles(result.daily, scenarios=labels), QUANTILE_HEADERS)
    _sheet(book, "Team coverage", team_coverage(result.teams, scenarios=labels), COVERAGE_HEADERS,
           percent=("share_operational",))
    rows = pd.DataFrame(_manifest_rows(manifest), columns=["field", "value"])
    _sheet(book, "Manifest", rows, {"field": "Field", "value": "Value"})
    book.properties.creator = "deploysim"
    created = manifest.get("created")
    if isinstance(created, str):  # when the results were written, not when this file was
        book.properties.created = dt.datetime.fromisoformat(created).replace(tzinfo=None)
    return book


def write_workbook(source: Replications | Comparison | str | Path, path: str | Path | None = None) -> Path:
    """Write the workbook of a results directory (default ``DIR/results.xlsx``) or of a run or comparison
    in memory (then ``path`` is needed); return its path."""
    if isinstance(source, (str, Path)):
        experiment = open_experiment(source)
        result, manifest = experiment.result, experiment.manifest
        target = Path(path) if path is not None else experiment.path / WORKBOOK_FILE
    else:
        if path is None:
            raise UsageError("write_workbook: give the path of the .xlsx file to write")
        result, manifest, target = source, source.manifest(), Path(path)
    book = build_workbook(result, manifest)

    def write(handle: IO[bytes]) -> None:
        book.save(handle)

    return atomic_write(target, write)
