"""deploysim: simulate field missions many times and see staffing, coverage, mediation and cost unfold.

The package is layered; each layer imports only from the layers listed before it:

- ``errors``: every error that is the user's to fix (:class:`DeploysimError` and its kinds);
- ``scenario``: what a planner states: the schema, durations, safe YAML reading, dotted paths, variants;
- ``storage``: results on disk: atomic files, Parquet run tables, manifests, provenance;
- ``engine``: one run of one scenario in SimPy;
- ``results``: one run's tables and the registry of summary measures;
- ``plots``: charts from tidy tables, each a matplotlib Figure;
- ``stats``: pure functions over run tables (intervals, paired differences, sensitivity);
- ``experiments``: many runs: replications, precision, comparisons, designs, sweeps, where runs execute;
- ``reporting``: a stored run or comparison as one HTML page, a workbook, charts as SVG or PDF;
- ``cli``: the ``deploysim`` command, which parses, calls one function of this API and prints.

The public API, one function per command:

- :func:`load_scenario`, :func:`variant`: scenarios (:class:`Scenario`) from files and in code;
- :func:`simulate`: one replication (:class:`RunResult`);
- :func:`run`: replications of one scenario (:class:`Replications`);
- :func:`compare`: scenarios under common random numbers (:class:`Comparison`);
- :func:`sweep`, :func:`analyze`: parameter sweeps and which levers matter;
- :func:`select`: the cheapest plan that meets the targets, with a probability of correct selection
  (:class:`Selection`);
- :func:`load_results`: any stored output as DataFrames (:class:`StoredResults`);
- :func:`report`, :func:`write_workbook`: a stored run or comparison as one self-contained HTML page,
  and as an Excel workbook with the numbers behind every chart;
- :class:`DeploysimError`, the base of every error that is the user's to fix, among them
  :class:`ScenarioError` (a scenario file or change), :class:`UsageError` (an argument) and
  :class:`ResultsError` (a results directory).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from deploysim._version import __version__
from deploysim.errors import DeploysimError, ResultsError, ScenarioError, UsageError

if TYPE_CHECKING:
    from deploysim.experiments.analyze import analyze
    from deploysim.experiments.comparison import Comparison, compare
    from deploysim.experiments.replications import Replications, run
    from deploysim.experiments.selection import Selection, select
    from deploysim.experiments.sweep import sweep
    from deploysim.reporting import report, write_workbook
    from deploysim.results.run import RunResult, simulate
    from deploysim.scenario.load import load_scenario
    from deploysim.scenario.schema import Scenario
    from deploysim.scenario.variants import variant
    from deploysim.storage.directory import StoredResults, load_results

# Imported on first use, so that ``import deploysim.cli`` (every command, --help included) does not
# pay for pandas, scipy and the engine before it knows it needs them.
_LAZY = {
    "analyze": "deploysim.experiments.analyze",
    "Comparison": "deploysim.experiments.comparison",
    "compare": "deploysim.experiments.comparison",
    "Replications": "deploysim.experiments.replications",
    "run": "deploysim.experiments.replications",
    "sweep": "deploysim.experiments.sweep",
    "Selection": "deploysim.experiments.selection",
    "select": "deploysim.experiments.selection",
    "report": "deploysim.reporting",
    "write_workbook": "deploysim.reporting",
    "RunResult": "deploysim.results.run",
    "simulate": "deploysim.results.run",
    "load_scenario": "deploysim.scenario.load",
    "Scenario": "deploysim.scenario.schema",
    "variant": "deploysim.scenario.variants",
    "StoredResults": "deploysim.storage.directory",
    "load_results": "deploysim.storage.directory",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'deploysim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "Comparison",
    "DeploysimError",
    "Replications",
    "ResultsError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Selection",
    "StoredResults",
    "UsageError",
    "__version__",
    "analyze",
    "compare",
    "load_results",
    "load_scenario",
    "report",
    "run",
    "select",
    "simulate",
    "sweep",
    "variant",
    "write_workbook",
]
