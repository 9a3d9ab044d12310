"""deploysim: simulate field missions many times and see staffing, coverage, mediation and cost unfold."""

from deploysim._version import __version__
from deploysim.loader import ScenarioError, load_scenario
from deploysim.results import RunResult, simulate
from deploysim.scenario import Scenario

__all__ = ["RunResult", "Scenario", "ScenarioError", "__version__", "load_scenario", "simulate"]
