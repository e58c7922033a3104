"""The table format for output that is not a terminal (a pipe, a redirected file, `--output FILE.txt`): plain
lines written without Rich's layout engine, which takes seconds for a table of thousands of rows.

A view prints its renderables (Rich `Table`s, `Text`s, `Group`s) to a `PlainConsole` as it would to a terminal;
each table becomes its title line, its header line and one line per record, the columns aligned with spaces by
display width (a Chinese character is two cells) and two spaces between them, so that a person, `cut` and `awk`
can read it. A cell of several lines is joined into one; nothing is wrapped or cut; no line ends in spaces; text
is never read as markup and control characters are shown escaped (`printable`).
"""

from __future__ import annotations

from typing import Any

from nanxian_cli.render.table import UNWRAPPED, printable

GAP = "  "


class PlainConsole:
    """What the views need of a Rich console (`print`, `width`), writing plain lines to `file`."""

    width = UNWRAPPED  # no column is dropped, shortened or folded to fit
    greedy_width = None

    def __init__(self, file: Any) -> None:
        self.file = file

    def table(self, header: list[str], rows: list[list[str]], right: list[bool]) -> None:
        """A table straight from its texts (a report's section of thousands of rows), without Rich objects."""
        lines = aligned([one_line(h) for h in header], [[one_line(v) for v in row] for row in rows], right)
        self.file.write("".join(line + "\n" for line in lines))

    def print(self, *objects: Any, **_: Any) -> None:
        lines: list[str] = []
        for obj in objects:
            lines += plain_lines(obj)
        self.file.write("".join(line.rstrip(" ") + "\n" for line in (lines or [""])))


def one_line(renderable: Any) -> str:
    """A cell as one line of plain text: its lines joined by a space, control characters escaped."""
    text = _plain(renderable)
    if "\n" in text or "\t" in text:
        text = " ".join(part.strip() for part in text.replace("\t", " ").splitlines() if part.strip())
    return printable(text)


def _plain(renderable: Any) -> str:
    if renderable is None:
        return ""
    if isinstance(renderable, str):
        return renderable
    plain = getattr(renderable, "plain", None)
    if isinstance(plain, str):
        return plain
    return "\n".join(_rendered(renderable))


def plain_lines(obj: Any) -> list[str]:
    """The lines one renderable prints."""
    from rich.console import Group
    from rich.table import Table

    if isinstance(obj, Table):
        return table_lines(obj)
    if isinstance(obj, Group):
        return [line for part in obj.renderables for line in plain_lines(part)]
    if obj is None or isinstance(obj, str) or isinstance(getattr(obj, "plain", None), str):
        return [printable(line) for line in _plain(obj).split("\n")]
    return _rendered(obj)


def _rendered(obj: Any) -> list[str]:
    """Anything else (a rule, a panel): drawn by Rich without colour, 80 cells wide."""
    import io

    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=80, no_color=True, highlight=False, emoji=False, markup=False,
            color_system=None).print(obj)
    return [printable(line.rstrip(" ")) for line in buf.getvalue().rstrip("\n").split("\n")]


def table_lines(table: Any) -> list[str]:
    """A Rich table as plain lines: title, header, one line per row, caption."""

    lines: list[str] = []
    if table.title:
        lines.append(one_line(table.title))
    columns = table.columns
    grid = [[one_line(c) for c in col.cells] for col in columns]
    header = [one_line(col.header) for col in columns] if table.show_header else None
    lines += aligned(header, [list(r) for r in zip(*grid, strict=True)] if grid else [],
                     [col.justify == "right" for col in columns])
    if table.caption:
        lines.append(one_line(table.caption))
    return lines


def aligned(header: list[str] | None, rows: list[list[str]], right: list[bool]) -> list[str]:
    """The header (when it says anything) and the rows, each column as wide as its widest text (display width),
    two spaces between columns, numbers to the right; a column with nothing in it is left out."""
    from rich.cells import cell_len

    every = ([header] if header and any(header) else []) + rows
    lens = [[cell_len(v) for v in row] for row in every]
    widths = [max((row[i] for row in lens), default=0) for i in range(len(right))]
    lines = []
    for row, row_lens in zip(every, lens, strict=True):
        parts = []
        for value, n, width, is_right in zip(row, row_lens, widths, right, strict=True):
            if width == 0:
                continue
            pad = " " * (width - n)
            parts.append(pad + value if is_right else value + pad)
        lines.append(GAP.join(parts).rstrip(" "))
    return lines
