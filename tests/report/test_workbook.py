"""The workbook: planner headers, the summary's own numbers, the bands behind the fans, the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import deploysim
from deploysim.errors import UsageError


@pytest.fixture(scope="module")
def run_book(run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return deploysim.write_workbook(run_dir, tmp_path_factory.mktemp("xlsx") / "run.xlsx")


def _rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    return list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))


def test_a_run_workbook_has_its_sheets_with_planner_headers(run_book: Path) -> None:
    assert load_workbook(run_book, read_only=True).sheetnames == [
        "Summary", "Outcomes", "Daily quantiles", "Team coverage", "Manifest"]
    summary = _rows(run_book, "Summary")
    assert summary[0][:8] == ("Scenario", "Measure", "Unit", "Estimator", "Estimate", "95% CI low", "95% CI high",
                              "Runs")
    assert _rows(run_book, "Daily quantiles")[0] == ("Scenario", "Series", "Date", "Day", "Runs", "Runs still active",
                                                      "p05", "p25", "p50 (median)", "p75", "p95")
    assert _rows(run_book, "Team coverage")[0] == ("Scenario", "Team", "Date", "Day", "Runs",
                                                    "Share of runs operational")


def test_the_workbook_holds_the_summary_s_own_values(run_book: Path, run_dir: Path) -> None:
    summary = pd.read_parquet(run_dir / "summary.parquet")
    fill = summary[summary["measure"] == "mean_fill"].iloc[0]
    rows = _rows(run_book, "Summary")
    column = rows[0].index("Estimate")
    by_label = {row[1]: row for row in rows[1:]}
    assert by_label["Fill"][column] == pytest.approx(fill["estimate"], rel=1e-12)
    assert by_label["Fill"][2] == "share of post-days filled"
    foc = summary[summary["measure"] == "foc_day"].iloc[0]
    q90 = by_label["FOC (full operational capability)"][rows[0].index("90th percentile (day)")]
    assert q90 == ("not reached" if foc["q90_day"] == float("inf") else pytest.approx(foc["q90_day"]))


def test_the_manifest_sheet_carries_the_scenario_hash(run_book: Path, run_dir: Path) -> None:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    fields = dict(_rows(run_book, "Manifest")[1:])
    assert json.loads(str(fields["scenarios"])) == manifest["scenarios"]
    assert fields["root_seed"] == "3"


def test_a_comparison_workbook_has_the_paired_differences(compare_dir: Path, tmp_path: Path) -> None:
    book = deploysim.write_workbook(compare_dir, tmp_path / "compare.xlsx")
    assert "Differences" in load_workbook(book, read_only=True).sheetnames
    rows = _rows(book, "Differences")
    assert rows[0][:3] == ("Scenario", "Baseline", "Measure")
    assert {row[1] for row in rows[1:]} == {"Kyrgyzstan PAG 2010 (as planned)"}
    quantiles = _rows(book, "Daily quantiles")
    assert quantiles[1][0] == "Kyrgyzstan PAG 2010 (as planned)"  # the baseline first


def test_an_in_memory_result_needs_a_path() -> None:
    with pytest.raises(UsageError, match="path"):
        deploysim.write_workbook(object(), None)  # type: ignore[arg-type]
