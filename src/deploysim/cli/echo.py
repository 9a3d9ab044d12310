"""Every line the command prints goes through :func:`say`, so text from input can never act on the terminal.

Names, keys, file names and values reach the terminal inside messages, summaries and ``wrote``
lines. ``say`` escapes their control characters (C0, C1, DEL, the ESC of an escape sequence; see
:func:`deploysim.errors.printable`) and any character the terminal's encoding lacks, so a file
named ``\x1b]0;pwned\x07.yaml`` neither retitles the terminal nor clears it, and a Latin-1 console
shows an emoji as an escape instead of ending in a traceback.
"""

from __future__ import annotations

import sys
from typing import TextIO

from deploysim.errors import printable


def say(text: str = "", *, file: TextIO | None = None, flush: bool = False) -> None:
    """``print(text, file=file)`` with control characters escaped and line breaks kept (stdout by default)."""
    out = file or sys.stdout
    encoding = getattr(out, "encoding", None) or "utf-8"
    print(printable(text).encode(encoding, "backslashreplace").decode(encoding, "replace"), file=out, flush=flush)

