"""What a sweep analysis estimates of one measure for a group of runs, chosen by the measure's kind.

A sweep's tables and indices compare groups of runs (design points, levels of a parameter, heatmap
cells). Each group's number is estimated as the measure's kind needs, by the rules of the summary
tables (:mod:`deploysim.stats.summary`), and never as a mean over the runs where the measure happens
to be defined:

* **milestone** (``foc_day``): the restricted mean ``E[min(T, horizon)]``, a run that never reaches
  the milestone counting as the whole horizon. Every run counts, so a point that reaches FOC in more
  runs, some of them late, does not look later than one that reaches it in few. Every run of a sweep
  is observed to its horizon (``observed_days``), so nothing is censored before it and the estimate
  is exactly the mean of ``min(T, horizon)`` over runs with its t interval (what
  :func:`deploysim.stats.survival.restricted_mean` gives with ``small_sample=True``). P(reached by
  the horizon) with its Wilson interval is reported beside it.
* **target** ``MILESTONE<=D``: P(reached by day D), the share of runs with ``T <= D``, with its Wilson
  interval; D must not lie after a run's horizon, about which that run says nothing.
* **share** or **ratio** whose registry entry names its per-run totals: the ratio of totals over the
  group's runs (:mod:`deploysim.stats.ratio`); a share is pooled and clipped to [0, 1]. A sweep stored
  without those totals falls back to the mean per run, and says so in ``estimator``.
* **proportion**: the share of runs, Wilson interval.
* anything else (counts, money, durations, columns not in the registry): the mean per run, t interval.

Where one number per run is needed whose mean over a group is the group's estimate (the noise share,
:mod:`deploysim.stats.noise`), :func:`run_values` gives it: the run's value, or for a ratio its
linearisation ``R + (y - R x) / mean(x)`` around the group's ratio R, whose mean over the group is R
and whose variance over the group's size is the delta-method variance of R.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from deploysim.errors import AnalysisError
from deploysim.results.measures import MEASURES
from deploysim.stats.intervals import mean_ci
from deploysim.stats.milestones import observations, parse_target
from deploysim.stats.proportions import wilson_interval
from deploysim.stats.ratio import pooled_share, ratio_of_totals
from deploysim.stats.runs import ok_runs

Estimator = Literal["restricted mean", "target", "ratio", "share", "proportion", "mean"]
OBSERVED = "observed_days"
PARAM = "param:"


@dataclass(frozen=True, slots=True)
class Response:
    """One analysed quantity: its name in tables, the runs column it reads and how groups estimate it."""

    name: str
    measure: str
    estimator: Estimator
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    day: float | None = None

    @property
    def description(self) -> str:
        """The ``estimator`` column of tables: what the number is, so it never travels without it."""
        if self.estimator == "target":
            return f"share of runs reached by day {self.day:g} (Wilson)"
        return {
            "restricted mean": "restricted mean to the horizon (not reached = horizon)",
            "ratio": "ratio of totals over runs",
            "share": "pooled share (total over total)",
            "proportion": "share of runs (Wilson)",
            "mean": "mean per run",
        }[self.estimator]


def require_measure(runs: pd.DataFrame, measure: str) -> None:
    if measure not in runs.columns:
        known = [c for c in runs.columns if pd.api.types.is_float_dtype(runs[c]) and not c.startswith(PARAM)]
        raise AnalysisError(f"no measure {measure!r} in the runs table; measures: {', '.join(known)}")


def _require_observed(runs: pd.DataFrame, what: str) -> None:
    if OBSERVED not in runs.columns:
        raise AnalysisError(f"{what}: the runs table has no {OBSERVED} column (a sweep stored by an older "
                            "deploysim), which a milestone needs to count the runs that never reach it; rerun it")


def response(name: str | Response, runs: pd.DataFrame, start: dt.date | None = None) -> Response:
    """The response for a measure column (``foc_day``) or a target (``foc_day<=200``, ``P(foc_day<=200)``,
    ``foc_day<=2011-03-01`` with the scenario's ``start`` date)."""
    if isinstance(name, Response):
        return name
    if "<=" in name:
        target = parse_target(name.removeprefix("P(").removesuffix(")"))
        require_measure(runs, target.measure)
        _require_observed(runs, target.name)
        day = target.day_for(start)
        if math.isnan(day):
            raise AnalysisError(f"{target.name}: a date target needs the scenario's start date")
        return Response(target.name, target.measure, "target", day=day)
    require_measure(runs, name)
    known = MEASURES.get(name)
    if known is None:
        return Response(name, name, "mean")
    if known.kind == "milestone":
        _require_observed(runs, name)
        return Response(name, name, "restricted mean")
    if known.kind == "proportion":
        return Response(name, name, "proportion")
    top, bottom = known.numerator, known.denominator
    if known.kind in ("share", "ratio") and top in runs.columns and bottom in runs.columns:
        estimator: Estimator = "share" if known.kind == "share" else "ratio"
        return Response(name, name, estimator, top, bottom, known.scale)
    return Response(name, name, "mean")


def _column(runs: pd.DataFrame, name: str) -> np.ndarray:
    return runs[name].to_numpy(dtype=float)


def _times(runs: pd.DataFrame, r: Response) -> tuple[np.ndarray, np.ndarray]:
    """min(T, horizon) per run (not reached: the horizon) and whether the milestone was reached."""
    return observations(_column(runs, r.measure), _column(runs, OBSERVED))


def _reached_by(runs: pd.DataFrame, r: Response) -> np.ndarray:
    times, reached = _times(runs, r)
    assert r.day is not None
    observed = _column(runs, OBSERVED)
    if (observed < r.day).any():
        raise AnalysisError(f"{r.name}: day {r.day:g} is after the horizon of some runs (day {observed.min():g}); "
                            "they cannot say whether the milestone came by then")
    return (reached & (times <= r.day)).astype(float)


def _linearised(runs: pd.DataFrame, r: Response) -> np.ndarray:
    assert r.numerator is not None and r.denominator is not None
    y, x = _column(runs, r.numerator), _column(runs, r.denominator)
    keep = np.isfinite(y) & np.isfinite(x)
    total_x = float(x[keep].sum())
    if not keep.any() or total_x == 0.0:
        return np.full(len(y), math.nan)
    ratio = float(y[keep].sum()) / total_x
    mean_x = total_x / int(keep.sum())
    return np.where(keep, ratio + (y - ratio * x) / mean_x, math.nan) * r.scale


def per_run(runs: pd.DataFrame, r: Response) -> np.ndarray:
    """One value per run whose mean over ``runs`` is their estimate (NaN where a run has none);
    ``runs`` is one group (a ratio is linearised around that group's ratio)."""
    if r.estimator == "restricted mean":
        return _times(runs, r)[0]
    if r.estimator == "target":
        return _reached_by(runs, r)
    if r.estimator in ("share", "ratio"):
        return _linearised(runs, r)
    return _column(runs, r.measure)


def run_values(runs: pd.DataFrame, r: Response) -> pd.DataFrame:
    """``point``, ``replication`` and ``value`` (:func:`per_run` within each point) of the successful runs."""
    frames = []
    for _, group in ok_runs(runs).groupby("point", sort=True):
        frames.append(pd.DataFrame({"point": group["point"].to_numpy(), "replication": group["replication"].to_numpy(),
                                    "value": per_run(group, r)}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["point", "replication", "value"])


def _wilson(flags: np.ndarray, level: float) -> dict[str, Any]:
    flags = flags[np.isfinite(flags)]
    share = wilson_interval(round(float(flags.sum())), int(flags.size), level)
    return {"estimate": share.estimate, "ci_low": share.low, "ci_high": share.high, "n": share.n}


def estimate(runs: pd.DataFrame, r: Response, level: float = 0.95) -> dict[str, Any]:
    """The estimate of one group of successful runs, with its interval and the runs used (``n``);
    for a milestone also P(reached by the horizon) with its Wilson interval."""
    if r.estimator in ("target", "proportion"):
        return _wilson(per_run(runs, r), level)
    if r.estimator in ("share", "ratio"):
        assert r.numerator is not None and r.denominator is not None
        totals = pooled_share if r.estimator == "share" else ratio_of_totals
        ratio = totals(_column(runs, r.numerator), _column(runs, r.denominator), level)
        return {"estimate": ratio.estimate * r.scale, "ci_low": ratio.low * r.scale,
                "ci_high": ratio.high * r.scale, "n": ratio.n}
    interval = mean_ci(per_run(runs, r), level)
    row = {"estimate": interval.mean, "ci_low": interval.low, "ci_high": interval.high, "n": interval.n}
    if r.estimator == "restricted mean":
        horizon = float(_column(runs, OBSERVED).max()) if len(runs) else math.nan
        reached = _wilson(_times(runs, r)[1].astype(float), level)
        row.update({"ci_low": max(0.0, interval.low), "ci_high": min(horizon, interval.high),  # its range
                    "p_reached": reached["estimate"], "p_reached_low": reached["ci_low"],
                    "p_reached_high": reached["ci_high"]})
    return row
