"""Input that could hang, exhaust memory, overflow or date tables wrongly is refused with one line.

Files: only regular files are read, and never past the size limit (FIFOs, devices and directories
are refused from their ``stat``). ``--set`` values are read with the file's YAML limits. Every
rate, count, size and duration has a sanity bound stated in its description; loops the engine would
run in zero time are refused at validation; a start date and horizon the tables cannot hold are
refused; names are defined once and references find them. Realistic missions pass.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import subprocess
import sys
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import annotated_types
import pandas as pd
import pytest
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from deploysim.cli import main
from deploysim.errors import ScenarioError, UsageError
from deploysim.results.run import simulate
from deploysim.scenario import limits
from deploysim.scenario.load import load_scenario, validate_scenario
from deploysim.scenario.paths import parse_changes
from deploysim.scenario.schema import Scenario
from deploysim.scenario.yaml_file import MAX_FILE_BYTES

REPO_ROOT = Path(__file__).resolve().parents[2]
LARGE = REPO_ROOT / "scenarios" / "large-mission.yaml"


def refusal(data: dict[str, Any]) -> str:
    """The one-line message for scenario data that must be refused."""
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(data, "s.yaml")
    return str(caught.value)


def changed(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``data`` with dotted paths (written with ``__`` for dots) set, deep-merging mappings."""
    out = copy.deepcopy(data)
    for dotted, value in changes.items():
        node: Any = out
        parts = dotted.split("__")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if isinstance(node, list):
            node[int(parts[-1])] = value
        else:
            node[parts[-1]] = value
    return out


# --- files: regular files only, never read past the limit ---------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    code, out, err = run_cli("validate", fifo, timeout=60)  # a read would wait for ever
    assert code == 2 and out == ""
    assert err.splitlines() == [f"deploysim: error: {fifo}: is a named pipe (FIFO), not a scenario file (a regular "
                                "YAML file)"]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_before_reading(device: str, capsys: pytest.CaptureFixture[str]) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    assert main(["validate", device]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"deploysim: error: {device}: is a character device, not a scenario file (a regular YAML file)"
    ]


def test_a_huge_file_is_refused_from_its_size_without_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sparse = tmp_path / "sparse.yaml"
    with sparse.open("wb") as file:
        file.truncate(8 * 2**30)  # 8 GiB of holes: reading it would exhaust memory
    assert main(["validate", str(sparse)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"deploysim: error: {sparse}: is 8,589,934,592 bytes, larger than the {MAX_FILE_BYTES:,} allowed"
    ]


def test_a_path_through_a_file_is_no_such_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text("name: x\n")
    assert main(["validate", str(tmp_path / "a.yaml" / "b.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


# --- --set values: the file's YAML limits ------------------------------------------------------------------

BOMB = "[" + ", ".join(
    ["&a [x, x, x, x, x, x, x, x, x]"]
    + [f"&{name} [{', '.join([f'*{prev}'] * 9)}]" for prev, name in zip("abcdefgh", "bcdefghi", strict=True)]
) + "]"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (BOMB, "this looks like an alias bomb"),
        ("&a [*a]", "an alias refers to a structure that contains it"),
        ("[" * 100 + "]" * 100, "nesting deeper than 64 levels"),
        ("x" * (MAX_FILE_BYTES + 1), "larger than 1,000,000 bytes"),
        ("2010-02-30", "cannot read '2010-02-30': day is out of range for month"),
        ("{a: 1, a: 2}", "key 'a' is written twice"),
        ("!!python/name:os.system", "scenario files hold plain data only"),
        ("5\x07", "character U+0007"),
    ],
)
def test_set_values_are_read_with_the_file_limits(value: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_changes([f"recruitment.selection={value}"], "--set")
    text = str(caught.value)
    assert text.startswith("--set 'recruitment.selection=") and message in text
    assert len(text) < 400 and "\n" not in text


def test_set_start_date_that_does_not_exist_is_one_line(
    shipped_scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(shipped_scenario), "--reps", "1", "--out", str(out), "--set", "start_date=2010-02-30"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        "deploysim: error: --set 'start_date=2010-02-30': cannot read the value '2010-02-30': "
        "cannot read '2010-02-30': day is out of range for month"
    )
    assert not out.exists()


# --- sanity bounds: each refused with one line at its field ------------------------------------------------

BOUNDS: list[tuple[str, dict[str, Any], str, str]] = [
    ("horizon", {"horizon": "51 years"}, "horizon", "must be at most 50 years"),
    ("posts per role", {"teams__0__posts__adviser": 10_001}, "teams.0.posts.adviser", "must be at most 10,000"),
    ("posts per team", {"teams__0__posts": {f"r{i}": 5_000 for i in range(3)}}, "teams.0.posts",
     "a team can have at most 10,000 posts, got 15,000"),
    ("roles per team", {"teams__0__posts": {f"r{i}": 1 for i in range(101)}}, "teams.0.posts",
     "can have at most 100 entries"),
    ("mediators per team", {"teams__0__mediators": 101}, "teams.0.mediators", "must be at most 100"),
    ("incident rate", {"incidents__rate_per_day": 1e6}, "incidents.rate_per_day", "must be at most 100"),
    ("unit incident rate", {"units__0__incident_rate": 101}, "units.0.incident_rate", "must be at most 100"),
    ("repatriation", {"repatriation__annual_hazard": 13}, "repatriation.annual_hazard", "must be at most 12"),
    ("attrition", {"mediators__annual_attrition": 1e9}, "mediators.annual_attrition", "must be at most 12"),
    ("withdrawal", {"consent__withdrawal_annual_hazard": 13}, "consent.withdrawal_annual_hazard",
     "must be at most 12"),
    ("money", {"costs__default_daily": 1e10}, "costs.default_daily", "must be at most 1e+09"),
    ("budget", {"budget__ceiling": 1e16}, "budget.ceiling", "must be at most 1e+15"),
    ("roster", {"recruitment__roster__size": 50_001}, "recruitment.roster.size", "must be at most 50,000"),
    ("local staff", {"costs__local_staff": 10**7}, "costs.local_staff", "must be at most 100,000"),
    ("states", {"mandate__extensions": {"decision": {"states": 10**400}}}, "mandate.extensions.decision.states",
     "must be at most 1,000"),
    ("max extensions", {"mandate__extensions": {"max_extensions": 1001}}, "mandate.extensions.max_extensions",
     "must be at most 1,000"),
    ("tiny mandate extension", {"mandate__extensions": {"length": "1e-6 d"}}, "mandate.extensions.length",
     "must be at least 7 days on average"),
    ("review", {"mandate__extensions": {"review_before_expiry": "2 years"}}, "mandate.extensions.review_before_expiry",
     "must be at most 1 year"),
    ("drawdown", {"mandate__drawdown": "3 years"}, "mandate.drawdown", "must be at most 2 years"),
    ("initial mandate", {"mandate__initial_length": "60 years"}, "mandate.initial_length", "must be at most 50 years"),
    ("tiny tour", {"tour__length": "2 d"}, "tour.length", "must be at least 7 days on average"),
    ("tiny tour extension", {"tour__extension_length": "1e-9 d"}, "tour.extension_length",
     "must be at least 7 days on average"),
    ("overlap", {"tour__handover_overlap": "2 years"}, "tour.handover_overlap", "must be at most 1 year"),
    ("lead", {"tour__replacement_lead": "11 years"}, "tour.replacement_lead", "must be at most 10 years"),
    ("tiny leave block", {"leave__block": "0.01 d"}, "leave.block", "must be at least 1 day on average"),
    ("duration of 400 digits", {"tour__length": 10**400}, "tour.length", "a duration must be a finite number"),
    ("long duration", {"recruitment__selection": "101 years"}, "recruitment.selection",
     "a duration can be at most 100 years"),
    ("duration to infinity", {"recruitment__selection": "uniform(0, 1e308) years"}, "recruitment.selection",
     "a duration can be at most 100 years"),
    ("lognormal spread", {"recruitment__selection": "lognormal(1, 1e300) d"}, "recruitment.selection",
     "sd must be at most 10 times the mean"),
    ("gamma spread", {"recruitment__selection": "gamma(1e-200, 1e200) d"}, "recruitment.selection",
     "sd must be at most 10 times the mean"),
    ("gamma without spread", {"recruitment__selection": "gamma(1, 1e-300) d"}, "recruitment.selection",
     "sd must be at least 1e-06 times the mean"),
    ("empirical weights",
     {"recruitment__selection": {"dist": "empirical", "values": [1, 2], "weights": [1e308, 1e308]}},
     "recruitment.selection", "their sum must be a finite number"),
    ("trigger window", {"expansions": [{"name": "x", "trigger": {"metric": "tension", "above": 2, "window": "2 y"},
                                        "add_posts": {"T1": {"adviser": 1}}}]},
     "expansions.0.trigger.window", "must be at most 1 year"),
    ("tension ceiling", {"tension": {"ceiling": 1000}}, "tension.ceiling", "must be at most 100"),
    ("tension order", {"tension": {"floor": 3, "ceiling": 2}}, "tension.floor", "the floor (3) is above the ceiling"),
    ("mission incidents", {"incidents__rate_per_day": 60, "tension": {"ceiling": 100}}, "tension.ceiling",
     "all units together would have 12,000 incidents a day at the tension ceiling; at most 10,000"),
    ("cadet intake", {"training_programmes": [{"name": "c", "intakes": [{"after": 10, "size": 10**15}]}]},
     "training_programmes.0.intakes.0.size", "must be at most 100,000"),
    ("cadets in all", {"training_programmes": [{"name": "c", "intakes": [{"after": 10, "size": 100_000}] * 11}]},
     "training_programmes", "1,100,000 cadets in all intakes; at most 1,000,000"),
    ("phases", {"phases": [{"name": f"p{i}", "trigger": {"event": "consent_granted"},
                            "teams": [{"name": "T1", "posts": {"adviser": 1}}]} for i in range(51)]},
     "phases", "can have at most 50 entries"),
    ("fill time", {"recruitment": {"call_window": "40 years", "readvertise_probability": 0.9}}, "recruitment",
     "filling a post would take 146,164 days on average"),
    ("description", {"description": "a\x00b"}, "description", "must be printable text"),
]


@pytest.mark.parametrize(("label", "changes", "field", "message"), BOUNDS, ids=[b[0] for b in BOUNDS])
def test_beyond_a_bound_is_one_line_at_the_field(
    minimal_scenario: dict[str, Any], label: str, changes: dict[str, Any], field: str, message: str
) -> None:
    text = refusal(changed(minimal_scenario, **changes))
    assert text.startswith(f"s.yaml: {field}: "), text
    assert message in text, text
    assert "\n" not in text


def test_too_many_posts_in_the_whole_mission(minimal_scenario: dict[str, Any]) -> None:
    teams = [{"name": f"T{i}", "unit": "U1", "posts": {"adviser": 10_000}, "needs_mediator": False, "mediators": 0}
             for i in range(6)]
    text = refusal(changed(minimal_scenario, teams=teams))
    assert "teams: the mission may open 60,000 posts" in text and "at most 50,000" in text


def test_too_many_mediator_slots(minimal_scenario: dict[str, Any]) -> None:
    teams = [{"name": f"T{i}", "unit": "U1", "posts": {"adviser": 1}, "mediators": 100} for i in range(101)]
    assert "10,100 mediator slots in all teams; at most 10,000" in refusal(changed(minimal_scenario, teams=teams))


def test_phase_and_expansion_posts_count_towards_the_mission(minimal_scenario: dict[str, Any]) -> None:
    big = {"adviser": 9_000}
    phases = [{"name": f"p{i}", "trigger": {"after": 10 * (i + 1)}, "teams": [{"name": "T1", "posts": big}]}
              for i in range(6)]
    assert "may open 54,004 posts" in refusal(changed(minimal_scenario, phases=phases))


# --- zero-time loops the engine would never leave --------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"recruitment": {"call_window": 0, "readvertise_probability": 1}}, "recruitment.readvertise_probability",
         "1 with call_window 0 re-advertises every call for ever in zero time"),
        ({"recruitment": {"readvertise_probability": 1}}, "recruitment.readvertise_probability",
         "must be at most 0.99, got 1: every call is re-advertised for ever"),
        ({"recruitment": {"readvertise_probability": 0.999999}}, "recruitment.readvertise_probability",
         "a post is called for 1,000,000 times"),
        ({"mediators": {"recruitment": 0, "training": 0, "certification_yield": 0}}, "mediators.certification_yield",
         "a mediator slot would retry certification for ever in no time"),
        ({"mediators": {"recruitment": "1e-9 d", "training": 0, "certification_yield": 1e-9}},
         "mediators.certification_yield", "would retry certification about 1,000,000,000 times in no time"),
        ({"mandate": {"initial_length": "4 months", "extensions": {"length": "1e-9 d", "max_extensions": 1000}}},
         "mandate.extensions.length", "must be at least 7 days on average"),
        ({"tour": {"length": "30 d", "extension_probability": 1, "extension_length": "7 d",
                   "replacement_lead": "10 years"}},
         "tour.extension_probability", "each holder would extend about 518 times on arrival in no time"),
    ],
)
def test_zero_time_loops_are_refused(
    minimal_scenario: dict[str, Any], changes: dict[str, Any], field: str, message: str
) -> None:
    text = refusal(changed(minimal_scenario, **changes))
    assert text.startswith(f"s.yaml: {field}: ") and message in text, text


def test_certain_extensions_with_a_lead_shorter_than_the_tour_are_allowed(minimal_scenario: dict[str, Any]) -> None:
    tour = {"length": "12 months", "extension_probability": 1, "extension_length": "7 d"}
    assert validate_scenario(changed(minimal_scenario, tour=tour), "s.yaml").tour.extension_probability == 1


def test_slow_or_failing_certification_with_time_per_attempt_is_allowed(minimal_scenario: dict[str, Any]) -> None:
    scenario = validate_scenario(changed(minimal_scenario, mediators={"certification_yield": 0}), "s.yaml")
    assert scenario.mediators.certification_yield == 0  # recruitment and training take 51 days an attempt


def test_zero_yield_without_mediator_slots_is_allowed(minimal_scenario: dict[str, Any]) -> None:
    data = changed(minimal_scenario, mediators={"recruitment": 0, "training": 0, "certification_yield": 0})
    data["teams"][0].update(needs_mediator=False, mediators=0)
    assert validate_scenario(data, "s.yaml").mediators.certification_yield == 0


# --- dates the tables can hold ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "horizon", "message"),
    [
        ("2262-03-01", "60 d", "start_date: 2262-03-01 plus the horizon of 60 days ends after 2262-04-11"),
        ("9999-12-31", "1 d", "start_date: 9999-12-31 plus the horizon of 1 day ends after 2262-04-11"),
        ("2230-01-01", "50 years", "start_date: 2230-01-01 plus the horizon of 18262 days ends after 2262-04-11"),
        ("1600-01-01", "60 d", "start_date: must be 1677-09-22 or later"),
    ],
)
def test_dates_beyond_the_tables_are_refused(
    minimal_scenario: dict[str, Any], start: str, horizon: str, message: str
) -> None:
    data = changed(minimal_scenario, start_date=dt.date.fromisoformat(start), horizon=horizon)
    data["mandate"]["initial_length"] = horizon
    assert message in refusal(data)


def test_the_last_dates_the_tables_hold_are_dated_right(minimal_scenario: dict[str, Any]) -> None:
    assert pd.Timestamp.max.date() == limits.LAST_DATE
    assert pd.Timestamp.min.date() + dt.timedelta(days=1) == limits.FIRST_DATE
    for start, days in [(dt.date(2262, 2, 10), 60), (limits.FIRST_DATE, 30)]:
        data = changed(minimal_scenario, start_date=start, horizon=f"{days} d")
        data["mandate"]["initial_length"] = f"{days} d"
        daily = simulate(validate_scenario(data, "s.yaml"), seed=1).daily
        assert list(daily["date"].dt.date) == [start + dt.timedelta(days=d) for d in range(days)]


# --- names: defined once, and every reference finds what it names ------------------------------------------------


def _phase(teams: list[dict[str, Any]], **more: Any) -> list[dict[str, Any]]:
    return [{"name": "p", "trigger": {"after": 30}, "teams": teams, **more}]


NAMES: list[tuple[str, dict[str, Any], str, str]] = [
    ("duplicate team in a phase", {"phases": _phase([{"name": "T1", "posts": {"adviser": 1}},
                                                     {"name": "T1", "posts": {"adviser": 5}}])},
     "phases.0.teams.1.name", "'T1' appears twice (first as item 0)"),
    ("unknown role added by an expansion",
     {"expansions": [{"name": "x", "trigger": {"after": 10}, "add_posts": {"T1": {"advisor": 8}}}]},
     "expansions.0.add_posts.T1.advisor", "no post table has role 'advisor'; did you mean 'adviser'?"),
    ("unknown team added to by an expansion",
     {"expansions": [{"name": "x", "trigger": {"after": 10}, "add_posts": {"T 1": {"adviser": 8}}}]},
     "expansions.0.add_posts.T 1", "unknown team 'T 1'"),
    ("expansion's new team already exists",
     {"expansions": [{"name": "x", "trigger": {"after": 10},
                      "new_teams": [{"name": "T1", "unit": "U2", "posts": {"adviser": 2}}]}]},
     "expansions.0.new_teams.0.name", "team 'T1' already exists; to give it more posts use add_posts"),
    ("expansion's new team needs more than it has",
     {"expansions": [{"name": "x", "trigger": {"after": 10},
                      "new_teams": [{"name": "T9", "unit": "U2", "posts": {"adviser": 2},
                                     "min_manning": {"adviser": 3}}]}]},
     "expansions.0.new_teams.0.min_manning.adviser", "needs 3 adviser present but has only 2"),
    ("phase moves a team", {"phases": _phase([{"name": "T1", "unit": "U2", "posts": {"adviser": 1}}])},
     "phases.0.teams.0.unit", "team 'T1' is based in unit 'U1'; a phase cannot move it"),
    ("people in place in a phase", {"phases": _phase([{"name": "T1", "posts": {"adviser": 1},
                                                       "in_place": {"adviser": 1}}])},
     "phases.0.teams.0.in_place", "only teams of the day-0 table"),
    ("re-role of no role", {"phases": _phase([{"name": "T1", "posts": {"trainer": 1}}], rerole={"advisor": "trainer"})},
     "phases.0.rerole.advisor", "no post anywhere has role 'advisor'; did you mean 'adviser'?"),
    ("unit defined again", {"phases": _phase([{"name": "T1", "posts": {"adviser": 1}}],
                                             new_units=[{"name": "U1", "incident_rate": 5}])},
     "phases.0.new_units.0.name", "unit 'U1' is already defined in units"),
    ("duplicate programme", {"training_programmes": [{"name": "c", "intakes": [{"after": 1, "size": 5}]}] * 2},
     "training_programmes.1.name", "'c' appears twice"),
    ("control character in a name", {"teams__0__name": "T\x1b[31m1"}, "teams.0.name",
     "a name must be printable text; 'T\\x1b[31m1' holds the character U+001B"),
    ("lone surrogate in a name", {"units__1__name": "U\ud8002"}, "units.1.name",
     "must be valid text; 'U\\ud8002' holds a lone surrogate"),
    ("spaces around a name", {"name": " mission "}, "name", "a name must not begin or end with spaces"),
    ("very long name", {"name": "x" * 201}, "name", "must be at most 200 characters long"),
]


@pytest.mark.parametrize(("label", "changes", "field", "message"), NAMES, ids=[n[0] for n in NAMES])
def test_names_are_defined_once_and_found(
    minimal_scenario: dict[str, Any], label: str, changes: dict[str, Any], field: str, message: str
) -> None:
    text = refusal(changed(minimal_scenario, **changes))
    assert text.startswith(f"s.yaml: {field}: ") and message in text, text


def test_names_with_spaces_lead_to_their_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shipped = (REPO_ROOT / "scenarios" / "kyrgyzstan-2010.yaml").read_text()
    text = shipped.replace("Team 3 Kara-Suu: {adviser: 8}", "Team 3 Kara-Suu: {advisor: 8}")
    path = tmp_path / "typo.yaml"
    path.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if "{advisor: 8}" in row)
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.startswith(
        f"deploysim: error: {path}:{line}: expansions.0.add_posts.Team 3 Kara-Suu.advisor: no post table has role"
    )


# --- realistic missions pass ----------------------------------------------------------------------------------------


def test_shipped_scenarios_pass_every_bound() -> None:
    for path in sorted((REPO_ROOT / "scenarios").glob("*.yaml")):
        load_scenario(path)


def test_large_mission_passes_and_four_times_it_does_not() -> None:
    assert load_scenario(LARGE).authorised_posts == 15_000
    data = yaml.safe_load(LARGE.read_text())
    data["teams"] = [
        {**team, "posts": {role: 4 * n for role, n in team["posts"].items()}, "in_place": {}} for team in data["teams"]
    ]
    text = refusal(data)
    assert "may open 60,000 posts" in text


# --- every bound is stated where the field is described --------------------------------------------------------


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[type[BaseModel]]:
    if model in seen:
        return
    seen.add(model)
    yield model
    for field in model.model_fields.values():
        for inner in _annotations(field.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                yield from _models(inner, seen)


def _annotations(annotation: Any) -> Iterator[Any]:
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _annotations(arg)


def _bounded(field: FieldInfo) -> bool:
    """A sanity bound on the field itself: a maximum (a probability's 1 aside), a largest size, a
    least or largest number of days, or a duration (every duration is bounded)."""
    for item in field.metadata:
        maximum = getattr(item, "le", getattr(item, "lt", None))
        if isinstance(item, annotated_types.Le | annotated_types.Lt) and maximum != 1.0:
            return True
        if isinstance(item, annotated_types.MaxLen):
            return True
        name = getattr(getattr(item, "func", None), "__qualname__", "")
        if name.startswith(("at_most", "min_mean", "_bounded")):
            return True
    names = {getattr(a, "__name__", "") for a in _annotations(field.annotation)}
    return "Fixed" in names  # a duration: a union of the distributions


def test_every_bound_is_stated_in_the_field_description() -> None:
    missing = []
    for model in _models(Scenario, set()):
        for name, field in model.model_fields.items():
            if _bounded(field) and not any(
                word in (field.description or "") for word in ("at most", "at least", "between")
            ):
                missing.append(f"{model.__name__}.{name}")
    assert missing == [], ", ".join(missing)


def test_the_limits_table_names_every_bound() -> None:
    doc = limits.__doc__ or ""
    assert "50 years" in doc and "2262-04-11" in doc and "50,000" in doc and "0.99" in doc


def test_validate_prints_a_name_the_terminal_cannot_encode(tmp_path: Path) -> None:
    shipped = (REPO_ROOT / "scenarios" / "kyrgyzstan-2010.yaml").read_text()
    path = tmp_path / "emoji.yaml"
    path.write_text(shipped.replace("name: Kyrgyzstan PAG 2010 (as planned)", 'name: "PAG \U0001f693"'))
    proc = subprocess.run(
        [sys.executable, "-m", "deploysim", "validate", str(path)],
        env={**os.environ, "PYTHONIOENCODING": "latin-1"},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("latin-1") == f"{path}: ok (PAG \\U0001f693: 52 posts in 7 teams)\n"


@pytest.mark.parametrize("days", [5e-324, 1e-300])
def test_a_vanishing_leave_rate_means_no_leave_rather_than_a_division_by_zero(days: float) -> None:
    """Found by the fuzzer (seed 3): 5e-324 / 30.44 underflows to 0, and the leave interval divided by it."""
    from deploysim import load_scenario, simulate
    from deploysim.scenario.shipped import resolve_scenario

    scenario = load_scenario(resolve_scenario("eumm-georgia-2008"), {"leave.days_per_month": days, "horizon": "60 d"})
    result = simulate(scenario, seed=0, replication=0)
    assert result.summary["mean_fill"] > 0
