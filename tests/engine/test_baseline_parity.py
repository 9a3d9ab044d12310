"""The bare SimPy baseline in bench/ must process exactly the engine's SimPy events.

``bench/baseline.py`` is the performance floor the engine is measured against; it is only honest
while it does the same work. bench/README.md states the invariant: the engine's event count minus
its daily pass's (one start and one event a day) equals the baseline's, or the two are equal when
the baseline runs a daily tick of its own (tension, metric triggers). Any other difference means a
mechanism or a draw has been added to one and not the other.
"""

from __future__ import annotations

import copy
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from deploysim.engine.mission import run_engine
from deploysim.engine.streams import RunIdentity
from deploysim.scenario.load import read_scenario_file, validate_scenario
from deploysim.scenario.schema import Scenario

REPO_ROOT = Path(__file__).resolve().parents[2]
BASELINE_SCRIPT = REPO_ROOT / "bench" / "baseline.py"
SCENARIO = REPO_ROOT / "tests" / "data" / "baseline-150.yaml"
REPLICATIONS = range(4)


@pytest.fixture(scope="module")
def baseline() -> Iterator[ModuleType]:
    """bench/ is not a package: load the script by path (its dataclasses need it in sys.modules)."""
    name = "deploysim_bench_baseline"
    spec = importlib.util.spec_from_file_location(name, BASELINE_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[name]


def _variant(data: dict[str, Any], name: str) -> Scenario:
    return validate_scenario(data, f"{SCENARIO.name} ({name})")


def _scenarios() -> dict[str, Scenario]:
    """The 150-post baseline mission without what the bare model leaves out (its cadet programme)."""
    data, _ = read_scenario_file(SCENARIO)
    data.pop("training_programmes")
    ticking = _variant(copy.deepcopy(data), "coverage trigger")  # a coverage trigger: both run a daily tick
    data["expansions"][0]["trigger"] = {"after": "60 d"}
    plain = _variant(copy.deepcopy(data), "date trigger")  # nothing daily: the engine's daily pass is the difference
    data["tension"] = {"initial": 1.0, "drift_per_day": 0.01, "presence_effect": 0.02, "mediation_effect": 0.05}
    data["expansions"][0]["trigger"] = {"metric": "incident_rate", "above": 0.5, "window": "14 d"}
    tension = _variant(data, "tension")  # modulated incidents and an incident-rate trigger
    return {"coverage trigger": ticking, "date trigger": plain, "tension": tension}


# Whether the baseline runs its own daily tick: both sides of the invariant are exercised.
TICKS = {"coverage trigger": True, "date trigger": False, "tension": True}


@pytest.mark.parametrize("variant", TICKS)
def test_engine_and_bare_baseline_process_the_same_events(baseline: ModuleType, variant: str) -> None:
    scenario = _scenarios()[variant]
    assert baseline.unsupported(scenario) == []
    for rep in REPLICATIONS:
        identity = RunIdentity(2024, 0, rep)
        engine = run_engine(scenario, identity, record_events=False).sim_events
        bare = baseline.run_bare_detail(scenario, identity)
        assert bare.ticks is TICKS[variant]
        expected = baseline.expected_difference(scenario, bare)
        assert engine - bare.events == expected, f"{variant}, replication {rep}: engine {engine}, bare {bare.events}"
