"""The scenario schema: shipped files validate, `validate` and `schema` work, rules hold everywhere."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

import deploysim
from deploysim.cli import main
from deploysim.scenario.durations import Exponential, Fixed, Triangular, Uniform
from deploysim.scenario.schema import Scenario

MONTH = 365.25 / 12


def test_shipped_scenario_loads_as_planned(shipped_scenario: Path) -> None:
    scenario = deploysim.load_scenario(shipped_scenario)
    assert scenario.authorised_posts == 52  # PC.DEC/947
    assert len(scenario.teams) == 7  # six field teams and a headquarters
    field = [t for t in scenario.teams if t.needs_mediator]
    assert len(field) == 6
    assert all(t.posts == {"team_leader": 1, "adviser": 7} for t in field)  # merged from the &field_team anchor
    assert all(t.min_manning == {"team_leader": 1, "adviser": 3} for t in field)
    assert {t.unit for t in scenario.teams} <= {u.name for u in scenario.units}
    assert scenario.start_date == dt.date(2010, 7, 22)
    assert scenario.mandate.initial_length == pytest.approx(4 * MONTH)
    assert scenario.horizon_days == round(scenario.horizon) > scenario.mandate.initial_length
    recruitment = scenario.recruitment
    assert recruitment.selection == Triangular(dist="triangular", low=7, mode=14, high=28, unit="d")
    assert recruitment.travel == Uniform(dist="uniform", low=2, high=5, unit="d")
    assert isinstance(recruitment.pre_deployment_training, Fixed)
    assert recruitment.pre_deployment_training.mean_days() == 42.0
    assert recruitment.readvertise_probability == 0.43
    assert scenario.tour.length.mean_days() == pytest.approx(12 * MONTH)
    assert scenario.incidents.service_time == Exponential(dist="exponential", mean=1.5, unit="d")


def test_validate_every_shipped_scenario_through_the_cli(repo_root: Path, run_cli: Callable[..., Any]) -> None:
    files = sorted(p.relative_to(repo_root) for p in (repo_root / "scenarios").glob("*.yaml"))
    assert files, "no scenarios shipped"
    code, out, err = run_cli("validate", *files)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == len(files)
    for path, line in zip(files, lines, strict=True):
        assert line.startswith(f"{path}: ok (")


def test_schema_command_prints_json_schema_of_every_top_level_field(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    schema = json.loads(out)
    assert set(schema["properties"]) == set(Scenario.model_fields)
    assert {"name", "start_date", "horizon", "mandate", "units", "teams", "recruitment", "tour"} <= set(
        schema["properties"]
    )
    assert set(schema["required"]) == {"name", "start_date", "horizon", "mandate", "units", "teams"}
    assert schema["additionalProperties"] is False  # editors flag misspelt keys too
    assert schema["$defs"]["Recruitment"]["additionalProperties"] is False


def _as_json(data: Any) -> Any:
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v)))


def test_json_schema_accepts_what_the_loader_accepts(
    shipped_scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Editors complete and check files with `deploysim schema`; it must not flag '17 d' or '4 months'
    (it used to: durations were described as mappings only and `horizon` as a number only)."""
    jsonschema = pytest.importorskip("jsonschema")
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    data = _as_json(yaml.safe_load(shipped_scenario.read_text()))
    jsonschema.validate(data, schema)
    for dotted, value in [
        ("tour.length", 30),
        ("horizon", "1 y"),
        ("recruitment.travel", {"dist": "fixed", "value": 3}),
    ]:
        jsonschema.validate(_set(data, dotted, value), schema)
    with pytest.raises(jsonschema.ValidationError):  # and it is not vacuous: unknown keys are flagged
        jsonschema.validate({**data, "recruitement": {}}, schema)


# --- rules of the schema, checked directly on the model ----------------------------------------------


def _set(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node: Any = out
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value
    return out


@pytest.mark.parametrize(
    "where",
    [
        "",
        "mandate",
        "units.0",
        "teams.0",
        "recruitment",
        "recruitment.roster",
        "tour",
        "leave",
        "repatriation",
        "initial_staff",
        "mediators",
        "incidents",
        "costs",
        "costs.roles.adviser",
        "measures",
        "recruitment.selection",  # a distribution written as a mapping
    ],
)
def test_unknown_keys_are_rejected_at_every_level(minimal_scenario: dict[str, Any], where: str) -> None:
    data = minimal_scenario
    if where == "recruitment.selection":
        data = _set(data, where, {"dist": "fixed", "value": 3})
    data = _set(data, f"{where}.misspelt" if where else "misspelt", 1)
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(data)
    errors = info.value.errors()
    assert [e["type"] for e in errors] == ["extra_forbidden"]
    assert errors[0]["loc"][-1] == "misspelt"


@pytest.mark.parametrize(
    ("dotted", "value", "message"),
    [
        ("teams.0.unit", "Nowhere", "points at unit 'Nowhere', which is not among units (U1, U2)"),
        ("teams.0.min_manning", {"adviser": 4}, "needs 4 adviser present but has only 3"),
        ("teams.0.min_manning", {"pilot": 1}, "needs 1 pilot present but has only 0"),
        ("teams.0.in_place", {"adviser": 4}, "4 people in place but only 3 adviser posts"),
        ("teams.0", {"name": "T1", "unit": "U1", "posts": {"adviser": 0}}, "has no posts"),
        ("units", [{"name": "U1"}, {"name": "U1"}], "'U1' appears twice"),
        ("horizon", "51 years", "at most 50 years"),
    ],
)
def test_cross_field_rules(minimal_scenario: dict[str, Any], dotted: str, value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        Scenario.model_validate(_set(minimal_scenario, dotted, value))


def test_team_names_must_be_unique(minimal_scenario: dict[str, Any]) -> None:
    data = copy.deepcopy(minimal_scenario)
    data["teams"].append({**data["teams"][0], "unit": "U2"})
    with pytest.raises(ValidationError, match="'T1' appears twice"):
        Scenario.model_validate(data)


def test_in_place_and_min_manning_up_to_posts_are_fine(minimal_scenario: dict[str, Any]) -> None:
    data = _set(minimal_scenario, "teams.0.in_place", {"team_leader": 1, "adviser": 3})
    data = _set(data, "teams.0.min_manning", {"team_leader": 1, "adviser": 3})
    assert Scenario.model_validate(data).teams[0].in_place == {"team_leader": 1, "adviser": 3}


def test_defaults_carry_the_sourced_values(minimal_scenario: dict[str, Any]) -> None:
    scenario = Scenario.model_validate(minimal_scenario)
    assert scenario.recruitment.call_window.mean_days() == 17  # OSCE ~17 d
    assert scenario.recruitment.readvertise_probability == 0.43  # OSCE 2009
    assert scenario.recruitment.pre_deployment_training.mean_days() == 42  # ~6 weeks
    assert scenario.leave.days_per_month == 2.5
    assert scenario.measures.foc_fill_share == 0.9


def test_fingerprint_follows_content(minimal_scenario: dict[str, Any]) -> None:
    a = Scenario.model_validate(minimal_scenario)
    b = Scenario.model_validate(copy.deepcopy(minimal_scenario))
    c = Scenario.model_validate(_set(minimal_scenario, "tour.length", "11 months"))
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()
    assert Scenario.model_validate(a.model_dump(mode="json")) == a  # stored definitions reload as equal


@pytest.mark.parametrize(
    "dotted", ["incidents.rate_per_day", "units.0.incident_rate", "repatriation.annual_hazard", "costs.travel"]
)
def test_non_finite_numbers_are_refused(minimal_scenario: dict[str, Any], dotted: str) -> None:
    with pytest.raises(ValidationError):
        Scenario.model_validate(_set(minimal_scenario, dotted, float("inf")))
