"""Argument types and options shared by sub-commands, each failing with a message that names the flag's value."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from deploysim.errors import UsageError
from deploysim.experiments.defaults import DEFAULT_MAX_REPS, MIN_FIRST_CHECK

if TYPE_CHECKING:
    from deploysim.experiments.precision import PrecisionTarget


MAX_REPS = 1_000_000
"""Replications (``--reps``, ``--max-reps``) and runs per task (``--batch-size``) a flag may ask for:
a million Kyrgyzstan runs are ~14 hours of one core; more is a cluster's job, and past it the runs
table alone would not fit in a laptop's memory."""
MAX_SAMPLES = 1_000_000
"""``--samples``: the most points a design may have (``deploysim.experiments.design.MAX_POINTS``)."""
MAX_WORKERS = 1_024
"""``--workers``: local processes; far more than any laptop's cores, short of its process limits."""
SEED_LIMIT = 2**64
"""``--seed`` is below this: the runs table stores it as an unsigned 64-bit integer."""


def _whole_number(text: str, minimum: int, below: str, maximum: int, above: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{text!r} must be {below}")
    if value > maximum:
        raise argparse.ArgumentTypeError(f"{text!r} must be {above}")
    return value


def _bounded(maximum: int) -> Callable[[str], int]:
    """An argument type for a whole number from 1 to ``maximum``."""

    def whole_number(text: str) -> int:
        return _whole_number(text, 1, "at least 1", maximum, f"at most {maximum:,}")

    return whole_number


positive_int = _bounded(MAX_REPS)
"""Replications and batch sizes: 1 to :data:`MAX_REPS`."""
samples = _bounded(MAX_SAMPLES)
workers = _bounded(MAX_WORKERS)


def seed(text: str) -> int:
    return _whole_number(text, 0, "zero or more", SEED_LIMIT - 1, "below 2^64")


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive, finite number of seconds")
    return value


def add_watchdog_option(parser: argparse.ArgumentParser) -> None:
    """``--run-timeout SECONDS``: the wall-time budget of each run (the other budgets follow the scenario)."""
    parser.add_argument(
        "--run-timeout", type=positive_seconds, default=None, metavar="SECONDS",
        help="stop a run that takes longer than this and record it as failed (default: 50 times what the "
             "scenario's size predicts, at least 600 s); runs are also stopped past 50 times their expected "
             "events, or after 200,000 events with the simulated clock standing still",
    )


def add_large_option(parser: argparse.ArgumentParser) -> None:
    """``--allow-large``: run work beyond the documented limits (deploysim.experiments.work_limits)."""
    parser.add_argument(
        "--allow-large", action="store_true",
        help="run even when the work estimated before starting passes the limits (one run: 20 million events or "
             "2 GiB; in all: 4 hours on one core or 4 GiB of tables)",
    )


def add_precision_options(parser: argparse.ArgumentParser, subject: str) -> None:
    """``--precision`` (repeatable) and ``--max-reps``; ``subject`` says what the half-width applies to."""
    parser.add_argument(
        "--precision", action="append", default=None, metavar="MEASURE=HALFWIDTH",
        help=f"add replications until the 95%% CI half-width of {subject} is at most HALFWIDTH, judged on the "
             "interval the results report (a ratio of totals for a ratio, a restricted mean for a milestone, ...); "
             "absolute, or relative to |estimate| with a trailing %% (e.g. foc_day=5%%); repeat the flag or separate "
             f"with commas for several measures; --reps is then the first look (at least {MIN_FIRST_CHECK}), which "
             "only sizes the run and never ends it before a second look",
    )
    parser.add_argument(
        "--max-reps", type=positive_int, default=None,
        help=f"stop adding replications here even if the precision is not reached (default {DEFAULT_MAX_REPS})",
    )


def precision_settings(args: argparse.Namespace) -> tuple[tuple[PrecisionTarget, ...], int]:
    """Parsed targets and the replication cap; a cap without targets is a mistake worth saying."""
    from deploysim.experiments.precision import check_max_reps, parse_precisions

    targets = parse_precisions(args.precision)
    if args.max_reps is not None and not targets:
        raise UsageError("--max-reps only applies together with --precision")
    max_reps = args.max_reps if args.max_reps is not None else DEFAULT_MAX_REPS
    if targets:
        check_max_reps(args.reps, max_reps)
    return targets, max_reps


def add_target_option(parser: argparse.ArgumentParser) -> None:
    """``--target MILESTONE<=DAY`` (or ``<=YYYY-MM-DD``), repeatable: P(milestone by then) in the summary."""
    parser.add_argument(
        "--target", dest="targets", action="append", default=None, metavar="MILESTONE<=DAY",
        help="report the probability of reaching a milestone by a day from the start or a date, e.g. "
             "'foc_day<=150' or 'foc_day<=2011-03-01' (repeatable; IOC and FOC by the end of the first "
             "mandate are always reported)",
    )
