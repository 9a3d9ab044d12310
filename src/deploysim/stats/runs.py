"""Which runs a statistic counts: the one filter over the runs table, so every estimate agrees on it.

A run whose engine raised (``status == "error"``) has no measures; it is left out of every estimate
and reported by count wherever a table or the terminal summarises runs.
"""

from __future__ import annotations

import pandas as pd


def ok_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs that finished; a table without a status column (built by hand) counts whole."""
    return runs[runs["status"] == "ok"] if "status" in runs.columns else runs


def failed_count(runs: pd.DataFrame) -> int:
    return int((runs["status"] != "ok").sum()) if "status" in runs.columns else 0
