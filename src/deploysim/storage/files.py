"""Writing a file so that it is either whole or absent: the one atomic writer and its file mode.

A killed run or a full disk must never leave a truncated table, manifest or chart where a result
should be. Every file is written to a temporary name in its target directory and moved into place
with ``os.replace``, which is atomic on POSIX and Windows when both names share a file system.
Every output file gets the same permissions, those of an ordinary file under the user's umask, so a
colleague who can see the charts can also read the tables.

Nothing is written through a symbolic link: a link at the target is replaced by the file (the rename
replaces the link itself, and the temporary file is created exclusively, without following one), and
:func:`inside` refuses a derived name that would leave its directory or pass through a link below it.
"""

from __future__ import annotations

import io
import json
import os
import re
import unicodedata
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pandas as pd

from deploysim.errors import OutputError

TEMP_SUFFIX = ".tmp"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a text cell of a CSV file as a formula (OWASP, CSV injection)."""
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
NAME_LIMIT = 80
"""Characters of a file or directory name derived from a scenario or file name (file systems allow 255 bytes)."""
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def plain_name(text: str, fallback: str) -> str:
    """``text`` as one file name that stays in the directory it is put in, or ``fallback`` if nothing is left.

    Letters and digits of any script, ``_``, ``+``, ``-`` and inner dots are kept; every other run of
    characters (path separators, spaces, control and format characters) becomes one ``-``; leading and
    trailing dots and dashes go, so ``.`` and ``..`` cannot appear, nor a hidden name; the length is at
    most NAME_LIMIT, and Windows device names (``NUL``, ``COM1``) get a leading ``_``.
    """
    name = re.sub(r"[^\w.+-]+", "-", unicodedata.normalize("NFC", text)).strip(".-")[:NAME_LIMIT].rstrip(".-")
    if name.split(".")[0].upper() in _WINDOWS_DEVICES:
        name = f"_{name}"
    return name or fallback


def inside(root: Path, *names: str) -> Path:
    """``root / names...``, refused with one line if a name is not one plain entry (a separator, ``.``,
    ``..``, a NUL) or an entry already below ``root`` on the way is a symbolic link, which a write would
    follow out of ``root``."""
    path = root
    for name in names:
        if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
            raise OutputError(f"{{out}} {_literal(root)}: {name!r} is not a plain file name; nothing was written")
        path = path / name
        if path.is_symlink():
            raise OutputError(f"{{out}} {_literal(root)}: {name} is a symbolic link; deploysim writes only inside "
                              "{out}, never through a link: remove it or choose another {out}")
    return path


def _literal(path: Path) -> str:
    return str(path).replace("{", "{{").replace("}", "}}")


def atomic_write(path: str | os.PathLike[str], write: Callable[[IO[bytes]], None]) -> Path:
    """Call ``write`` on a temporary file beside ``path`` and rename it into place; return the path.

    Parent directories are created. A symbolic link at ``path`` is replaced, never followed. On any
    error, including Ctrl-C, the temporary file is removed.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
    # os.open with 0o666 lets the umask decide permissions, as for any ordinary file (mkstemp forces 0600).
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    def write(handle: IO[bytes]) -> None:
        handle.write(data)

    return atomic_write(path, write)


def write_json(path: str | os.PathLike[str], value: Any) -> Path:
    return write_bytes(path, json.dumps(value, indent=2, default=str).encode())


def neutralise_formula(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``),
    prefixed with ``'`` so it shows as the text it is; numbers, and text that is a plain number
    (``-3.5``), stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return f"'{value}"
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and column name that a spreadsheet would run as a formula neutralised.

    Names come from scenario files (scenario, team, unit and role names), and planners open the CSV
    files in a spreadsheet; a name such as ``=cmd|' /C calc'!A0`` must arrive as text.
    """
    types = pd.api.types
    text = [
        column
        for column, dtype in frame.dtypes.items()
        if not (types.is_numeric_dtype(dtype) or types.is_bool_dtype(dtype) or types.is_datetime64_any_dtype(dtype))
    ]  # numbers and dates can hold no formula; every other column may hold text
    safe = frame.copy() if text else frame
    for column in text:
        safe[column] = safe[column].astype(object).map(neutralise_formula)
    return safe.rename(columns=neutralise_formula)


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """The frame as CSV, with formula-like text neutralised (:func:`spreadsheet_safe`).

    Lines end in CRLF, as RFC 4180 and Python's csv module have them: with that terminator a cell that
    holds a carriage return is quoted, where with a bare newline it would split its row in two.
    """
    return write_bytes(path, spreadsheet_safe(frame).to_csv(index=False, lineterminator="\r\n").encode())


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    return buffer.getvalue()


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    return write_bytes(path, parquet_bytes(frame))


def remove_temporary_files(directory: Path) -> None:
    """Leftovers of a killed writer: never read, safe to delete."""
    if directory.is_dir():
        for stale in directory.glob(f".*{TEMP_SUFFIX}"):
            stale.unlink(missing_ok=True)
