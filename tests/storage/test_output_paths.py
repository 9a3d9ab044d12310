"""Output stays where it belongs: derived names are plain, and nothing is written through a symbolic link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deploysim.cli import main
from deploysim.errors import OutputError
from deploysim.storage.files import NAME_LIMIT, inside, plain_name, write_bytes

SCENARIO = """\
name: paths test
start_date: 2010-07-22
horizon: 2 months
mandate: {initial_length: 2 months}
units: [{name: North}]
teams:
  - {name: Team 1, unit: North, posts: {team_leader: 1, adviser: 2}, min_manning: {team_leader: 1, adviser: 1}}
"""


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SCENARIO)
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ("..", "run"), (".", "run"), ("...", "run"), ("", "run"), ("kyrgyzstan-2010", "kyrgyzstan-2010"),
    ("a/b\\c", "a-b-c"), (".hidden", "hidden"), ("\x1b]0;title\x07x", "0-title-x"), ("Ош 2010", "Ош-2010"),
    ("NUL", "_NUL"), ("a..b", "a..b"),
])
def test_plain_names_hold_no_separator_dot_or_control_character(text: str, expected: str) -> None:
    assert plain_name(text, "run") == expected
    assert len(plain_name("x" * 1000, "run")) == NAME_LIMIT


def test_a_file_named_dots_writes_into_out_not_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "...yaml").write_text(SCENARIO)
    monkeypatch.chdir(tmp_path)
    assert main(["run", "...yaml", "--reps", "2", "--workers", "1"]) == 0, capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["...yaml", "out"]
    assert (tmp_path / "out" / "run" / "manifest.json").is_file()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["run"]


def test_overwrite_never_follows_a_link_inside_out(scenario_file: Path, tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    command = ["run", str(scenario_file), "--reps", "2", "--workers", "1", "--out", str(out)]
    assert main(command) == 0
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep")
    (elsewhere / "summary.csv").write_text("theirs")
    os.rename(out / "runs", tmp_path / "old-runs")
    (out / "runs").symlink_to(elsewhere, target_is_directory=True)
    (out / "summary.csv").unlink()
    (out / "summary.csv").symlink_to(elsewhere / "summary.csv")
    assert main([*command, "--overwrite"]) == 0
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt", "summary.csv"]
    assert (elsewhere / "summary.csv").read_text() == "theirs"
    assert not (out / "runs").is_symlink() and list((out / "runs").glob("part-*.parquet"))
    assert not (out / "summary.csv").is_symlink()


def test_a_link_where_a_table_goes_is_refused_in_one_line(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "runs").symlink_to(elsewhere, target_is_directory=True)
    assert main(["run", str(scenario_file), "--reps", "2", "--workers", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "runs is a symbolic link" in err[0] and "--out" in err[0]
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["runs"]  # as it was found


def test_atomic_write_replaces_a_link_at_the_target_and_never_follows_it(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.txt"
    theirs.write_text("theirs")
    link = tmp_path / "out.txt"
    link.symlink_to(theirs)
    write_bytes(link, b"ours")
    assert theirs.read_text() == "theirs"
    assert not link.is_symlink() and link.read_text() == "ours"


@pytest.mark.parametrize("name", ["..", ".", "a/b", "", "x\0y"])
def test_inside_refuses_names_that_leave_the_directory(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputError, match="not a plain file name"):
        inside(tmp_path, "runs", name)


def test_analyze_refuses_an_analysis_folder_that_is_a_link(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, elsewhere = tmp_path / "sweep", tmp_path / "elsewhere"
    assert main(["sweep", str(scenario_file), "--set", "recruitment.roster.size=0,2", "--reps", "2", "--workers",
                 "1", "--out", str(out)]) == 0
    elsewhere.mkdir()
    (out / "analysis").symlink_to(elsewhere, target_is_directory=True)
    capsys.readouterr()
    assert main(["analyze", str(out), "--no-plots"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "analysis is a symbolic link" in err[0]
    assert list(elsewhere.iterdir()) == []
