"""Text renderers of a report `Document`: plain values, CSV, Markdown and the Rich table; `render_document`
writes any format but JSON (HTML, XLSX and DOCX in their own modules).

Every user string is data: Rich cells are `Text`, Markdown is escaped, CSV cells are neutralised.
"""

from __future__ import annotations

import math
from typing import Any

from nanxian_cli.i18n import tr
from nanxian_cli.render import csv_text, escape_markdown

BLOCKS = " ▏▎▍▌▋▊▉█"


def cell_kind(column: Any, row: dict) -> str:
    """A `fields` section carries the value's kind per row."""
    return row.get("kind", column.kind) if column.key == "value" else column.kind


def plain(value: Any, kind: str) -> str:
    """One value as people read it (tables, Markdown, HTML, docx)."""
    if value is None or value == "":
        return "—" if kind in ("rate", "int", "number", "date") else ""
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, bool):
        return tr("是", "yes") if value else tr("否", "no")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def bar(fraction: float | None, width: int = 20) -> str:
    """A horizontal bar of `width` cells in eighth blocks."""
    if fraction is None:
        return ""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (BLOCKS[part] if part else "")


# -- CSV --------------------------------------------------------------------------------------------

def _csv_cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind in ("rate", "int", "number"):
        return value
    return plain(value, kind)


def document_csv(doc: Any) -> str:
    """The document's CSV: one section is a plain table; several are blocks, each under a title row."""
    wanted = doc.csv_sections or [s.key for s in doc.sections]
    sections = [s for s in doc.sections if s.key in wanted and s.layout not in ("signatures", "text")]
    if len(sections) == 1:
        s = sections[0]
        return csv_text([c.header for c in s.columns],
                        [[_csv_cell(r.get(c.key), cell_kind(c, r)) for c in s.columns] for r in s.rows])
    parts = []
    for s in sections:
        text = csv_text([c.header for c in s.columns],
                        [[_csv_cell(r.get(c.key), cell_kind(c, r)) for c in s.columns] for r in s.rows])
        text = text.lstrip("\ufeff")
        title = csv_text([s.title], []).lstrip("\ufeff")
        parts.append(title + text)
    return "\ufeff" + "\r\n".join(parts)


# -- Markdown ---------------------------------------------------------------------------------------

def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def signature_line(r: dict) -> str:
    """One line of a signature block as plain text: a line to sign with a date line, or a right-hand text."""
    if "label" in r:
        return f"{r['label']}: ____________________    {tr('日期', 'Date')}: ____________"
    if "labels" in r:
        return "    ".join(f"{label}: ____________________" for label in r["labels"])
    return r["text"]


def document_markdown(doc: Any) -> str:
    lines = []
    if doc.official and doc.issuer:
        lines += [f"**{escape_markdown(doc.issuer)}**", ""]
    lines += [f"# {escape_markdown(doc.title, heading=True)}", ""]
    if doc.official and doc.number:
        lines += [escape_markdown(doc.number), ""]
    for label, value in doc.meta:
        lines.append(f"- **{escape_markdown(label)}**: {escape_markdown(value)}")
    lines.append("")
    for s in doc.sections:
        if s.data_only:
            continue
        if s.title:
            lines += [f"## {escape_markdown(s.title, heading=True)}", ""]
        if s.layout == "signatures":
            for r in s.rows:
                if "label" in r:  # the blanks to sign on stay lines, not escaped characters
                    lines.append(f"{escape_markdown(r['label'])}: ____________________    "
                                 f"{escape_markdown(tr('日期', 'Date'))}: ____________")
                elif "labels" in r:
                    lines.append("    ".join(f"{escape_markdown(label)}: ____________________"
                                               for label in r["labels"]))
                else:
                    lines.append(escape_markdown(r["text"]))
                lines.append("")
            continue
        if s.layout == "text":
            for r in s.rows:
                lines += [escape_markdown(r["text"]), ""]
            continue
        if not s.rows:
            lines += [escape_markdown(s.empty or tr("（无）", "(none)")), ""]
            continue
        lines.append(_md_row([escape_markdown(c.header) for c in s.columns]))
        lines.append("|" + "|".join("---:" if c.kind in ("int", "rate", "number") else "---" for c in s.columns) + "|")
        for r in s.rows:
            cells = []
            for c in s.columns:
                kind = cell_kind(c, r)
                text = plain(r.get(c.key), kind)
                cells.append(text if kind in ("int", "rate", "number", "date") else escape_markdown(text))
            lines.append(_md_row(cells))
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# -- Rich -------------------------------------------------------------------------------------------

def _rate_style(value: float | None) -> str:
    if value is None:
        return "dim"
    return "green" if value >= 0.9 else "yellow" if value >= 0.75 else "red"


def rich_cell(value: Any, kind: str):
    from rich.text import Text

    if kind == "rate":
        return Text(plain(value, kind), style=_rate_style(value))
    if kind == "bar":
        return Text(value or "", style="cyan")
    text = plain(value, kind)
    if value is None or value == "":
        return Text(text, style="dim")
    return Text(text)


def _build_table(section: Any, columns: list, width: int):
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False, expand=False)
    for c in columns:
        numeric = c.kind in ("int", "rate", "number")
        table.add_column(c.header, justify="right" if numeric else "left", no_wrap=numeric or c.kind == "date",
                         min_width=cell_len(c.header) if numeric or c.kind == "date" else None,
                         overflow="ellipsis" if c.max_width and width < 120 else "fold",
                         max_width=c.max_width if c.max_width and width < 120 else None)
    for r in section.rows:
        table.add_row(*[rich_cell(r.get(c.key), cell_kind(c, r)) for c in columns])
    return table


def fit_table(section: Any, console: Any):
    """The section as a Rich table, dropping low-priority columns until it fits the console width.

    Widths are estimated from the plain cell texts once (measuring a Rich table of hundreds of rows for
    every candidate layout takes seconds); the table is built once."""
    from rich.cells import cell_len

    width = console.width
    narrow = width < 120
    natural: dict[str, int] = {}
    for c in section.columns:
        longest = max((cell_len(plain(r.get(c.key), cell_kind(c, r))) for r in section.rows), default=0)
        w = max(longest, cell_len(c.header))
        if c.max_width and narrow:
            w = min(w, max(c.max_width, cell_len(c.header) if c.kind in ("int", "rate", "number", "date") else 0))
        natural[c.key] = w
    columns = list(section.columns)

    def estimate(cols: list) -> int:
        # SIMPLE_HEAD without edges: one space of padding each side and a one-space divider between columns
        return sum(natural[c.key] for c in cols) + 3 * (len(cols) - 1)

    while estimate(columns) > width:
        droppable = [c for c in columns if c.priority < 3]
        if not droppable:
            break
        lowest = min(c.priority for c in droppable)
        columns.remove([c for c in columns if c.priority == lowest][-1])
    return _build_table(section, columns, width)


def print_document(doc: Any, console: Any) -> None:
    from rich.text import Text

    from nanxian_cli.render.document import listed_files

    doc = listed_files(doc)

    if doc.official and doc.issuer:
        console.print(Text(doc.issuer, style="bold"))
    console.print(Text(doc.title, style="bold"))
    if doc.official and doc.number:
        console.print(Text(doc.number))
    for label, value in doc.meta:
        line = Text()
        line.append(f"{label}: ", style="dim")
        line.append(value)
        console.print(line)
    for s in doc.sections:
        if s.data_only:
            continue
        console.print()
        if s.title:
            console.print(Text(s.title, style="bold underline"))
        if s.layout == "signatures":
            for r in s.rows:
                console.print(Text(signature_line(r)), justify="right" if "text" in r else None)
                console.print()
            continue
        if s.layout == "text":
            for r in s.rows:
                console.print(Text((tr("　　", "") if r.get("style") == "body" else "") + r["text"]),
                              justify="right" if r.get("style") == "right" else None)
            continue
        if not s.rows:
            console.print(Text(s.empty or tr("（无）", "(none)"), style="dim"))
            continue
        if s.layout == "matrix" and hasattr(console, "table"):
            plain_matrix(s, console)
            _say_hidden(s, console)
            continue
        if s.layout == "matrix":
            print_matrix(s, console)
            _say_hidden(s, console)
            continue
        if s.layout == "fields":
            from rich.table import Table

            table = Table(show_header=False, box=None, pad_edge=False)
            table.add_column(style="bold", no_wrap=True)
            table.add_column()
            for r in s.rows:
                value = rich_cell(r.get("value"), r.get("kind", "text"))
                value.justify = "right" if r.get("kind", "text") in ("int", "rate", "number") else "left"
                table.add_row(Text(str(r["label"])), value)
            console.print(table)
            continue
        if hasattr(console, "table"):  # the plain writer (a pipe, a file): every column, no Rich objects
            numeric = [c.kind in ("int", "rate", "number") for c in s.columns]
            console.table([c.header for c in s.columns],
                          [[plain(r.get(c.key), cell_kind(c, r)) for c in s.columns] for r in s.rows], numeric)
        else:
            console.print(fit_table(s, console))
        _say_hidden(s, console)


def _say_hidden(section: Any, console: Any) -> None:
    if section.hidden:
        from nanxian_cli.render.emit import hidden_rows_line

        console.print(hidden_rows_line(section.hidden))


def matrix_cell_text(value: float | None) -> str:
    """A heat-map cell: the rate in whole percent, rounded down so '89' is never shown green."""
    return "·" if value is None else str(math.floor(value * 100 + 1e-9))


def _short_name(r: dict) -> str:
    # Rows sit under their town's heading: "三仙湖镇中心学校" reads as "中心学校" there, which keeps
    # neighbouring schools apart when a narrow terminal cuts names short.
    name, town_name = str(r.get("name") or r.get("code") or ""), str(r.get("town") or "")
    return (name[len(town_name):] if town_name and name.startswith(town_name) and len(name) > len(town_name)
            else name)


def plain_matrix(section: Any, console: Any) -> None:
    """The heat map for the plain writer: one block of every plan item, a line per town and per school."""
    plan_cols = [c for c in section.columns if c.kind == "rate"]
    rows: list[list[str]] = []
    town = object()
    for r in section.rows:
        if r.get("town") != town:
            town = r.get("town")
            rows.append([str(town or tr("（未填乡镇）", "(no town)"))] + [""] * len(plan_cols))
        rows.append([_short_name(r)] + [matrix_cell_text(r.get(c.key)) for c in plan_cols])
    console.table([tr("学校", "school")] + [c.header for c in plan_cols], rows, [False] + [True] * len(plan_cols))
    console.print(_legend())


def print_matrix(section: Any, console: Any) -> None:
    """Schools (rows, grouped by town) x plan items; split into column blocks when the terminal is narrow."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    width = console.width
    plan_cols = [c for c in section.columns if c.kind == "rate"]
    short = _short_name

    longest = max((cell_len(short(r)) for r in section.rows), default=4)
    name_w = max(6, min(longest, 14 if width < 120 else 28))
    per = 4
    fit = max(1, (width - name_w - 2) // per)
    n_chunks = -(-len(plan_cols) // fit)
    size = -(-len(plan_cols) // n_chunks)
    for start in range(0, len(plan_cols), size):
        chunk = plan_cols[start:start + size]
        table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, 0, 0, 1), header_style="bold")
        table.add_column(tr("学校", "school"), no_wrap=True, overflow="ellipsis", max_width=name_w, min_width=name_w)
        for c in chunk:
            table.add_column(c.header, justify="right", no_wrap=True, min_width=3, max_width=3)
        town = object()
        for r in section.rows:
            if r.get("town") != town:
                town = r.get("town")
                table.add_row(Text(str(town or tr("（未填乡镇）", "(no town)")), style="bold"),
                              *[Text("") for _ in chunk])
            table.add_row(
                Text(short(r)),
                *[Text(matrix_cell_text(r.get(c.key)), style=_rate_style(r.get(c.key))) for c in chunk],
            )
        console.print(table)
    console.print(_legend())


def _legend():
    """Said in words too: without colour (a pipe, a file, NO_COLOR, a black-and-white print) it still reads."""
    from rich.text import Text

    legend = Text(tr("格内为合格率（%，向下取整）：", "Each cell: compliance %, rounded down: "), style="dim")
    legend.append(tr("≥90 绿", "≥90 green"), style="green")
    legend.append(tr("，", ", "), style="dim")
    legend.append(tr("75–89 黄", "75–89 yellow"), style="yellow")
    legend.append(tr("，", ", "), style="dim")
    legend.append(tr("<75 红", "below 75 red"), style="red")
    legend.append(tr("；· 无数据", "; · no data"), style="dim")
    return legend


def render_document(doc: Any, fmt: str) -> str | bytes:
    """The document as file content in `fmt` (not JSON: that is the report's data)."""
    if fmt not in ("html", "docx"):  # photos are pictures in html and docx only; the others list them
        from nanxian_cli.render.document import listed_files

        doc = listed_files(doc)
    if fmt == "csv":
        return document_csv(doc)
    if fmt == "markdown":
        return document_markdown(doc)
    if fmt == "html":
        from nanxian_cli.render.html import document_html

        return document_html(doc)
    if fmt == "xlsx":
        from nanxian_cli.render.xlsx import document_xlsx

        return document_xlsx(doc)
    if fmt == "docx":
        from nanxian_cli.render.docx import document_docx

        return document_docx(doc)
    from nanxian_cli.render.emit import table_text

    return table_text(lambda console: print_document(doc, console))
