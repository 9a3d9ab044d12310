"""Comparison charts render to PNG with the axes, units and legend entries a planner reads."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import SMALL_TWO_TEAMS
from matplotlib.dates import ConciseDateFormatter
from matplotlib.figure import Figure

from deploysim import Scenario, compare
from deploysim.errors import ComparisonError
from deploysim.experiments.comparison import Comparison
from deploysim.plots.compare import mandate_end_days, median_mandate_end, scenario_fans
from deploysim.plots.measure_panels import difference_forest, measure_bars
from deploysim.plots.output import save_png
from deploysim.results.measures import KEY_MEASURES, measure_label

SMALL = SMALL_TWO_TEAMS
PNG = b"\x89PNG\r\n\x1a\n"


def variant(name: str, **changes: object) -> Scenario:
    data = {**SMALL, "name": name, **changes}
    return Scenario.model_validate(data)


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    roster = variant("With a roster", recruitment={**SMALL["recruitment"], "roster": {"size": 4}})
    bigger = variant("Bigger teams", teams=[{**team, "posts": {"team_leader": 1, "adviser": 6}}
                                            for team in SMALL["teams"]])
    return compare([variant("As planned"), roster, bigger], reps=6, seed=2, workers=1)


def legend_texts(fig: Figure) -> list[str]:
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]
    return [text.get_text() for legend in legends for text in legend.get_texts()]


def rendered(fig: Figure, path: Path) -> Path:
    save_png(fig, path)
    assert path.read_bytes()[:8] == PNG and path.stat().st_size > 10_000
    return path


def test_overlaid_fans_share_one_calendar_axis(comparison: Comparison, tmp_path: Path) -> None:
    fig = comparison.plot_staffing()
    rendered(fig, tmp_path / "fans.png")
    ax, strip = fig.axes
    assert strip.get_xlabel() == "date" and ax.get_ylabel() == "posts"
    assert isinstance(strip.xaxis.get_major_formatter(), ConciseDateFormatter)
    assert ax.get_title(loc="left") == "Filled: 3 scenarios compared"
    medians = {line.get_gid() for line in ax.get_lines() if (line.get_gid() or "").startswith("median:")}
    assert medians == {f"median:{label}" for label in comparison.labels}
    legend = legend_texts(fig)
    assert set(comparison.labels) <= set(legend)
    assert "middle 50% (25th to 75th percentile)" in legend
    # "Bigger teams" has more posts, so each scenario draws its own authorised line
    assert "Authorised, median (dashed, in each scenario's colour)" in legend
    # every four-month mandate ends on 21 Nov 2010: one marker per scenario there, and the date written once
    assert "Mandate end, median replication (dotted, in each scenario's colour)" in legend
    gids = {line.get_gid() or "": line for line in ax.get_lines()}
    ends = {gid: line.get_xdata()[0] for gid, line in gids.items() if gid.startswith("mandate-end")}
    assert ends == {f"mandate-end:{label}": pd.Timestamp("2010-11-21") for label in comparison.labels}
    assert [t.get_text() for t in ax.texts if t.get_gid() == "mandate-end-date"] == ["21 Nov 2010"]
    assert {f"authorised:{label}" for label in comparison.labels} <= set(gids)


def test_fans_of_scenarios_with_one_authorised_level_draw_it_once(comparison: Comparison) -> None:
    fig = scenario_fans(comparison.daily, "filled", comparison.labels[:2])
    legend = legend_texts(fig)
    assert "Authorised, median (all scenarios)" in legend
    assert not any(text.startswith("Authorised, median (dashed") for text in legend)


def test_fans_refuse_different_start_dates(comparison: Comparison) -> None:
    daily = comparison.daily.copy()
    later = daily["scenario"] == comparison.labels[1]
    daily.loc[later, "date"] = daily.loc[later, "date"] + pd.Timedelta(days=10)
    with pytest.raises(ValueError, match=r"scenarios start on different dates .*2010-07-22.*2010-08-01"):
        scenario_fans(daily, "filled", comparison.labels)


def test_compare_refuses_different_start_dates_before_simulating() -> None:
    with pytest.raises(ComparisonError, match="'Late' starts 2010-09-01") as caught:
        compare([variant("Early"), variant("Late", start_date="2010-09-01")], reps=1000, workers=1)
    assert "\n" not in str(caught.value)


def test_mandate_end_is_the_median_first_inactive_day() -> None:
    days = np.arange(10)
    frames = [
        pd.DataFrame({"replication": r, "day": days, "mandate_active": days < end})
        for r, end in enumerate((5, 7, 99))
    ]
    daily = pd.concat(frames, ignore_index=True)
    assert mandate_end_days(daily).tolist()[:2] == [5.0, 7.0] and math.isnan(mandate_end_days(daily).iloc[2])
    assert median_mandate_end(daily) == 7.0  # "never" counts as later than any day
    never = daily.assign(mandate_active=daily["replication"] != 0)
    assert median_mandate_end(never) != median_mandate_end(never)  # most never end: no marker (NaN)


def test_measure_bars_have_one_panel_per_measure_with_units_and_ci(comparison: Comparison, tmp_path: Path) -> None:
    fig = comparison.plot_measures()
    rendered(fig, tmp_path / "bars.png")
    assert [ax.get_title(loc="left") for ax in fig.axes] == [measure_label(m) for m in KEY_MEASURES]
    by_title = {ax.get_title(loc="left"): ax for ax in fig.axes}
    assert by_title["Total cost"].get_xlabel() == "EUR"
    assert by_title[measure_label("ioc_day")].get_xlabel() == "days from start"
    assert sorted(legend_texts(fig)) == sorted([*comparison.labels, "95% confidence interval of the mean"])
    bars = by_title[measure_label("mean_fill")].patches
    assert len(bars) == len(comparison.labels)
    summary = comparison.summary().query("measure == 'mean_fill'")
    assert [bar.get_width() for bar in bars] == pytest.approx(summary["estimate"].tolist())


def test_forest_marks_differences_whose_interval_excludes_zero(comparison: Comparison, tmp_path: Path) -> None:
    measures = ["ioc_day", "mean_fill", "total_cost"]
    fig = comparison.plot_differences(measures)
    rendered(fig, tmp_path / "forest.png")
    assert len(fig.axes) == len(measures)
    baseline = comparison.baseline
    legend = legend_texts(fig)
    assert {f"{label} minus {baseline}" for label in comparison.labels[1:]} <= set(legend)
    assert "95% CI excludes zero (a real difference)" in legend
    assert "95% CI includes zero (could be noise)" in legend
    table = comparison.differences(measures)
    for ax, measure in zip(fig.axes, measures, strict=True):
        assert ax.get_xlabel().startswith("difference, ")
        zero_lines = [line for line in ax.get_lines() if list(line.get_xdata()) == [0, 0]]
        assert zero_lines, f"{measure}: no zero line"
        left, right = ax.get_xlim()
        assert left < 0 < right
        for row in table[table["measure"] == measure].itertuples():
            (point,) = [line for line in ax.get_lines() if line.get_gid() == f"diff:{measure}:{row.scenario}"]
            hollow = point.get_markerfacecolor() == "white"
            assert hollow == (not row.excludes_zero)


def test_plots_name_what_is_missing() -> None:
    with pytest.raises(ValueError, match="missing required column"):
        scenario_fans(pd.DataFrame({"scenario": ["A"], "date": ["2010-07-22"]}), "filled")
    summary = pd.DataFrame({"scenario": ["A"], "measure": ["mean_fill"], "estimate": [0.5], "ci_low": [0.4],
                            "ci_high": [0.6], "n": [5]})
    with pytest.raises(ValueError, match="measure\\(s\\) foc_day not in the table"):
        measure_bars(summary, ["foc_day"])
    with pytest.raises(ValueError, match="missing required column"):
        difference_forest(summary)


# -- small multiples against the baseline, and cost axes written for reading ------------------------------------


def _tick_texts(fig: Figure, ax) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in ax.get_yticklabels() if t.get_text()]


def test_small_multiples_have_one_panel_per_scenario_with_the_baseline_behind(
    comparison: Comparison, tmp_path: Path
) -> None:
    from deploysim.plots import scenario_fans_grid

    fig = scenario_fans_grid(comparison.daily, "filled", comparison.labels)
    rendered(fig, tmp_path / "grid.png")
    baseline, *others = comparison.labels
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in panels] == others
    for ax, name in zip(panels, others, strict=True):
        gids = {line.get_gid() for line in ax.get_lines()}
        assert {f"baseline:{baseline}", f"median:{name}"} <= gids
        assert not any(gid == f"median:{other}" for other in others if other != name for gid in gids)
    assert panels[0].get_shared_y_axes().joined(panels[0], panels[1])
    assert panels[0].get_shared_x_axes().joined(panels[0], panels[1])
    assert f"Baseline: {baseline} (grey)" in legend_texts(fig)


def test_small_multiples_need_a_baseline_and_another_scenario(comparison: Comparison) -> None:
    from deploysim.plots import scenario_fans_grid

    with pytest.raises(ValueError, match="at least two scenarios"):
        scenario_fans_grid(comparison.daily, "filled", comparison.labels[:1])


def test_cost_axes_read_in_thousands_or_millions(comparison: Comparison) -> None:
    from deploysim.plots import scenario_fans_grid

    for fig in (scenario_fans(comparison.daily, "cost_to_date", comparison.labels),
                scenario_fans_grid(comparison.daily, "cost_to_date", comparison.labels)):
        ax = fig.axes[0]
        labels = _tick_texts(fig, ax)
        assert labels and all("e+" not in label and "e-" not in label for label in labels), labels
        assert any(label.endswith(("M", "k")) for label in labels), labels
        assert not ax.yaxis.get_offset_text().get_text(), "no '1e6' offset above the axis"


def test_cost_labels_name_the_currency_and_never_use_exponents(comparison: Comparison) -> None:
    from deploysim.plots._format import format_value

    assert format_value("total_cost", 4.51e6, "EUR") == "EUR 4.51M"
    assert format_value("total_cost", 45_100.0) == "45.1k"
    assert format_value("mean_fill", 0.5, "EUR") == "50.0%"
    fig = comparison.plot_measures(["total_cost"])
    fig.canvas.draw()
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts if t.get_text().strip()]
    assert texts and all(t.startswith(f"{comparison.currency} ") for t in texts if "not reached" not in t), texts
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert all("e+" not in t for t in ticks) and any(t.endswith(("M", "k")) for t in ticks), ticks
