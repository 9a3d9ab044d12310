"""``compare``: is scenario B better than A, by how much, and how sure are we?

Every scenario is replicated with the same root seed and replication numbers, so replication r of
each scenario shares its random draws wherever the scenarios agree (common random numbers), and
each scenario's difference from the first (the baseline) is taken replication by replication.

Rule: all compared scenarios must have the same ``start_date``. The comparison shows them on one
calendar axis and pairs day-counted measures (IOC day, FOC day, mission end) replication by
replication; with different starts, "day 60" would be a different date in each and the overlaid
chart would mislead. To compare start dates, run each scenario with ``deploysim run``. The check
runs before any simulation, so a mistake costs nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from deploysim.errors import ComparisonError
from deploysim.experiments.precision import (
    DEFAULT_MAX_REPS,
    AdaptiveResult,
    PrecisionTarget,
    check_max_reps,
    parse_precisions,
)
from deploysim.experiments.replications import replicate
from deploysim.experiments.sink import Progress
from deploysim.experiments.work_limits import check_replications
from deploysim.results.measures import measure_description, not_applicable
from deploysim.results.text import format_comparison
from deploysim.scenario.load import load_scenario
from deploysim.scenario.schema import Scenario
from deploysim.scenario.shipped import resolve_scenario
from deploysim.stats.bands import staffing_quantiles
from deploysim.stats.milestones import Target, parse_targets
from deploysim.stats.paired import difference_table, replication_differences
from deploysim.stats.runs import require_finished
from deploysim.stats.summary import outcome_table, summary_table
from deploysim.storage.directory import StoredResults, load_results, prepare_output, write_manifest
from deploysim.storage.files import write_csv, write_parquet
from deploysim.storage.provenance import manifest
from deploysim.storage.session import output_session
from deploysim.storage.tables import TABLES, RunTables, write_part

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ScenarioLike = Scenario | str | Path
DERIVED = ("summary", "differences", "comparison", "outcomes", "staffing-quantiles")
PLOTS = ("staffing.png", "measures.png", "differences.png")
OUTPUTS = (*(f"{name}.{ext}" for name in DERIVED for ext in ("csv", "parquet")), *PLOTS, "report.html", "results.xlsx")


@dataclass
class Comparison:
    """Replications of several scenarios with common random numbers; the first is the baseline."""

    labels: list[str]
    scenarios: dict[str, Scenario]
    files: dict[str, str | None]
    seed: int
    adaptive: AdaptiveResult
    tables: RunTables = field(repr=False)
    precision_targets: tuple[PrecisionTarget, ...] = ()
    level: float = 0.95
    targets: tuple[Target, ...] = ()

    @property
    def baseline(self) -> str:
        return self.labels[0]

    @property
    def replications(self) -> int:
        return self.adaptive.replications

    @property
    def runs(self) -> pd.DataFrame:
        """One row per (scenario, replication): status, seeds and every summary measure."""
        return self.tables.runs

    @property
    def daily(self) -> pd.DataFrame:
        return self.tables.daily

    @property
    def teams(self) -> pd.DataFrame:
        return self.tables.teams

    @property
    def events(self) -> pd.DataFrame:
        return self.tables.events

    @property
    def currency(self) -> str | None:
        currencies = {s.costs.currency for s in self.scenarios.values()}
        return currencies.pop() if len(currencies) == 1 else None

    @property
    def start_dates(self) -> dict[str, dt.date]:
        return {label: s.start_date for label, s in self.scenarios.items()}

    def all_targets(self) -> tuple[Target, ...]:
        """The planner's targets and, unless given, IOC and FOC by the end of the baseline's first mandate."""
        given = {t.measure for t in self.targets}
        mandate_end = float(math.floor(self.scenarios[self.baseline].mandate.initial_length))
        return (*self.targets, *(Target(m, day=mandate_end) for m in ("ioc_day", "foc_day") if m not in given))

    def summary(self) -> pd.DataFrame:
        """Each scenario's estimate and CI per measure, by the estimator its kind needs; scenarios in order."""
        skip = set.intersection(*(set(not_applicable(s)) for s in self.scenarios.values()))
        reasons = {name: not_applicable(self.scenarios[self.baseline])[name] for name in skip}
        table = summary_table(self.runs, self.level, self.all_targets(), self.start_dates, self.currency, reasons)
        order = {label: i for i, label in enumerate(self.labels)}
        return table.iloc[table["scenario"].map(order).argsort(kind="stable")].reset_index(drop=True)

    def outcomes(self) -> pd.DataFrame:
        """Per scenario, how many runs fell into each outcome class."""
        return outcome_table(self.runs, self.level)

    def differences(self, measures: Sequence[str] | None = None) -> pd.DataFrame:
        """Each scenario's paired difference from the baseline, per measure, by kind (see
        :func:`deploysim.stats.paired.difference_table`), with CI and ``excludes_zero``."""
        return difference_table(self.runs, self.baseline, self.labels[1:], measures, self.level,
                                self.all_targets(), self.start_dates)

    def replication_differences(self, measures: Sequence[str] | None = None) -> pd.DataFrame:
        """Per replication, each scenario's value minus the baseline's (exactly 0 where nothing differs)."""
        return replication_differences(self.runs, self.baseline, self.labels[1:], measures)

    def table(self) -> pd.DataFrame:
        """Per measure and scenario: the summary's columns and the paired difference from the baseline.

        ``significant`` is True where the difference's interval excludes zero; the baseline's
        difference columns are empty.
        """
        summary = self.summary()
        diffs = self.differences().rename(columns={
            "estimator": "diff_estimator", "ci_low": "diff_low", "ci_high": "diff_high",
            "half_width": "diff_half_width", "n": "diff_n", "excludes_zero": "significant",
        }).drop(columns="baseline")
        table = summary.merge(diffs, on=["scenario", "measure"], how="left")
        not_applicable = table["estimator"].astype(str).str.startswith("n/a")
        table.loc[not_applicable, [c for c in diffs.columns if c not in ("scenario", "measure")]] = math.nan
        table["significant"] = table["significant"].astype("boolean").fillna(False).astype(bool)
        table["description"] = table["measure"].map(measure_description)
        order = {m: i for i, m in enumerate(table["measure"].drop_duplicates())}
        table = table.iloc[table["measure"].map(order).argsort(kind="stable")]
        return table.reset_index(drop=True)

    def format_table(self) -> str:
        return format_comparison(self.table(), self.baseline, self.level)

    def plot_staffing(self, series: str = "filled", title: str | None = None) -> Figure:
        """Overlaid fan charts of one daily series with each scenario's median mandate end."""
        from deploysim.plots.compare import scenario_fans

        return scenario_fans(self.daily, series, self.labels, title)

    def plot_measures(self, measures: Sequence[str] | None = None, title: str | None = None) -> Figure:
        """Each scenario's mean and 95% CI, one panel per measure (key measures by default)."""
        from deploysim.plots.measure_panels import measure_bars

        return measure_bars(self.summary(), measures, self.labels, title, self.currency)

    def plot_differences(self, measures: Sequence[str] | None = None, title: str | None = None) -> Figure:
        """Forest plot of paired differences from the baseline, zero line and significance marked."""
        from deploysim.plots.measure_panels import difference_forest

        return difference_forest(self.differences(), measures, self.labels[1:], title, self.currency)

    def manifest(self, complete: bool = True) -> dict[str, Any]:
        """Provenance: scenario files and hashes, seed, replications, precision, version, commit."""
        return _manifest(self.labels, self.scenarios, self.files, self.seed, self.adaptive.replications,
                         self.precision_targets, complete, self.adaptive, self.targets)

    def save(self, directory: str | Path, overwrite: bool = False) -> list[Path]:
        """Write run tables (Parquet datasets), summary tables (Parquet and CSV), plots and a manifest.

        Saving into the directory the comparison streamed its runs to writes only what is missing.
        Another directory that already holds results is refused unless ``overwrite``.
        """
        out = Path(directory)
        stored = self.tables if isinstance(self.tables, StoredResults) else None
        with output_session(out):
            if stored is None or out.resolve() != stored.path.resolve():
                prepare_output(out, overwrite, OUTPUTS)
                for table in TABLES:
                    frame = self.tables.table(table)
                    for i, label in enumerate(self.labels):
                        part = frame[frame["scenario"] == label] if not frame.empty else frame
                        if not part.empty:
                            write_part(out, table, _part_key(i, label), part)
            written: list[Path] = []
            bands = staffing_quantiles(self.daily, scenarios=self.labels)
            tables = {"summary": self.summary(), "differences": self.differences(), "comparison": self.table(),
                      "outcomes": self.outcomes(), "staffing-quantiles": bands}
            for name, frame in tables.items():
                written += [write_csv(frame, out / f"{name}.csv"), write_parquet(frame, out / f"{name}.parquet")]
            written += self.save_plots(out)
            write_manifest(out, {**self.manifest(), "outputs": [p.name for p in written]})
        return written

    def save_plots(self, directory: Path) -> list[Path]:
        from deploysim.plots.output import save_png

        figures = {
            "staffing.png": self.plot_staffing(),
            "measures.png": self.plot_measures(),
            "differences.png": self.plot_differences(),
        }
        return [save_png(fig, directory / name) for name, fig in figures.items()]


def compare(
    scenarios: Sequence[ScenarioLike] | Mapping[str, ScenarioLike],
    reps: int = 100,
    seed: int = 0,
    workers: int | None = None,
    precision: str | Iterable[str] | Mapping[str, float | str] | None = None,
    max_reps: int = DEFAULT_MAX_REPS,
    executor: Executor | None = None,
    out: str | Path | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    level: float = 0.95,
    target: str | Sequence[str] | None = None,
    run_timeout: float | None = None,
    allow_large: bool = False,
) -> Comparison:
    """Replicate scenarios with common random numbers and compare each with the first.

    ``scenarios``: Scenario objects or scenario file paths, as a list (labelled by scenario name) or a
    dict {label: scenario}. ``precision``: targets such as ``["mean_fill=0.01", "foc_day=5%"]`` or
    ``{"mean_fill": 0.01}`` on the paired differences' 95% CI half-widths; then ``reps`` is the
    first batch and replications are added until the targets or ``max_reps`` are reached (see
    :mod:`deploysim.experiments.precision` for the procedure and its caveat). ``out``: stream run tables to
    this directory instead of memory (then call ``save(out)`` to add summaries and plots).

    ``target``: milestone targets (``"foc_day<=150"``) reported as P(by then) per scenario and as
    paired differences; IOC and FOC by the end of the baseline's first mandate are always reported.
    ``run_timeout``: wall seconds each run may take before the watchdog records it as failed. Work
    beyond :mod:`deploysim.experiments.work_limits` is refused before anything runs, unless ``allow_large``.

    Raises ComparisonError (a ValueError) for fewer than two scenarios or different start dates,
    PrecisionError for a bad precision request and ScenarioError for a bad scenario file.
    """
    resolved, files = resolve_scenarios(scenarios)
    labels = list(resolved)
    check_start_dates(resolved)
    targets = parse_precisions(precision)
    milestone_targets = parse_targets(target)
    if reps < 1:
        raise ComparisonError(f"reps must be at least 1, got {reps}")
    if targets:
        check_max_reps(reps, max_reps)
    check_replications(resolved, max_reps if targets else reps, bool(targets), allow_large)
    directory = Path(out) if out is not None else None
    with output_session(directory):
        if directory is not None:
            prepare_output(directory, overwrite, OUTPUTS)
            write_manifest(directory, _manifest(labels, resolved, files, seed, reps, targets, False, None,
                                                milestone_targets))
        tables, adaptive = replicate(
            resolved, reps, targets, max_reps, seed=seed, workers=workers, executor=executor, out=directory,
            keep_in_memory=directory is None, progress=progress, baseline=labels[0], level=level,
            run_timeout=run_timeout,
        )
        comparison = Comparison(labels, resolved, files, seed, adaptive, tables, targets, level, milestone_targets)
        if directory is not None:
            write_manifest(directory, comparison.manifest(complete=True))
            comparison.tables = load_results(directory)
        require_finished(comparison.runs, str(directory / "runs") if directory is not None else "the runs table",
                         by="scenario")
    return comparison


def resolve_scenarios(
    scenarios: Sequence[ScenarioLike] | Mapping[str, ScenarioLike],
) -> tuple[dict[str, Scenario], dict[str, str | None]]:
    """Load paths, label by scenario name (or the mapping's keys), and make repeated names unique."""
    if isinstance(scenarios, (Scenario, str, Path)):
        raise ComparisonError("compare needs at least two scenarios (a list or a dict), got a single one")
    items = list(scenarios.items()) if isinstance(scenarios, Mapping) else [(None, s) for s in scenarios]
    if len(items) < 2:
        raise ComparisonError(f"compare needs at least two scenarios, got {len(items)}")
    resolved: dict[str, Scenario] = {}
    files: dict[str, str | None] = {}
    for given, item in items:
        if isinstance(item, Scenario):
            scenario, file = item, None
        elif isinstance(item, (str, Path)):
            path = resolve_scenario(item)
            scenario, file = load_scenario(path), str(path)
        else:
            raise ComparisonError(f"compare: expected a Scenario or a scenario file path, got {type(item).__name__}")
        label = str(given) if given is not None else scenario.name
        base, k = label, 2
        while label in resolved:
            label, k = f"{base} ({k})", k + 1
        resolved[label] = scenario
        files[label] = file
    return resolved, files


def check_start_dates(scenarios: Mapping[str, Scenario]) -> None:
    """Refuse scenarios that start on different dates (see the module docstring for why)."""
    starts = {label: s.start_date for label, s in scenarios.items()}
    if len(set(starts.values())) > 1:
        listed = ", ".join(f"{label!r} starts {date:%Y-%m-%d}" for label, date in starts.items())
        raise ComparisonError(
            f"scenarios start on different dates ({listed}); compare pairs them day by day on one calendar "
            "axis, so give them the same start_date"
        )


def _part_key(index: int, label: str) -> str:
    tag = hashlib.blake2b(label.encode(), digest_size=3).hexdigest()
    return f"compare-{index:02d}-{tag}"


def _manifest(
    labels: Sequence[str],
    scenarios: Mapping[str, Scenario],
    files: Mapping[str, str | None],
    seed: int,
    replications: int,
    targets: Sequence[PrecisionTarget],
    complete: bool,
    adaptive: AdaptiveResult | None = None,
    milestone_targets: Sequence[Target] = (),
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "baseline": labels[0],
        "scenario_order": list(labels),
        "root_seed": seed,
        "replications": replications,
        "common_random_numbers": True,
        "precision": [str(t) for t in targets],
        "targets": [str(t) for t in milestone_targets],
        "complete": complete,
    }
    if adaptive is not None and targets:
        fields["precision_reached"] = adaptive.reached
        fields["precision_report"] = adaptive.report()
    return manifest("compare", {label: scenarios[label] for label in labels}, files, **fields)
