"""`deploysim run` end to end, as a planner runs it: a subprocess, tables on disk, plots, provenance."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest

from deploysim import load_results

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "kyrgyzstan-2010.yaml"
VARYING = ["runtime_s"]  # wall-clock time is the only column allowed to differ between identical runs


def _run(out: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deploysim", "run", str(SCENARIO), "--reps", "12", "--out", str(out), *flags],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    base = tmp_path_factory.mktemp("run")
    out = {}
    for label, flags in {"w1": ("--workers", "1"), "w2": ("--workers", "2"), "seed7": ("--seed", "7")}.items():
        out[label] = (base / label, _run(base / label, *flags))
    return out


def test_run_prints_a_summary_with_confidence_intervals(runs: dict) -> None:
    _, done = runs["w1"]
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Kyrgyzstan PAG 2010 (as planned): 12 replications, seed 0")
    sections = [line.split()[0] for line in lines if line and not line.startswith(" ")]
    assert sections[1:] == ["Outcomes", "Milestones", "Targets", "Measures", *["wrote"] * 4, "tables"]
    outcomes = lines[lines.index(next(line for line in lines if line.startswith("Outcomes"))) + 1:]
    counted = sum(int(line.split()[-4]) for line in outcomes[: outcomes.index("")])
    assert counted == 12, "every run falls in exactly one outcome class"
    ioc = next(line for line in lines if line.strip().startswith("IOC (first team operational)"))
    assert "%" in ioc and "2010-" in ioc, "P(reached) and the median date of IOC"
    targets = [line for line in lines if line.strip().startswith("P(")]
    assert any("IOC" in line and "by day 121, 2010-11-20" in line for line in targets), "IOC by the first mandate's end"
    assert any("FOC" in line and "by day 121" in line for line in targets), "FOC by the end of the first mandate"
    cost = next(line for line in lines if line.strip().startswith("Cost per delivered person-month"))
    assert "EUR" in cost and "ratio of totals" in cost and "median run" in cost
    fill = next(line for line in lines if line.strip().startswith("Fill"))
    assert "%" in fill and "pooled" in fill


def test_run_writes_tables_plots_and_provenance(runs: dict) -> None:
    out, _ = runs["w1"]
    stored = load_results(out)
    assert len(stored.runs) == 12 and (stored.runs["status"] == "ok").all()
    assert sorted(stored.runs["replication"]) == list(range(12))
    assert len(stored.daily) == 12 * 365 and {"date", "filled", "mandate_active"} <= set(stored.daily.columns)
    assert stored.teams["team"].nunique() == 7
    assert not stored.events.empty
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["root_seed"] == 0 and manifest["complete"] is True
    assert manifest["deploysim_version"]
    assert len(manifest["scenarios"]["Kyrgyzstan PAG 2010 (as planned)"]["hash"]) == 16
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["measure"]) >= {"ioc_day", "foc_day", "mean_fill"}
    for name in ("staffing.png", "outcomes.png", "coverage.png", "timeline.png"):
        image = mpimg.imread(out / name)
        assert (out / name).stat().st_size > 10_000 and image.shape[0] > 300 and image.shape[1] > 600, name


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    stored = load_results(out)
    return {
        "runs": stored.runs.drop(columns=VARYING),
        "daily": stored.daily,
        "teams": stored.teams,
        "events": stored.events,
    }


def test_one_or_two_workers_write_identical_tables(runs: dict) -> None:
    one, two = _tables(runs["w1"][0]), _tables(runs["w2"][0])
    for name in one:
        pd.testing.assert_frame_equal(one[name], two[name], check_categorical=False, obj=name)


def test_another_seed_gives_other_results(runs: dict) -> None:
    one, other = _tables(runs["w1"][0]), _tables(runs["seed7"][0])
    assert not one["daily"]["filled"].equals(other["daily"]["filled"])


def test_version_flag() -> None:
    done = subprocess.run([sys.executable, "-m", "deploysim", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("deploysim ")


def test_set_changes_a_field_for_one_run_and_is_recorded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from deploysim.cli import main

    out = tmp_path / "roster"
    code = main(["run", str(SCENARIO), "--reps", "3", "--workers", "1", "--out", str(out),
                 "--set", "recruitment.roster.size=52", "--set", "consent.initial=granted"])
    assert code == 0, capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["overrides"] == ["recruitment.roster.size=52", "consent.initial=granted"]
    definition = manifest["scenario_definitions"]["Kyrgyzstan PAG 2010 (as planned)"]
    assert definition["recruitment"]["roster"]["size"] == 52
    runs = load_results(out).runs
    # a full roster and consent at once: people are in within weeks, and the field teams (the HQ does not
    # count) are up once the first mediator is certified, 30 d recruitment + 3 w training after day 0
    assert (runs["ioc_day"] < 60).all()


@pytest.mark.parametrize(
    ("flag", "phrase"),
    [
        ("recruitment.rooster.size=20", "unknown key 'rooster'"),
        ("recruitment.readvertise_probability=1.5", "must be at most 1"),
        ("no-equals-sign", "expected PATH=VALUE"),
    ],
)
def test_bad_set_is_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, phrase: str
) -> None:
    from deploysim.cli import main

    out = tmp_path / "bad"
    assert main(["run", str(SCENARIO), "--reps", "2", "--out", str(out), "--set", flag]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and phrase in err
    assert not out.exists()
