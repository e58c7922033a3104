"""Command-line mistakes (Click's usage errors) in the user's language.

Click says what is wrong in English ("No such option", "Missing argument", "'pdf' is not one of …"). Under Chinese
the error is said again from the exception's own data (the option, the parameter, its type, the closest names) as
one of our errors (`错误: …`, exit 2), with the command to get help. English keeps Click's own words and layout.
"""

from __future__ import annotations

import re
from typing import Any

import typer

from nanxian_cli.errors import InputError

USAGE_ERROR: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
"""Click's UsageError (the base of `typer.BadParameter`): Typer ships its own Click, so it is found from the class
Typer exports rather than imported."""


def _kinds(exc: Exception) -> set[str]:
    return {c.__name__ for c in type(exc).__mro__}


def _value(message: str) -> str | None:
    """The value Click quotes at the start of a conversion message (`'pdf' is not one of …`)."""
    found = re.match(r"^('(?:[^'\\]|\\.)*'|\S+) is not", message or "")
    return found.group(1) if found else None


def _is_option(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "option"


def _param_name(param: Any, hint: Any) -> str:
    if param is not None:
        if _is_option(param):
            return " / ".join(param.opts)
        return (param.human_readable_name or param.name or "").upper()
    return str(hint or "")


def _conversion(param: Any, message: str) -> str:
    """Why a value does not fit its parameter, in Chinese (from the parameter's type)."""
    if re.search(r"[\u4e00-\u9fff]", message or ""):
        return message  # our own check (a callback) already speaks Chinese
    got = _value(message)
    shown = f"，收到 {got}" if got else ""
    kind = getattr(param, "type", None)
    name = getattr(kind, "name", "")
    if name == "choice":
        return f"应为 {' | '.join(map(str, kind.choices))} 之一{shown}"
    if name in ("int range", "float range"):
        low = kind.min if kind.min is not None else "…"
        high = kind.max if kind.max is not None else "…"
        return f"应在 {low}–{high} 之间{shown}"
    if name in ("int", "integer"):
        return f"应为整数{shown}"
    if name == "float":
        return f"应为数字{shown}"
    if name == "boolean":
        return f"应为 true 或 false{shown}"
    if name == "datetime":
        return f"应为日期 YYYY-MM-DD{shown}"
    if name in ("path", "filename", "file"):
        if "does not exist" in message:
            return "文件不存在"
        if "is a directory" in message:
            return "是文件夹，不是文件"
        if "is a file" in message:
            return "是文件，不是文件夹"
        return "无法读取该路径"
    return f"无效的值{shown}"


def _available(possibilities: Any) -> str:
    options = sorted(possibilities or [])
    return f"（可用：{'、'.join(options)}）" if options else ""


def in_chinese(exc: Any, commands: list[str] | None = None) -> InputError:
    """The usage error said in Chinese, as one of our errors (exit 2); `commands`: the group's command names, for
    a mistyped one."""
    import difflib

    message = exc.message or ""
    kinds = _kinds(exc)
    if "NoSuchOption" in kinds:
        text = f"没有选项 {exc.option_name}{_available(exc.possibilities)}"
    elif "MissingParameter" in kinds:
        what = "选项" if _is_option(exc.param) else "参数"
        text = f"缺少{what} {_param_name(exc.param, exc.param_hint)}"
    elif "BadParameter" in kinds:
        text = f"{_param_name(exc.param, exc.param_hint)}：{_conversion(exc.param, message)}"
    elif "BadOptionUsage" in kinds:
        if "requires an argument" in message:
            text = f"选项 {exc.option_name} 需要一个值"
        elif "does not take a value" in message:
            text = f"选项 {exc.option_name} 不带值"
        else:
            text = f"选项 {exc.option_name} 用法有误"
    else:
        extra = re.match(r"Got unexpected extra arguments? ?(?:\(s\))? \((.*)\)", message)
        command = re.match(r"No such command '(.*?)'", message)
        if extra:
            text = f"多余的参数：{extra.group(1)}"
        elif command:
            close = difflib.get_close_matches(command.group(1), commands or [])
            text = f"没有命令 {command.group(1)!r}" + (f"；是否要用：{'、'.join(close)}" if close else "") + \
                (f"（可用：{'、'.join(commands)}）" if commands else "")
        elif message.startswith("Missing command"):
            text = "缺少命令" + (f"（可用：{'、'.join(commands)}）" if commands else "")
        else:
            text = message
    ctx = getattr(exc, "ctx", None)
    details = [f"查看用法：{ctx.command_path} --help"] if ctx is not None else []
    return InputError(text, details)


def localized(exc: Any, commands: list[str] | None = None) -> Exception:
    """What to raise for a usage error: Click's own (English), or under Chinese our error in Chinese. Help asked
    for by giving no arguments (`nanxian inspect`) is not an error to translate."""
    from nanxian_cli.i18n import get_lang

    if get_lang() != "zh" or "NoArgsIsHelpError" in _kinds(exc):
        return exc
    return in_chinese(exc, commands)
