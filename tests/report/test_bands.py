"""The numbers behind the fan and coverage charts: columns, quantiles in order, over the runs still active."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deploysim.stats.bands import BAND_COLUMNS, monotone, staffing_quantiles, team_coverage
from deploysim.storage.directory import load_results


@pytest.fixture(scope="module")
def stored_daily(run_dir: Path) -> pd.DataFrame:
    return load_results(run_dir).daily


def test_staffing_quantiles_have_the_fan_chart_s_columns_and_rising_quantiles(stored_daily: pd.DataFrame) -> None:
    table = staffing_quantiles(stored_daily)
    assert tuple(table.columns) == BAND_COLUMNS
    assert tuple(pd.unique(table["series"])) == ("authorised", "filled", "present")
    assert len(table) == 3 * stored_daily["date"].nunique()
    assert monotone(table)
    assert (table["runs_active"] <= table["runs"]).all() and (table["runs"] == 24).all()


def test_the_quantiles_of_a_day_are_over_the_runs_still_active(stored_daily: pd.DataFrame) -> None:
    table = staffing_quantiles(stored_daily)
    filled = table[table["series"] == "filled"].set_index("day")
    some_closed = filled[(filled["runs_active"] > 3) & (filled["runs_active"] < filled["runs"])]
    assert not some_closed.empty, "the fixture should have runs that closed before the horizon"
    day = int(some_closed.index[0])
    rows = stored_daily[(stored_daily["day"] == day) & stored_daily["mission_active"]]
    assert filled.loc[day, "p50"] == pytest.approx(float(np.quantile(rows["filled"], 0.5)))
    assert filled.loc[day, "p95"] == pytest.approx(float(np.quantile(rows["filled"], 0.95)))


def test_a_day_with_no_active_run_keeps_its_row_with_empty_quantiles() -> None:
    daily = pd.DataFrame({"scenario": "s", "replication": [0, 1, 0, 1], "day": [0, 0, 1, 1],
                          "date": pd.to_datetime(["2020-01-01"] * 2 + ["2020-01-02"] * 2),
                          "authorised": 5, "filled": [1, 3, 0, 0], "present": [1, 2, 0, 0],
                          "mission_active": [True, True, False, False]})
    table = staffing_quantiles(daily)
    second = table[(table["day"] == 1) & (table["series"] == "filled")].iloc[0]
    assert second["runs"] == 2 and second["runs_active"] == 0 and np.isnan(second["p50"])
    first = table[(table["day"] == 0) & (table["series"] == "filled")].iloc[0]
    assert first["p50"] == 2.0 and monotone(table)


def test_team_coverage_is_a_share_of_runs_by_team_and_date_in_the_scenario_s_team_order(run_dir: Path) -> None:
    teams = load_results(run_dir).teams
    table = team_coverage(teams)
    assert list(table.columns) == ["scenario", "team", "date", "day", "runs", "share_operational"]
    assert table["share_operational"].between(0, 1).all()
    order = list(pd.unique(table["team"]))
    assert (order[0], order[-1]) == ("Team 1 Osh city", "Headquarters")
    assert len(table) == teams.groupby(["team", "date"], observed=True).ngroups
