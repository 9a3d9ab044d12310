"""A dependency-free progress line on stderr: redrawn in place on a terminal, sparse in logs."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressLine:
    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.tty = self.stream.isatty()
        self._last_decile = -1

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.perf_counter() - self.started
        text = f"{self.label}: {done}/{total} replications, {elapsed:.1f} s"
        if self.tty:
            self.stream.write("\r" + text + ("\n" if done >= total else ""))
            self.stream.flush()
            return
        decile = 10 * done // max(total, 1)
        if decile != self._last_decile:
            self._last_decile = decile
            print(text, file=self.stream, flush=True)
