"""Progress on stderr that tells the time: a tqdm bar (rate and ETA) on a terminal, sparse lines in logs.

A log or CI capture gets one line per tenth of the work and one at the end, never a redrawn bar; a
terminal gets tqdm's bar, imported only when a run starts so parsing stays instant. Runs that
execute in this process (a single replication, or ``--workers 1``) also move it per simulated month
(:meth:`ProgressLine.within_run`); in a pool, progress moves when a batch ends, since a worker's run
has no light channel back to the bar.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from deploysim.cli.echo import say
from deploysim.errors import printable


class ProgressLine:
    """``progress(done, total)`` for ``deploysim.run``/``compare``/``sweep``: a bar on a tty, else sparse lines."""

    def __init__(self, label: str, stream: TextIO | None = None, unit: str = "replications") -> None:
        self.label = printable(label)  # drawn by tqdm too, not only by say
        self.unit = unit
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.tty = _is_tty(self.stream)
        self._last_decile = -1
        self._bar: Any = None

    def __call__(self, done: float, total: int) -> None:
        if self.tty:
            self._draw(done, total)
            return
        decile = int(10 * done // max(total, 1))
        if decile != self._last_decile:
            self._last_decile = decile
            elapsed = time.perf_counter() - self.started
            shown = f"{done:g}" if float(done).is_integer() else f"{done:.1f}"
            say(f"{self.label}: {shown}/{total} {self.unit}, {elapsed:.1f} s", file=self.stream, flush=True)

    def within_run(self, done: float, total: int) -> None:
        """A run in this process passed a simulated month: ``done`` counts the finished part of it too,
        so a single long replication moves the bar (and, in a log, a line per tenth) as it goes."""
        self(done, total)

    def _draw(self, done: float, total: int) -> None:
        """Advance the tqdm bar to ``done``; a new total (an adaptive run adding replications) resizes it."""
        from tqdm.auto import tqdm

        if self._bar is None:
            self._bar = tqdm(total=total, desc=self.label, unit=" runs", file=self.stream, dynamic_ncols=True)
        if self._bar.total != total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)
        if done >= total:
            self._bar.close()
            self._bar = None


def _is_tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
