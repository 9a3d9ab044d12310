"""``deploysim diff A B`` and the line ``compare`` prints above its table: what each comparison is of."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from builders import SMALL_TWO_TEAMS, merge
from conftest import run_deploysim

from deploysim.cli import main

ROOT = Path(__file__).resolve().parents[2]
KYRGYZSTAN = ROOT / "scenarios" / "kyrgyzstan-2010.yaml"
CSI = ROOT / "scenarios" / "kyrgyzstan-csi-2010.yaml"


def write(directory: Path, name: str, data: dict) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_diff_lists_the_paths_and_exits_1_when_scenarios_differ() -> None:
    code, stdout, stderr = run_deploysim("diff", KYRGYZSTAN, CSI)
    assert code == 1, stderr
    lines = stdout.splitlines()
    assert lines[0] == f"{CSI} differs from {KYRGYZSTAN} in {len(lines) - 1} field(s):"
    assert "  consent.refusal_probability (0.3 -> 1)" in lines
    assert "  consent.time_to_decision (lognormal(45, 30) d -> triangular(40, 55, 70) d)" in lines
    assert "  expansions.PAG +50 (removed)" in lines
    assert "  phases.Community Security Initiative (added)" in lines
    assert stderr == ""


def test_diff_of_a_scenario_with_itself_respelt_is_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, "a", SMALL_TWO_TEAMS)
    respelt = merge(SMALL_TWO_TEAMS, {"recruitment": {
        "selection": {"dist": "triangular", "low": 1, "mode": 2, "high": 4, "unit": "w"},  # written 7, 14, 28 d
        "pre_deployment_training": "42 d",  # the default is 6 w
    }})
    b = write(tmp_path, "b", respelt)
    assert main(["diff", str(a), str(b)]) == 0
    assert capsys.readouterr().out == f"{a} and {b}: the same scenario\n"


def test_diff_of_an_invalid_file_is_one_line_with_status_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, "a", SMALL_TWO_TEAMS)
    bad = write(tmp_path, "bad", merge(SMALL_TWO_TEAMS, {"recruitment": {"roster": {"size": -1}}}))
    assert main(["diff", str(a), str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("deploysim: error: ") and "recruitment.roster.size" in captured.err
    assert len(captured.err.splitlines()) == 1


def test_compare_says_what_each_scenario_changes_above_its_table(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    base = write(tmp_path, "base", SMALL_TWO_TEAMS)
    roster = write(tmp_path, "roster", merge(SMALL_TWO_TEAMS, {"name": "with a roster",
                                                               "recruitment": {"roster": {"size": 2}}}))
    same = write(tmp_path, "same", merge(SMALL_TWO_TEAMS, {"name": "renamed only"}))
    code = main(["compare", str(base), str(roster), str(same), "--reps", "3", "--workers", "1",
                 "--out", str(tmp_path / "out")])
    assert code == 0
    out = capsys.readouterr().out
    said = [line for line in out.splitlines() if "differs from the baseline in:" in line]
    assert said == ["with a roster differs from the baseline in: recruitment.roster.size (0 -> 2)",
                    "renamed only differs from the baseline in: nothing"]
    assert out.index(said[-1]) < out.index("(baseline)")  # above the table
