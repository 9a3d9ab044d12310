"""Scenario, team and phase names are drawn as written: a ``$`` never starts mathematics (``$x^$`` would
raise when drawn, ``$\\alpha$`` would turn into a Greek letter), and a very long name is cut with an
ellipsis instead of squeezing the chart."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest
from matplotlib import cbook
from matplotlib.figure import Figure
from matplotlib.text import Text

import deploysim
from deploysim.plots import coverage_heatmap, mandate_timeline, staffing_fan
from deploysim.plots.style import MAX_NAME_CHARS, name_text
from deploysim.scenario.load import validate_scenario

ALPHA = "$\\alpha$ team"
BROKEN = "$x^$ unit"  # not valid mathematics: drawn as mathtext, it raises
SCENARIO = "$\\beta$ mission"
LONG = "L" * 5_000


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    """Two replications of a two-team scenario whose names hold dollars, over a short horizon."""
    data: dict[str, Any] = {
        "name": SCENARIO, "start_date": "2010-07-22", "horizon": "40 d", "mandate": {"initial_length": "4 months"},
        "units": [{"name": "U1"}, {"name": BROKEN}],
        "teams": [
            {"name": ALPHA, "unit": "U1", "posts": {"adviser": 2}, "min_manning": {"adviser": 1}},
            {"name": BROKEN, "unit": BROKEN, "posts": {"adviser": 1}},
        ],
    }
    result = deploysim.run(validate_scenario(data, "names.yaml"), reps=2, workers=1)
    return {"daily": result.daily, "teams": result.teams, "events": result.events}


def _renamed(frame: pd.DataFrame, column: str, old: str, new: str) -> pd.DataFrame:
    out = frame.copy()
    out[column] = out[column].astype(object).replace(old, new)
    return out


def _figures(tables: dict[str, pd.DataFrame], scenario: str, team: str) -> list[Figure]:
    daily = _renamed(tables["daily"], "scenario", SCENARIO, scenario)
    teams = _renamed(_renamed(tables["teams"], "scenario", SCENARIO, scenario), "team", ALPHA, team)
    events = tables["events"]
    if "scenario" in events:
        events = _renamed(events, "scenario", SCENARIO, scenario)
    return [staffing_fan(daily), coverage_heatmap(teams), mandate_timeline(daily, events)]


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _shown(text: str) -> str:
    """What matplotlib draws for a text that is not mathematics: escaped dollars as dollars."""
    assert not cbook.is_math_text(text), f"{text!r} would be drawn as mathematics"
    return text.replace("\\$", "$")


def test_names_with_dollars_are_drawn_as_typed(tables: dict[str, pd.DataFrame]) -> None:
    for fig in _figures(tables, SCENARIO, ALPHA):
        fig.savefig(io.BytesIO(), format="png")  # draws every text: raises if any is read as mathematics
        shown = [_shown(t) for t in _texts(fig)]
        assert any(SCENARIO in s for s in shown), shown  # the title names the scenario as written
    coverage = _figures(tables, SCENARIO, ALPHA)[1]
    labels = [_shown(t.get_text()) for t in coverage.axes[0].get_yticklabels()]
    assert ALPHA in labels and BROKEN in labels


def test_a_5000_character_name_is_cut_and_the_chart_keeps_its_size(tables: dict[str, pd.DataFrame]) -> None:
    for fig in _figures(tables, LONG, LONG):
        width, height = fig.get_size_inches()
        fig.savefig(io.BytesIO(), format="png")
        bbox = fig.get_tightbbox()
        assert bbox.width <= 1.5 * width and bbox.height <= 1.5 * height, (bbox, width, height)
        long_texts = [t for t in _texts(fig) if "LLLL" in t]
        assert long_texts, "the long name was not drawn at all"
        for text in long_texts:
            run = max(len(part) for part in text.split(" "))
            assert run <= MAX_NAME_CHARS and "\u2026" in text, text[:100]


def test_name_text_escapes_after_cutting() -> None:
    assert name_text("$" * 100).endswith("\u2026") and not cbook.is_math_text(name_text("$" * 100))
    assert name_text("a$b$c") == "a\\$b\\$c" and name_text("plain") == "plain"
    assert len(name_text("x" * 61)) == MAX_NAME_CHARS
