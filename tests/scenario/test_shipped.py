"""Shipped scenarios are found by name, a path wins over a name, and a wrong name lists the right ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploysim.errors import ScenarioError, UsageError
from deploysim.scenario.init import write_copy
from deploysim.scenario.load import load_scenario
from deploysim.scenario.shipped import resolve_scenario, shipped_names, shipped_scenarios


def test_every_file_of_the_repository_scenarios_directory_is_shipped(repo_root: Path) -> None:
    assert shipped_names() == sorted(p.stem for p in (repo_root / "scenarios").glob("*.yaml"))
    assert "kyrgyzstan-2010" in shipped_names()


def test_a_name_resolves_to_the_shipped_file_and_loads(shipped_scenario: Path) -> None:
    assert resolve_scenario("kyrgyzstan-2010").read_bytes() == shipped_scenario.read_bytes()
    assert load_scenario("kyrgyzstan-2010").name == load_scenario(shipped_scenario).name


def test_an_existing_path_wins_over_a_shipped_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   minimal_scenario: dict[str, object]) -> None:
    import yaml

    (tmp_path / "kyrgyzstan-2010").write_text(yaml.safe_dump(minimal_scenario))
    monkeypatch.chdir(tmp_path)
    assert resolve_scenario("kyrgyzstan-2010") == Path("kyrgyzstan-2010")
    assert load_scenario("kyrgyzstan-2010").name == "minimal mission"


def test_an_unknown_name_lists_the_shipped_names_and_a_missing_path_stays_a_missing_file() -> None:
    with pytest.raises(ScenarioError) as caught:
        resolve_scenario("kyrgyzstan")
    assert "kyrgyzstan-2010" in str(caught.value) and "croatia-1998" in str(caught.value)
    with pytest.raises(ScenarioError, match=r"no such file$"):
        load_scenario("nowhere/missing.yaml")


def test_every_shipped_scenario_has_a_title_and_a_one_line_story() -> None:
    for scenario in shipped_scenarios():
        assert scenario.title and scenario.story and "\n" not in scenario.story, scenario.name


def test_init_writes_a_copy_with_the_schema_line_that_validates(tmp_path: Path, shipped_scenario: Path) -> None:
    target = tmp_path / "mine" / "mission.yaml"
    schema = write_copy("kyrgyzstan-2010", target)
    text = target.read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=scenario.schema.json"
    assert text.split("\n", 1)[1] == shipped_scenario.read_text()  # comments and sources kept verbatim
    assert schema == target.parent / "scenario.schema.json" and '"properties"' in schema.read_text()
    assert load_scenario(target).name == load_scenario(shipped_scenario).name


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "mission.yaml"
    target.write_text("my edits\n")
    with pytest.raises(UsageError, match="already exists"):
        write_copy("kyrgyzstan-2010", target)
    assert target.read_text() == "my edits\n"
    with pytest.raises(ScenarioError, match="shipped: "):
        write_copy("no-such-name", tmp_path / "other.yaml")
