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


def require_finished(runs: pd.DataFrame, where: str, by: str | None = None) -> None:
    """Refuse to summarise when no run finished (of any ``by`` group, e.g. a compared scenario): every
    estimate would be empty. The message says how many runs failed and why; their rows stay stored."""
    from deploysim.errors import ResultsError
    from deploysim.results.text import failure_report

    groups = [runs] if by is None or by not in runs.columns else [g for _, g in runs.groupby(by, observed=True)]
    for group in groups:
        if ok_runs(group).empty:
            label = f"{by} {group[by].iloc[0]}: " if by is not None and by in group.columns else ""
            raise ResultsError(f"{label}no run finished, so there is nothing to summarise; "
                               f"{failure_report(group, where)}")
