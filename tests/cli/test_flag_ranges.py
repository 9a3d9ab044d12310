"""Every flag has a range: a value outside it is one line naming the flag, exit 2, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploysim.cli.main import main

RUN = ["run", "kyrgyzstan-2010"]
SWEEP = ["sweep", "kyrgyzstan-2010", "--set", "recruitment.roster.size=0,10"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([*RUN, "--reps", "1000000001"], "argument --reps: '1000000001' must be at most 1,000,000"),
        ([*RUN, "--reps", "0"], "argument --reps: '0' must be at least 1"),
        ([*RUN, "--reps", "1e9"], "argument --reps: '1e9' is not a whole number"),
        ([*RUN, "--precision", "mean_fill=0.01", "--max-reps", "1000000000"],
         "argument --max-reps: '1000000000' must be at most 1,000,000"),
        ([*RUN, "--workers", "100000"], "argument --workers: '100000' must be at most 1,024"),
        ([*RUN, "--seed", str(2**64)], f"argument --seed: '{2**64}' must be below 2^64"),
        ([*RUN, "--seed", "-1"], "argument --seed: '-1' must be zero or more"),
        ([*RUN, "--precision", "mean_fill=nan"], "half-width must be a positive number, got nan"),
        ([*RUN, "--precision", "mean_fill=inf"], "half-width must be a positive number, got inf"),
        ([*RUN, "--precision", "mean_fill=-0.1"], "half-width must be a positive number, got -0.1"),
        ([*RUN, "--set", "start_date=2010-02-30"], "--set 'start_date=2010-02-30': cannot read the value"),
        (["compare", "kyrgyzstan-2010", "kyrgyzstan-csi-2010", "--reps", "2000000"],
         "argument --reps: '2000000' must be at most 1,000,000"),
        ([*SWEEP, "--reps", "10000000"], "argument --reps: '10000000' must be at most 1,000,000"),
        ([*SWEEP, "--seed", str(2**70)], "argument --seed:"),
        ([*SWEEP, "--batch-size", "0"], "argument --batch-size: '0' must be at least 1"),
        (["sweep", "kyrgyzstan-2010", "--design", "lhs", "--samples", "1000000000", "--set",
          "incidents.rate_per_day=uniform(0,1)"], "argument --samples: '1000000000' must be at most 1,000,000"),
        (["sweep", "kyrgyzstan-2010", "--set", "recruitment.roster.size=0:nan:1"],
         "--set recruitment.roster.size=0:nan:1: 'nan' is not a finite number"),
        (["sweep", "kyrgyzstan-2010", "--set", "incidents.rate_per_day=0:inf:1"],
         "--set incidents.rate_per_day=0:inf:1: 'inf' is not a finite number"),
        (["sweep", "kyrgyzstan-2010", "--set", "incidents.rate_per_day=nan,1"],
         "--set incidents.rate_per_day=nan,1: 'nan' is not a finite number"),
        (["sweep", "kyrgyzstan-2010", "--design", "lhs", "--samples", "4", "--set",
          "incidents.rate_per_day=uniform(0,-inf)"], "'-inf' is not a finite number"),
        (["sweep", "kyrgyzstan-2010", "--set", "incidents.rate_per_day=0:1e308:1e-308"],
         "incidents.rate_per_day=0:1e308:1e-308: too many levels; at most 100,000"),
        (["sweep", "kyrgyzstan-2010", "--set", "recruitment.roster.size=0:999:1", "--set",
          "incidents.rate_per_day=0:0.999:0.001"], "--reps 10 x 1,000,000 design points"),
    ],
)
def test_a_flag_out_of_range_is_one_line_and_nothing_runs(
    args: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main([*args, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("deploysim: error: "), err
    assert expected in err
    assert not out.exists() and captured.out == ""


def test_the_ends_of_each_range_are_accepted() -> None:
    from deploysim.cli.main import build_parser

    args = build_parser().parse_args(["run", "kyrgyzstan-2010", "--seed", str(2**64 - 1), "--reps", "1000000",
                                      "--workers", "1024"])
    assert (args.seed, args.reps, args.workers) == (2**64 - 1, 1_000_000, 1024)
