"""``validate`` lists every problem of a file, one line each with file, field path and line; the
commands that would run a scenario stop on it with one line: the first problem and a count of the rest."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from deploysim.errors import ScenarioError
from deploysim.scenario.load import load_scenario

CliResult = tuple[int, str, str]

THREE_MISTAKES = """\
name: three mistakes
start_date: 2010-07-22
horizon: 6 months
mandate: {initial_length: 4 months}
tuor: {length: 6 months}
recruitment:
  selection: 6 weks
units: [{name: U1}]
teams:
  - name: T1
    unit: U1
    posts: {adviser: seven}
"""
EXPECTED = [
    (5, "tuor", "unknown key 'tuor'; did you mean 'tour'?"),
    (7, "recruitment.selection", "unknown time unit 'weks'"),
    (12, "teams.0.posts.adviser", "expected a whole number, got 'seven'"),
]


def test_validate_lists_every_problem_with_file_field_and_line(
    tmp_path: Path, run_cli: Callable[..., CliResult], minimal_scenario: dict[str, object]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(THREE_MISTAKES)
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(minimal_scenario))
    code, out, err = run_cli("validate", bad, good)
    assert code == 2
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == len(EXPECTED), err
    for got, (line, field, message) in zip(lines, EXPECTED, strict=True):  # in the file's order
        assert got.startswith(f"deploysim: error: {bad}:{line}: {field}: "), got
        assert message in got and "more problem" not in got, got
    assert out.startswith(f"{good}: ok (")  # the other file is still checked


def test_run_stops_with_the_first_problem_and_a_count_of_the_rest(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(THREE_MISTAKES)
    code, out, err = run_cli("run", bad, "--reps", "1", "--out", tmp_path / "out")
    assert code == 2 and out == ""
    line, field, message = EXPECTED[0]
    assert err.splitlines() == [f"deploysim: error: {bad}:{line}: {field}: {message} (and 2 more problems)"]
    assert not (tmp_path / "out").exists()


def test_every_problem_survives_a_process_boundary(tmp_path: Path) -> None:
    """A sweep's workers send errors back pickled: the list of problems comes along."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(THREE_MISTAKES)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(bad)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert str(copy) == str(caught.value)
    assert [str(p) for p in copy.each()] == [str(p) for p in caught.value.each()]
    assert len(copy.each()) == len(EXPECTED)
