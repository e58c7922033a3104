"""A report `Document` as a Word file (python-docx): the 督导意见书 schools and the bureau file."""

from __future__ import annotations

import io
from typing import Any

from nanxian_cli.i18n import tr
from nanxian_cli.render.document_text import cell_kind, plain


def _clean(text: str) -> str:
    """Word rejects control characters in XML text."""
    return "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32)


def document_docx(doc: Any) -> bytes:
    from docx import Document as Word  # only for --format docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    word = Word()
    section = word.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    if doc.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_height, section.page_width = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(18))
    style = word.styles["Normal"]
    style.font.size = Pt(10.5)
    word.add_heading(_clean(doc.title), level=1)
    for label, value in doc.meta:
        p = word.add_paragraph()
        p.add_run(_clean(f"{label}: ")).bold = True
        p.add_run(_clean(value))
    for s in doc.sections:
        word.add_heading(_clean(s.title), level=2)
        if s.layout == "signatures":
            for r in s.rows:
                word.add_paragraph(_clean(f"{r['label']}: ______________________    "
                                          f"{tr('日期', 'Date')}: ____________"))
                word.add_paragraph("")
            continue
        if not s.rows:
            word.add_paragraph(_clean(s.empty or tr("（无）", "(none)")))
            continue
        if s.layout == "fields":
            table = word.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for r in s.rows:
                cells = table.add_row().cells
                cells[0].text = _clean(str(r["label"]))
                cells[1].text = _clean(plain(r.get("value"), r.get("kind", "text")))
            continue
        table = word.add_table(rows=1, cols=len(s.columns))
        table.style = "Table Grid"
        for cell, c in zip(table.rows[0].cells, s.columns, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(_clean(c.header)).bold = True
        for r in s.rows:
            cells = table.add_row().cells
            for cell, c in zip(cells, s.columns, strict=True):
                cell.text = _clean(plain(r.get(c.key), cell_kind(c, r)))
    buf = io.BytesIO()
    word.save(buf)
    return buf.getvalue()
