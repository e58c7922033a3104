"""Rich tables whose cells are plain text, never markup."""

from __future__ import annotations

from typing import Any


def make_console(file: Any = None, width: int | None = None):
    import os

    from rich.console import Console

    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(file=file, width=width, no_color=no_color, highlight=False, emoji=False, soft_wrap=False)


def printable(text: str) -> str:
    """Show terminal control characters (ESC sequences from stored text) as visible `\\x1b` escapes."""
    if not any(ord(c) < 32 and c not in "\n\t" or 127 <= ord(c) < 160 for c in text):
        return text
    return "".join(c.encode("unicode_escape").decode("ascii") if (ord(c) < 32 and c not in "\n\t")
                   or 127 <= ord(c) < 160 else c for c in text)


def cell(value: Any, style: str | None = None):
    from rich.text import Text

    if value is None:
        return Text("—", style="dim")
    if isinstance(value, bool):
        return Text("✓" if value else "·", style=style or "")
    if isinstance(value, float):
        return Text(f"{value:g}", style=style or "")
    return Text(printable(str(value)), style=style or "")


def simple_table(
    title: str | None,
    columns: list[str],
    rows: list[list[Any]],
    justify: dict[int, str] | None = None,
    *,
    keep_whole: dict[int, int] | None = None,
):
    """A plain table; every column folds when the terminal is narrow.

    `keep_whole` maps a column index to a cap: that column is given the width of its widest cell
    (up to the cap) so codes and names stay on one line; only text longer than the cap folds.
    """
    from rich.cells import cell_len
    from rich.table import Table

    cells = [[v if hasattr(v, "__rich_console__") or hasattr(v, "__rich__") else cell(v) for v in row] for row in rows]
    table = Table(title=title, header_style="bold", show_lines=False, title_justify="left")
    for i, col in enumerate(columns):
        no_wrap = False
        if keep_whole and i in keep_whole:
            # no_wrap columns are the last that Rich narrows; a cell longer than the cap folds as usual
            widest = max((cell_len(getattr(r[i], "plain", str(r[i]))) for r in cells if i < len(r)), default=0)
            no_wrap = widest <= keep_whole[i]
        table.add_column(col, justify=(justify or {}).get(i, "left"), overflow="fold", no_wrap=no_wrap)
    for row in cells:
        table.add_row(*row)
    return table
