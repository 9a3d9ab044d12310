"""Text from input never acts on the terminal: names, keys, file names and values that hold control
characters (an escape sequence that retitles the terminal and clears the screen) are echoed escaped
by every command, on stdout and stderr alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from deploysim.errors import printable

CliResult = tuple[int, str, str]
ATTACK = "\x1b]0;pwned\x07\x1b[2J"


def raw_controls(text: str) -> list[str]:
    """Control characters other than the line break: C0, DEL and C1."""
    return sorted({repr(ch) for ch in text if ch != "\n" and (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0)})


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=False), encoding="utf-8")  # escapes as "\e" in the YAML
    return path


def test_printable_escapes_every_control_character_and_keeps_line_breaks() -> None:
    text = f"a{ATTACK}b\x9b31m\x7f\r\tc\nnext\u202eline"
    shown = printable(text)
    assert raw_controls(shown) == []
    assert shown == "a\\x1b]0;pwned\\x07\\x1b[2Jb\\x9b31m\\x7f\\r\\tc\nnext\\u202eline"


def test_names_and_keys_with_escape_sequences_are_echoed_escaped(
    tmp_path: Path, run_cli: Callable[..., CliResult], minimal_scenario: dict[str, Any]
) -> None:
    hostile = dict(minimal_scenario, name=f"mission {ATTACK}")
    hostile["teams"] = [dict(minimal_scenario["teams"][0], name=f"team {ATTACK}")]
    hostile[f"key{ATTACK}"] = 1
    bad = _write(tmp_path / "hostile.yaml", hostile)
    for argv in (["validate", bad], ["run", bad, "--reps", "2", "--out", tmp_path / "out"]):
        code, out, err = run_cli(*argv)
        assert code == 2, err
        assert "Traceback" not in err
        assert raw_controls(out + err) == [], (argv[0], out, err)
        assert "\\x1b]0;pwned\\x07\\x1b[2J" in err  # shown, so the planner sees what the file holds


def test_a_file_name_with_escape_sequences_is_echoed_escaped_by_validate_and_run(
    tmp_path: Path, run_cli: Callable[..., CliResult], minimal_scenario: dict[str, Any]
) -> None:
    good = _write(tmp_path / f"plan{ATTACK}.yaml", dict(minimal_scenario, horizon="60 d"))
    code, out, err = run_cli("validate", good)
    assert code == 0, err
    assert raw_controls(out + err) == [] and "ok (" in out
    assert f"plan{printable(ATTACK)}.yaml: ok (" in out  # the file is named, escaped
    code, out, err = run_cli("run", good, "--reps", "2", "--workers", "1", "--out", tmp_path / "out")
    assert code == 0, err
    assert raw_controls(out + err) == [], (out, err)
    assert "minimal mission: 2 replications" in out and "Outcomes of the 2 runs" in out  # the summary table
