"""The command line's boundary: what every command run shares and where every failure ends.

The global options of this run and the settings they select, the store, the county's date (computed
once per run and passed down from here), and the one mapping from a failure to a message on stderr and
an exit code. The Typer classes the command tree is built from (`NanxianTyper`) apply that mapping and
refuse command-line text that is not valid UTF-8, for every command.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from nanxian_cli.errors import InputError, NanxianError


@dataclass
class State:
    """The global options of this run (`--db`, `--checklists`, `--lang`); settings are read on first use,
    the county's date on first use."""

    db: str | None = None
    checklists: str | None = None
    lang: str | None = None
    _settings: Any = None
    _today: dt.date | None = None

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
    state.db, state.checklists, state.lang, state._settings, state._today = db, checklists, lang, None, None
    asked = (lang or "").lower()[:2]
    if asked in ("zh", "en"):  # before the settings are read: a broken config file is refused in that language
        set_lang(asked)
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
    sys.stderr.write(tr(f"正在把数据库 {path} 升级到新的结构（{old} → {new}，只做一次；数据多时可能需要一分钟）…",
                        f"Upgrading the database {path} to the new schema ({old} -> {new}, once; a large one "
                        f"can take a minute) …") + "\n")
    sys.stderr.flush()


def today() -> dt.date:
    """Today in the county's time zone: read from the clock once per run, so every check and default of
    one command uses the same day (a run across midnight does not see two)."""
    if state._today is None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            tz = ZoneInfo(settings().timezone)
        except (ZoneInfoNotFoundError, ValueError):
            from nanxian_cli.i18n import tr

            raise InputError(tr(f"timezone：未知时区 {settings().timezone!r}",
                                f"timezone: unknown time zone {settings().timezone!r}")) from None
        state._today = dt.datetime.now(tz).date()
    return state._today


def parse_date(text: str | None, what: str = "--date") -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        from nanxian_cli.i18n import tr

        raise InputError(tr(f"{what}：{text!r} 不是日期（应为 YYYY-MM-DD）",
                            f"{what}: {text!r} is not a date (YYYY-MM-DD)")) from None


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
        from nanxian_cli.i18n import tr

        report_error(StoreError(tr(f"数据库错误：{exc}", f"database error: {exc}")))
        return 1
    if isinstance(exc, OSError):
        import errno

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


# -- the Typer classes every command is built from -------------------------------------------------------

def _refuse_undecodable(ctx: typer.Context) -> None:
    """Text options and arguments that hold bytes which are not UTF-8 (surrogate escapes on the command line)
    are a usage error (exit 2): they could never match anything and SQLite cannot take them. Paths are left
    alone: a file name may be any bytes."""
    from nanxian_cli.i18n import tr

    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        for text in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    raise typer.BadParameter(tr("不是有效的 UTF-8 文本", "not valid UTF-8 text"),
                                             ctx=ctx, param=param) from None


def _checked_text(ctx: typer.Context) -> None:
    """`_refuse_undecodable`, its refusal said in the user's language."""
    from nanxian_cli.cli.usage import USAGE_ERROR

    try:
        _refuse_undecodable(ctx)
    except USAGE_ERROR as exc:
        raise _usage_error(exc, ctx) from None


def _usage_error(exc: Any, ctx: typer.Context, commands: list[str] | None = None) -> Exception:
    """A usage error in the user's language (cli/usage.py). At the root, before its options were applied (a
    mistyped command name), the global options are applied first so the language is the one asked for."""
    from nanxian_cli.cli.usage import localized

    if ctx.parent is None:
        try:
            apply_global_options(ctx.params.get("db"), ctx.params.get("checklists"), ctx.params.get("lang"))
        except NanxianError:
            return exc  # the settings themselves are wrong: Click's words, then the root says why
    return localized(exc, commands)


class NanxianCommand(TyperCommand):
    """A command whose text values are checked before it runs (`_refuse_undecodable`); its usage errors are said
    in the user's language."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        from nanxian_cli.cli.usage import USAGE_ERROR

        try:
            return super().parse_args(ctx, args)
        except USAGE_ERROR as exc:
            raise _usage_error(exc, ctx) from None

    def invoke(self, ctx: typer.Context) -> Any:
        _checked_text(ctx)
        return super().invoke(ctx)


class NanxianGroup(TyperGroup):
    """Maps domain errors, Ctrl-C, database and file-system errors to one clear message and exit code
    (`failure_exit_code`), for every command below it; its own options are checked like a command's."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        from nanxian_cli.cli.usage import USAGE_ERROR

        try:
            return super().parse_args(ctx, args)
        except USAGE_ERROR as exc:
            if ctx.parent is None:  # the root's own options: the language is not known yet
                raise
            raise _usage_error(exc, ctx) from None

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:
        from nanxian_cli.cli.usage import USAGE_ERROR

        try:
            return super().resolve_command(ctx, args)
        except USAGE_ERROR as exc:
            raise _usage_error(exc, ctx, self.list_commands(ctx)) from None

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            _checked_text(ctx)
            return super().invoke(ctx)
        except EXPECTED_FAILURES as exc:
            raise typer.Exit(failure_exit_code(exc)) from None


class NanxianTyper(typer.Typer):
    """`typer.Typer` whose commands are `NanxianCommand`s and whose groups are `NanxianGroup`s; no shell
    completion options (the root has none either)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", NanxianGroup)
        kwargs.setdefault("add_completion", False)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", NanxianCommand)
        return super().command(*args, **kwargs)
