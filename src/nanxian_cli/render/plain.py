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
    from rich.cells import cell_len

    lines: list[str] = []
    if table.title:
        lines.append(one_line(table.title))
    columns = table.columns
    grid = [[one_line(c) for c in col.cells] for col in columns]
    header = [one_line(col.header) for col in columns] if table.show_header else None
    widths = [max([cell_len(v) for v in cells] + ([cell_len(header[i])] if header else []), default=0)
              for i, cells in enumerate(grid)]
    right = [col.justify == "right" for col in columns]
    rows = [header] if header and any(header) else []
    rows += [list(r) for r in zip(*grid, strict=True)] if grid else []
    for row in rows:
        parts = []
        for value, width, is_right in zip(row, widths, right, strict=True):
            if width == 0:
                continue  # a column with nothing in it (a spacer)
            pad = " " * (width - cell_len(value))
            parts.append(pad + value if is_right else value + pad)
        lines.append(GAP.join(parts).rstrip(" "))
    if table.caption:
        lines.append(one_line(table.caption))
    return lines
