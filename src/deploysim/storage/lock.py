"""One writer per output directory: a lock file inside it, held while a command writes there.

Two commands on the same ``--out`` would both pass the "already holds results" check and then mix
their rows, or run the same missing runs twice. So a command takes an exclusive lock on
``OUT/.deploysim.lock`` before it looks at the directory, and a second command refuses at once,
with one line, instead of waiting for a first that may take hours.

The lock is the operating system's, so it ends with the process however it ends (SIGKILL
included) and never needs cleaning up: ``fcntl.flock`` on Linux and macOS, ``msvcrt.locking`` on
one byte on Windows. On a file system that supports neither (some network mounts refuse
``flock``) the command goes on unlocked rather than not at all. The file holds the holder's process
id, which names it in the refusal and lets a library function called by a command that already
holds the directory (``run`` inside ``deploysim run``) go on without locking it twice.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path

from deploysim.errors import OutputError

LOCK_FILE = ".deploysim.lock"
_WINDOWS_LOCK_OFFSET = 1 << 20
"""Windows locks a byte range that readers cannot read; locking a byte past the process id keeps it readable."""
_HELD = (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK)


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock without waiting; False if another process holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in _HELD:
            return False
        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
            return True  # no locks on this file system: go on unlocked, as before locks existed
        raise
    return True


def _holder(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode("ascii", "replace")
        return int(text.split()[0]) if text.split() else None
    except (OSError, ValueError):
        return None


class DirectoryLocked(OutputError):
    """Another process holds the output directory's lock."""


class DirectoryLock:
    """The lock on one output directory (which must exist); ``acquire`` refuses if another process holds it."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out / LOCK_FILE
        self.nested = False
        self._fd: int | None = None

    def acquire(self) -> None:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        where = "{out} " + str(self.out).replace("{", "{{").replace("}", "}}")
        try:
            fd = os.open(self.path, flags, 0o666)
        except OSError as exc:
            raise OutputError(f"{where}: cannot create its lock file ({exc.strerror or exc})") from None
        if not _try_lock(fd):
            holder = _holder(fd)
            os.close(fd)  # a second descriptor: closing it leaves the holder's lock in place
            if holder == os.getpid():
                self.nested = True
                return
            who = f" (process {holder})" if holder else ""
            raise DirectoryLocked(f"{where}: another deploysim command{who} is writing it; wait for it to finish "
                              "or choose another {out}")
        if not self._same_file(fd):  # the file was removed (a failed command undoing itself) after we opened it
            os.close(fd)
            raise DirectoryLocked(f"{where}: another deploysim command was just writing it; run the command again")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def _same_file(self, fd: int) -> bool:
        try:
            on_disk = os.lstat(self.path)
        except OSError:
            return False
        mine = os.fstat(fd)
        return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)

    def release(self) -> None:
        """Let go of the lock (a nested holder has nothing to let go of); the file stays for the next command."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None
