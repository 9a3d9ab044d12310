"""Progress on stderr that tells the time: a tqdm bar (rate and ETA) on a terminal, sparse lines in logs.

A log or CI capture gets one line per tenth of the work and one at the end, never a redrawn bar; a
terminal gets tqdm's bar, imported only when a run starts so parsing stays instant.
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

    def __call__(self, done: int, total: int) -> None:
        if self.tty:
            self._draw(done, total)
            return
        decile = 10 * done // max(total, 1)
        if decile != self._last_decile:
            self._last_decile = decile
            elapsed = time.perf_counter() - self.started
            say(f"{self.label}: {done}/{total} {self.unit}, {elapsed:.1f} s", file=self.stream, flush=True)

    def _draw(self, done: int, total: int) -> None:
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
