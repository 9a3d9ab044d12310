"""Writing figures to disk through the one atomic writer, so a killed run never leaves a truncated chart
that looks like a result, and charts get the same file permissions as the tables beside them.

PNG for the screen, SVG and PDF for briefings and print. Vector files are written to be reproducible
(no creation date, fixed SVG ids) and carry what they show in their own metadata (a title, and the
scenario hash that ties the chart to its manifest), so a chart pasted into a slide deck can still be
traced to the run that made it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

from deploysim.storage.files import atomic_write

PNG_DPI = 120
FORMATS = ("png", "svg", "pdf")
SVG_HASHSALT = "deploysim"
"""Salt of matplotlib's SVG ids: fixed, so the same figure gives the same bytes."""
METADATA_KEYS = ("Title", "Subject", "Keywords")


def save_png(fig: Figure, path: str | os.PathLike[str], dpi: int = PNG_DPI) -> Path:
    """Write ``fig`` as a PNG at ``path`` atomically, creating parent directories; return the path."""
    return atomic_write(path, lambda handle: fig.savefig(handle, format="png", dpi=dpi,
                                                          facecolor=fig.get_facecolor()))


def format_metadata(fmt: str, metadata: Mapping[str, str]) -> dict[str, Any]:
    """``Title``, ``Subject`` and ``Keywords`` in the words each format's metadata uses.

    SVG has Dublin Core (``Description`` for the subject) and PDF its info dictionary; both drop the
    creation date, which would make every rerun differ. PNG keeps them as text chunks.
    """
    unknown = set(metadata) - set(METADATA_KEYS)
    if unknown:
        raise ValueError(f"figure metadata: unknown key(s) {sorted(unknown)}; use {', '.join(METADATA_KEYS)}")
    given = {k: v for k, v in metadata.items() if v}
    if fmt == "svg":
        out: dict[str, Any] = {"Date": None, **{("Description" if k == "Subject" else k): v for k, v in given.items()}}
        if "Keywords" in out:
            out["Keywords"] = [word for word in str(out["Keywords"]).split(", ") if word]
        return out
    if fmt == "pdf":
        return {"CreationDate": None, **given}
    return {("Description" if k == "Subject" else k): v for k, v in given.items()}


def save_figure(fig: Figure, path: str | os.PathLike[str], metadata: Mapping[str, str] | None = None,
                dpi: int = PNG_DPI) -> Path:
    """Write ``fig`` atomically as PNG, SVG or PDF, chosen by the suffix of ``path``; return the path.

    ``metadata`` takes ``Title``, ``Subject`` and ``Keywords`` (comma-separated), e.g. the scenario
    hash from the manifest. SVG text stays text (editable in a slide tool) and PDF fonts are embedded
    as TrueType; raises ValueError for another suffix.
    """
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"{path}: a figure is written as {', '.join('.' + f for f in FORMATS)}, not {fmt or '(none)'}")
    info = format_metadata(fmt, metadata or {})
    def write(handle: Any) -> None:
        with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": SVG_HASHSALT, "pdf.fonttype": 42}):
            fig.savefig(handle, format=fmt, dpi=dpi, facecolor=fig.get_facecolor(), metadata=info)

    return atomic_write(path, write)
