"""Help as people read it: each command's examples, and the help texts in the user's language.

Imported only when help is shown (`-h`/`--help`, or a group run without a command), so it costs no command
anything. The help texts are written in English beside each option and command (cli/*.py); `ZH`
(cli/help_zh.py) holds their Chinese, looked up paragraph by paragraph (whitespace folded), so a text without a
translation is shown in English rather than not at all (tests/test_help.py lists any such text). `EXAMPLES`
(cli/help_examples.py) holds one or two command lines for every command, shown under its help; the command lines
are the same in both languages. Chinese help is broken into lines by cli/help_lines.py.

While help is formatted, `localised` puts the chosen language's texts, the examples and the panel titles on
the command, its parameters and its sub-commands, and puts everything back afterwards.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from nanxian_cli.cli.help_examples import EXAMPLES
from nanxian_cli.cli.help_lines import _break_lines
from nanxian_cli.cli.help_zh import PANELS, ZH


def fold(text: str) -> str:
    return " ".join(text.split())


def translated(text: str | None, zh: bool) -> str | None:
    """A help text with its paragraphs' line breaks folded (a docstring's lines are not the terminal's), each
    paragraph in Chinese when `zh` and a translation exists."""
    if not text:
        return text
    paragraphs = [fold(p) for p in inspect.cleandoc(text).partition("\f")[0].split("\n\n") if p.strip()]
    if zh:
        paragraphs = [ZH.get(p, p) for p in paragraphs]
    return "\n\n".join(paragraphs)


def command_key(ctx: Any) -> str:
    """The command's path below the root, e.g. `report summary` ("" for the root)."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


def examples_epilog(ctx: Any, zh: bool) -> str | None:
    lines = EXAMPLES.get(command_key(ctx))
    if not lines:
        return None
    head = "示例：" if zh else ("Example:" if len(lines) == 1 else "Examples:")
    return "\n".join([head, *(line.replace("[", "\\[") for line in lines)])  # shown as Rich markup: no tags


def help_language(ctx: Any) -> str:
    """The language help is shown in. Below the root, the root's options were applied already (`--lang`, then
    NANXIAN_LANG, the config file, the locale); the root's own help comes before that, so it looks them up."""
    from nanxian_cli.i18n import get_lang

    if ctx.parent is not None:
        return get_lang()
    from nanxian_cli.config import help_language as looked_up

    return looked_up(ctx.params.get("lang"))


@contextmanager
def localised(command: Any, ctx: Any) -> Iterator[None]:
    """Put the help language's texts, the examples and the panel titles on `command` while its help is
    formatted; put the old values back afterwards (a test runs many commands in one process)."""
    zh = help_language(ctx) == "zh"
    saved: list[tuple[Any, str, Any]] = []

    def put(obj: Any, attr: str, value: Any) -> None:
        saved.append((obj, attr, getattr(obj, attr, None)))
        setattr(obj, attr, value)

    try:
        put(command, "help", translated(command.help, zh))
        if command.short_help:
            put(command, "short_help", translated(command.short_help, zh))
        epilog = examples_epilog(ctx, zh)
        if epilog and not command.epilog:
            put(command, "epilog", epilog)
        for param in command.get_params(ctx):
            if getattr(param, "hidden", False):
                continue
            put(param, "help", translated(getattr(param, "help", None), zh))
            if zh:
                _chinese_markers(param, ctx, put)
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is None or sub.hidden:
                    continue
                put(sub, "help", translated(sub.help, zh))
                if sub.short_help:
                    put(sub, "short_help", translated(sub.short_help, zh))
                if zh and not getattr(sub, "rich_help_panel", None):
                    put(sub, "rich_help_panel", PANELS["Commands"][0])
        if zh:
            _break_lines(command, ctx, put)
        yield
    finally:
        for obj, attr, value in reversed(saved):
            setattr(obj, attr, value)


def _chinese_markers(param: Any, ctx: Any, put: Any) -> None:
    """Typer's `[default: …]`, `[required]` and panel titles are English: in Chinese help, say them in the help
    text (`（默认：12）`, `（必填）`) and name the panels 参数 / 选项."""
    extra = []
    if getattr(param, "show_default", False) and not getattr(param, "is_flag", False):
        if isinstance(param.show_default, str):
            shown: Any = param.show_default
        else:
            resilient = ctx.resilient_parsing
            ctx.resilient_parsing = True
            try:
                shown = param.get_default(ctx, call=False)
            finally:
                ctx.resilient_parsing = resilient
            shown = getattr(shown, "value", shown)
        if shown not in (None, "", (), []) and not callable(shown):
            extra.append(f"默认：{shown}")
        put(param, "show_default", False)
    if param.required:
        extra.append("必填")
        put(param, "required_in_usage", True)  # the usage line still shows it as required
        put(param, "required", False)
    if extra:
        put(param, "help", f"{param.help or ''}（{'；'.join(extra)}）")
    if not getattr(param, "rich_help_panel", None):
        kind = "Arguments" if param.param_type_name == "argument" else "Options"
        put(param, "rich_help_panel", PANELS[kind][0])
