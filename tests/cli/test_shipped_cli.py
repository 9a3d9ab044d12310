"""A first session needs no scenario file: list the shipped ones, run one by name, copy one to edit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

CliResult = tuple[int, str, str]


def test_scenarios_lists_every_shipped_name_with_its_title(run_cli: Callable[..., CliResult]) -> None:
    code, out, err = run_cli("scenarios")
    assert code == 0, err
    assert "kyrgyzstan-2010" in out and "Kyrgyzstan PAG 2010 (as planned)" in out and "large-mission" in out


def test_validate_and_run_accept_a_shipped_name_from_any_directory(run_cli: Callable[..., CliResult],
                                                                   tmp_path: Path) -> None:
    code, out, err = run_cli("validate", "kyrgyzstan-2010", cwd=tmp_path)
    assert code == 0 and "kyrgyzstan-2010: ok" in out, err
    code, out, err = run_cli("run", "fyrom-2001", "--reps", "2", "--workers", "1", cwd=tmp_path)
    assert code == 0, err
    assert (tmp_path / "out" / "fyrom-2001" / "summary.csv").is_file()


def test_an_unknown_name_is_one_line_listing_the_shipped_names(run_cli: Callable[..., CliResult],
                                                               tmp_path: Path) -> None:
    code, _, err = run_cli("run", "kyrgyzstan", cwd=tmp_path)
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines() == [err.strip()] and "shipped: croatia-1998, eumm-georgia-2008, fyrom-2001" in err


def test_init_writes_an_editable_copy_once(run_cli: Callable[..., CliResult], tmp_path: Path) -> None:
    code, _, err = run_cli("init", "mission.yaml", "--from", "croatia-1998", cwd=tmp_path)
    assert code == 0, err
    assert (tmp_path / "mission.yaml").read_text().startswith("# yaml-language-server: $schema=scenario.schema.json\n")
    assert run_cli("validate", "mission.yaml", cwd=tmp_path)[0] == 0
    code, _, err = run_cli("init", "mission.yaml", "--from", "croatia-1998", cwd=tmp_path)
    assert code == 2 and "already exists" in err
