"""A report `Document` as an .xlsx workbook for an analyst: a sheet per section; numbers as numbers, rates as
fractions in percent format, dates as dates; columns as wide as their content; a bold header row frozen and
printed on every page (only where the sheet has a header); wide sheets print landscape, fitted to the page
width; the matrix coloured by conditional formatting, with its legend on the first sheet. Formulas are
neutralised: a text cell never starts one."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from nanxian_cli.i18n import tr
from nanxian_cli.render import safe_cell
from nanxian_cli.render.document_text import cell_kind, plain

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
GOOD, WARN, BAD = "D9F2D9", "FFF2C2", "F8D0D0"  # as in the HTML heat map
PERCENT, DATE = "0.0%", "yyyy-mm-dd"
WIDE = 110  # a sheet wider than this many characters prints landscape


def _sheet_title(title: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", title).strip().strip("'")[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:25]} {n}"
        n += 1
    used.add(name.lower())
    return name


def _date(value: Any) -> dt.date | None:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _value(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if kind in ("int", "rate", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if kind == "date" and (day := _date(value)) is not None:
        return day
    return safe_cell(plain(value, kind))


def _shown(value: Any, number_format: str) -> str:
    """The text a cell shows, to size its column."""
    if value is None:
        return ""
    if number_format == PERCENT and isinstance(value, (int, float)):
        return f"{value * 100:.1f}%"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _fit_columns(ws: Any, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(6, min(60, w + 2))


def _print_setup(ws: Any, widths: list[int], header: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if sum(min(60, w + 2) for w in widths) > WIDE:
        ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header:
        ws.print_title_rows = "1:1"


def _matrix_colours(ws: Any, first_col: int, last_col: int, last_row: int) -> None:
    """Rate cells coloured by value, as the HTML heat map: ≥90% green, ≥75% yellow, below red, empty uncoloured."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    if last_row < 2 or last_col < first_col:
        return
    area = f"{get_column_letter(first_col)}2:{get_column_letter(last_col)}{last_row}"
    for op, formula, colour in (("greaterThanOrEqual", ["0.9"], GOOD), ("between", ["0.75", "0.8999999"], WARN),
                                ("lessThan", ["0.75"], BAD)):
        ws.conditional_formatting.add(area, CellIsRule(operator=op, formula=formula,
                                                       fill=PatternFill("solid", start_color=colour, end_color=colour)))


def _legend(info: Any) -> None:
    from openpyxl.styles import Font, PatternFill

    info.append([])
    info.append([tr("图例（合格率）", "Legend (compliance)")])
    info.cell(row=info.max_row, column=1).font = Font(bold=True)
    for colour, text in ((GOOD, tr("≥ 90%", "≥ 90%")), (WARN, tr("75% – 90%", "75% – 90%")),
                         (BAD, tr("< 75%", "< 75%")), (None, tr("空白：无数据", "blank: no data"))):
        info.append(["", text])
        if colour:
            info.cell(row=info.max_row, column=1).fill = PatternFill("solid", start_color=colour, end_color=colour)


def _header(ws: Any, headers: list[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws.append([safe_cell(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color="DDE6F0", end_color="DDE6F0")
        cell.alignment = Alignment(vertical="center")
    ws.freeze_panes = "A2"


def _fields_sheet(ws: Any, s: Any) -> None:
    """Label/value lines under their header row, if the section names its columns (else no header, nothing
    frozen); numbers numeric."""
    from openpyxl.styles import Font

    headers = [c.header for c in s.columns[:2]]
    header = any(h.strip() for h in headers)
    if header:
        _header(ws, headers)
    widths = [_width(h) for h in headers] if header else [0, 0]
    for r in s.rows:
        kind = r.get("kind", "text")
        value = _value(r.get("value"), kind)
        ws.append([safe_cell(str(r["label"])), value])
        cell = ws.cell(row=ws.max_row, column=2)
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        if kind == "rate" and value is not None:
            cell.number_format = PERCENT
        elif kind == "date" and isinstance(value, dt.date):
            cell.number_format = DATE
        widths = [max(widths[0], _width(str(r["label"]))), max(widths[1], _width(_shown(value, cell.number_format)))]
    _fit_columns(ws, widths)
    _print_setup(ws, widths, header=header)


def _width(text: str) -> int:
    from nanxian_cli.render.widths import text_width

    return text_width(text)


def _table_sheet(ws: Any, s: Any) -> None:
    _header(ws, [c.header for c in s.columns])
    widths = [_width(c.header) for c in s.columns]
    for r_index, r in enumerate(s.rows, start=2):
        for c_index, c in enumerate(s.columns, start=1):
            kind = cell_kind(c, r)
            cell = ws.cell(row=r_index, column=c_index, value=_value(r.get(c.key), kind))
            if kind == "rate" and cell.value is not None:
                cell.number_format = PERCENT
            elif kind == "number" and isinstance(cell.value, float):
                cell.number_format = "0.00"
            elif isinstance(cell.value, dt.date):
                cell.number_format = DATE
            widths[c_index - 1] = max(widths[c_index - 1], _width(_shown(cell.value, cell.number_format)))
    if s.rows:
        ws.auto_filter.ref = ws.dimensions
    if s.layout == "matrix":
        rate_cols = [i for i, c in enumerate(s.columns, start=1) if c.kind == "rate"]
        if rate_cols:
            _matrix_colours(ws, rate_cols[0], rate_cols[-1], len(s.rows) + 1)
    _fit_columns(ws, widths)
    _print_setup(ws, widths, header=True)


def document_xlsx(doc: Any) -> bytes:
    from openpyxl import Workbook  # only for --format xlsx
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    info = wb.create_sheet(_sheet_title(tr("报告信息", "About"), used))
    info.append([safe_cell(doc.title)])
    info["A1"].font = Font(bold=True, size=14)
    if doc.number:
        info.append([safe_cell(doc.number)])
    for label, value in doc.meta:
        info.append([safe_cell(label), safe_cell(value)])
    if any(s.layout == "matrix" for s in doc.sections):
        _legend(info)
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 60
    for s in doc.sections:
        if s.layout in ("signatures", "text"):
            continue
        ws = wb.create_sheet(_sheet_title(s.sheet or s.title, used))
        if s.layout == "fields":
            _fields_sheet(ws, s)
        else:
            _table_sheet(ws, s)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
