"""Chinese help in lines: Rich breaks lines at spaces only, and Typer's help tables cut a longer "word" short with
"…": a Chinese sentence is one such word. So Chinese help is broken into lines here (render/wrap.py), as wide as the
column it is shown in (Typer's help console, its tables' columns)."""

from __future__ import annotations

from typing import Any


def _has_wide(text: str | None) -> bool:
    from nanxian_cli.render.wrap import _wide

    return bool(text) and any(_wide(ch) for ch in text or "")


def _console_width() -> int:
    """The width Typer's help console takes, found as Rich finds it: TERMINAL_WIDTH (Typer's), else COLUMNS,
    else the size of the first standard stream that is a terminal, else 80."""
    import os

    for name in ("TERMINAL_WIDTH", "COLUMNS"):
        value = os.environ.get(name, "")
        if value.isdigit():
            return int(value)
    for fd in (0, 1, 2):
        try:
            return os.get_terminal_size(fd).columns
        except (OSError, ValueError):
            continue
    return 80


def _range_text(param_type: Any) -> str:
    low, high = getattr(param_type, "min", None), getattr(param_type, "max", None)
    if low is None and high is None:
        return ""
    if low is None:
        return f" [x<={high}]"
    if high is None:
        return f" [x>={low}]"
    return f" [{low}<=x<={high}]"


def _help_column(params: list, ctx: Any, width: int) -> int:
    """The width of the help column of Typer's table of these parameters: the panel's border and padding, the
    option, short option, negative option, short negative option and type columns at their natural widths and
    two cells of padding between columns (see typer's `_print_options_panel`)."""
    from rich.cells import cell_len

    columns = [0, 0, 0, 0, 0]
    for param in params:
        if param.param_type_name == "argument":
            cells = ["", param.metavar or param.name or "", "", "", param.type.get_metavar(param=param, ctx=ctx) or ""]
        else:
            cells = [",".join(o for o in param.opts if "--" in o), ",".join(o for o in param.opts if "--" not in o),
                     ",".join(o for o in param.secondary_opts if "--" in o),
                     ",".join(o for o in param.secondary_opts if "--" not in o),
                     "" if getattr(param, "is_flag", False) else param.make_metavar(ctx=ctx)
                     + _range_text(param.type)]
        columns = [max(c, cell_len(text)) for c, text in zip(columns, cells, strict=True)]
    return max(12, width - 4 - sum(columns) - 10)


def wrap(text: str, width: int) -> list[str]:
    from nanxian_cli.render.wrap import wrap as lines

    return lines(text, width)


def _broken(text: str, width: int) -> str:
    """A Chinese help text as lines Typer keeps (`\b` marks a paragraph whose line breaks stay)."""
    return "\n\n".join("\b\n" + "\n".join(wrap(p, width)) for p in text.split("\n\n"))


def _break_lines(command: Any, ctx: Any, put: Any) -> None:
    """Chinese help in lines as wide as the columns it is shown in (options, arguments, commands, the text)."""
    width = _console_width()
    params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
    for kind in ("argument", "option"):
        panel = [p for p in params if p.param_type_name == kind]
        column = _help_column(panel, ctx, width)
        for param in panel:
            if _has_wide(param.help):
                put(param, "help", _broken(param.help, column))
    if command.help and "\n\n" in command.help:  # the first paragraph folds by itself; the others keep lines
        first, rest = command.help.split("\n\n", 1)
        put(command, "help", first + "\n\n" + "\n\n".join("\n".join(wrap(p, width - 2)) for p in rest.split("\n\n")))
    if hasattr(command, "list_commands"):
        subs = [command.get_command(ctx, name) for name in command.list_commands(ctx)]
        subs = [c for c in subs if c is not None and not c.hidden]
        name_width = max((len(c.name or "") for c in subs), default=0)
        for sub in subs:
            text = (sub.short_help or sub.help or "").split("\n\n")[0]
            if _has_wide(text):
                put(sub, "short_help", "\n".join(wrap(text, max(12, width - 6 - name_width))))
