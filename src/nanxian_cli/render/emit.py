"""The one way a document leaves the program: choose its format (render/formats.py), then print it to the
terminal or write it atomically to `--output`.

A view is a document ready to render: its `kind` says which formats it offers, `content(fmt)` is the file
content in one of them and `show(console)` prints the table format on the terminal (at the terminal's width).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nanxian_cli.render.formats import choose, refuse_binary_on_terminal


def emit(view: Any, fmt: str | None, output: Path | None) -> None:
    """Render `view` in the chosen format, to the terminal or atomically to `output`."""
    from nanxian_cli.render.table import make_console

    chosen = choose(view.kind, fmt, output)
    refuse_binary_on_terminal(chosen, output)
    if output is None:
        if chosen == "table":
            view.show(make_console())
        else:
            write_stdout(view.content(chosen))
        return
    from nanxian_cli.files.outputs import write_output

    write_output(view.content(chosen), output)
    from nanxian_cli.render.table import printable

    sys.stderr.write(f"→ {printable(str(output))}\n")  # plain: Rich is not imported only to say where it went


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
    """What `show` prints, as plain text (the table format in a file): one record a line, however long."""
    from nanxian_cli.render.table import unwrapped_text

    return unwrapped_text(show)


@dataclass
class Listing:
    """Rows of records: JSON is `data`, CSV is `columns` x `rows`; the table is `table()` (a Rich renderable)
    or, without one, the columns and rows as a plain table."""

    data: Any
    columns: list[str]
    rows: list[list[Any]]
    table: Callable[[], Any] | None = None
    kind: str = "listing"

    def show(self, console: Any) -> None:
        from nanxian_cli.render.table import simple_table

        console.print(self.table() if self.table is not None else simple_table(None, self.columns, self.rows))

    def content(self, fmt: str) -> str:
        from nanxian_cli.render import csv_text, json_text

        if fmt == "json":
            return json_text(self.data)
        if fmt == "csv":
            return csv_text(self.columns, self.rows)
        return table_text(self.show)


@dataclass
class Record:
    """One record (a visit, a school, a checklist): JSON is `data`, the table is the renderables `parts()`."""

    data: Any
    parts: Callable[[], list]
    kind: str = "record"

    def show(self, console: Any) -> None:
        for part in self.parts():
            console.print(part)

    def content(self, fmt: str) -> str:
        from nanxian_cli.render import json_text

        return json_text(self.data) if fmt == "json" else table_text(self.show)
