"""A report `Document` as an .xlsx workbook: a sheet per section, bold filled header, frozen header row,
numbers as numbers, rates in percent format, formulas neutralised."""

from __future__ import annotations

import io
import re
from typing import Any

from nanxian_cli.i18n import tr
from nanxian_cli.render import safe_cell
from nanxian_cli.render.document_text import cell_kind, plain

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", title).strip().strip("'")[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:25]} {n}"
        n += 1
    used.add(name.lower())
    return name


def _value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind in ("int", "rate", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return safe_cell(plain(value, kind))


def document_xlsx(doc: Any) -> bytes:
    from openpyxl import Workbook  # only for --format xlsx
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    used: set[str] = set()
    info = wb.create_sheet(_sheet_title(tr("报告信息", "About"), used))
    info.append([safe_cell(doc.title)])
    info["A1"].font = Font(bold=True, size=14)
    for label, value in doc.meta:
        info.append([safe_cell(label), safe_cell(value)])
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 60
    for s in doc.sections:
        if s.layout == "signatures":
            continue
        ws = wb.create_sheet(_sheet_title(s.sheet or s.title, used))
        ws.append([safe_cell(c.header) for c in s.columns])
        for cell in ws[1]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(vertical="center")
        ws.freeze_panes = "A2"
        widths = [max(6, min(40, len(c.header) * 2)) for c in s.columns]
        for r_index, r in enumerate(s.rows, start=2):
            for c_index, c in enumerate(s.columns, start=1):
                kind = cell_kind(c, r)
                cell = ws.cell(row=r_index, column=c_index, value=_value(r.get(c.key), kind))
                if kind == "rate" and cell.value is not None:
                    cell.number_format = "0.0%"
                elif kind == "number" and isinstance(cell.value, float):
                    cell.number_format = "0.00"
                if isinstance(cell.value, str):
                    widths[c_index - 1] = max(widths[c_index - 1], min(60, len(cell.value) * 2))
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
