"""Sweep charts name measures as planners read them, with units on the axes, not by their column names."""

from __future__ import annotations

import matplotlib.colors
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

import deploysim.plots
from deploysim.plots import measure_vs_parameter, parameter_heatmap, sensitivity_bars
from deploysim.plots._format import format_value, is_share
from deploysim.plots.style import MUTED_COLOUR
from deploysim.results.measures import measure_label, measure_unit
from deploysim.results.readings import NOISY, NOT_LINEAR


def levels(measure: str, values: list[float], parameter: str = "recruitment.roster.size") -> pd.DataFrame:
    mean = np.asarray(values, dtype=float)
    return pd.DataFrame({"parameter": parameter, "level": [0, 2, 4][: len(values)], "measure": measure,
                         "mean": mean, "ci_low": mean * 0.9, "ci_high": mean * 1.1, "n": 8})


def test_level_chart_titles_the_measure_and_puts_its_unit_on_the_axis() -> None:
    fig = measure_vs_parameter(levels("foc_day", [80.0, 75.0, 60.0]))
    ax = fig.axes[0]
    assert ax.get_ylabel() == measure_unit("foc_day") == "days from start"
    assert ax.get_title(loc="left").replace("\n", " ") == f"{measure_label('foc_day')} by recruitment.roster.size"
    fig.canvas.draw()
    assert all(float(t.get_text().replace("\u2212", "-")).is_integer() for t in ax.get_xticklabels() if t.get_text())


def test_shares_read_as_percentages() -> None:
    ax = measure_vs_parameter(levels("mean_fill", [0.1, 0.5, 0.9])).axes[0]
    assert ax.get_ylabel() == measure_unit("mean_fill") == "share of post-days filled"
    assert isinstance(ax.yaxis.get_major_formatter(), PercentFormatter)
    table = pd.DataFrame([[0.25, 0.5], [0.75, 1.0]], index=pd.Index([0, 4], name="recruitment.roster.size"),
                         columns=pd.Index([7, 42], name="mediators.training"))
    table.attrs["measure"] = "mean_fill"
    heat = parameter_heatmap(table)
    assert heat.axes[0].get_title(loc="left").startswith(measure_label("mean_fill"))
    assert {t.get_text() for t in heat.axes[0].texts} >= {"25.0%", "100.0%"}
    assert heat.axes[1].get_ylabel() == measure_unit("mean_fill")


def test_sensitivity_bars_name_the_measure_in_words() -> None:
    indices = pd.DataFrame({"measure": "total_cost", "parameter": ["a", "b"], "method": "src", "SRC": [0.8, -0.1],
                            "ci_low": [0.7, -0.2], "ci_high": [0.9, 0.0], "r2": 0.7})
    assert sensitivity_bars(indices).axes[0].get_title(loc="left") == "Total cost: what moves it"


def subtitle(fig: Figure) -> str:
    return " ".join(t.get_text() for t in fig.axes[0].texts).replace("\n", " ")


def test_regression_bars_are_grey_and_say_why_when_the_fit_is_not_linear() -> None:
    indices = pd.DataFrame({"measure": "foc_day", "parameter": ["a", "dummy"], "method": "src", "SRC": [0.8, -0.1],
                            "ci_low": [0.7, -0.2], "ci_high": [0.9, 0.0], "r2": 0.3, "noise_share": 0.8})
    grey = sensitivity_bars(indices)
    colours = {tuple(np.round(p.get_facecolor()[:3], 3)) for p in grey.axes[0].patches}
    assert colours == {tuple(np.round(matplotlib.colors.to_rgb(MUTED_COLOUR), 3))}
    assert NOT_LINEAR in subtitle(grey) and "R\u00b2 = 0.30" in subtitle(grey)
    assert "Replication noise: 80%" in subtitle(grey) and NOISY in subtitle(grey)
    assert [t.get_text() for t in grey.axes[0].get_yticklabels()] == ["dummy (inert)", "a"]
    linear = sensitivity_bars(indices.assign(r2=0.9, noise_share=0.1))
    assert len({p.get_facecolor() for p in linear.axes[0].patches}) == 2  # up and down colours
    assert NOT_LINEAR not in subtitle(linear) and NOISY not in subtitle(linear)


def test_targets_read_as_probabilities_of_the_milestone_by_the_day() -> None:
    assert measure_label("P(foc_day<=200)") == f"P({measure_label('foc_day')} by day 200)"
    assert measure_label("P(foc_day<=2011-03-01)").endswith("by 2011-03-01)")
    assert measure_unit("P(foc_day<=200)") == "share of runs" and is_share("P(foc_day<=200)")
    assert measure_label("P(nope<=3)") == "P(nope<=3)"


def test_values_never_print_in_exponent_notation() -> None:
    assert [format_value("total_cost", v) for v in (999.6, 9452.0, -6581.2, 12345.0)] == [
        "1,000", "9,452", "-6,581", "12.3k"]


def test_every_chart_is_exported_and_returns_a_figure() -> None:
    charts = ["staffing_fan", "staffing_by_outcome", "coverage_heatmap", "mandate_timeline", "cadet_progress",
              "phase_share", "scenario_fans", "measure_bars", "difference_forest", "measure_vs_parameter",
              "parameter_heatmap", "sensitivity_bars"]
    for name in charts:
        assert name in deploysim.plots.__all__
        assert getattr(deploysim.plots, name).__annotations__["return"] in ("Figure", Figure)
