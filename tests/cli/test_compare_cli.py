"""``deploysim compare`` and ``run --precision`` end to end, through a real subprocess like a planner's shell."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from builders import SMALL_TWO_TEAMS

from deploysim import Scenario, load_results
from deploysim.cli import main
from deploysim.experiments.precision import MIN_FIRST_CHECK
from deploysim.experiments.replications import run_replications
from deploysim.results.measures import MEASURES
from deploysim.stats.summary import measure_row

ROOT = Path(__file__).resolve().parents[2]
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


def test_compare_prints_the_table_and_writes_tables_and_plots(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    # A loose precision target, met at the first look, which comes after 30 replications even with --reps 8. The
    # first look only sizes a run, but --max-reps 30 leaves no room for a second one, so the run stops there.
    code, stdout, stderr = finish(deploysim("compare", files["base"], files["roster"], "--reps", "8", "--seed", "4",
                                            "--precision", "mean_fill=0.5", "--max-reps", str(MIN_FIRST_CHECK),
                                            "--workers", "1", "--out", out, cwd=tmp_path))
    assert code == 0, stderr
    assert f"2 scenarios, {MIN_FIRST_CHECK} replications each, seed 4, common random numbers" in stdout
    assert f"precision reached after {MIN_FIRST_CHECK} replications (looks at {MIN_FIRST_CHECK})" in stdout
    assert "(baseline)" in stdout and "Fill (pooled: total filled post-days / total mandate post-days)" in stdout
    assert "* the paired 95% CI of the difference from the baseline excludes zero" in stdout
    for name in ("comparison", "summary", "differences"):
        csv, parquet = pd.read_csv(out / f"{name}.csv"), pd.read_parquet(out / f"{name}.parquet")
        assert list(csv.columns) == list(parquet.columns) and len(csv) == len(parquet) > 0
    for png in ("staffing.png", "measures.png", "differences.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_parquet(out / "comparison.parquet")
    assert {"measure", "scenario", "label", "estimator", "estimate", "ci_low", "ci_high", "difference", "diff_low",
            "diff_high", "significant", "p_reached", "median_date"} <= set(table.columns)
    # the printed mark and the stored flag agree, row by row, for the non-baseline scenario
    table_text = stdout.split(f"precision reached after {MIN_FIRST_CHECK} replications", 1)[1].split("\n", 2)[2]
    roster_rows = [line for line in table_text.splitlines() if line.startswith("  Kyrgyzstan PAG 2010 with a roster")]
    flags = table.loc[table["scenario"] == "Kyrgyzstan PAG 2010 with a roster", "significant"].tolist()
    assert [("] *" in line) for line in roster_rows] == flags
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["complete"] and manifest["root_seed"] == 4
    assert manifest["replications"] == MIN_FIRST_CHECK and manifest["common_random_numbers"]
    assert manifest["precision"] == ["mean_fill=0.5"] and manifest["precision_reached"]
    assert manifest["baseline"] == "Kyrgyzstan PAG 2010 (as planned)"
    assert set(manifest["scenarios"]) == {"Kyrgyzstan PAG 2010 (as planned)", "Kyrgyzstan PAG 2010 with a roster"}
    assert all(len(entry["hash"]) == 16 for entry in manifest["scenarios"].values())
    assert "deploysim_version" in manifest and "git_commit" in manifest
    stored = load_results(out)
    assert stored.runs.groupby("scenario").size().tolist() == [MIN_FIRST_CHECK, MIN_FIRST_CHECK]
    assert set(stored.daily["scenario"]) == set(manifest["scenarios"])


SMALL = SMALL_TWO_TEAMS


def summary_half_width(runs: pd.DataFrame) -> float:
    return float(measure_row(MEASURES["mean_fill"], runs, None, 0.95)["half_width"])


def test_run_with_precision_reports_the_replications_used(tmp_path: Path) -> None:
    scenario_file = tmp_path / "small.yaml"
    scenario_file.write_text(yaml.safe_dump(SMALL, sort_keys=False))
    pilot = run_replications({"small": Scenario.model_validate(SMALL)}, MIN_FIRST_CHECK, seed=0, workers=1).runs
    # The target is on the interval the summary prints (the pooled share for mean fill); the first look sees the
    # pilot's, and the target needs about (1 / 0.8)^2 = 1.6 times as many replications.
    target = 0.8 * summary_half_width(pilot)
    out = tmp_path / "run"
    code, stdout, stderr = finish(deploysim("run", scenario_file, "--reps", str(MIN_FIRST_CHECK), "--precision",
                                            f"mean_fill={target:.6g}", "--max-reps", "300", "--workers", "1",
                                            "--out", out, cwd=tmp_path))
    assert code == 0, stderr
    assert "precision reached after" in stdout
    manifest = json.loads((out / "manifest.json").read_text())
    used = manifest["replications"]
    assert MIN_FIRST_CHECK < used < 300
    assert manifest["precision_reached"] and manifest["precision"] == [f"mean_fill={target:.6g}"]
    assert f"small mission: {used} replications, seed 0" in stdout
    assert len(load_results(out).runs) == used
    summary = pd.read_csv(out / "summary.csv")
    printed = summary.loc[summary["measure"] == "mean_fill"].iloc[0]
    assert printed["n"] == used and printed["half_width"] <= float(f"{target:.6g}")


# The bad inputs the issue names run as real subprocesses (exit status, stderr, no traceback); each costs an
# interpreter start, so the other mistakes go through the same entry point, ``cli.main``, in this process.
BAD_INPUT = {
    "unknown measure": (("compare", "base", "roster", "--precision", "fill_rate=0.01"),
                        "unknown measure 'fill_rate'; valid measures: ioc_day, foc_day, mean_fill"),
    "zero half-width": (("compare", "base", "roster", "--precision", "mean_fill=0"),
                        "half-width must be a positive number"),
    "different start dates": (("compare", "base", "late"),
                              "scenarios start on different dates ('Kyrgyzstan PAG 2010 (as planned)' starts "
                              "2010-07-22, 'Kyrgyzstan PAG 2010 starting later' starts 2010-09-01)"),
}
MORE_BAD_INPUT = {
    "negative relative half-width on run": (("run", "base", "--precision", "foc_day=-5%"),
                                            "half-width must be a positive number, got -5%"),
    "unknown measure on run": (("run", "base", "--precision", "nonsense=3"), "unknown measure 'nonsense'"),
    "max-reps without precision": (("compare", "base", "roster", "--max-reps", "50"),
                                   "--max-reps only applies together with --precision"),
    "max-reps below the first check": (("compare", "base", "roster", "--precision", "mean_fill=0.01", "--reps",
                                        "40", "--max-reps", "35"), "--max-reps 35 is below the 40 replications"),
    "one scenario": (("compare", "base"), "compare needs at least two scenario files"),
    "half-width not a number": (("compare", "base", "roster", "--precision", "mean_fill=tight"),
                                "half-width 'tight' is not a number"),
}


def argv(args: tuple[str, ...], files: dict[str, Path], out: Path) -> list[str]:
    return [str(files.get(a, a)) for a in args] + ["--out", str(out)]


@pytest.fixture(scope="module")
def bad_input_results(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Every bad invocation, started at once (each is mostly interpreter start-up) and then collected."""
    started = {}
    for case, (args, _) in BAD_INPUT.items():
        cwd = tmp_path_factory.mktemp("bad")
        started[case] = (cwd, deploysim(*argv(args, files, cwd / "out"), cwd=cwd))
    return {case: (cwd, *finish(process)) for case, (cwd, process) in started.items()}


def assert_one_clear_line(code: int, stdout: str, stderr: str, expected: str, out: Path) -> None:
    assert code == 2, (stdout, stderr)
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("deploysim: error: ")
    assert expected in lines[0]
    assert not out.exists(), "nothing may be written for bad input"


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_one_clear_line_with_status_2(case: str, bad_input_results: dict[str, tuple]) -> None:
    cwd, code, stdout, stderr = bad_input_results[case]
    assert_one_clear_line(code, stdout, stderr, BAD_INPUT[case][1], cwd / "out")


@pytest.mark.parametrize("case", list(MORE_BAD_INPUT))
def test_more_bad_input_through_main(case: str, files: dict[str, Path], tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    args, expected = MORE_BAD_INPUT[case]
    code = main(argv(args, files, tmp_path / "out"))
    captured = capsys.readouterr()
    assert_one_clear_line(code, captured.out, captured.err, expected, tmp_path / "out")
