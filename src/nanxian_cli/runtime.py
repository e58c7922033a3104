"""What every command run shares, without Typer: the global options and the settings they select, the
store, today's date, printing a line, and turning a failure into one message and an exit code.

The Typer command line (`cli/`) and the console entry's fast path for the weekly digest (`entry.py`) both
use these functions, so both give the same output, messages and exit codes. Nothing heavy is imported here.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
from dataclasses import dataclass
from typing import Any

from nanxian_cli.errors import InputError, NanxianError


@dataclass
class State:
    """The global options of this run (`--db`, `--checklists`, `--lang`); settings are read on first use."""

    db: str | None = None
    checklists: str | None = None
    lang: str | None = None
    _settings: Any = None

    @property
    def settings(self):
        if self._settings is None:
            from nanxian_cli.config import load_settings

            self._settings = load_settings(self.db, self.checklists, self.lang)
        return self._settings


state = State()


def apply_global_options(db: str | None, checklists: str | None, lang: str | None) -> None:
    """What the root command does before any command: keep the global options, read the settings they
    select (command line, then environment, then config file) and speak their language."""
    from nanxian_cli.files import outputs as output_guard
    from nanxian_cli.i18n import set_lang

    output_guard.reset()  # a new run: the paths its outputs must not replace are collected afresh
    state.db, state.checklists, state.lang, state._settings = db, checklists, lang, None
    output_guard.protect_database(state.settings.db_path)
    set_lang(state.settings.lang)


def settings():
    return state.settings


def open_db(create: bool = True):
    from nanxian_cli.services.upgrade import open_database

    return open_database(settings().db_path, create=create, on_upgrade=_say_upgrading)


def _say_upgrading(old: int, new: int) -> None:
    """One line on stderr before a database written by an older nanxian is upgraded (once per file)."""
    from nanxian_cli.i18n import tr

    path = settings().db_path
    sys.stderr.write(tr(f"正在把数据库 {path} 升级到新的结构（{old} → {new}，只做一次；数据多时需要几秒钟）…",
                        f"Upgrading the database {path} to the new schema ({old} -> {new}, once; a large one "
                        f"takes a few seconds) …") + "\n")
    sys.stderr.flush()


def today() -> dt.date:
    """Today in the county's time zone."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        tz = ZoneInfo(settings().timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"timezone: unknown time zone {settings().timezone!r}") from None
    return dt.datetime.now(tz).date()


def parse_date(text: str | None, what: str = "--date") -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what}: {text!r} is not a date (YYYY-MM-DD)") from None


def echo(line: str) -> None:
    """Print one line on stdout the way `typer.echo` does, without importing Typer: colour codes are
    removed when stdout is not a terminal, a stdout set up for ASCII only (`PYTHONIOENCODING=ascii`) is
    written in UTF-8 instead of failing on Chinese text, and the line is flushed at once."""
    out = sys.stdout
    if out is None:
        return
    text = line + "\n"
    if not _isatty(out):
        import re

        text = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", text)
    if _ascii_only(out) and hasattr(out, "buffer"):
        out.flush()
        out.buffer.write(text.encode("utf-8", "replace"))
        out.buffer.flush()
        return
    out.write(text)
    out.flush()


def _isatty(stream: Any) -> bool:
    try:
        return stream.isatty()
    except Exception:  # a stream without a file behind it
        return False


def _ascii_only(stream: Any) -> bool:
    import codecs

    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name == "ascii"
    except LookupError:
        return False


# -- failures ---------------------------------------------------------------------------------------

# What a command may fail with and still be reported as one clear message: everything else is a bug.
EXPECTED_FAILURES = (NanxianError, KeyboardInterrupt, sqlite3.Error, OSError)


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

    if isinstance(exc, NanxianError):
        report_error(exc)
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        sys.stderr.write("\n")
        return 130
    if isinstance(exc, sqlite3.Error):
        report_error(StoreError(f"database error: {exc}"))
        return 1
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        report_error(RuntimeFailure(f"{where}{exc.strerror or exc}"))
        return 1
    if not isinstance(exc, Exception) or os.environ.get("NANXIAN_DEBUG"):
        raise exc
    report_error(RuntimeFailure(
        f"internal error ({type(exc).__name__}: {exc}); nothing more was written. "
        "Run again with NANXIAN_DEBUG=1 to see the details and report them."
    ))
    return 1
