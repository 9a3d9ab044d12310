"""Bad input: every mistake in a scenario file or a flag is one line on stderr naming the file, the
field path and the YAML line, exit status 2, no traceback; results already written are never lost.

Most cases call ``deploysim.cli.main`` in-process (fast); a representative few run ``python -m
deploysim`` as a subprocess to prove the real exit status and the absence of a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploysim.cli import main
from deploysim.scenario.yaml_file import MAX_FILE_BYTES
from deploysim.storage.directory import load_results

# pydantic's and PyYAML's own wording, which means nothing to a planner.
JARGON = (
    "Input should",
    "validation error",
    "pydantic",
    "type=",
    "Value error",
    "<unicode string>",
    "function-after",
    "[key]",
    "instance of",
)

BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)


@dataclass(frozen=True)
class Case:
    """A bad file: ``build(shipped_text, minimal_dict)`` gives its content (None: no file at all).

    ``marker`` is text on the offending line; the expected line number is looked up in the content
    actually written, so the test asserts the real line of the fixture. ``field`` is the dotted path.
    """

    id: str
    build: Callable[[str, dict[str, Any]], str | bytes | None]
    message: str
    field: str | None = None
    marker: str | None = None
    column: int | None = None  # for a problem with one character: its column on the marker's line


def edit(old: str, new: str) -> Callable[[str, dict[str, Any]], str]:
    def build(text: str, _: dict[str, Any]) -> str:
        assert old in text, f"the shipped scenario no longer contains {old!r}; update this test"
        return text.replace(old, new, 1)

    return build


def dumped(**changes: Any) -> Callable[[str, dict[str, Any]], str]:
    def build(_: str, data: dict[str, Any]) -> str:
        return yaml.safe_dump({**data, **changes}, sort_keys=False)

    return build


def literal(content: str | bytes | None) -> Callable[[str, dict[str, Any]], str | bytes | None]:
    return lambda _text, _data: content


CASES = [
    Case("malformed-yaml", edit("  selection: triangular", "\tselection: triangular"), "malformed YAML", None, "\t"),
    Case("empty-file", literal(""), "the file is empty; a scenario needs at least name, start_date"),
    Case("only-comments", literal("# nothing yet\n"), "the file is empty"),
    Case("missing-file", literal(None), "no such file"),
    Case(
        "unknown-nested-key",
        edit("  selection: triangular", "  selecton: triangular"),
        "unknown key 'selecton'; did you mean 'selection'?",
        "recruitment.selecton",
        "selecton:",
    ),
    Case("unknown-top-key", edit("\nleave:\n", "\nleaves:\n"), "did you mean 'leave'?", "leaves", "leaves:"),
    Case(
        "wrong-type-number",
        edit("readvertise_probability: 0.43", "readvertise_probability: often"),
        "expected a number, got 'often'",
        "recruitment.readvertise_probability",
        "readvertise_probability: often",
    ),
    Case(
        "wrong-type-mapping",
        dumped(recruitment="fast"),
        "expected a mapping of fields",
        "recruitment",
        "recruitment: fast",
    ),
    Case(
        "wrong-type-in-anchor",
        edit("posts: {team_leader: 1, adviser: 7}", "posts: {team_leader: 1, adviser: seven}"),
        "expected a whole number, got 'seven'",
        "teams.0.posts.adviser",
        "adviser: seven",
    ),
    Case(
        "wrong-type-date",
        edit("start_date: 2010-07-22", "start_date: 22 July 2010"),
        "expected a date such as 2010-07-22, got '22 July 2010'",
        "start_date",
        "start_date:",
    ),
    Case(
        "invalid-date",
        edit("start_date: 2010-07-22", "start_date: 2010-02-30"),
        "cannot read '2010-02-30': day is out of range for month",
        "start_date",
        "start_date:",
    ),
    Case(
        "negative-duration",
        edit("  induction: 5 d", "  induction: -5 d"),
        "a duration cannot be negative, got '-5 d'",
        "recruitment.induction",
        "induction: -5 d",
    ),
    Case(
        "negative-parameter",
        edit("  travel: uniform(2, 5) d", "  travel: uniform(-2, 5) d"),
        "low must be at least 0, got -2",
        "recruitment.travel",
        "travel: uniform(-2, 5) d",
    ),
    Case(
        "zero-tour-length",
        edit("  length: 12 months", "  length: 0"),
        "a duration must be greater than zero, got 0 days",
        "tour.length",
        "  length: 0",
    ),
    Case(
        "zero-mandate",
        edit("initial_length: 4 months", "initial_length: 0 months"),
        "must be greater than 0, got 0",
        "mandate.initial_length",
        "initial_length: 0 months",
    ),
    Case(
        "infinite-duration",
        edit("  length: 12 months", "  length: .inf"),
        "a duration must be a finite number, got inf",
        "tour.length",
        "length: .inf",
    ),
    Case(
        "probability-above-one",
        edit("extension_probability: 0.3", "extension_probability: 1.3"),
        "must be at most 1, got 1.3",
        "tour.extension_probability",
        "extension_probability: 1.3",
    ),
    Case(
        "probability-below-zero",
        edit("certification_yield: 0.55", "certification_yield: -0.2"),
        "must be at least 0, got -0.2",
        "mediators.certification_yield",
        "certification_yield: -0.2",
    ),
    Case(
        "team-unit-does-not-exist",
        edit("unit: Kara-Suu district police}", "unit: Karasuu police}"),
        "team 'Team 3 Kara-Suu' points at unit 'Karasuu police', which is not among units (",
        "teams.2.unit",
        "Karasuu police}",
    ),
    Case(
        "min-manning-above-posts",
        edit("min_manning: {head_of_group: 1}", "min_manning: {head_of_group: 2}"),
        "team 'Headquarters' needs 2 head_of_group present but has only 1",
        "teams.6.min_manning.head_of_group",
        "min_manning: {head_of_group: 2}",
    ),
    Case(
        "min-manning-above-posts-in-anchor",
        edit("min_manning: {team_leader: 1, adviser: 3}", "min_manning: {team_leader: 1, adviser: 9}"),
        "needs 9 adviser present but has only 7",
        "teams.0.min_manning.adviser",
        "adviser: 9}",
    ),
    Case(
        "key-written-twice",
        edit("\nrepatriation:\n", "\ntour:   # again\n  length: 6 months\nrepatriation:\n"),
        "key 'tour' is written twice (first on line",
        "tour",
        "# again",
    ),
    Case("alias-bomb", literal(BILLION_LAUGHS), "this looks like an alias bomb"),
    Case("recursive-alias", literal("name: &n [a, *n]\n"), "an alias refers to a structure that contains it"),
    Case("deep-nesting", literal("name: " + "[" * 100 + "]" * 100 + "\n"), "nesting deeper than", None, "name:"),
    Case(
        "python-tag",
        lambda text, _: text + "\nx: !!python/object/apply:os.system ['echo pwned']\n",
        "scenario files hold plain data only",
        "x",
        "!!python",
    ),
    Case("huge-file", lambda text, _: text + "#" * MAX_FILE_BYTES + "\n", "larger than the 1,000,000 allowed"),
    Case("top-level-list", literal("- name: a\n- name: b\n"), "must be a mapping of fields", None, "- name: a"),
    Case("top-level-scalar", literal("just a title\n"), "must be a mapping of fields", None, "just a title"),
    Case("not-utf8", literal(b"name: caf\xe9\n"), "is not UTF-8 text (byte 0xE9)", None, "caf", 10),
    Case(
        "control-character",
        edit("  induction: 5 d", "  induction: 5\x07 d"),
        "character U+0007 (a control or non-printable character) is not allowed in YAML",
        None,
        "induction: 5",
        15,
    ),
    Case("nul-character", literal("name: a\x00b\n"), "character U+0000", None, "name: a", 8),
    Case("non-character", literal("name: mission\n# \ufffe\n"), "character U+FFFE", None, "# ", 3),
    Case("utf-16", literal("name: mission\n".encode("utf-16")), "is not UTF-8 text (UTF-16 text)", None, None),
]


def write_case(case: Case, directory: Path, shipped_text: str, minimal: dict[str, Any]) -> tuple[Path, str | None]:
    """Write the bad file; return its path and where the message must point: the 1-based line of its
    marker, and the column after a colon for a problem with one character (None: no line expected)."""
    path = directory / f"{case.id}.yaml"
    content = case.build(shipped_text, minimal)
    if content is None:
        return path, None
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    if case.marker is None:
        return path, None
    text = content.decode(errors="replace") if isinstance(content, bytes) else content
    lines = [i for i, line in enumerate(text.split("\n"), start=1) if case.marker in line]
    assert len(lines) == 1, f"marker {case.marker!r} is on lines {lines}; make it unique"
    return path, f"{lines[0]}" if case.column is None else f"{lines[0]}:{case.column}"


def assert_one_clear_line(
    err: str, path: Path, line: int | str | None, field: str | None, message: str, *, listed: bool = False
) -> str:
    """The message is one line; ``listed`` (validate): the first of one line per problem, each naming the file."""
    assert "Traceback" not in err
    lines = err.splitlines()
    if listed:
        assert lines and all(other.startswith(f"deploysim: error: {path}") for other in lines), err
        lines = lines[:1]
    assert len(lines) == 1, err
    (only,) = lines
    where = f"{path}:{line}" if line is not None else f"{path}"
    prefix = f"deploysim: error: {where}: " + (f"{field}: " if field else "")
    assert only.startswith(prefix), f"{only!r} does not start with {prefix!r}"
    assert message in only
    for jargon in JARGON:
        assert jargon not in only, f"{jargon!r} in {only!r}"
    return only


@pytest.fixture(scope="module")
def shipped_text(shipped_scenario: Path) -> str:
    return shipped_scenario.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_file_is_one_clear_line_and_exit_2(
    case: Case,
    tmp_path: Path,
    shipped_text: str,
    minimal_scenario: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, line = write_case(case, tmp_path, shipped_text, minimal_scenario)
    out_dir = tmp_path / "out"
    for argv in (["validate", str(path)], ["run", str(path), "--reps", "2", "--out", str(out_dir)]):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 2, argv
        assert out == ""
        assert_one_clear_line(err, path, line, case.field, case.message, listed=argv[0] == "validate")
    assert not out_dir.exists()  # nothing is written for a scenario that does not validate


def test_unclosed_bracket_names_where_it_was_opened(
    tmp_path: Path, shipped_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = edit("  roster: {size: 0}", "  roster: {size: 0")(shipped_text, {})
    path = tmp_path / "unclosed.yaml"
    path.write_text(text)
    lines = text.splitlines()
    opened = next(i for i, line in enumerate(lines, start=1) if "roster: {size: 0" in line)
    # PyYAML notices at the next token: the first non-blank, non-comment line after the bracket.
    noticed = next(i for i, line in enumerate(lines, start=1) if i > opened and line.strip() and line[0] != "#")
    assert main(["validate", str(path)]) == 2
    only = assert_one_clear_line(capsys.readouterr().err, path, noticed, None, "malformed YAML: expected ',' or '}'")
    assert only.endswith(f"(while parsing a flow mapping started on line {opened})")


def test_directory_instead_of_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path)]) == 2
    assert_one_clear_line(capsys.readouterr().err, tmp_path, None, None, "is a directory, not a scenario file")


def test_missing_required_field_is_named(
    tmp_path: Path, minimal_scenario: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    del minimal_scenario["mandate"]
    path = tmp_path / "no-mandate.yaml"
    path.write_text(yaml.safe_dump(minimal_scenario, sort_keys=False))
    assert main(["validate", str(path)]) == 2
    assert_one_clear_line(capsys.readouterr().err, path, 1, "mandate", "required field is missing")


def test_validate_reports_each_bad_file_and_passes_good_ones(
    tmp_path: Path, shipped_scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    assert main(["validate", str(shipped_scenario), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out.startswith(f"{shipped_scenario}: ok (Kyrgyzstan PAG 2010")
    assert_one_clear_line(err, bad, 2, None, "malformed YAML")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "{scenario}", "--reps", "0"], "argument --reps: '0' must be at least 1"),
        (["run", "{scenario}", "--reps", "many"], "argument --reps: 'many' is not a whole number"),
        (["run", "{scenario}", "--workers", "-1"], "argument --workers: '-1' must be at least 1"),
        (["run", "{scenario}", "--seed", "-3"], "argument --seed: '-3' must be zero or more"),
        (["run", "{scenario}", "--bogus"], "unrecognized arguments: --bogus"),
        (["validate"], "the following arguments are required: FILE"),
        (["simulate"], "invalid choice: 'simulate'"),
    ],
)
def test_bad_flags_are_one_line_and_exit_2(
    argv: list[str], message: str, shipped_scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([a.format(scenario=shipped_scenario) for a in argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("deploysim: error: ")
    assert message in err


# --- the real thing, as a subprocess: exit status and no traceback ------------------------------------


def test_every_bad_file_through_the_real_validate_command(
    tmp_path: Path, shipped_text: str, minimal_scenario: dict[str, Any], run_cli: Callable[..., Any]
) -> None:
    """One process validates every bad file: its lines (one per problem) file by file, in order, and exit
    status 2 (a single process keeps this fast; each file's first line is checked as in the in-process test)."""
    written = [(case, *write_case(case, tmp_path, shipped_text, minimal_scenario)) for case in CASES]
    code, out, err = run_cli("validate", *(path for _, path, _ in written))
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    firsts = []
    for case, path, line in written:
        mine = [got for got in lines if got.startswith(f"deploysim: error: {path}")]
        assert mine, f"no line for {case.id}: {err}"
        firsts.append(mine[0])
        assert_one_clear_line("\n".join(mine) + "\n", path, line, case.field, case.message, listed=True)
    assert [got for got in lines if got in firsts] == firsts  # file by file, in the order given
    assert len(lines) >= len(CASES)


def test_bad_file_through_the_real_run_command(
    tmp_path: Path, shipped_text: str, minimal_scenario: dict[str, Any], run_cli: Callable[..., Any]
) -> None:
    case = next(c for c in CASES if c.id == "malformed-yaml")
    path, line = write_case(case, tmp_path, shipped_text, minimal_scenario)
    code, out, err = run_cli("run", path, "--reps", "2", "--out", tmp_path / "out")
    assert code == 2
    assert out == ""
    assert_one_clear_line(err, path, line, case.field, case.message)
    assert not (tmp_path / "out").exists()


# --- nothing already written is lost -----------------------------------------------------------------


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_existing_results_are_kept_unless_overwrite(
    tmp_path: Path,
    shipped_scenario: Path,
    run_cli: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "results"
    tiny = ["--reps", "2", "--workers", "1", "--out", str(out)]
    assert main(["run", str(shipped_scenario), "--seed", "1", *tiny]) == 0
    capsys.readouterr()
    before = _snapshot(out)
    assert "manifest.json" in before
    assert any(name.startswith("runs/part-") for name in before)

    # The real command refuses, in one line naming the directory and the way out, and touches nothing.
    code, stdout, err = run_cli("run", shipped_scenario, "--seed", "2", *tiny)
    assert code == 2
    assert stdout == ""
    assert "Traceback" not in err
    assert err.splitlines() == [
        f"deploysim: error: --out {out}: already holds results; choose another directory or pass --overwrite"
    ]
    assert _snapshot(out) == before

    # A bad scenario with --overwrite fails before anything is removed.
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    assert main(["run", str(bad), "--overwrite", *tiny]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
    assert _snapshot(out) == before

    # With --overwrite the old tables are replaced, not mixed with the new ones.
    assert main(["run", str(shipped_scenario), "--seed", "2", "--overwrite", *tiny]) == 0
    capsys.readouterr()
    assert json.loads((out / "manifest.json").read_text())["root_seed"] == 2
    runs = load_results(out).runs
    assert sorted(runs["replication"]) == [0, 1]


def test_out_that_is_a_file_is_refused_and_kept(
    tmp_path: Path, shipped_scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("my notes")
    assert main(["run", str(shipped_scenario), "--reps", "2", "--workers", "1", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [f"deploysim: error: --out {target}: exists and is not a directory"]
    assert target.read_text() == "my notes"
