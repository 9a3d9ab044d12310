"""The report page: the answer first, every chart inline, nothing fetched, the same bytes every time."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from page_scan import scan

import deploysim
from deploysim.reporting.page import CSP

MAX_BYTES = 2 * 1024 * 1024


def test_the_run_report_opens_with_the_question_and_the_share_of_runs_that_answers_it(run_report: Path,
                                                                                      run_dir: Path) -> None:
    page = scan(run_report.read_text(encoding="utf-8"))
    summary = pd.read_csv(run_dir / "summary.csv")
    foc = summary[summary["measure"] == "P(foc_day<=121)"].iloc[0]
    assert page.headings[:2] == ["Kyrgyzstan PAG 2010 (as planned)", "Question and answer"]
    first = page.answer.strip().splitlines()[0]
    assert first.startswith("FOC (full operational capability) by 2010-11-20 (day 121) in ")
    assert f"in {foc['estimate']:.0%} of the 24 runs" in first


def test_the_run_report_has_its_tables_one_inline_svg_per_chart_and_the_manifest(run_report: Path,
                                                                                   run_dir: Path) -> None:
    text = run_report.read_text(encoding="utf-8")
    page = scan(text)
    assert page.counts["svg"] == 4  # staffing, outcomes, coverage, timeline: the charts run saves
    assert page.counts.get("img", 0) == 0
    assert page.counts["table"] >= 6  # outcomes, milestones, targets, measures, settings, provenance
    for section in ("answer", "scenario", "charts", "summary", "sources", "method", "appendix"):
        assert section in page.ids
    manifest = [body for attrs, body in page.scripts if attrs.get("id") == "manifest"]
    assert [attrs.get("type") for attrs, _ in page.scripts] == ["application/json"]
    assert json.loads(manifest[0]) == json.loads((run_dir / "manifest.json").read_text())
    assert "<details><summary>Scenario Kyrgyzstan PAG 2010 (as planned) as it ran (file " in text
    assert "# [PC.DEC/947] date of the decision" in text  # the file itself, comments and all


def test_the_page_forbids_every_fetch_and_refers_to_nothing_outside_itself(run_report: Path,
                                                                           compare_report: Path) -> None:
    for path in (run_report, compare_report):
        text = path.read_text(encoding="utf-8")
        page = scan(text)
        policies = [m["content"] for m in page.meta if m.get("http-equiv", "").lower() == "content-security-policy"]
        assert policies == [CSP] == ["default-src 'none'; img-src data:; style-src 'unsafe-inline'"]
        assert page.external == []
        assert "http://" not in text and "https://" not in text
        assert "<link" not in text and "@import" not in text and "url(http" not in text
        assert len(page.ids) == len(set(page.ids)), "ids must be unique across the inline charts"


def test_sources_and_assumptions_are_read_from_the_scenario_file(run_report: Path) -> None:
    text = run_report.read_text(encoding="utf-8")
    assert "OSCE Permanent Council Decision No. 947, 22 July 2010" in text
    assert "<code>mandate.extensions.decision.objection_probability</code>" in text
    assert "67 settings name their basis: 15 rest on sources alone and 52 on an assumption" in text


def test_the_comparison_report_shows_the_differences_and_its_own_charts(compare_report: Path) -> None:
    text = compare_report.read_text(encoding="utf-8")
    page = scan(text)
    assert page.counts["svg"] == 3  # scenario fans, measures, differences
    assert "differences" in page.ids
    assert "Paired differences from the baseline, Kyrgyzstan PAG 2010 (as planned)" in text
    assert "Common random numbers" in text
    assert page.answer.strip().startswith("FOC (full operational capability) by 2010-11-20 (day 121), share of runs:")
    assert "Kyrgyzstan CSI 2010-11 (as it happened) against the baseline, run by run" in page.answer


def test_reports_stay_small(run_report: Path, compare_report: Path) -> None:
    assert run_report.stat().st_size < MAX_BYTES
    assert compare_report.stat().st_size < MAX_BYTES


def test_rendering_the_same_directory_again_gives_the_same_bytes(run_dir: Path, run_report: Path,
                                                                 tmp_path: Path) -> None:
    again = deploysim.report(run_dir, tmp_path / "again.html")
    assert again.read_bytes() == run_report.read_bytes()
