"""``select`` on deploysim scenarios: a constructed answer, the same answer everywhere, resume and no answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from builders import BASE, merge

from deploysim.cli import main
from deploysim.experiments.selection import parse_requirement, plan_selection, select

# One team of four posts; a pre-cleared roster person arrives 10-50 days after call-up, everyone else goes
# through call, selection and training (about 80 days). So FOC (90% of posts filled) by day 60 comes in
# every run whose roster covers all four posts and in none that does not: the cheapest plan that meets
# the requirement is roster 4 (plan 1), and roster 3 (plan 0) is cheaper but fails it.
ROSTER: dict[str, Any] = merge(BASE, {"horizon": "70 d", "mandate": {"initial_length": "70 d"},
                                      "recruitment": {"roster": {"size": 0, "call_up": "uniform(10, 50) d"}}})
LEVERS = ["recruitment.roster.size=3,4,5"]
REQUIRE = ["P(foc_day<=60)>=0.7"]
FAST = {"delta": 1000.0, "tolerance": 0.2, "n0": 10, "plot": False}


def test_the_constructed_answer_is_selected_in_at_least_95_percent_of_seeds() -> None:
    """20 seeds (a few seconds): the answer's guarantee is 0.95 and the plans here are far apart, so
    anything short of 19 of 20 would mean the procedure is wrong, not unlucky."""
    chosen = [select(ROSTER, LEVERS, REQUIRE, workers=1, seed=seed, **FAST).selected for seed in range(20)]
    assert sum(c == 1 for c in chosen) >= 19


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["runtime_s"], errors="ignore").reset_index(drop=True)


def test_one_and_two_workers_give_the_same_selection_and_tables(tmp_path: Path) -> None:
    one = select(ROSTER, [*LEVERS, "teams.*.posts.adviser=3,4"], REQUIRE, workers=1, out=tmp_path / "one", **FAST)
    two = select(ROSTER, [*LEVERS, "teams.*.posts.adviser=3,4"], REQUIRE, workers=2, out=tmp_path / "two", **FAST)
    assert one.selected == two.selected == 2  # roster 4 with 3 advisers: plans are roster x advisers
    pd.testing.assert_frame_equal(one.table, two.table)
    pd.testing.assert_frame_equal(_comparable(one.runs), _comparable(two.runs))
    stored = pd.read_csv(tmp_path / "one" / "plans.csv")
    assert list(stored["verdict"]) == list(one.table["verdict"])
    assert (tmp_path / "one" / "plans.parquet").is_file()
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text())
    assert manifest["kind"] == "select" and manifest["complete"] and manifest["selected"] == 2
    assert manifest["sentence"] == one.sentence


def test_the_sentence_states_the_guarantee_and_the_table_the_verdicts() -> None:
    result = select(ROSTER, LEVERS, REQUIRE, workers=1, **FAST)
    assert result.sentence == (
        "With probability at least 0.95, plan 1 (recruitment.roster.size=4) meets P(FOC by day 60) >= 0.70 - 0.20 "
        "and costs within EUR 1,000 of the cheapest plan with P(FOC by day 60) >= 0.70 + 0.20."
    )
    verdicts = dict(zip(result.table["plan"], result.table["verdict"], strict=True))
    assert verdicts == {0: "infeasible", 1: "selected", 2: "eliminated"}
    row = result.table.set_index("plan").loc[1]
    assert row["P(foc_day<=60)_low"] <= row["P(foc_day<=60)"] <= row["P(foc_day<=60)_high"]
    assert row["mcb_low"] <= 0 <= row["mcb_high"]
    # replications are numbered on across stages: each plan holds 0..n-1 exactly once
    for plan, group in result.runs.groupby("point"):
        assert sorted(group["replication"]) == list(range(int(result.table.set_index("plan").loc[plan,
                                                                                               "replications"])))


def test_resume_reads_the_stored_runs_instead_of_running_them(tmp_path: Path) -> None:
    first = select(ROSTER, LEVERS, REQUIRE, workers=1, out=tmp_path / "o", **FAST)
    again = select(ROSTER, LEVERS, REQUIRE, workers=1, out=tmp_path / "o", resume=True, **FAST)
    assert again.ran == 0 and again.reused == first.ran
    pd.testing.assert_frame_equal(first.table, again.table)
    with pytest.raises(Exception, match="differs from the one stored there in requirements"):
        select(ROSTER, LEVERS, ["P(foc_day<=60)>=0.6"], workers=1, out=tmp_path / "o", resume=True, **FAST)


def test_when_no_plan_can_meet_the_target_it_says_so_with_the_best_and_the_lever() -> None:
    result = select(ROSTER, ["recruitment.roster.size=0,2,3"], REQUIRE, workers=1, **FAST)
    assert result.selected is None
    assert result.sentence.startswith("No plan meets P(FOC by day 60) >= 0.70 (tolerance 0.20): the best is 0.00")
    assert "recruitment.roster.size" in result.sentence
    assert set(result.table["verdict"]) == {"infeasible"}


def test_the_chart_marks_the_selected_plan(tmp_path: Path) -> None:
    result = select(ROSTER, LEVERS, REQUIRE, workers=1, out=tmp_path / "o", **{**FAST, "plot": True})
    figure = result.figure()
    assert any(text.get_text() == "plan 1" for text in figure.axes[0].texts)
    assert (tmp_path / "o" / "selection.png").stat().st_size > 10_000


def test_the_command_prints_the_table_and_the_guarantee(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text(json.dumps(ROSTER))
    code = main(["select", str(path), "--lever", LEVERS[0], "--require", REQUIRE[0], "--delta", "1000",
                 "--tolerance", "0.2", "--n0", "10", "--workers", "1", "--out", str(tmp_path / "o")])
    captured = capsys.readouterr()
    out = captured.out
    assert code == 0
    assert "roster: stage 1, 30 runs" in captured.err  # three plans x n0 = 10, then a line per stage
    assert "With probability at least 0.95, plan 1" in out
    assert "infeasible" in out and "selected" in out


@pytest.mark.parametrize(("flags", "message"), [
    (["--require", "P(foc_day<=60)>=1.5"], "--require 'P(foc_day<=60)>=1.5': the probability '1.5' must lie"),
    (["--require", "foc_day<=60"], "--require 'foc_day<=60': expected P(MILESTONE<=DAY)>=PROBABILITY"),
    (["--minimise", "mean_fill"], "--minimise/--maximise 'mean_fill' is not a per-run amount to optimise"),
    (["--lever", "teams.*.posts.nope=1,2"], "teams.0.posts"),
    (["--lever", "recruitment.roster.size=4:2:1"], "--lever recruitment.roster.size=4:2:1: lo must be below hi"),
    (["--lever", "teams.*.posts.adviser=0.5:2"], "lo:hi without a step takes whole numbers only; give a step"),
    (["--require", "mean(mean_fill)>=0.8"], "mean_fill is a ratio of totals across runs (filled_post_days / "),
    (["--require", "mean(foc_day)<=100"], "foc_day may never come in a run, so it has no mean"),
    (["--require", "mean(total_cost)<=1e5"], "give --tolerance-for total_cost=X"),
    (["--require", "mean(total_cost)<=1e5", "--tolerance-for", "total_cost=1e4", "--tolerance-for", "person_days=3"],
     "person_days: no mean(person_days) requirement uses it"),
    (["--require", "mean(nope)<=1"], "'nope' is not a measure"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str],
                                          message: str) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text(json.dumps(ROSTER))
    code = main(["select", str(path), "--lever", LEVERS[0], *flags, "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert message in err[0]


def test_requirement_parsing() -> None:
    requirement = parse_requirement("P( foc_day<=150 ) >= 0.9")
    assert str(requirement) == "P(foc_day<=150)>=0.9" and requirement.wording() == "P(FOC by day 150)"


def test_a_budget_that_runs_out_chooses_nothing_and_says_there_is_no_guarantee() -> None:
    result = select(ROSTER, LEVERS, REQUIRE, workers=1, **{**FAST, "max_reps": 10})
    assert result.selected is None and not result.guaranteed
    assert result.sentence.startswith("No plan chosen, and no guarantee: the budget of 10 replications per plan")
    assert "undecided" in set(result.table["verdict"])


def test_an_output_directory_in_use_is_refused_unless_resumed(tmp_path: Path) -> None:
    select(ROSTER, LEVERS, REQUIRE, workers=1, out=tmp_path / "o", **FAST)
    with pytest.raises(Exception, match="already holds results; pass resume=True"):
        select(ROSTER, LEVERS, REQUIRE, workers=1, out=tmp_path / "o", **FAST)


def test_the_issue_lever_without_a_step_makes_a_plan_per_whole_number() -> None:
    """``teams.*.posts.adviser=4:8`` (the issue's own example) is five plans, 4 to 8 advisers in every team."""
    plan = plan_selection(ROSTER, ["teams.*.posts.adviser=4:8"], REQUIRE)
    assert list(plan.design.points["teams.*.posts.adviser"]) == [4, 5, 6, 7, 8]
    assert [s.teams[0].posts["adviser"] for s in plan.scenarios.values()] == [4, 5, 6, 7, 8]


def test_a_mean_constraint_selects_the_cheapest_plan_whose_mean_meets_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Roster 3 delivers about 113 person-days (sd 16), rosters 4 and 5 about 153: with mean(person_days) >= 130
    and a tolerance of 10, roster 3 is 17 below (infeasible) and roster 4 the cheapest that meets it."""
    path = tmp_path / "roster.yaml"
    path.write_text(json.dumps(ROSTER))
    code = main(["select", str(path), "--lever", LEVERS[0], "--require", "mean(person_days)>=130",
                 "--tolerance-for", "person_days=10", "--delta", "1000", "--n0", "10", "--workers", "1",
                 "--out", str(tmp_path / "o")])
    out = capsys.readouterr().out
    assert code == 0
    assert ("plan 1 (recruitment.roster.size=4) meets mean person-days delivered >= 130 - 10.0 and costs within "
            "EUR 1,000 of the cheapest plan with mean person-days delivered >= 130 + 10.0") in out
    table = pd.read_csv(tmp_path / "o" / "plans.csv").set_index("plan")
    assert table.loc[0, "verdict"] == "infeasible" and table.loc[1, "verdict"] == "selected"
    assert table.loc[0, "mean(person_days)_high"] < 130  # its interval lies below the bound


def test_screening_first_selects_the_same_plan_and_says_what_it_screened_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With --screen-above 2 the three plans are screened on n0 = 10 runs: roster 3 never reaches FOC by day
    60 (0 of 10: the exact upper bound at level 0.05/3/4 is 0.42, below 0.9 + 0.2), so it goes as infeasible;
    rosters 4 and 5 go on to the procedure on replications 10 onwards, which picks roster 4 as without."""
    path = tmp_path / "roster.yaml"
    path.write_text(json.dumps(ROSTER))
    flags = ["select", str(path), "--lever", LEVERS[0], "--require", REQUIRE[0], "--delta", "1000", "--tolerance",
             "0.2", "--n0", "10", "--workers", "1"]
    assert main([*flags, "--out", str(tmp_path / "plain")]) == 0
    assert main([*flags, "--screen-above", "2", "--out", str(tmp_path / "screened")]) == 0
    out = capsys.readouterr().out
    plain = json.loads((tmp_path / "plain" / "manifest.json").read_text())
    screened = json.loads((tmp_path / "screened" / "manifest.json").read_text())
    assert plain["selected"] == screened["selected"] == 1
    assert "A search phase screened out 1 of 3 plans on their first 10 replications (1 as clearly failing" in out
    table = pd.read_csv(tmp_path / "screened" / "plans.csv").set_index("plan")
    assert table.loc[0, "verdict"] == "screened out" and table.loc[0, "screened"] == "infeasible"
    assert table.loc[0, "replications"] == 10 and table.loc[1, "replications"] > 10
    runs = pd.read_parquet(tmp_path / "screened" / "runs")
    assert sorted(runs.loc[runs["point"] == 0, "replication"]) == list(range(10))  # screened: no more runs


def test_a_screened_selection_resumes_from_its_stored_runs(tmp_path: Path) -> None:
    """The screen's runs and the procedure's fresh ones are both stored by replication range, so a resume
    reads every one back and reaches the same table without a new run."""
    first = select(ROSTER, LEVERS, REQUIRE, workers=1, screen_above=2, out=tmp_path / "o", **FAST)
    again = select(ROSTER, LEVERS, REQUIRE, workers=1, screen_above=2, out=tmp_path / "o", resume=True, **FAST)
    assert again.ran == 0 and again.reused == first.ran
    pd.testing.assert_frame_equal(first.table, again.table)
