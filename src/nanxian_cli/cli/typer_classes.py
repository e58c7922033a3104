"""The Typer classes the command tree is built from (`NanxianTyper`): they apply the failure mapping
(cli/failures.py), refuse command-line text that is not valid UTF-8, take `-h` for `--help` and the global options
after the command too, and say in help what each option takes in Click's words (`DATE`, `FILE`, `[table|json]`),
for every command.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from nanxian_cli.cli.failures import closed_pipe, failure_exit_code, is_expected
from nanxian_cli.cli.runtime import apply_global_options, state
from nanxian_cli.errors import NanxianError

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
        except BaseException as exc:
            if not is_expected(exc):
                raise
            raise typer.Exit(failure_exit_code(exc)) from None


class LazyGroup(NanxianGroup):
    """A group whose commands are built when first asked for, through Click's lazy-loading hooks
    (`list_commands`, `get_command`), each from a Typer app of its own (`typer.main.get_command`): Typer
    builds every command of a group when it builds the group, and a run needs only the command it names
    (`report summary`: a sixth of the report group's building). Help, completion and a mistyped name ask for
    every one; the tree is the same either way. `lazy` (name -> its one-command app, in the order they were
    written) is set on the subclass each `NanxianTyper(lazy=True)` makes."""

    lazy: dict[str, typer.Typer] = {}

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return [*self.lazy, *(name for name in super().list_commands(ctx) if name not in self.lazy)]

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            import typer.main

            self.add_command(typer.main.get_command(self.lazy[cmd_name]), cmd_name)
        return self.commands.get(cmd_name)


def _no_group_options() -> None:
    """A lazy group's own callback: it takes nothing (Typer builds a group from a callback or its commands)."""


class NanxianTyper(typer.Typer):
    """`typer.Typer` whose commands are `NanxianCommand`s and whose groups are `NanxianGroup`s, all taking
    `-h` for `--help`; shell completion only where asked for (the root: `add_completion=True`). With
    `lazy=True`, a group whose commands are built one at a time when asked for (`LazyGroup`); each command
    must then be given its name."""

    def __init__(self, *, lazy: bool = False, **kwargs: Any) -> None:
        self.lazy_commands: dict[str, typer.Typer] | None = {} if lazy else None
        if lazy:
            kwargs["cls"] = type("LazyGroup", (LazyGroup,), {"lazy": self.lazy_commands})
        kwargs.setdefault("cls", NanxianGroup)
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("context_settings", {"help_option_names": HELP_OPTION_NAMES})
        super().__init__(**kwargs)
        if lazy:
            self.callback()(_no_group_options)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", NanxianCommand)
        kwargs.setdefault("context_settings", {"help_option_names": HELP_OPTION_NAMES})
        if self.lazy_commands is None:
            return super().command(*args, **kwargs)
        name = args[0] if args else kwargs.get("name")
        if not isinstance(name, str):
            raise TypeError("a command of a lazy group is given its name")
        single = NanxianTyper()
        self.lazy_commands[name] = single
        return single.command(*args, **kwargs)
