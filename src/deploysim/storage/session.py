"""A command's hold on its output directory: until its first result is on disk, nothing it did stays.

A command that fails before any run finished (a scenario that does not validate, an unreachable
cluster, Ctrl-C, a bug in setting up) must leave ``--out`` as it found it, so that the same command
can simply be run again: a directory it created is removed, files it added are removed, and what
``--overwrite`` was about to replace is put back. Once a result is on disk the directory is kept
whatever happens next, because those results are what ``--resume`` continues from.

What ``--overwrite`` replaces is first moved aside into :data:`REPLACED` inside the directory (a
rename, which moves a symbolic link itself and never what it points to) and deleted only when the
command keeps its results. A leftover of a command killed in between is deleted by the next one.
"""

from __future__ import annotations

import os
import shutil
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from types import TracebackType

from deploysim.errors import OutputError
from deploysim.storage.files import inside
from deploysim.storage.lock import DirectoryLock, DirectoryLocked
from deploysim.storage.tables import written_parts

REPLACED = ".deploysim-replaced"
"""Where ``--overwrite`` moves the previous experiment's files until the new one has a result."""


def literal(path: Path) -> str:
    """A path inside an OutputError template, where braces are placeholders."""
    return str(path).replace("{", "{{").replace("}", "}}")


def _first_missing(path: Path) -> Path | None:
    """The outermost directory of ``path`` that does not exist yet (the one to remove to undo making it)."""
    missing = None
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            break
        missing = candidate
    return missing


def set_aside(out: Path, names: list[str]) -> None:
    """Move the named entries of ``out`` into ``out/REPLACED``, to be deleted or put back by the session."""
    for name in names:
        entry = out / name
        if os.path.lexists(entry):
            target = inside(out, REPLACED, name)  # refuses a REPLACED that is a link out of the directory
            target.parent.mkdir(exist_ok=True)
            os.replace(entry, target)


class OutputSession:
    """``with OutputSession(out):`` around everything a command writes into ``out``.

    The directory is locked from entering to leaving (:mod:`deploysim.storage.lock`): a second
    command refuses it. On leaving with an exception while no run's part file was added, the directory
    is put back as it was found. Otherwise what ``--overwrite`` set aside is deleted. Sessions nest
    (a library function inside a command that already holds the directory): the inner one neither
    locks again nor deletes what the outer one set aside.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self._lock = DirectoryLock(out)
        self._created: Path | None = None
        self._entries: set[str] = set()
        self._parts: set[str] = set()

    def __enter__(self) -> OutputSession:
        out = self.out
        where = "{out} " + literal(out)
        if os.path.lexists(out) and not out.is_dir():
            raise OutputError(f"{where}: exists and is not a directory")
        self._created = _first_missing(out)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{where}: cannot create the directory ({exc.strerror or exc})") from None
        self._entries = set(os.listdir(out))
        try:
            self._lock.acquire()
        except DirectoryLocked:
            raise  # the directory is another command's now: touch nothing in it
        except BaseException:
            self._restore()
            raise
        if REPLACED in self._entries and not self._lock.nested:
            shutil.rmtree(out / REPLACED, ignore_errors=True)  # a killed --overwrite's leftovers
            self._entries.discard(REPLACED)
        self._parts = written_parts(out)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if kind is not None and written_parts(self.out) <= self._parts:
                self._restore()
            elif not self._lock.nested:
                shutil.rmtree(self.out / REPLACED, ignore_errors=True)
        finally:
            self._lock.release()

    def _restore(self) -> None:
        """Put the directory back as it was found: not there at all, or with only its old entries."""
        if self._created is not None:
            shutil.rmtree(self._created, ignore_errors=True)
            return
        for name in set(os.listdir(self.out)) - self._entries - {REPLACED}:  # the lock file too, if new
            entry = self.out / name
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        aside = self.out / REPLACED
        if aside.is_dir() and REPLACED not in self._entries:
            for entry in aside.iterdir():
                os.replace(entry, self.out / entry.name)
            aside.rmdir()


def output_session(out: Path | None) -> AbstractContextManager[object]:
    """An :class:`OutputSession` for ``out``, or nothing to hold when results stay in memory."""
    return OutputSession(out) if out is not None else nullcontext()
