"""``deploysim compare`` and ``run --precision`` end to end, through a real subprocess like a planner's shell."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from deploysim import load_results

ROOT = Path(__file__).resolve().parents[1]
KYRGYZSTAN = ROOT / "scenarios" / "kyrgyzstan-2010.yaml"


def variant(directory: Path, name: str, *replacements: tuple[str, str]) -> Path:
    """A copy of the shipped Kyrgyzstan scenario with some lines changed (each replacement must apply once)."""
    text = KYRGYZSTAN.read_text()
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = directory / f"{name}.yaml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("scenarios")
    return {
        "base": KYRGYZSTAN,
        "roster": variant(directory, "roster", ("roster: {size: 0}", "roster: {size: 20, call_up: 7 d}"),
                          ("name: Kyrgyzstan PAG 2010 (as planned)", "name: Kyrgyzstan PAG 2010 with a roster")),
        "late": variant(directory, "late", ("start_date: 2010-07-22", "start_date: 2010-09-01"),
                        ("name: Kyrgyzstan PAG 2010 (as planned)", "name: Kyrgyzstan PAG 2010 starting later")),
    }


def deploysim(*args: str | Path, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "deploysim", *map(str, args)], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=120)
    return process.returncode, stdout, stderr


def test_compare_prints_the_table_and_writes_tables_plots_and_provenance(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    code, stdout, stderr = finish(deploysim("compare", files["base"], files["roster"], "--reps", "8", "--seed", "4",
                                            "--workers", "1", "--out", out, cwd=tmp_path))
    assert code == 0, stderr
    assert "2 scenarios, 8 replications each, seed 4, common random numbers" in stdout
    assert "(baseline)" in stdout and "mean_fill: mean share of authorised posts filled" in stdout
    assert "* the paired 95% CI of the difference from the baseline excludes zero" in stdout
    for name in ("comparison", "summary", "differences"):
        csv, parquet = pd.read_csv(out / f"{name}.csv"), pd.read_parquet(out / f"{name}.parquet")
        assert list(csv.columns) == list(parquet.columns) and len(csv) == len(parquet) > 0
    for png in ("staffing.png", "measures.png", "differences.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_parquet(out / "comparison.parquet")
    assert {"measure", "scenario", "mean", "ci_low", "ci_high", "difference", "diff_low", "diff_high",
            "significant"} <= set(table.columns)
    # the printed mark and the stored flag agree, row by row, for the non-baseline scenario
    roster_rows = [line for line in stdout.splitlines() if line.startswith("  Kyrgyzstan PAG 2010 with a roster")]
    flags = table.loc[table["scenario"] == "Kyrgyzstan PAG 2010 with a roster", "significant"].tolist()
    assert [line.endswith(" *") for line in roster_rows] == flags
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["complete"] and manifest["root_seed"] == 4
    assert manifest["replications"] == 8 and manifest["common_random_numbers"]
    assert manifest["baseline"] == "Kyrgyzstan PAG 2010 (as planned)"
    assert set(manifest["scenarios"]) == {"Kyrgyzstan PAG 2010 (as planned)", "Kyrgyzstan PAG 2010 with a roster"}
    assert all(len(entry["hash"]) == 16 for entry in manifest["scenarios"].values())
    assert "deploysim_version" in manifest and "git_commit" in manifest
    stored = load_results(out)
    assert stored.runs.groupby("scenario").size().tolist() == [8, 8]
    assert set(stored.daily["scenario"]) == set(manifest["scenarios"])


def test_run_with_precision_reports_the_replications_used(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "run"
    code, stdout, stderr = finish(deploysim("run", files["base"], "--reps", "10", "--precision", "mean_fill=0.006",
                                            "--max-reps", "80", "--workers", "1", "--out", out, cwd=tmp_path))
    assert code == 0, stderr
    assert "precision reached after" in stdout
    used = json.loads((out / "manifest.json").read_text())["replications"]
    assert 10 <= used < 80
    assert f"{used} replications, seed 0" in stdout
    assert len(load_results(out).runs) == used


BAD_INPUT = {
    "unknown measure": (("compare", "base", "roster", "--precision", "fill_rate=0.01"),
                        "unknown measure 'fill_rate'; valid measures: ioc_day, foc_day, mean_fill"),
    "zero half-width": (("compare", "base", "roster", "--precision", "mean_fill=0"),
                        "half-width must be a positive number"),
    "negative relative half-width on run": (("run", "base", "--precision", "foc_day=-5%"),
                                            "half-width must be a positive number, got -5%"),
    "different start dates": (("compare", "base", "late"),
                              "scenarios start on different dates ('Kyrgyzstan PAG 2010 (as planned)' starts "
                              "2010-07-22, 'Kyrgyzstan PAG 2010 starting later' starts 2010-09-01)"),
    "max-reps without precision": (("compare", "base", "roster", "--max-reps", "50"),
                                   "--max-reps only applies together with --precision"),
    "one scenario": (("compare", "base"), "compare needs at least two scenario files"),
}


@pytest.fixture(scope="module")
def bad_input_results(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Every bad invocation, started at once (each is mostly interpreter start-up) and then collected."""
    started = {}
    for case, (args, _) in BAD_INPUT.items():
        cwd = tmp_path_factory.mktemp("bad")
        argv = [files.get(a, a) if isinstance(a, str) else a for a in args]
        started[case] = (cwd, deploysim(*argv, "--out", cwd / "out", cwd=cwd))
    return {case: (cwd, *finish(process)) for case, (cwd, process) in started.items()}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_one_clear_line_with_status_2(case: str, bad_input_results: dict[str, tuple]) -> None:
    cwd, code, stdout, stderr = bad_input_results[case]
    assert code == 2, (stdout, stderr)
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("deploysim: error: ")
    assert BAD_INPUT[case][1] in lines[0]
    assert not (cwd / "out").exists(), "nothing may be written for bad input"
