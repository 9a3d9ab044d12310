"""The wheel carries every package and the shipped scenarios, so ``pip install deploysim`` can run them by name."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO_ROOT), "--no-deps", "-q", "-w", str(out)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"pip wheel failed: {proc.stderr.strip().splitlines()[-3:]}"
    return zipfile.ZipFile(next(out.glob("deploysim-*.whl")))


def test_the_wheel_holds_every_shipped_scenario(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for scenario in (REPO_ROOT / "scenarios").glob("*.yaml"):
        assert f"deploysim/scenarios/{scenario.name}" in names, scenario.name


def test_the_wheel_holds_every_package_of_the_source_tree(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    source = REPO_ROOT / "src"
    for module in source.rglob("*.py"):
        assert module.relative_to(source).as_posix() in names, module
