"""``deploysim run FILE``: replications, a summary with confidence intervals, tables and plots."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pandas as pd

from deploysim.commands.options import positive_int, seed
from deploysim.errors import UsageError
from deploysim.experiment import run_replications
from deploysim.loader import load_scenario
from deploysim.progress import ProgressLine
from deploysim.provenance import stamp
from deploysim.storage import MANIFEST, TABLES, load_results, write_manifest
from deploysim.summary import format_summary, summary_table


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="replicate one scenario and write tables and plots")
    parser.add_argument("file", metavar="FILE", help="scenario YAML file")
    parser.add_argument("--reps", type=positive_int, default=100, help="replications (default 100)")
    parser.add_argument("--seed", type=seed, default=0, help="root seed (default 0)")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default out/<file stem>)")
    parser.add_argument("--workers", type=positive_int, default=None, help="processes (default: all cores)")
    parser.add_argument("--overwrite", action="store_true", help="replace results already in --out")
    parser.set_defaults(handler=handle)


def prepare_output(out: Path, overwrite: bool) -> None:
    """Refuse to mix runs in one directory; previous results are only removed when asked."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a directory")
    if (out / MANIFEST).exists():
        if not overwrite:
            raise UsageError(f"--out {out}: already holds results; choose another directory or pass --overwrite")
        for table in TABLES:
            shutil.rmtree(out / table, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)


def write_run_plots(daily: pd.DataFrame, teams: pd.DataFrame, out: Path, name: str) -> list[Path]:
    from deploysim.plots import coverage_heatmap, save_png, staffing_fan

    return [
        save_png(staffing_fan(daily, title=f"{name}: staffing"), out / "staffing.png"),
        save_png(coverage_heatmap(teams, title=f"{name}: team coverage"), out / "coverage.png"),
    ]


def handle(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.file)
    out: Path = args.out or Path("out") / Path(args.file).stem
    prepare_output(out, args.overwrite)
    manifest = stamp(
        kind="run",
        scenarios={scenario.name: {"file": str(args.file), "hash": scenario.fingerprint()}},
        scenario_definitions={scenario.name: scenario.model_dump(mode="json")},
        root_seed=args.seed,
        replications=args.reps,
        complete=False,
    )
    write_manifest(out, manifest)
    experiment = run_replications(
        {scenario.name: scenario},
        args.reps,
        seed=args.seed,
        workers=args.workers,
        out=out,
        keep_in_memory=False,
        progress=ProgressLine(scenario.name),
    )
    del experiment
    write_manifest(out, {**manifest, "complete": True})
    stored = load_results(out)
    table = summary_table(stored.runs)
    table.to_csv(out / "summary.csv", index=False)
    failed = int((stored.runs["status"] != "ok").sum())
    print(f"{scenario.name}: {args.reps} replications, seed {args.seed}")
    print(format_summary(table))
    if failed:
        print(f"{failed} replication(s) failed; see the 'error' column of {out / 'runs'}")
    for path in write_run_plots(stored.daily, stored.teams, out, scenario.name):
        print(f"wrote {path}")
    print(f"tables in {out}/ (runs, daily, teams, events as Parquet datasets)")
    return 0
