"""The one reader of input files: checklists, the plan, rosters, answers files and the config file all go
through `read_bytes`, so a size limit holds for every input, devices and pipes included (DESIGN Invariant 9).

Kept free of heavy imports: the config file is read through it on every start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

from nanxian_cli.errors import InputError, ValidationFailed
from nanxian_cli.i18n import tr

MAX_FILE_BYTES = 5 * 1024 * 1024
"""The most any input file may hold (checklists, rosters, answers files, the plan)."""
PIPE_WAIT_SECONDS = 30.0
"""How long a named pipe may stay silent before it is refused (see `read_bytes`)."""


def _size_text(limit: int) -> str:
    mb = 1024 * 1024
    return f"{limit // mb} MB" if limit % mb == 0 else tr(f"{limit} 字节", f"{limit} bytes")


def _too_large(path: Path, limit: int, size: int | None) -> ValidationFailed:
    said = (f"the file is {size} bytes" if size is not None
            else f"more than {limit} bytes came from it (a device or a pipe?); reading stopped there")
    said_zh = (f"文件有 {size} 字节" if size is not None
               else f"从中读到的超过 {limit} 字节（设备或管道？），已停止读取")
    return ValidationFailed(
        tr(f"{path}：文件太大（最多 {_size_text(limit)}）", f"{path}: file too large (at most {_size_text(limit)})"),
        [tr(f"{path}：{said_zh}；上限为 {limit} 字节（{_size_text(limit)}）",
            f"{path}: {said}; the limit is {limit} bytes ({_size_text(limit)})")],
    )


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a whole input file, never more than `limit` + 1 bytes: the one reader behind every file nanxian
    reads (YAML, CSV, the config file).

    Regular files are refused by their size before reading. Devices and pipes have no size, so at most
    `limit` + 1 bytes are read and then the file is refused: `/dev/zero` is "too large", `/dev/null` is
    empty. A named pipe (FIFO) is opened without waiting for a writer and read as data arrives; when
    nothing arrives for `PIPE_WAIT_SECONDS` (no writer, or a writer that stalls), it is refused rather
    than waited on forever.
    """
    import stat

    from nanxian_cli.files.outputs import protect_input

    protect_input(path)  # an input of this command: no output of it may replace the file
    if path.is_dir():
        raise InputError(tr(f"{path}：是文件夹，应为文件", f"{path}: is a directory, expected a file"))
    nonblocking = getattr(os, "O_NONBLOCK", 0)  # POSIX: opening a FIFO does not wait for a writer
    try:
        fd = os.open(path, os.O_RDONLY | nonblocking | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise InputError(tr(f"{path}：文件不存在", f"{path}: file not found")) from None
    except IsADirectoryError:
        raise InputError(tr(f"{path}：是文件夹，应为文件", f"{path}: is a directory, expected a file")) from None
    except PermissionError:
        raise InputError(tr(f"{path}：无权读取", f"{path}: permission denied")) from None
    except OSError as exc:
        raise InputError(tr(f"{path}：无法读取：{exc.strerror or exc}",
                            f"{path}: cannot read: {exc.strerror or exc}")) from None
    try:
        mode = os.fstat(fd)
        if stat.S_ISDIR(mode.st_mode):
            raise InputError(tr(f"{path}：是文件夹，应为文件", f"{path}: is a directory, expected a file"))
        if stat.S_ISREG(mode.st_mode) and mode.st_size > limit:
            raise _too_large(path, limit, mode.st_size)
        pipe = stat.S_ISFIFO(mode.st_mode) or stat.S_ISSOCK(mode.st_mode)
        if nonblocking and not pipe:
            os.set_blocking(fd, True)  # a terminal or another device: ordinary reads
        chunks: list[bytes] = []
        total = 0
        while True:
            if pipe:
                import select

                ready, _, _ = select.select([fd], [], [], PIPE_WAIT_SECONDS)
                if not ready:
                    raise InputError(tr(
                        f"{path}：管道在 {PIPE_WAIT_SECONDS:g} 秒内没有送来数据，已放弃",
                        f"{path}: a pipe that sent nothing for {PIPE_WAIT_SECONDS:g} s; refused (give a file instead)",
                    ))
            try:
                chunk = os.read(fd, min(1 << 16, limit + 1 - total))
            except BlockingIOError:
                continue
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise _too_large(path, limit, None)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(tr(f"{path}：无法读取：{exc.strerror or exc}",
                            f"{path}: cannot read: {exc.strerror or exc}")) from None
    finally:
        os.close(fd)
