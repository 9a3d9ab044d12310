"""``deploysim run FILE``: replications, a summary with confidence intervals, tables and plots."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from deploysim.cli.compare import add_precision_options, precision_settings
from deploysim.cli.options import positive_int, seed
from deploysim.cli.progress import ProgressLine
from deploysim.errors import UsageError
from deploysim.experiments.precision import replicate
from deploysim.scenario.load import load_scenario
from deploysim.scenario.paths import parse_changes
from deploysim.scenario.schema import Scenario
from deploysim.stats.summary import format_summary, summary_table
from deploysim.storage.provenance import stamp
from deploysim.storage.results import MANIFEST, TABLES, StoredResults, load_results, write_manifest


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="replicate one scenario and write tables and plots")
    parser.add_argument("file", metavar="FILE", help="scenario YAML file")
    parser.add_argument("--reps", type=positive_int, default=100, help="replications (default 100)")
    parser.add_argument("--seed", type=seed, default=0, help="root seed (default 0)")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default out/<file stem>)")
    parser.add_argument("--workers", type=positive_int, default=None, help="processes (default: all cores)")
    parser.add_argument("--overwrite", action="store_true", help="replace results already in --out")
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="change one field for this run, e.g. recruitment.roster.size=20 (repeatable)",
    )
    add_precision_options(parser, "the mean")
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


def write_run_plots(stored: StoredResults, scenario: Scenario, out: Path) -> list[Path]:
    """The plots a planner reads first; cadet and phase plots only where the scenario has them."""
    from deploysim.plots import (
        cadet_progress,
        coverage_heatmap,
        mandate_timeline,
        phase_share,
        save_png,
        staffing_fan,
    )

    name = scenario.name
    daily = stored.daily
    paths = [
        save_png(staffing_fan(daily, title=f"{name}: staffing"), out / "staffing.png"),
        save_png(coverage_heatmap(stored.teams, title=f"{name}: team coverage"), out / "coverage.png"),
        save_png(mandate_timeline(daily, stored.events, title=f"{name}: mandate timeline"), out / "timeline.png"),
    ]
    if scenario.training_programmes:
        paths.append(save_png(cadet_progress(daily, title=f"{name}: cadets"), out / "cadets.png"))
    if scenario.phases:
        names = [p.name for p in scenario.phases]
        paths.append(save_png(phase_share(daily, names, title=f"{name}: phases"), out / "phases.png"))
    return paths


def handle(args: argparse.Namespace) -> int:
    targets, max_reps = precision_settings(args)
    scenario = load_scenario(args.file, parse_changes(args.sets, "--set"), origin="--set")
    out: Path = args.out or Path("out") / Path(args.file).stem
    prepare_output(out, args.overwrite)
    manifest = stamp(
        kind="run",
        scenarios={scenario.name: {"file": str(args.file), "hash": scenario.fingerprint()}},
        scenario_definitions={scenario.name: scenario.model_dump(mode="json")},
        root_seed=args.seed,
        replications=args.reps,
        overrides=list(args.sets),
        complete=False,
    )
    write_manifest(out, manifest)
    experiment, adaptive = replicate(
        {scenario.name: scenario},
        args.reps,
        targets,
        max_reps,
        seed=args.seed,
        workers=args.workers,
        out=out,
        keep_in_memory=False,
        progress=ProgressLine(scenario.name),
    )
    del experiment
    precision = {"precision": [str(t) for t in targets], "precision_reached": adaptive.reached} if targets else {}
    write_manifest(out, {**manifest, "replications": adaptive.replications, **precision, "complete": True})
    stored = load_results(out)
    table = summary_table(stored.runs)
    table.to_csv(out / "summary.csv", index=False)
    failed = int((stored.runs["status"] != "ok").sum())
    print(f"{scenario.name}: {adaptive.replications} replications, seed {args.seed}")
    if targets:
        print(adaptive.report())
    print(format_summary(table))
    if failed:
        print(f"{failed} replication(s) failed; see the 'error' column of {out / 'runs'}")
    for path in write_run_plots(stored, scenario, out):
        print(f"wrote {path}")
    print(f"tables in {out}/ (runs, daily, teams, events as Parquet datasets)")
    return 0
