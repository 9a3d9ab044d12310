"""Team coverage greys the days a team does not exist and stays readable at a hundred and fifty teams."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PatchCollection, QuadMesh
from matplotlib.figure import Figure

import deploysim
from deploysim.plots import coverage_heatmap, coverage_share, save_png
from deploysim.plots.coverage import NOT_EXISTING_LABEL, WORST_ROWS

ROOT = Path(__file__).resolve().parents[2]


def _mesh(fig: Figure) -> QuadMesh:
    return next(c for c in fig.axes[0].collections if isinstance(c, QuadMesh))


def _legend_texts(fig: Figure) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def _subtitle(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.axes[0].texts)


def _teams(n_teams: int, days: int = 60, reps: int = 4, seed: int = 0) -> pd.DataFrame:
    """A hand-built team table: team 0 abolished on day 30, the last team created on day 20, team 1 worst."""
    rng = np.random.default_rng(seed)
    names = [f"T{i:03d}" for i in range(n_teams)]
    base = np.linspace(0.95, 0.6, n_teams)
    base[1] = 0.1
    day = np.arange(days)[:, None]
    exists = np.ones((days, n_teams), dtype=bool)
    exists[30:, 0] = False
    exists[:20, -1] = False
    frames = []
    for r in range(reps):
        operational = (rng.random((days, n_teams)) < base) & exists
        frames.append(pd.DataFrame({
            "day": np.repeat(day[:, 0], n_teams),
            "date": np.repeat(pd.date_range("2030-01-01", periods=days).to_numpy(), n_teams),
            "team": pd.Categorical(np.tile(names, days), categories=names),
            "operational": operational.reshape(-1),
            "authorised": np.where(exists, 10, 0).reshape(-1),
            "replication": r,
        }))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def fyrom_teams() -> pd.DataFrame:
    scenario = deploysim.load_scenario(ROOT / "scenarios" / "fyrom-2001.yaml")
    runs = [deploysim.simulate(scenario, seed=1, replication=r, record_events=False) for r in range(3)]
    return pd.concat([r.teams.assign(replication=r.identity.replication) for r in runs], ignore_index=True)


def test_grey_cells_are_exactly_the_days_a_team_does_not_exist() -> None:
    teams = _teams(6)
    fig = coverage_heatmap(teams)
    greyed = np.ma.getmaskarray(_mesh(fig).get_array())
    exists = (teams.pivot_table(index="team", columns="date", values="authorised", aggfunc="max", observed=True) > 0)
    np.testing.assert_array_equal(greyed, ~exists.to_numpy())
    assert greyed[0, 30:].all() and not greyed[0, :30].any()
    assert greyed[-1, :20].all() and not greyed[-1, 20:].any()
    hatched = [c for c in fig.axes[0].collections if isinstance(c, PatchCollection) and c.get_gid() == "not-existing"]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == 2  # one stretch per absent team
    assert NOT_EXISTING_LABEL in _legend_texts(fig)


def test_an_abolished_team_is_not_painted_zero(fyrom_teams: pd.DataFrame, tmp_path: Path) -> None:
    """FYROM's phase change abolishes two adviser teams: their later days are grey, never a 0% share."""
    fig = coverage_heatmap(fyrom_teams)
    save_png(fig, tmp_path / "fyrom.png")
    values = _mesh(fig).get_array()
    share = coverage_share(fyrom_teams)
    gone = [i for i, team in enumerate(share.index) if share.loc[team].iloc[-1:].isna().all()]
    assert gone, "the phase abolishes some teams before the horizon"
    for row in gone:
        assert np.ma.getmaskarray(values)[row, -1]
    assert NOT_EXISTING_LABEL in _legend_texts(fig)


def test_a_table_with_every_team_throughout_has_no_grey_legend_entry() -> None:
    teams = _teams(4).assign(authorised=10)
    fig = coverage_heatmap(teams)
    assert not np.ma.getmaskarray(_mesh(fig).get_array()).any()
    assert NOT_EXISTING_LABEL not in _legend_texts(fig)


def test_150_teams_show_the_worst_rows_over_a_distribution_panel() -> None:
    teams = _teams(150)
    fig = coverage_heatmap(teams)
    values = _mesh(fig).get_array()
    assert values.shape[0] == WORST_ROWS
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    share = coverage_share(teams)
    worst = share.mean(axis=1).sort_values(kind="stable").index[:WORST_ROWS]
    assert labels == [str(t) for t in worst]
    assert labels[0] == "T001"  # the worst team first
    spread = [ax for ax in fig.axes if any(line.get_gid() == "spread:median" for line in ax.get_lines())]
    assert len(spread) == 1
    median = next(line for line in spread[0].get_lines() if line.get_gid() == "spread:median")
    np.testing.assert_allclose(np.asarray(median.get_ydata(), dtype=float), share.median(axis=0).to_numpy())
    subtitle = _subtitle(fig)
    assert f"{WORST_ROWS} of 150 teams" in subtitle and "lowest coverage" in subtitle


def test_a_few_teams_are_all_shown_without_a_distribution_panel() -> None:
    fig = coverage_heatmap(_teams(12))
    assert _mesh(fig).get_array().shape[0] == 12
    assert not any(line.get_gid() == "spread:median" for ax in fig.axes for line in ax.get_lines())
    assert "lowest coverage" not in _subtitle(fig)
