"""Scenario files and data into validated scenarios, with every mistake as one line a planner can act on.

Reading the file safely is ``yaml_file``'s job and wording pydantic's errors is ``messages``'; this
module joins them, and applies dotted-path changes (``paths``) before validating, so a scenario
changed on the command line, in a notebook or by a sweep is checked exactly like a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from deploysim.errors import ScenarioError
from deploysim.scenario.messages import validation_error
from deploysim.scenario.paths import SOURCE, apply_overrides, check_path
from deploysim.scenario.schema import Scenario
from deploysim.scenario.shipped import resolve_scenario
from deploysim.scenario.yaml_file import LineMap, read_scenario_file, required_fields


def validate_scenario(data: Any, source: str, lines: LineMap | None = None) -> Scenario:
    """``data`` as a Scenario; a ScenarioError names ``source``, the field and (with ``lines``) its line."""
    lines = lines or {}
    if not isinstance(data, Mapping):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise ScenarioError(
            source,
            f"a scenario must be a mapping of fields ({required_fields()}: ...), not {kind}",
            line=lines.get(()),
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, data, lines, source) from None
    except (OverflowError, ZeroDivisionError) as exc:  # a last resort: arithmetic on a number no bound foresaw
        message = f"a number in the scenario is too large or too small to work with ({exc})"
        raise ScenarioError(source, message) from None


def validate_changed(
    data: dict[str, Any], changes: Mapping[str, Any], source: str, origin: str = SOURCE
) -> Scenario:
    """``data`` with each dotted path of ``changes`` set to its value, validated as the scenario ``source``.

    Every path is checked against ``data`` as given before any is applied, so a misspelt path is
    reported as one (naming ``origin``) whatever the order of the changes.
    """
    for path in changes:
        check_path(data, path, origin)
    return validate_scenario(apply_overrides(data, changes, origin), source)


def describe_changes(changes: Mapping[str, Any]) -> str:
    """``path=value, ...``: how messages name a changed scenario."""
    return ", ".join(f"{path}={value}" for path, value in changes.items())


def load_scenario(
    path: str | Path, changes: Mapping[str, Any] | None = None, *, origin: str = "changes"
) -> Scenario:
    """Read and validate a scenario file (or a shipped scenario by name), with each dotted path of
    ``changes`` set to its value.

    Raises :class:`ScenarioError` with file, field and line; a bad path or value in ``changes``
    is named with ``origin`` (the CLI passes ``--set``) and the changes, e.g.
    ``mission.yaml with changes recruitment.roster.size=-1: recruitment.roster.size: must be at least 0``.
    """
    path = resolve_scenario(path)
    data, lines = read_scenario_file(path)
    if not changes or not isinstance(data, dict):  # without a mapping, the file's own problem comes first
        return validate_scenario(data, str(path), lines)
    return validate_changed(data, changes, f"{path} with {origin} {describe_changes(changes)}", origin)
