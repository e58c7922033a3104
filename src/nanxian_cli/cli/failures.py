"""Where every failure of a command run ends: the one mapping from a failure (a domain error, Ctrl-C, a database or
file-system error, a bug) to a message on stderr and an exit code, and the quiet exit 0 when standard output was
closed by its reader.
"""

from __future__ import annotations

import errno
import os
import sys

from nanxian_cli.errors import NanxianError


def _sqlite_error(exc: BaseException) -> bool:
    """An error of sqlite3, looked up only if sqlite3 was imported (none can happen before): `nanxian --help`
    does not load SQLite for it."""
    sqlite3 = sys.modules.get("sqlite3")
    return sqlite3 is not None and isinstance(exc, sqlite3.Error)


def is_expected(exc: BaseException) -> bool:
    """What a command may fail with and still be reported as one clear message (a domain error, Ctrl-C, a
    database or file-system error): everything else is a bug."""
    return isinstance(exc, (NanxianError, KeyboardInterrupt, OSError)) or _sqlite_error(exc)


def report_error(exc: NanxianError) -> None:
    from nanxian_cli.i18n import tr
    from nanxian_cli.render.table import make_console

    err = make_console(file=sys.stderr)
    err.print(f"{tr('错误', 'Error')}: {exc.message}", style="bold red", markup=False, highlight=False, soft_wrap=True)
    for line in exc.details:
        err.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)


def failure_exit_code(exc: BaseException) -> int:
    """Say on stderr what went wrong, in one message, and return the exit code.

    Domain errors carry their own code (1 or 2); Ctrl-C is 130; database and file-system errors that the
    store did not foresee (a full disk, a vanished folder) are runtime failures (1). Any other exception is
    a bug: one line and exit 1, or, with NANXIAN_DEBUG=1, the exception is raised again for its traceback.
    """
    from nanxian_cli.errors import RuntimeFailure, StoreError

    if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
        return closed_pipe()
    if isinstance(exc, NanxianError):
        report_error(exc)
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        sys.stderr.write("\n")
        return 130
    if _sqlite_error(exc):
        from nanxian_cli.i18n import tr

        report_error(StoreError(tr(f"数据库错误：{exc}", f"database error: {exc}")))
        return 1
    if isinstance(exc, OSError):

        from nanxian_cli.i18n import tr

        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        said = {errno.ENOENT: "文件或文件夹不存在", errno.EACCES: "没有权限", errno.EPERM: "不允许的操作",
                errno.ENOSPC: "磁盘已满", errno.EROFS: "只读文件系统", errno.EISDIR: "是文件夹",
                errno.ENOTDIR: "不是文件夹", errno.EIO: "读写错误"}.get(exc.errno or 0)
        why = exc.strerror or str(exc)
        report_error(RuntimeFailure(tr(f"{where}{said}（{why}）" if said else f"{where}{why}", f"{where}{why}")))
        return 1
    if not isinstance(exc, Exception) or os.environ.get("NANXIAN_DEBUG"):
        raise exc
    from nanxian_cli.i18n import tr

    report_error(RuntimeFailure(tr(
        f"内部错误（{type(exc).__name__}: {exc}）；没有再写入任何内容。"
        "请设置 NANXIAN_DEBUG=1 再运行一次，查看详情并报告。",
        f"internal error ({type(exc).__name__}: {exc}); nothing more was written. "
        "Run again with NANXIAN_DEBUG=1 to see the details and report them.",
    )))
    return 1


def closed_pipe() -> int:
    """Standard output was closed by its reader (`nanxian ... | head`): nothing more can be said there, and
    nothing went wrong. Exit 0 quietly; what is still buffered goes nowhere, so the interpreter's last flush
    cannot print an error either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (tests capture output in memory)
        pass
    return 0
