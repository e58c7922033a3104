"""The one way a document leaves the program: choose its format (render/formats.py), then print it to the
terminal or write it atomically to `--output`.

A view is a document ready to render: its `kind` says which formats it offers, `content(fmt)` is the file
content in one of them and `show(console)` prints the table format on the terminal (at the terminal's width).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nanxian_cli.render.formats import choose, refuse_binary_on_terminal

TERMINAL_ROWS = 50
"""How many rows of a long table a terminal shows unless `--all` is given."""


def emit(view: Any, fmt: str | None, output: Path | None, every_row: bool | None = None) -> None:
    """Render `view` in the chosen format, to the terminal or atomically to `output`.

    The table format on a terminal is Rich's layout at the terminal's width; a command that offers `--all` passes
    `every_row` (its value): without it a terminal shows the first (or worst) TERMINAL_ROWS rows of each long
    table and says how many more there are. Standard output that is not a terminal gets every row from the plain
    writer (render/plain.py), unless COLUMNS names a width to lay the tables out for."""
    chosen = choose(view.kind, fmt, output)
    refuse_binary_on_terminal(chosen, output)
    if output is None:
        if chosen != "table":
            if isinstance(view, Listing):
                for piece in view.pieces(chosen):
                    write_stdout(piece)
            else:
                write_stdout(view.content(chosen))
            return
        import os

        from nanxian_cli.render.table import is_terminal, make_console

        if is_terminal(sys.stdout):
            view.show(make_console(), TERMINAL_ROWS if every_row is False else None)
        elif os.environ.get("COLUMNS", "").strip():
            view.show(make_console())
        else:
            write_stdout(table_text(view.show))
        return
    from nanxian_cli.files.outputs import write_output

    write_output(view.pieces(chosen) if isinstance(view, Listing) else view.content(chosen), output)
    from nanxian_cli.render.table import printable

    sys.stderr.write(f"→ {printable(str(output))}\n")  # plain: Rich is not imported only to say where it went


def terminal_rows(kind: str, fmt: str | None, output: Path | None, every_row: bool | None) -> int | None:
    """The rows `emit` will show of a long table: TERMINAL_ROWS when the output is a terminal's table without
    `--all`, else None (every row). A command that can read only those rows (and count the rest) asks first."""
    from nanxian_cli.render.table import is_terminal

    if output is not None or every_row is not False or choose(kind, fmt, output) != "table":
        return None
    return TERMINAL_ROWS if is_terminal(sys.stdout) else None


def write_stdout(text: str) -> None:
    """Text to standard output; a stream that can only take ASCII gets UTF-8 bytes (as `typer.echo` does)."""
    import codecs

    out = sys.stdout
    try:
        ascii_only = codecs.lookup(getattr(out, "encoding", None) or "utf-8").name == "ascii"
    except LookupError:
        ascii_only = False
    if ascii_only and hasattr(out, "buffer"):
        out.flush()
        out.buffer.write(text.encode("utf-8", "replace"))
        out.buffer.flush()
        return
    out.write(text)
    out.flush()


def table_text(show: Callable[[Any], None]) -> str:
    """What `show` prints, as plain text (the table format in a file or a pipe): one record a line, however long,
    written by the plain writer."""
    import io

    from nanxian_cli.render.plain import PlainConsole

    buf = io.StringIO()
    show(PlainConsole(buf))
    return buf.getvalue()


@dataclass
class Listing:
    """Rows of records: JSON is `data`, CSV is `columns` x `rows`; the table is `table()` (a Rich renderable)
    or, without one, the columns and rows as a plain table. `table(n)` is the table of the first n records (the
    records in the order of `rows`)."""

    data: Any
    columns: list[str]
    rows: list[list[Any]]
    table: Callable[..., Any] | None = None
    kind: str = "listing"
    total: int | None = None  # the records there are, when `rows` holds only the first of them (a terminal's)

    def show(self, console: Any, limit: int | None = None) -> None:
        """The table; with `limit`, its first `limit` rows and a line saying how many are not shown."""
        from nanxian_cli.render.table import simple_table

        there_are = len(self.rows) if self.total is None else self.total
        hidden = max(0, there_are - limit) if limit is not None else 0
        shown = limit if hidden else None
        if self.table is not None:
            console.print(self.table(shown) if shown is not None else self.table())
        else:
            console.print(simple_table(None, self.columns, self.rows[:shown]))
        if hidden:
            console.print(hidden_rows_line(hidden))

    def content(self, fmt: str) -> str:
        return "".join(self.pieces(fmt))

    def pieces(self, fmt: str) -> Iterator[str]:
        """`content(fmt)` in pieces, written out one after the other (a long listing is never one string)."""
        from nanxian_cli.render import csv_pieces, json_pieces

        if fmt == "json":
            return json_pieces(self.data)
        if fmt == "csv":
            return csv_pieces(self.columns, self.rows)
        return iter([table_text(self.show)])


@dataclass
class Record:
    """One record (a visit, a school, a checklist): JSON is `data`, the table is the renderables `parts()`."""

    data: Any
    parts: Callable[[], list]
    kind: str = "record"

    def show(self, console: Any, limit: int | None = None) -> None:
        for part in self.parts():
            console.print(part)

    def content(self, fmt: str) -> str:
        from nanxian_cli.render import json_text

        return json_text(self.data) if fmt == "json" else table_text(self.show)


def hidden_rows_line(hidden: int):
    """The line under a table a terminal shows in part."""
    from rich.text import Text

    from nanxian_cli.i18n import tr

    return Text(tr(f"另有 {hidden} 行未显示；--all 显示全部", f"{hidden} more rows not shown; --all shows every row"),
                style="dim")
