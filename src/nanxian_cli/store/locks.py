"""An exclusive OS lock held through a file next to the database (the digest's deliveries, `demo` builds).

`flock` on a small private file: a second holder waits (polling) up to a deadline; the kernel drops the lock
if its process dies, so a crashed run never leaves a stale lock. Not POSIX: no lock (callers stay correct
without one, only unserialised).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from nanxian_cli.errors import NanxianError


@contextmanager
def file_lock(
    path: Path,
    *,
    wait_seconds: float,
    cannot_create: Callable[[OSError], NanxianError],
    timed_out: Callable[[], NanxianError],
    waiting: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created 0600 if missing) for the `with` block.

    `cannot_create(exc)` and `timed_out()` build the error raised when the file cannot be opened or the lock
    is still held after `wait_seconds`; `waiting()` is called once if the lock is busy at first.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise cannot_create(exc) from None
    try:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise timed_out() from None
                if waiting is not None and not told:
                    waiting()
                    told = True
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
