"""Writing figures to disk through the one atomic writer, so a killed run never leaves a truncated PNG
that looks like a result, and charts get the same file permissions as the tables beside them."""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.figure import Figure

from deploysim.storage.files import atomic_write

PNG_DPI = 120


def save_png(fig: Figure, path: str | os.PathLike[str], dpi: int = PNG_DPI) -> Path:
    """Write ``fig`` as a PNG at ``path`` atomically, creating parent directories; return the path."""
    return atomic_write(path, lambda handle: fig.savefig(handle, format="png", dpi=dpi,
                                                          facecolor=fig.get_facecolor()))
