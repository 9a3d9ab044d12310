"""Seeded baseline: performance work must not change what the engine computes.

The baseline file holds the summary and a digest of the daily and team tables of three seeded
replications of a 150-post mission that exercises every mechanism. If a change alters results on
purpose (a modelling change, not an optimisation), regenerate it with
``python tests/test_baseline.py --regenerate`` and say so in the commit.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path

import pandas as pd

from deploysim import load_scenario, simulate

DATA = Path(__file__).resolve().parents[1] / "data"
SCENARIO = DATA / "baseline-150.yaml"
BASELINE = DATA / "baseline-150.json"
REPLICATIONS = (0, 1, 2)


def _digest(table: pd.DataFrame) -> str:
    """Hash of the table's values, rounded to 9 significant digits so the digest is platform-stable."""
    canonical = table.copy()
    for column in canonical.columns:
        if pd.api.types.is_float_dtype(canonical[column]):
            canonical[column] = canonical[column].map(lambda v: f"{v:.9g}")
    return hashlib.sha256(canonical.astype(str).to_csv(index=False).encode()).hexdigest()


def current() -> dict[str, object]:
    scenario = load_scenario(SCENARIO)
    out: dict[str, object] = {}
    for rep in REPLICATIONS:
        result = simulate(scenario, seed=2024, replication=rep)
        out[str(rep)] = {
            "summary": result.summary,
            "sim_events": result.sim_events,
            "daily": _digest(result.daily),
            "teams": _digest(result.teams),
        }
    return out


def test_results_match_the_seeded_baseline() -> None:
    expected = json.loads(BASELINE.read_text())
    actual = current()
    for rep, stored in expected.items():
        got = actual[rep]
        assert isinstance(got, dict)
        for name, value in stored["summary"].items():
            have = got["summary"][name]
            assert (math.isnan(value) and math.isnan(have)) or math.isclose(have, value, rel_tol=1e-9), (rep, name)
        assert got["sim_events"] == stored["sim_events"], rep
        assert got["daily"] == stored["daily"], f"daily table of replication {rep} changed"
        assert got["teams"] == stored["teams"], f"team table of replication {rep} changed"


if __name__ == "__main__" and sys.argv[1:] == ["--regenerate"]:
    BASELINE.write_text(json.dumps(current(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {BASELINE}")
