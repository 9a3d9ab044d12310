"""`deploysim report`, and `--report`, `--xlsx`, `--format` on `run` and `compare`, as a planner types them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from deploysim.cli.main import build_parser, main
from deploysim.errors import UsageError

CliResult = tuple[int, str, str]


def test_run_with_report_xlsx_and_svg_writes_them_beside_the_results(run_cli: Callable[..., CliResult],
                                                                    shipped_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    code, stdout, stderr = run_cli("run", shipped_scenario, "--reps", "4", "--workers", "1", "--out", out,
                                   "--report", "--xlsx", "--format", "svg")
    assert code == 0, stderr
    for name in ("report.html", "results.xlsx", "staffing.svg", "outcomes.svg", "coverage.svg", "timeline.svg",
                 "staffing.png"):
        assert (out / name).is_file(), name
        assert f"wrote {out / name}" in stdout
    digest = json.loads((out / "manifest.json").read_text())["scenarios"]["Kyrgyzstan PAG 2010 (as planned)"]["hash"]
    assert f"scenario-hash:{digest}" in (out / "staffing.svg").read_text()
    assert load_workbook(out / "results.xlsx", read_only=True).sheetnames[0] == "Summary"
    page = (out / "report.html").read_text(encoding="utf-8")
    note = "The numbers behind the bands are in staffing-quantiles.csv and results.xlsx (sheet Daily quantiles)."
    assert note in page


def test_report_writes_the_page_where_asked_and_prints_its_path(run_dir: Path, run_report: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "briefing.html"
    assert main(["report", str(run_dir), "-o", str(target)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {target}"
    assert target.read_bytes() == run_report.read_bytes()


def _error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    message = capsys.readouterr().err
    assert message.startswith("deploysim: error: ") and message.count("\n") == 1
    return message


def test_report_refuses_what_it_cannot_report_on_in_one_line(run_dir: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert "no such results directory" in _error(["report", str(tmp_path / "nowhere")], capsys)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    for name, change, expected in (("unfinished", {"complete": False}, "an unfinished run"),
                                   ("swept", {"kind": "sweep"}, "deploysim analyze")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps({**manifest, **change}))
        assert expected in _error(["report", str(folder)], capsys)


def test_run_and_compare_take_the_output_flags() -> None:
    parser = build_parser()
    for command in (["run", "a.yaml"], ["compare", "a.yaml", "b.yaml"]):
        args = parser.parse_args([*command, "--report", "--xlsx", "--format", "pdf"])
        assert (args.report, args.xlsx, args.chart_format) == (True, True, "pdf")
        assert parser.parse_args(command).chart_format == "png"
    with pytest.raises(UsageError, match="--format"):
        parser.parse_args(["run", "a.yaml", "--format", "jpg"])
