"""One small run and one small comparison of the shipped scenarios, saved once per session, and their
reports: every test here reads them, none changes them."""

from __future__ import annotations

from pathlib import Path

import pytest

import deploysim

RUN_REPS = 24
COMPARE_REPS = 12
CSI_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "kyrgyzstan-csi-2010.yaml"


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory, shipped_scenario: Path) -> Path:
    out = tmp_path_factory.mktemp("report") / "run"
    deploysim.run(shipped_scenario, reps=RUN_REPS, seed=3, workers=1, out=out).save(out)
    return out


@pytest.fixture(scope="session")
def compare_dir(tmp_path_factory: pytest.TempPathFactory, shipped_scenario: Path) -> Path:
    out = tmp_path_factory.mktemp("report") / "compare"
    deploysim.compare([shipped_scenario, CSI_SCENARIO], reps=COMPARE_REPS, seed=3, workers=1, out=out).save(out)
    return out


@pytest.fixture(scope="session")
def run_report(run_dir: Path) -> Path:
    return deploysim.report(run_dir)


@pytest.fixture(scope="session")
def compare_report(compare_dir: Path) -> Path:
    return deploysim.report(compare_dir)
