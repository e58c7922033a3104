"""The command line's boundary: what every command run shares and where every failure ends.

The global options of this run and the settings they select, the store, the county's date (computed
once per run and passed down from here), and the one mapping from a failure to a message on stderr and
an exit code. The Typer classes the command tree is built from (`NanxianTyper`) apply that mapping,
refuse command-line text that is not valid UTF-8, take `-h` for `--help` and the global options after the
command too, and say in help what each option takes in Click's words (`DATE`, `FILE`, `[table|json]`), for
every command.
"""

from __future__ import annotations

import datetime as dt
import errno
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
    from nanxian_cli.i18n import set_lang, set_zone

    output_guard.reset()  # a new run: the paths its outputs must not replace are collected afresh
    state.db, state.checklists, state.lang, state._settings, state._today = db, checklists, lang, None, None
    asked = (lang or "").lower()[:2]
    if asked in ("zh", "en"):  # before the settings are read: a broken config file is refused in that language
        set_lang(asked)
    output_guard.protect_database(state.settings.db_path)
    set_lang(state.settings.lang)
    set_zone(state.settings.timezone)


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

    if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
        return closed_pipe()
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


# -- the Typer classes every command is built from -------------------------------------------------------

HELP_OPTION_NAMES = ["-h", "--help"]

# What an option takes, as help shows it after the option's name (Click's style: upper-case words, choices in
# brackets). By the option's name first, then by its type; a `metavar=` given to the option itself wins.
OPTION_METAVARS = {
    "--db": "FILE", "--checklists": "DIR", "--lang": "[zh|en]",
    "--date": "DATE", "--from": "DATE", "--to": "DATE", "--as-of": "DATE", "--end": "DATE",
    "--week": "WEEK", "--month": "MONTH", "--since": "[last|all|DATE]",
    "--inspector": "NAME", "--by": "NAME", "--school": "SCHOOL", "--town": "TOWN", "--checklist": "CHECKLIST",
    "--stage": "STAGE", "--format": "FORMAT", "--draft": "VISIT", "--visit": "VISIT", "--finding": "FINDING",
    "--keep": "REVISION", "--phone": "PHONE", "--due-within": "DAYS", "--output": "FILE", "--answers": "FILE",
}
ARGUMENT_METAVARS = {
    "visit_ref": "VISIT", "visit_id": "VISIT", "conflict_id": "CONFLICT", "checklist_id": "CHECKLIST",
    "item": "POINT", "paths": "PATH", "files": "FILE", "number": "N",
}
CHOICES_SHOWN_WHOLE = 24
"""A list of choices longer than this is shown as `[table|json|…]` (help names them all in words): a long
bracket would be folded mid-word in a narrow terminal."""


def _choices_metavar(choices: list[str]) -> str:
    whole = "[" + "|".join(choices) + "]"
    return whole if len(whole) <= CHOICES_SHOWN_WHOLE else "[" + "|".join(choices[:2]) + "|…]"


def _type_word(param: Any) -> str:
    """The word for what a parameter takes, from its type: PATH, N, TEXT (Click's words, `N` for a count)."""
    kind = getattr(param.type, "name", "")
    if kind == "path":
        return "PATH"
    if kind in ("int", "int range", "integer", "integer range"):
        return "N"
    if kind in ("float", "float range"):
        return "NUMBER"
    return "TEXT"


class _ShownType:
    """Mixed into a copy of an argument's type so that help's type column shows Click's word for it (or
    nothing for text: the argument's name already says it)."""

    shown = ""

    def get_metavar(self, param: Any, ctx: Any) -> str:
        return self.shown


_SHOWN_TYPES: dict[type, type] = {}


def _show_type_as(param: Any, word: str) -> None:
    import copy

    base = type(param.type)
    shown = _SHOWN_TYPES.get(base)
    if shown is None:
        shown = _SHOWN_TYPES[base] = type(base.__name__, (_ShownType, base), {})
    replacement = copy.copy(param.type)  # never the shared instance (click's STRING, INT): only this parameter's
    replacement.__class__ = shown
    replacement.shown = word
    param.type = replacement


def _name_what_params_take(command: Any) -> None:
    """Give every parameter of `command` the metavar help shows (see OPTION_METAVARS)."""
    for param in command.params:
        if param.param_type_name == "argument":
            if param.metavar is None:
                param.metavar = ARGUMENT_METAVARS.get(param.name or "", (param.name or "").upper())
            word = _type_word(param)
            _show_type_as(param, "" if word == "TEXT" else word)
            continue
        if param.metavar is not None or getattr(param, "is_flag", False) or getattr(param, "count", False):
            continue
        choices = getattr(param.type, "choices", None)
        long_name = next((o for o in param.opts if o.startswith("--")), "")
        if choices:
            param.metavar = _choices_metavar([str(c) for c in choices])
        else:
            param.metavar = OPTION_METAVARS.get(long_name) or _type_word(param)


def _usage_pieces(command: Any, ctx: Any) -> list[str]:
    """The usage line as Click writes it: `[OPTIONS] CHECKLIST`, `[PATH]...`, `FILE...`."""
    pieces = [command.options_metavar] if command.options_metavar else []
    for param in command.get_params(ctx):
        if param.param_type_name != "argument":
            continue
        piece = param.metavar or (param.name or "").upper()
        if not (param.required or getattr(param, "required_in_usage", False)):
            piece = f"[{piece}]"
        if param.nargs != 1:
            piece += "..."
        pieces.append(piece)
    return pieces


GLOBAL_OPTIONS = ("--db", "--checklists", "--lang")


def _late_global_option(ctx: typer.Context, param: Any, value: str | None) -> None:
    """`--db`, `--checklists` or `--lang` given after the command: the same as before it (the later one wins)."""
    if value is None or ctx.resilient_parsing:
        return
    values = {"--db": state.db, "--checklists": state.checklists, "--lang": state.lang}
    values[param.opts[0]] = value
    apply_global_options(values["--db"], values["--checklists"], values["--lang"])


_LATE_OPTIONS: dict[str, Any] = {}


def _accept_global_options(command: Any) -> None:
    """The global options are taken after the command too (`nanxian report summary --lang en`), hidden from its
    help (the root's help lists them); a command's own option of the same name (`demo --db`) stays its own. The
    options hold no state of their own, so every command shares the same three."""
    if not _LATE_OPTIONS:
        from typer.core import TyperOption

        for name in GLOBAL_OPTIONS:
            _LATE_OPTIONS[name] = TyperOption(param_decls=[name, f"late_{name[2:]}"], type=str, hidden=True,
                                              expose_value=False, is_eager=True, callback=_late_global_option)
    taken = {o for p in command.params for o in getattr(p, "opts", ())}
    command.params.extend(option for name, option in _LATE_OPTIONS.items() if name not in taken)



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


def _format_help(command: Any, ctx: Any, formatter: Any, format_help: Any) -> None:
    """Help in the user's language (cli/help.py). Rich, which Typer prints help with, ends the process with
    exit 1 when standard output is closed (`nanxian --help | head -1`); reading only the start of the help is
    not a failure: exit 0, quietly (Rich has already sent what is left to the null device)."""
    from nanxian_cli.cli.help import localised

    with localised(command, ctx):
        try:
            format_help(ctx, formatter)
        except SystemExit as exc:
            if exc.code == 1:  # Rich's Console.on_broken_pipe: nothing else in help formatting exits
                raise SystemExit(closed_pipe()) from None
            raise


class NanxianCommand(TyperCommand):
    """A command whose text values are checked before it runs (`_refuse_undecodable`), whose help says what
    each option takes in Click's words and speaks the user's language (cli/help.py), whose usage errors are said
    in the user's language, and which takes the global options after its name too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_what_params_take(self)
        _accept_global_options(self)

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        return _usage_pieces(self, ctx)

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        _format_help(self, ctx, formatter, super().format_help)

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

    takes_global_options_late = True  # not the root: the global options are its own

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_what_params_take(self)
        if self.takes_global_options_late:
            _accept_global_options(self)

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        _format_help(self, ctx, formatter, super().format_help)

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
    """`typer.Typer` whose commands are `NanxianCommand`s and whose groups are `NanxianGroup`s, all taking
    `-h` for `--help`; shell completion only where asked for (the root: `add_completion=True`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", NanxianGroup)
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("context_settings", {"help_option_names": HELP_OPTION_NAMES})
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", NanxianCommand)
        kwargs.setdefault("context_settings", {"help_option_names": HELP_OPTION_NAMES})
        return super().command(*args, **kwargs)
