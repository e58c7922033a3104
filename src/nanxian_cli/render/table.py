"""Rich tables whose cells are plain text, never markup."""

from __future__ import annotations

from typing import Any


def make_console(file: Any = None, width: int | None = None):
    import os

    from rich.console import Console

    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(file=file, width=width, no_color=no_color, highlight=False, emoji=False, soft_wrap=False)


def cell(value: Any, style: str | None = None):
    from rich.text import Text

    if value is None:
        return Text("—", style="dim")
    if isinstance(value, bool):
        return Text("✓" if value else "·", style=style or "")
    if isinstance(value, float):
        return Text(f"{value:g}", style=style or "")
    return Text(str(value), style=style or "")


def rate_text(rate: float | None):
    from rich.text import Text

    if rate is None:
        return Text("—", style="dim")
    style = "green" if rate >= 0.9 else "yellow" if rate >= 0.75 else "red"
    return Text(f"{rate * 100:.1f}%", style=style)


def simple_table(title: str | None, columns: list[str], rows: list[list[Any]], justify: dict[int, str] | None = None):
    from rich.table import Table

    table = Table(title=title, header_style="bold", show_lines=False, title_justify="left")
    for i, col in enumerate(columns):
        table.add_column(col, justify=(justify or {}).get(i, "left"), overflow="fold")
    for row in rows:
        table.add_row(*[v if hasattr(v, "__rich_console__") or hasattr(v, "__rich__") else cell(v) for v in row])
    return table
