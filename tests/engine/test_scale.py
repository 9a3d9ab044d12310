"""The UN-sized stress scenario: it validates, and a one-month slice of it runs here."""

from __future__ import annotations

from pathlib import Path

from deploysim import load_scenario, simulate

LARGE = Path(__file__).resolve().parents[2] / "scenarios" / "large-mission.yaml"


def test_large_mission_validates_at_full_size() -> None:
    scenario = load_scenario(LARGE)
    assert scenario.authorised_posts == 15_000
    assert len(scenario.teams) == 150 and len({t.unit for t in scenario.teams}) == 150
    assert scenario.horizon_days == 1096  # 36 months


def test_one_month_slice_runs_with_every_team() -> None:
    scenario = load_scenario(LARGE).model_copy(update={"horizon": 30.0})
    result = simulate(scenario, seed=1, record_events=False)
    daily = result.daily
    assert len(daily) == 30
    assert (daily["authorised"] == 15_000).all()
    assert daily.loc[0, "filled"] > 14_900  # in place on day 0, bar a few whose tours end at once
    assert (daily["present"] < daily["filled"]).all()  # some are always on leave
    assert daily["teams_active"].eq(150).all()
    assert result.teams["team"].nunique() == 150
    assert result.summary["incidents"] > 0
    assert result.sim_events > 15_000
