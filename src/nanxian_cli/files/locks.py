"""OS file locks beside the database: one mechanism for the digest's deliveries, `demo` builds and drafts.

A lock is an exclusive `flock` on a small file next to the database file. The kernel drops it when the
process ends, however it ends (a crash, a kill, a closed terminal), so a lock is never left behind.
Lock file names are made by the program (a fixed suffix, or a visit UUID), never from user text.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class LockBusy(Exception):
    """Another process holds the lock (still, after the wait asked for)."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


@contextmanager
def exclusive_lock(path: Path, wait_seconds: float = 0.0, *, remove: bool = False,
                   waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive OS lock on `path` (created 0600) for the `with` block.

    Waits up to `wait_seconds` for another holder, then raises LockBusy; OSError when the file cannot be
    opened. `remove`: the file is deleted when the lock is released (while still held), for locks named per
    record, so they do not pile up; a process that locked a file just removed notices and locks the new one.
    `waiting()` is called once when the lock is busy at first (to say why the command waits).
    Without POSIX `fcntl` (Windows) nothing is locked.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        fd = os.open(path, flags, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockBusy(path) from None
                    if waiting is not None and not told:
                        waiting()
                        told = True
                    time.sleep(0.2)
            if remove and not _same_file(fd, path):  # its holder removed it while we waited: lock the new one
                os.close(fd)
                continue
        except BaseException:
            os.close(fd)
            raise
        break
    try:
        yield
    finally:
        try:
            if remove:
                try:
                    os.unlink(path)
                except OSError:
                    pass
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    held = os.fstat(fd)
    return (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino)


def draft_lock_path(db_path: Path, visit_id: str) -> Path:
    """The lock file of one draft: beside the database, named by the visit's UUID (checked to be one)."""
    return Path(f"{db_path}.draft-{uuid.UUID(visit_id)}.lock")


@contextmanager
def draft_lock(db_path: Path, visit_id: str) -> Iterator[None]:
    """Hold one draft for one interactive session (or a discard); LockBusy at once if another session has it."""
    with exclusive_lock(draft_lock_path(db_path, visit_id), remove=True):
        yield
