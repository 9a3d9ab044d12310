"""Every notebook in notebooks/ runs from top to bottom without an error, on small replication counts.

Convention for notebooks: knobs live in one code cell tagged ``parameters`` (the papermill convention).
The test inserts a cell right after it that overrides, among the names that cell assigns, REPS (small),
WORKERS (one process, no pool start-up) and OUT_DIR (a temporary directory), so the notebook stays
fast and writes nothing outside the test's temporary directory. Cells run with notebooks/ as the
working directory, as in Jupyter.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT_S = 300


def overrides(out_dir: Path) -> dict[str, object]:
    return {"REPS": 6, "WORKERS": 1, "OUT_DIR": str(out_dir)}


def assigned_names(source: str) -> set[str]:
    """Top-level names a cell assigns (``X = ...`` or ``X: int = ...``)."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def with_test_parameters(nb: nbformat.NotebookNode, out_dir: Path) -> nbformat.NotebookNode:
    """Insert an override cell after the ``parameters`` cell, for the names that cell defines."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            names = assigned_names(cell.source)
            chosen = {name: value for name, value in overrides(out_dir).items() if name in names}
            source = "\n".join(f"{name} = {value!r}" for name, value in chosen.items())
            injected = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
            nb.cells.insert(index + 1, injected)
            return nb
    return nb


def test_there_are_notebooks() -> None:
    assert any(path.name == "compare-scenarios.ipynb" for path in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_without_error(path: Path, tmp_path: Path) -> None:
    nb = with_test_parameters(nbformat.read(path, as_version=4), tmp_path)
    before = sorted(p.name for p in NOTEBOOK_DIR.iterdir())
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        pytest.fail(f"{path.name}: a cell raised:\n{exc}")
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: error outputs {errors}"
    assert sorted(p.name for p in NOTEBOOK_DIR.iterdir()) == before, f"{path.name} wrote into notebooks/"
    if path.name == "compare-scenarios.ipynb":
        check_compare_notebook(nb, tmp_path)


def check_compare_notebook(nb: nbformat.NotebookNode, out_dir: Path) -> None:
    """The comparison notebook ran small, shows its three charts and saved into OUT_DIR."""
    injected = [cell for cell in nb.cells if "injected-parameters" in cell.metadata.get("tags", [])]
    assert len(injected) == 1 and "REPS = 6" in injected[0].source
    images = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) >= 3  # the fan chart, the measure bars and the forest plot
    saved = out_dir / "kyrgyzstan-2010"
    assert (saved / "manifest.json").is_file() and (saved / "comparison.csv").is_file()
    assert {p.name for p in saved.glob("*.png")} == {"staffing.png", "measures.png", "differences.png"}
