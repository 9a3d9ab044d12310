"""Writing figures to disk without ever leaving a half-written file where a result should be.

A killed run or a full disk must not leave a truncated PNG that looks like a result: the image is
written to a temporary file in the target directory and moved into place with ``os.replace``, which
is atomic on POSIX and Windows when source and target share a file system.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from matplotlib.figure import Figure

PNG_DPI = 120


def save_png(fig: Figure, path: str | os.PathLike[str], dpi: int = PNG_DPI) -> Path:
    """Write ``fig`` as a PNG at ``path`` atomically, creating parent directories; return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    # os.open with 0o666 lets the umask decide permissions, as for any ordinary file (mkstemp forces 0600).
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            fig.savefig(handle, format="png", dpi=dpi, facecolor=fig.get_facecolor())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target
