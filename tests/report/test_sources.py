"""Sources and assumptions read from a scenario file's comments, and when the report trusts the file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from deploysim.reporting.sources import read_annotations, split_comment
from deploysim.reporting.stored import open_experiment
from deploysim.reporting.story import CHANGED, FOUND, MISSING, scenario_story

TEXT = """\
# A mission, as planned.
#
# Sources:
#   [DEC/1]  Decision No. 1: forty officers
#            for six months.
#   [A]      an assumption.

name: test
description: >
  A text with: a colon that is not a key.
horizon: 12 months        # [A] long enough
mandate:
  initial_length: 6 months  # [DEC/1]
# 40 officers [DEC/1] in two teams [A]
teams:
  - &team
    name: Team 1
    posts: {adviser: 20}    # [A] half of the 40
  - {<<: *team, name: Team 2}
  - name: "Team #3"
    mediators: 1            # [seed: one each; split A]
"""


def test_the_legend_is_read_with_its_continuation_lines() -> None:
    notes = read_annotations(TEXT)
    assert notes.intro == "A mission, as planned. Sources:"
    assert [(s.tag, s.text) for s in notes.legend] == [("DEC/1", "Decision No. 1: forty officers for six months."),
                                                       ("A", "an assumption.")]


def test_every_tagged_line_is_cited_by_its_set_path_with_list_items_by_name() -> None:
    cited = {c.path: c for c in read_annotations(TEXT).citations}
    assert list(cited) == ["horizon", "mandate.initial_length", "teams", "teams.Team 1.posts",
                           "teams.Team #3.mediators"]
    assert cited["horizon"].value == "12 months" and cited["horizon"].note == "long enough"
    assert cited["mandate.initial_length"].basis == "source"
    assert cited["teams"].basis == "source and assumption"  # the comment line above the key
    assert cited["teams.Team 1.posts"].basis == "assumption"
    assert cited["teams.Team #3.mediators"].basis == "source and assumption"  # the seed source, split assumed
    assert cited["teams.Team 1.posts"].value == "{adviser: 20}"


def test_a_hash_inside_quotes_does_not_start_a_comment() -> None:
    assert split_comment('  name: "Team #3"   # [A] x') == ('  name: "Team #3"', "[A] x")
    assert split_comment("value: a#b") == ("value: a#b", "")


def test_the_shipped_scenario_names_its_basis_for_most_numbers(shipped_scenario: Path) -> None:
    notes = read_annotations(shipped_scenario.read_text())
    assert len(notes.legend) == 7 and len(notes.citations) == 67
    assert {c.path for c in notes.sourced} >= {"start_date", "mandate.initial_length", "costs.default_daily"}


def test_the_file_is_used_only_while_it_gives_the_scenario_that_ran(run_dir: Path, tmp_path: Path,
                                                                    shipped_scenario: Path) -> None:
    experiment = open_experiment(run_dir)
    label = experiment.labels[0]
    assert scenario_story(experiment, label).status == FOUND
    edited = tmp_path / "edited.yaml"
    edited.write_text(shipped_scenario.read_text().replace("refusal_probability: 0.3", "refusal_probability: 0.4"))
    manifest = {**experiment.manifest, "scenarios": {label: {**experiment.manifest["scenarios"][label],
                                                             "file": str(edited)}}}
    story = scenario_story(dataclasses.replace(experiment, manifest=manifest), label)
    assert story.status == CHANGED and story.annotations is None
    assert story.text.startswith("name: Kyrgyzstan PAG 2010 (as planned)")  # the stored definition as YAML
    gone = {**manifest, "scenarios": {label: {**manifest["scenarios"][label], "file": str(tmp_path / "gone.yaml")}}}
    assert scenario_story(dataclasses.replace(experiment, manifest=gone), label).status == MISSING
    built = {**manifest, "scenarios": {label: {**manifest["scenarios"][label], "file": None}}}
    story = scenario_story(dataclasses.replace(experiment, manifest=built), label)
    assert (story.status, story.file, story.annotations) == (MISSING, None, None)
