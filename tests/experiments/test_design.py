"""SPEC parsing and the grid, Latin hypercube and Sobol designs as pure functions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from deploysim.errors import UsageError
from deploysim.experiments.design import lhs, make_design, parse_set, parse_sets, sobol


def test_lists_ranges_and_units() -> None:
    assert parse_set("a=1,2,3").values == (1, 2, 3)
    assert parse_set("a=0.5, 1").values == (0.5, 1.0)
    assert parse_set("a=0:50:10").values == (0, 10, 20, 30, 40, 50)  # both ends included
    assert parse_set("a=4:8").values == (4, 5, 6, 7, 8)  # whole numbers without a step: every one, both ends
    assert parse_set("a=-2:1").values == (-2, -1, 0, 1)
    assert parse_set("a=4:8").kind == "range"
    assert parse_set("a=0.1:0.3:0.1").values == pytest.approx((0.1, 0.2, 0.3))
    weeks = parse_set("mediators.training=1 w,3 w,6 w")
    assert weeks.values == (7, 21, 42) and weeks.in_days
    assert parse_set("a=30 d:90 d:30 d").values == (30.0, 60.0, 90.0)
    assert parse_set("a=true,false").values == (True, False)
    # commas inside parentheses do not split: a distribution is one value
    assert parse_set("a=triangular(7,14,28) d, 30 d").values == ("triangular(7,14,28) d", "30 d")


def test_sampled_specs() -> None:
    uniform = parse_set("incidents.rate_per_day=uniform(0.1, 0.9)")
    assert (uniform.kind, uniform.low, uniform.high) == ("uniform", 0.1, 0.9)
    assert parse_set("a=uniform(1 w, 6 w)").low == 7.0
    integer = parse_set("a=int(0,52)")
    assert integer.kind == "int" and integer.sampled
    assert parse_set("a=choice(x, y)").values == ("x", "y")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", "expected PATH=SPEC"),
        ("=1,2", "no PATH"),
        ("a=", "no values"),
        ("a=1,,2", "empty item"),
        ("a=uniform(5,1)", "lo must be below hi"),
        ("a=uniform(1,1)", "lo must be below hi"),
        ("a=uniform(1)", "takes two numbers"),
        ("a=uniform(x,2)", "'x' is not a number"),
        ("a=int(1.5,3)", "whole numbers"),
        ("a=5:1:1", "lo must be below hi"),
        ("a=1:5:0", "step must be greater than zero"),
        ("a=1:5:1:2", "lo:hi:step"),
        ("a=0.5:2", "give a step, e.g. 0.5:2:STEP"),
        ("a=1 w:6 w", "whole numbers only; give a step"),
        ("a=8:4", "lo must be below hi"),
        ("a=choice()", "choice(...) needs values"),
        ("a=0:1e999:1", "'1e999' is not a finite number"),
        ("a=uniform(0,nan)", "'nan' is not a finite number"),
        ("a=1,inf", "'inf' is not a finite number"),
        (f"a=0:{'9' * 400}:1", "is too large for a number"),
    ],
)
def test_bad_specs_are_one_line_usage_errors(text: str, expected: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_set(text)
    message = str(caught.value)
    assert expected in message and message.startswith("--set") and "\n" not in message


def test_grid_is_the_cartesian_product_last_factor_fastest() -> None:
    design = make_design("grid", parse_sets(["a=1,2", "b=x,y,z"]))
    assert list(design.points.itertuples(index=False, name=None)) == [
        (1, "x"), (1, "y"), (1, "z"), (2, "x"), (2, "y"), (2, "z"),
    ]
    assert design.points.index.name == "point"
    assert design.overrides(4) == {"a": 2, "b": "y"}


@pytest.mark.parametrize(
    ("kind", "sets", "samples", "expected"),
    [
        ("grid", ["a=uniform(0,1)"], None, "needs --design lhs or sobol"),
        ("grid", ["a=1,2"], 8, "--samples applies to --design lhs and sobol"),
        ("lhs", ["a=uniform(0,1)"], None, "needs --samples"),
        ("sobol", ["a=uniform(0,1)"], None, "needs --samples"),
        ("sobol", ["a=uniform(0,1)"], 6, "power of two"),
        ("lhs", ["a=5"], 4, "nothing varies"),
        ("grid", [], None, "at least one --set"),
    ],
)
def test_specs_must_suit_the_design(kind: str, sets: list[str], samples: int | None, expected: str) -> None:
    """The command line reads the flags it was given; Python callers read the parameter names."""
    with pytest.raises(UsageError) as caught:
        make_design(kind, parse_sets(sets), samples)
    assert expected in caught.value.for_cli()
    assert "--samples" not in str(caught.value) and "--design" not in str(caught.value)


def test_duplicate_paths_are_refused() -> None:
    with pytest.raises(UsageError, match="given twice"):
        parse_sets(["a=1,2", "a=3"])


def test_latin_hypercube_is_seeded_stratified_and_in_range() -> None:
    factors = parse_sets(["a=uniform(10,20)", "b=int(1,3)", "c=choice(p,q)", "d=7"])
    first = lhs(factors, 8, seed=5)
    assert first.equals(lhs(factors, 8, seed=5))
    assert not first.equals(lhs(factors, 8, seed=6))
    strata = np.floor((first["a"].to_numpy() - 10) / 10 * 8)
    assert sorted(strata) == list(range(8))  # one point in each eighth of the range
    assert set(first["b"]) <= {1, 2, 3} and set(first["c"]) <= {"p", "q"} and set(first["d"]) == {7}


def test_sobol_follows_salib_saltelli_order_and_size() -> None:
    from SALib.sample import sobol as salib_sobol

    factors = parse_sets(["a=uniform(0,10)", "b=uniform(-1,1)", "fixed=3"])
    design = make_design("sobol", factors, samples=8, seed=11)
    assert len(design.points) == 8 * (2 + 2)  # N * (D + 2): first-order and total indices
    assert design.problem["names"] == ["a", "b"]
    unit = salib_sobol.sample(design.problem, 8, calc_second_order=False, seed=11)
    np.testing.assert_allclose(design.points["a"], unit[:, 0] * 10)
    np.testing.assert_allclose(design.points["b"], unit[:, 1] * 2 - 1)
    assert set(design.points["fixed"]) == {3}
    assert sobol(factors, 8, seed=11).equals(design.points)


def test_design_fingerprint_tracks_the_points() -> None:
    factors = parse_sets(["a=uniform(0,1)"])
    assert make_design("lhs", factors, 4, 1).fingerprint() == make_design("lhs", factors, 4, 1).fingerprint()
    assert make_design("lhs", factors, 4, 1).fingerprint() != make_design("lhs", factors, 4, 2).fingerprint()


HUGE = "9" * 5_000  # past Python's 4,300-digit limit on reading a whole number


@pytest.mark.parametrize(
    "spec", [f"1,{HUGE}", f"int(1,{HUGE})", f"1:{HUGE}:1", f"uniform(1,{HUGE})", f"choice({HUGE})", f"-{HUGE},1"]
)
def test_a_number_of_thousands_of_digits_is_one_short_line_naming_the_flag(spec: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_set(f"recruitment.roster.size={spec}")
    message = str(caught.value)
    assert message.startswith("--set recruitment.roster.size=") and "\n" not in message
    assert "has 5,000 digits; a number may have at most 4,300" in message
    assert len(message) < 300  # the value is cut, not repeated in full


def test_the_sweep_command_refuses_a_huge_number_with_exit_2(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    code, _, err = run_cli("sweep", "kyrgyzstan-2010", "--set", f"recruitment.roster.size=1,{HUGE}", "--reps", "1",
                             "--out", tmp_path / "out")
    assert code == 2 and "Traceback" not in err
    assert err.startswith("deploysim: error: --set recruitment.roster.size=") and len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()
