"""Names from a scenario file reach CSV files and the workbook as text: a cell a spreadsheet would run
as a formula is neutralised (OWASP: a leading ``'`` in CSV; a string cell in the workbook), and numbers
stay numbers."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import deploysim
from deploysim.scenario.load import validate_scenario
from deploysim.storage.files import neutralise_formula, write_csv

FORMULAS = ["=1+2", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")", "-", "+inf"]
PLAIN = ["plain", "-3.5", "+4", "1e3", "-.5e-2", "a=b", "", "team 1"]


def test_formula_like_text_is_prefixed_and_everything_else_is_left_alone() -> None:
    assert [neutralise_formula(v) for v in FORMULAS] == [f"'{v}" for v in FORMULAS]
    assert [neutralise_formula(v) for v in PLAIN] == PLAIN
    assert neutralise_formula(-3.5) == -3.5 and neutralise_formula(None) is None


def test_a_csv_read_back_holds_text_where_a_formula_was_and_numbers_where_numbers_were(tmp_path: Path) -> None:
    texts = FORMULAS + PLAIN
    frame = pd.DataFrame({
        "name": texts,
        "kind": pd.Categorical(["=cat"] + ["ok"] * (len(texts) - 1)),
        "value": [-3.5 + i for i in range(len(texts))],
        "count": range(len(texts)),
        "=header": ["x"] * len(texts),
    })
    path = write_csv(frame, tmp_path / "t.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["name", "kind", "value", "count", "'=header"]
    assert [r[0] for r in rows[1:]] == [f"'{v}" for v in FORMULAS] + PLAIN
    assert rows[1][1] == "'=cat" and rows[2][1] == "ok"
    back = pd.read_csv(path, keep_default_na=False)
    assert back["value"].tolist() == frame["value"].tolist()  # numbers, negative ones too, stay numbers
    assert back["count"].tolist() == list(range(len(texts)))
    assert frame["name"].tolist() == texts  # the caller's frame is not changed


@pytest.fixture(scope="module")
def formula_named_run(minimal_scenario_module: dict[str, Any]) -> Any:
    data = dict(minimal_scenario_module, name="=HYPERLINK(\"http://x\",\"click\")", horizon="30 d")
    data["teams"] = [dict(data["teams"][0], name="@team")]
    scenario = validate_scenario(data, "formula.yaml")
    return deploysim.run(scenario, reps=2, workers=1)


@pytest.fixture(scope="module")
def minimal_scenario_module() -> dict[str, Any]:
    return {
        "name": "m", "start_date": "2010-07-22", "horizon": "30 d", "mandate": {"initial_length": "4 months"},
        "units": [{"name": "U1"}],
        "teams": [{"name": "T1", "unit": "U1", "posts": {"adviser": 2}, "min_manning": {"adviser": 1}}],
    }


def test_every_csv_a_run_writes_shows_a_formula_name_as_text(formula_named_run: Any, tmp_path: Path) -> None:
    written = formula_named_run.save(tmp_path / "out")
    csvs = [p for p in written if p.suffix == ".csv"]
    assert len(csvs) >= 3
    for path in csvs:
        with path.open(newline="", encoding="utf-8") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert not [c for c in cells if c.startswith(("=", "@"))], path.name
        if "scenario" in cells[:5]:
            assert "'=HYPERLINK(\"http://x\",\"click\")" in cells, path.name


def test_the_workbook_stores_a_formula_name_as_a_string(formula_named_run: Any, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from deploysim.reporting.workbook import write_workbook

    path = write_workbook(formula_named_run, tmp_path / "results.xlsx")
    book = openpyxl.load_workbook(path)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    named = [c for c in cells if c.value == "=HYPERLINK(\"http://x\",\"click\")"]
    assert named and all(c.data_type == "s" for c in named)  # shown as typed, never run
    assert not [c for c in cells if c.data_type == "f"]
    teams = [c for c in cells if c.value == "@team"]
    assert teams and all(c.data_type == "s" for c in teams)
