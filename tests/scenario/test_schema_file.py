"""The committed JSON Schema is the one ``deploysim schema`` prints, so editors pointed at it check
files against the schema the code enforces."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schema" / "scenario.schema.json"

CliResult = tuple[int, str, str]


def test_the_committed_schema_equals_what_the_command_prints(run_cli: Callable[..., CliResult]) -> None:
    code, out, err = run_cli("schema")
    assert code == 0, err
    assert json.loads(out) == json.loads(COMMITTED.read_text()), (
        "schema/scenario.schema.json is stale: regenerate it with `deploysim schema > schema/scenario.schema.json`"
    )
