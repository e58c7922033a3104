"""What the commands share for output: the console, one listing in the chosen format, checked text."""

from __future__ import annotations

import sys

from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError


def console(stderr: bool = False):
    from nanxian_cli.render.table import make_console

    return make_console(file=sys.stderr if stderr else None)


def plain_text(value: str | None, option: str, limit: int = 4000) -> str | None:
    """A note, reason or name typed on the command line: no terminal control characters, bounded length."""
    if value is None:
        return None
    for ch in value:
        if (ord(ch) < 32 and ch not in "\n\t") or 127 <= ord(ch) < 160:
            code = f"U+{ord(ch):04X}"
            raise InputError(Words(f"{option}：含有控制字符 {code}；请删除",
                                   f"{option}: contains the control character {code}; remove it"))
    if len(value) > limit:
        raise InputError(Words(f"{option}：最多 {limit} 个字符", f"{option}: at most {limit} characters"))
    return value
