"""What the commands share for output: the console, one listing in the chosen format, checked text."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from nanxian_cli.errors import InputError


def console(stderr: bool = False):
    from nanxian_cli.render.table import make_console

    return make_console(file=sys.stderr if stderr else None)


def emit(
    fmt: str | None,
    output: Path | None,
    *,
    json_data: Any,
    columns: list[str],
    rows: list[list[Any]],
    table: Any = None,
    allowed: tuple[str, ...] = ("table", "json", "csv"),
) -> None:
    """Render one listing in the chosen format, to the terminal or atomically to --output."""
    from nanxian_cli.files.outputs import write_output
    from nanxian_cli.render import csv_text, infer_format, json_text, markdown_table

    chosen = infer_format(fmt, output)
    if chosen not in allowed:
        raise InputError(f"--format: {chosen!r} is not available here; choose one of {', '.join(allowed)}")
    if chosen == "json":
        content = json_text(json_data)
    elif chosen == "csv":
        content = csv_text(columns, rows)
    elif chosen == "markdown":
        content = markdown_table(columns, rows)
    else:
        from nanxian_cli.render.table import make_console, simple_table

        renderable = table if table is not None else simple_table(None, columns, rows)
        if output is None:
            console().print(renderable)
            return
        import io

        buf = io.StringIO()
        make_console(file=buf, width=160).print(renderable)
        content = buf.getvalue()
    if output is None:
        sys.stdout.write(content)
    else:
        write_output(content, output)
        console(stderr=True).print(f"→ {output}", markup=False)


def plain_text(value: str | None, option: str, limit: int = 4000) -> str | None:
    """A note, reason or name typed on the command line: no terminal control characters, bounded length."""
    if value is None:
        return None
    for ch in value:
        if (ord(ch) < 32 and ch not in "\n\t") or 127 <= ord(ch) < 160:
            raise InputError(f"{option}: contains the control character U+{ord(ch):04X}; remove it")
    if len(value) > limit:
        raise InputError(f"{option}: at most {limit} characters")
    return value
