"""deploysim: simulate field missions many times and see staffing, coverage, mediation and cost unfold."""

from deploysim._version import __version__
from deploysim.errors import ResultsError, ScenarioError
from deploysim.experiments.comparison import compare
from deploysim.experiments.sweep import sweep
from deploysim.results.run import RunResult, simulate
from deploysim.scenario.load import load_scenario
from deploysim.scenario.schema import Scenario
from deploysim.scenario.variants import variant
from deploysim.stats.sensitivity import analyze
from deploysim.storage.results import StoredResults, load_results

__all__ = [
    "ResultsError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "StoredResults",
    "__version__",
    "analyze",
    "compare",
    "load_results",
    "load_scenario",
    "simulate",
    "sweep",
    "variant",
]
