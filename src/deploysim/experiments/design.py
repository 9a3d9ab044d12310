"""Experimental designs over scenario fields: what to vary, and at which points.

Each ``--set PATH=SPEC`` becomes a :class:`Factor`. SPEC is one of

* a list ``a,b,c`` (commas inside parentheses do not split, so ``triangular(7,14,28) d`` is one value);
* a range ``lo:hi:step``, both ends included (``0:50:10`` is 0, 10, ..., 50), or for whole numbers
  ``lo:hi``, every whole number from lo to hi (``4:8`` is 4, 5, 6, 7, 8); a range of decimals or
  durations needs its step, since no step is the obvious one;
* for sampled designs, ``uniform(lo,hi)``, ``int(lo,hi)`` (both ends included) or ``choice(a,b,...)``.

Values with a time unit (``30 d``, ``6 w``, ``4 months``) are converted to days, so a factor is a
plain number that analysis can regress on; every duration field reads a bare number as days.

Designs are pure functions of the factors, the sample count and the root seed, returning a DataFrame
with one row per design point (index ``point``) and one column per path:

* ``grid``: the Cartesian product of lists and ranges;
* ``lhs``: a Latin hypercube from ``scipy.stats.qmc.LatinHypercube`` seeded with the root seed;
* ``sobol``: Saltelli's scheme from ``SALib.sample.sobol.sample`` (itself built on
  ``scipy.stats.qmc.Sobol``), in SALib's row order so that ``SALib.analyze.sobol`` can read the
  results back. First-order and total indices only (``calc_second_order=False``): N*(D+2) points
  instead of N*(2D+2); how much a factor acts through interactions shows as ST - S1.

In sampled designs a list or range is sampled as a choice among its values and a single value is a
constant applied to every point. Sampling is done on the unit cube and mapped to each factor's values
here, so the SALib ``problem`` has unit bounds.

An *inert* factor (:func:`dummy_factor`, ``--dummy``) is a design column that no scenario field reads:
it is sampled, stored and analysed like any other factor but never applied, so the index it gets is
what replication noise and the estimator alone give a parameter that does nothing. An analyst reads
every other index against it.
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from deploysim.errors import UsageError
from deploysim.experiments.defaults import DESIGNS
from deploysim.scenario.durations import parse_quantity
from deploysim.scenario.yaml_file import describe_value

MAX_POINTS = 1_000_000
MAX_LEVELS = 100_000
DUMMY = "dummy"

_SAMPLED_SPEC = re.compile(r"^\s*(uniform|int|choice)\s*\((.*)\)\s*$", re.DOTALL)
_INTEGER = re.compile(r"^[-+]?\d+$")
_UNIT = re.compile(r"[A-Za-z]\s*$")

Value = bool | int | float | str
Admit = Callable[[int], None]
"""Hears a design's number of points before it is built; raises to refuse them."""
FactorKind = Literal["list", "range", "uniform", "int", "choice"]
DesignKind = Literal["grid", "lhs", "sobol"]


@dataclass(frozen=True)
class Factor:
    """One scenario field and the values a design may give it."""

    path: str
    spec: str
    kind: FactorKind
    values: tuple[Value, ...] = ()
    low: float | None = None
    high: float | None = None
    in_days: bool = False
    inert: bool = False

    @property
    def sampled(self) -> bool:
        """Needs a sampled design (it has no finite list of levels a grid could use)."""
        return self.kind in ("uniform", "int")

    @property
    def constant(self) -> bool:
        return self.kind in ("list", "range", "choice") and len(self.values) == 1

    @property
    def numeric(self) -> bool:
        return self.kind in ("uniform", "int") or all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in self.values
        )

    def from_unit(self, u: np.ndarray) -> list[Value]:
        """Map samples on [0, 1) to this factor's values."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, np.nextafter(1.0, 0.0))
        if self.kind == "uniform":
            assert self.low is not None and self.high is not None
            return [float(x) for x in self.low + u * (self.high - self.low)]
        if self.kind == "int":
            assert self.low is not None and self.high is not None
            span = int(self.high) - int(self.low) + 1
            return [int(self.low) + int(k) for k in np.floor(u * span)]
        return [self.values[int(k)] for k in np.floor(u * len(self.values))]

    def describe(self) -> dict[str, Any]:
        """As the manifest records it; ``inert`` only when true, so sweeps stored before it existed resume."""
        described: dict[str, Any] = {
            "path": self.path,
            "spec": self.spec,
            "kind": self.kind,
            "values": list(self.values),
            "low": self.low,
            "high": self.high,
            "in_days": self.in_days,
        }
        return {**described, "inert": True} if self.inert else described


@dataclass(frozen=True)
class Design:
    """Design points (one row each) and everything needed to reproduce and analyse them."""

    kind: str
    factors: tuple[Factor, ...]
    points: pd.DataFrame
    samples: int | None = None
    seed: int = 0
    second_order: bool = False
    problem: dict[str, Any] = field(default_factory=dict)

    @property
    def varied(self) -> list[str]:
        return [f.path for f in self.factors if not f.constant]

    @property
    def inert(self) -> set[str]:
        return {f.path for f in self.factors if f.inert}

    def parameters(self, point: int) -> dict[str, Value]:
        """Every column of one point, inert ones included: what the runs table records."""
        row = self.points.iloc[point]
        return {path: _plain(row[path]) for path in self.points.columns}

    def overrides(self, point: int) -> dict[str, Value]:
        """The scenario fields one point sets: its parameters without the inert columns."""
        inert = self.inert
        return {path: value for path, value in self.parameters(point).items() if path not in inert}

    def fingerprint(self) -> str:
        """Hash of the points themselves: a resumed sweep must run exactly the same design."""
        text = self.points.to_csv(index=True, float_format="%.17g")
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "samples": self.samples,
            "seed": self.seed,
            "second_order": self.second_order,
            "points": len(self.points),
            "factors": [f.describe() for f in self.factors],
            "problem": self.problem,
            "hash": self.fingerprint(),
        }


def _plain(value: Any) -> Value:
    """NumPy scalars as Python ones, so pydantic and JSON see ordinary numbers."""
    return value.item() if isinstance(value, np.generic) else value


# -- parsing --------------------------------------------------------------------------------------
def split_top_level(text: str) -> list[str]:
    """Split on commas outside parentheses: ``a, triangular(1,2,3) d`` is two items."""
    items: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char == "," and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items]


def parse_value(text: str, where: str) -> tuple[Value, bool]:
    """One value: a bool, an integer, a number, a time quantity (converted to days) or a string.

    Returns the value and whether it carried a time unit.
    """
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1], False
    if not text:
        raise UsageError(f"{where}: empty value")
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true", False
    if _INTEGER.match(text):
        try:
            return int(text), False
        except ValueError:  # Python refuses to read a whole number of more than 4,300 digits
            digits = len(text.lstrip("+-"))
            raise UsageError(
                f"{where}: {describe_value(text)} has {digits:,} digits; a number may have at most "
                f"{sys.get_int_max_str_digits():,}"
            ) from None
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(number):  # no scenario field takes inf or nan, and a range of them never ends
            raise UsageError(f"{where}: {describe_value(text)} is not a finite number")
        return number, False
    if _UNIT.search(text) and "(" not in text:
        try:
            days = parse_quantity(text)
        except ValueError:
            return text, False
        return (int(days) if days.is_integer() else days), True
    return text, False


def _number(text: str, where: str) -> tuple[float, bool]:
    value, in_days = parse_value(text, where)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(f"{where}: {describe_value(text.strip())} is not a number (or a duration such as '30 d')")
    try:
        return float(value), in_days
    except OverflowError:  # a whole number beyond any float
        raise UsageError(f"{where}: {describe_value(text.strip())} is too large for a number") from None


def _homogeneous(texts: list[str], where: str) -> tuple[tuple[Value, ...], bool]:
    """Values of one factor share one type (Parquet columns have one type): numbers stay numbers,
    anything mixed with text is kept as the text written."""
    parsed = [parse_value(t, where) for t in texts]
    values = [v for v, _ in parsed]
    in_days = any(d for _, d in parsed)
    if all(isinstance(v, bool) for v in values):
        return tuple(values), False
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        if all(isinstance(v, int) for v in values):
            return tuple(values), in_days
        return tuple(float(v) for v in values), in_days
    return tuple(v if isinstance(v, str) else t.strip() for v, t in zip(values, texts, strict=True)), False


def parse_spec(path: str, spec: str) -> Factor:
    """Read one SPEC for one PATH; raises UsageError with the flag as written."""
    where = f"--set {path}={_cut(spec)}"
    text = spec.strip()
    if not text:
        raise UsageError(f"{where}: no values after '='; e.g. {path}=10,20,30 or {path}=uniform(10,30)")
    sampled = _SAMPLED_SPEC.match(text)
    if sampled:
        name, inner = sampled.group(1), sampled.group(2)
        args = split_top_level(inner)
        if name == "choice":
            if not inner.strip() or any(not a for a in args):
                raise UsageError(f"{where}: choice(...) needs values separated by commas, e.g. choice(0,20,50)")
            values, in_days = _homogeneous(args, where)
            return Factor(path, spec, "choice", values, in_days=in_days)
        if len(args) != 2 or not all(args):
            raise UsageError(f"{where}: {name}(lo,hi) takes two numbers, got {len(args) if inner.strip() else 0}")
        (low, low_days), (high, high_days) = (_number(a, where) for a in args)
        if low >= high:
            raise UsageError(f"{where}: lo must be below hi in {name}(lo,hi)")
        if name == "int":
            if not (low.is_integer() and high.is_integer()) or low_days or high_days:
                raise UsageError(f"{where}: int(lo,hi) takes whole numbers without units")
            return Factor(path, spec, "int", (), low, high)
        return Factor(path, spec, "uniform", (), low, high, in_days=low_days or high_days)
    if ":" in text and "," not in text and "(" not in text:
        return _parse_range(path, spec, where)
    items = split_top_level(text)
    if any(not item for item in items):
        raise UsageError(f"{where}: empty item in the list; write values as a,b,c")
    values, in_days = _homogeneous(items, where)
    return Factor(path, spec, "list", values, in_days=in_days)


def _cut(spec: str) -> str:
    """A SPEC as messages quote it: a value of thousands of digits would make the one line unreadable."""
    return spec if len(spec) <= 60 else f"{spec[:57]}..."


def _parse_range(path: str, spec: str, where: str) -> Factor:
    parts = spec.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.strip() for p in parts):
        raise UsageError(f"{where}: a range is lo:hi:step or, for whole numbers, lo:hi, e.g. 0:50:10 or 4:8")
    if len(parts) == 2:
        parts.append(_unit_step(parts, where))
    (low, a), (high, b), (step, c) = (_number(p, where) for p in parts)
    if low >= high:
        raise UsageError(f"{where}: lo must be below hi in lo:hi:step")
    if step <= 0:
        raise UsageError(f"{where}: step must be greater than zero in lo:hi:step")
    span = (high - low) / step  # inf when a huge span meets a tiny step
    if not math.isfinite(span) or span + 1 > MAX_LEVELS + 1:
        shown = f"{span + 1:,.0f}" if math.isfinite(span) else "too many"
        raise UsageError(f"{where}: {shown} levels; at most {MAX_LEVELS:,}")
    count = math.floor(span + 1e-9) + 1
    if count > MAX_LEVELS:
        raise UsageError(f"{where}: {count:,} levels; at most {MAX_LEVELS:,}")
    levels = [round(low + k * step, 12) for k in range(count)]
    integral = all(float(x).is_integer() for x in (low, step)) and not (a or b or c)
    values: tuple[Value, ...] = tuple(int(v) for v in levels) if integral else tuple(float(v) for v in levels)
    return Factor(path, spec, "range", values, in_days=a or b or c)


def _unit_step(ends: list[str], where: str) -> str:
    """The step of ``lo:hi``: 1 when both ends are whole numbers without units; anything else is refused,
    since the step a range of decimals or durations wants is the planner's choice, not ours."""
    values = [parse_value(end, where) for end in ends]
    if all(isinstance(v, int) and not isinstance(v, bool) and not in_days for v, in_days in values):
        return "1"
    raise UsageError(f"{where}: lo:hi without a step takes whole numbers only; give a step, e.g. "
                     f"{ends[0].strip()}:{ends[1].strip()}:STEP")


def parse_set(text: str) -> Factor:
    """One ``--set PATH=SPEC`` flag."""
    if "=" not in text:
        raise UsageError(f"--set {text}: expected PATH=SPEC, e.g. recruitment.roster.size=0,20,50")
    path, spec = text.split("=", 1)
    path = path.strip()
    if not path:
        raise UsageError(f"--set {text}: no PATH before '='")
    return parse_spec(path, spec)


def parse_sets(texts: list[str] | dict[str, str]) -> tuple[Factor, ...]:
    """All ``--set`` flags (or a ``{path: spec}`` mapping); each path at most once."""
    factors = [parse_spec(p, s) for p, s in texts.items()] if isinstance(texts, dict) else [parse_set(t) for t in texts]
    seen: set[str] = set()
    for factor in factors:
        if factor.path in seen:
            raise UsageError(f"--set {factor.path}: given twice; give each path once")
        seen.add(factor.path)
    return tuple(factors)


def dummy_factor(design: str) -> Factor:
    """The inert factor ``dummy``: uniform on [0, 1] in sampled designs, two levels 0 and 1 in a grid
    (which doubles its points); no scenario field reads it."""
    if design == "grid":
        return Factor(DUMMY, "0,1", "list", (0, 1), inert=True)
    return Factor(DUMMY, "uniform(0,1)", "uniform", (), 0.0, 1.0, inert=True)


# -- designs --------------------------------------------------------------------------------------
def _frame(columns: dict[str, list[Value]]) -> pd.DataFrame:
    frame = pd.DataFrame({path: pd.Series(values, dtype=object) for path, values in columns.items()})
    frame = frame.infer_objects()
    frame.index.name = "point"
    return frame


def grid(factors: tuple[Factor, ...], admit: Admit | None = None) -> pd.DataFrame:
    """Every combination of the factors' levels; the last factor varies fastest."""
    for factor in factors:
        if factor.sampled:
            what = f"{factor.path}={factor.spec}: {factor.kind}(...) is sampled and needs"
            rest = "a grid takes lists a,b,c or ranges lo:hi:step"
            raise UsageError(f"{what} design='lhs' or 'sobol'; {rest}",
                             cli=f"--set {what} --design lhs or sobol; {rest}")
    total = math.prod(len(f.values) for f in factors)
    if total > MAX_POINTS:
        why = f"the grid has {total:,} points; at most {MAX_POINTS:,}: use"
        raise UsageError(f"{why} design='lhs' or fewer levels", cli=f"{why} --design lhs or fewer levels")
    if admit is not None:
        admit(total)
    if not factors:
        return _frame({})
    index = np.indices([len(f.values) for f in factors]).reshape(len(factors), -1)
    return _frame({f.path: [f.values[k] for k in index[i]] for i, f in enumerate(factors)})


def _with_constants(factors: tuple[Factor, ...], varied: list[Factor], unit: np.ndarray) -> pd.DataFrame:
    n = unit.shape[0]
    columns: dict[str, list[Value]] = {}
    for factor in factors:
        if factor.constant:
            columns[factor.path] = [factor.values[0]] * n
        else:
            columns[factor.path] = factor.from_unit(unit[:, varied.index(factor)])
    return _frame(columns)


def _varied(factors: tuple[Factor, ...], design: str) -> list[Factor]:
    varied = [f for f in factors if not f.constant]
    if not varied:
        why = "nothing varies; give at least one"
        raise UsageError(f"design {design!r}: {why} PATH=SPEC with two or more values",
                         cli=f"--design {design}: {why} --set with two or more values")
    return varied


def lhs(factors: tuple[Factor, ...], samples: int, seed: int) -> pd.DataFrame:
    """A Latin hypercube of ``samples`` points: each factor's range cut into ``samples`` strata, one point each."""
    varied = _varied(factors, "lhs")
    from scipy.stats import qmc  # here, not at import: scipy.stats costs the CLI a second to start

    engine = qmc.LatinHypercube(d=len(varied), rng=np.random.default_rng(seed))
    return _with_constants(factors, varied, engine.random(samples))


def salib_problem(factors: tuple[Factor, ...]) -> dict[str, Any]:
    """SALib's problem over the varied factors, on the unit cube (values are mapped by each factor)."""
    varied = [f for f in factors if not f.constant]
    return {"num_vars": len(varied), "names": [f.path for f in varied], "bounds": [[0.0, 1.0]] * len(varied)}


def sobol(factors: tuple[Factor, ...], samples: int, seed: int, second_order: bool = False) -> pd.DataFrame:
    """Saltelli's sample for Sobol indices: ``samples`` * (D + 2) points (D varied factors), in SALib's order."""
    from SALib.sample import sobol as salib_sobol

    varied = _varied(factors, "sobol")
    if samples < 2 or samples & (samples - 1):
        why = "sobol needs a power of two (e.g. 16, 64, 256) for its convergence"
        raise UsageError(f"samples {samples}: {why}", cli=f"--samples {samples}: {why}")
    unit = salib_sobol.sample(salib_problem(factors), samples, calc_second_order=second_order, seed=seed)
    return _with_constants(factors, varied, unit)


def make_design(
    kind: str,
    factors: tuple[Factor, ...],
    samples: int | None = None,
    seed: int = 0,
    second_order: bool = False,
    admit: Admit | None = None,
) -> Design:
    """The design of a sweep, checking that the specs suit the design; ``admit`` hears the number of
    points before any is built and may refuse them (by raising)."""
    if kind not in DESIGNS:
        raise UsageError(f"design {kind!r}: choose one of {', '.join(DESIGNS)}",
                         cli=f"--design {kind}: choose one of {', '.join(DESIGNS)}")
    if not factors:
        raise UsageError("nothing to sweep: give at least one PATH=SPEC in sets",
                         cli="nothing to sweep: give at least one --set PATH=SPEC")
    if kind == "grid":
        if samples is not None:
            raise UsageError(
                "samples applies to design='lhs' and 'sobol'; a grid's size is set by its lists and ranges",
                cli="--samples applies to --design lhs and sobol; a grid's size is set by its lists and ranges",
            )
        return Design(kind, factors, grid(factors, admit), None, seed)
    if samples is None:
        raise UsageError(f"design={kind!r} needs samples=N", cli=f"--design {kind} needs --samples N")
    if samples < 1:
        raise UsageError(f"samples {samples}: must be at least 1", cli=f"--samples {samples}: must be at least 1")
    if kind == "lhs":
        if samples > MAX_POINTS:
            why = f"at most {MAX_POINTS:,}"
            raise UsageError(f"samples {samples:,}: {why}", cli=f"--samples {samples:,}: {why}")
        if admit is not None:
            admit(samples)
        return Design(kind, factors, lhs(factors, samples, seed), samples, seed)
    varied = _varied(factors, kind)
    total = samples * ((2 if second_order else 1) * len(varied) + 2)
    if total > MAX_POINTS:
        why = f"{total:,} sobol points; at most {MAX_POINTS:,}"
        raise UsageError(f"samples {samples:,}: {why}", cli=f"--samples {samples:,}: {why}")
    if admit is not None:
        admit(total)
    points = sobol(factors, samples, seed, second_order)
    return Design(kind, factors, points, samples, seed, second_order, salib_problem(factors))
