"""The notebooks of ``notebooks/``, executed at docs build time so the site shows them with their outputs.

The notebooks are committed without outputs (outputs would go stale and bloat the history), so the
build runs them, each in its own kernel and at once, with ``notebooks/`` as the working directory,
as in Jupyter. Their own parameters are kept, so the outputs match what the prose around them says;
only ``OUT_DIR`` is pointed at a temporary directory, through a cell that is inserted after the cell
tagged ``parameters`` (the convention ``tests/test_notebooks.py`` relies on too) and removed again
before the page is rendered, so the page shows the notebook as a reader would run it. Nothing is
written into ``notebooks/``.

A cell that raises fails the build: a page showing a traceback is worse than no page.

``DEPLOYSIM_DOCS_NOTEBOOKS=skip`` renders the notebooks without running them, for quick local builds.
"""

from __future__ import annotations

import ast
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

CELL_TIMEOUT_S = 600
INJECTED_TAG = "docs-injected-parameters"


class NotebookError(RuntimeError):
    """A notebook that could not be executed for the docs."""


def execution_enabled() -> bool:
    return os.environ.get("DEPLOYSIM_DOCS_NOTEBOOKS", "execute").strip().lower() != "skip"


def _assigned(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def execute(source: Path, target: Path, out_dir: Path) -> Path:
    """Run ``source`` and write it with its outputs to ``target``; results the notebook saves go to ``out_dir``."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(source, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            if "OUT_DIR" in _assigned(cell.source):
                injected = nbformat.v4.new_code_cell(f"OUT_DIR = {str(out_dir)!r}", metadata={"tags": [INJECTED_TAG]})
                nb.cells.insert(index + 1, injected)
            break
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(source.parent)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        raise NotebookError(f"{source.name}: a cell raised:\n{exc}") from None
    nb.cells = [c for c in nb.cells if INJECTED_TAG not in c.metadata.get("tags", [])]
    _renumber(nb)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


def _renumber(nb: Any) -> None:
    """Execution counts 1, 2, 3, ... again once the inserted cell is gone."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.get("execution_count") is None:
            continue
        count += 1
        cell.execution_count = count
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output.execution_count = count


def start(sources: list[Path], work: Path) -> dict[str, Future[Path]]:
    """Start executing every notebook at once (each kernel is its own process); name -> future of its copy."""
    pool = ThreadPoolExecutor(max_workers=max(1, len(sources)), thread_name_prefix="docs-notebook")
    futures = {
        source.name: pool.submit(execute, source, work / "notebooks" / source.name, work / "out" / source.stem)
        for source in sources
    }
    pool.shutdown(wait=False)
    return futures
