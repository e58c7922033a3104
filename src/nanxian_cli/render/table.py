"""Rich tables whose cells are plain text, never markup."""

from __future__ import annotations

import re
from typing import Any

UNWRAPPED = 10_000
"""The width of output that is not a terminal (a pipe, a redirected file, the table format in a file): a record
is one line however long; nothing is wrapped at 80 columns."""
GREEDY_WIDTH = 80
"""Rules and panels, which fill whatever width they get, are drawn this wide there."""


def make_console(file: Any = None, width: int | None = None):
    """A console for our output. Standard output that is not a terminal gets no width limit (unless COLUMNS
    names one) and no spaces at the ends of lines; a file named by the caller is written as given."""
    import os
    import sys

    no_color = bool(os.environ.get("NO_COLOR"))
    wide = False
    if file is None and not is_terminal(sys.stdout):
        file = TrimmedLines(sys.stdout)
        if width is None and not os.environ.get("COLUMNS", "").strip():
            width, wide = UNWRAPPED, True
    console = _console_class()(file=file, width=width, no_color=no_color, highlight=False, emoji=False,
                               soft_wrap=False)
    console.greedy_width = GREEDY_WIDTH if wide else None
    return console


def unwrapped_text(show: Any) -> str:
    """What `show(console)` prints, as plain text without a width limit or spaces at line ends (a file)."""
    import io

    buf = io.StringIO()
    console = _console_class()(file=TrimmedLines(buf), width=UNWRAPPED, no_color=True, highlight=False, emoji=False,
                               soft_wrap=False)
    console.greedy_width = GREEDY_WIDTH
    show(console)
    return buf.getvalue()


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class TrimmedLines:
    """A text stream that drops the spaces at the end of each line written through it (Rich pads table cells
    to their column's width); spaces at the end of a write are held until it is known what follows them."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._held = ""

    def write(self, text: str) -> int:
        whole = self._held + text
        *lines, last = whole.split("\n")
        kept = last.rstrip(" ")
        self._held = last[len(kept):]
        self._stream.write("".join(line.rstrip(" ") + "\n" for line in lines) + kept)
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, …: the stream's own
        return getattr(self._stream, name)


_CONSOLE: Any = None


def _console_class():
    """Rich's Console, except that a closed standard output (`nanxian inspect list | head`) is reported as the
    BrokenPipeError it is, which the command line ends quietly with exit 0 (Rich itself exits with 1), and that
    without a width limit a rule or panel is drawn `greedy_width` wide instead of filling it."""
    global _CONSOLE
    if _CONSOLE is None:
        import errno
        import os

        from rich.console import Console

        class NanxianConsole(Console):
            greedy_width: int | None = None

            def on_broken_pipe(self) -> None:
                raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

            def print(self, *objects: Any, **kwargs: Any) -> None:
                if self.greedy_width and kwargs.get("width") is None and any(_greedy(o) for o in objects):
                    kwargs["width"] = self.greedy_width
                super().print(*objects, **kwargs)

        _CONSOLE = NanxianConsole
    return _CONSOLE


def _greedy(renderable: Any) -> bool:
    """A renderable that takes all the width it is given: a rule, an expanding panel or table."""
    from rich.rule import Rule

    return isinstance(renderable, Rule) or (type(renderable).__name__ in ("Panel", "Table")
                                            and bool(getattr(renderable, "expand", False)))


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what `printable` escapes: C0 but \t \n, DEL, C1


def printable(text: str) -> str:
    """Show terminal control characters (ESC sequences from stored text) as visible `\\x1b` escapes."""
    if not _CONTROL.search(text):  # a regular expression: tables of thousands of cells pass through here
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
