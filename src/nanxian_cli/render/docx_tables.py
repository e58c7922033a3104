"""The tables of a Word file (python-docx): a section's table with columns sized to their content (the header row
repeated on every page, rows never split), its rows of files (photo thumbnails, documents by name and hash), and the
label/value tables of a section's fields.
"""

from __future__ import annotations

from typing import Any

from nanxian_cli.render.document import ATTACHMENTS
from nanxian_cli.render.document_text import cell_kind, matrix_cell_text, plain
from nanxian_cli.render.docx_styles import _clean

CELL_PADDING_MM = 0.9  # each side of a table cell

RATE_FILLS = {"good": "D9F2D9", "warn": "FFF2C2", "bad": "F8D0D0"}


# -- tables -------------------------------------------------------------------------------------------

def _row_flags(row: Any, *, header: bool = False) -> None:
    """A row never split across pages; the header row repeated at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    cant.set(qn("w:val"), "true")
    trpr.append(cant)
    if header:
        head = OxmlElement("w:tblHeader")
        head.set(qn("w:val"), "true")
        trpr.append(head)


def _widths(table: Any, widths_mm: list[float]) -> None:
    """Fixed column widths (grid and every cell), so every word processor lays the table out alike."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(int(CELL_PADDING_MM * 56.7)))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tblpr.append(margins)
    for col, mm in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=False):
        col.set(qn("w:w"), str(int(mm * 56.7)))
    for row in table.rows:  # a merged cell is as wide as the columns it spans
        start = 0
        for tc in row._tr.tc_lst:
            tc.width = Mm(sum(widths_mm[start:start + tc.grid_span]))
            start += tc.grid_span


def _cell_text(cell: Any, text: str, *, style: Any, bold: bool = False, align: str | None = None,
               fill: str | None = None) -> None:
    """`style`: the table style object (looked up once: finding a style by its name takes python-docx a search
    of every style, for each cell)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = cell.paragraphs[0]
    paragraph.style = style
    if align == "right":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif align == "center":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = _clean(text).split("\n")
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        run.bold = bold
        if i < len(lines) - 1:
            run.add_break()
    if fill:
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().append(shading)


def _mm_per_cell(official: bool) -> float:
    """Half the width of a Chinese character in the table font (10.5 pt in documents, 9.5 pt in reports)."""
    return (10.5 if official else 9.5) * 0.3528 / 2


def _table(word: Any, s: Any, columns: list, block_mm: float, official: bool, doc: Any = None) -> None:
    from nanxian_cli.render.html import rate_class
    from nanxian_cli.render.widths import column_widths

    per_cell = _mm_per_cell(official)
    pad = 2 * CELL_PADDING_MM + 0.4
    cells = (block_mm - pad * len(columns)) / per_cell
    widths = [w * per_cell + pad for w in column_widths(s, cells, columns)]
    table = word.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    style = word.styles["NX Table"]
    for cell, c in zip(table.rows[0].cells, columns, strict=False):
        _cell_text(cell, c.header, style=style, bold=True, align="center", fill="EEF2F7")
    _row_flags(table.rows[0], header=True)
    under = []  # the rows under which files are shown, and what they show
    for r in s.rows:
        row = table.add_row()
        _row_flags(row)
        for cell, c in zip(row.cells, columns, strict=False):
            kind = cell_kind(c, r)
            value = r.get(c.key)
            matrix = kind == "rate" and s.layout == "matrix"  # a heat-map cell: whole percent, coloured
            fill = RATE_FILLS.get(rate_class(value).split()[-1]) if matrix else None
            text = matrix_cell_text(value) if matrix else plain(value, kind)
            _cell_text(cell, text, style=style, align="right" if kind in ("int", "rate", "number") else None,
                       fill=fill)
        if r.get(ATTACHMENTS) and doc is not None:
            files = table.add_row()
            _row_flags(files)
            under.append((row, files, r[ATTACHMENTS]))
    _widths(table, widths)
    for above, row, entries in under:
        _files_row(above, row, entries, doc, widths, style)


def _small(paragraph: Any, style: Any, size: float, *, exact: float | None = None, grey: bool = False) -> None:
    """A paragraph in a smaller size: single line spacing (a picture in an exact-height line would be cut), or an
    exact line height."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt, RGBColor

    paragraph.style = style
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if exact is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing, fmt.line_spacing_rule = Pt(exact), WD_LINE_SPACING.EXACTLY
    for run in paragraph.runs:
        run.font.size = Pt(size)
        if grey:
            run.font.color.rgb = RGBColor(0x40, 0x40, 0x40)


def _files_row(above: Any, row: Any, entries: list[dict], doc: Any, widths_mm: list[float], style: Any) -> None:
    """The row under a table row holding its files: photos as thumbnails (about 5 cm wide, three to a line, each
    with its caption and short hash), then documents and photos that cannot be shown, by name and hash. The row
    above keeps with it on one page; a row of one line of photos is never split."""
    import io

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    from nanxian_cli.render.document import file_label, file_line, file_state, file_tags, is_photo
    from nanxian_cli.render.html import PER_LINE, fitted, thumb_box

    cells = row.cells
    target = cells[1].merge(cells[-1]) if len(cells) > 2 else cells[-1]
    room = sum(widths_mm[1:] if len(widths_mm) > 1 else widths_mm) - 2 * CELL_PADDING_MM
    box = thumb_box(room)
    photos, lines = [], []
    for e in entries:
        state, copy = file_state(doc, e["sha256"]), doc.files.get(e["sha256"])
        if is_photo(e) and state == "ok" and copy is not None and copy.image is not None:
            photos.append((e, copy))
        else:
            lines.append(file_line(e, state))
    for cell in above.cells:  # the problem and its photos on one page
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True
    first = target.paragraphs[0]
    if photos:
        per = room / PER_LINE
        grid = target.add_table(rows=0, cols=PER_LINE)
        grid.autofit = False
        for start in range(0, len(photos), PER_LINE):
            line = grid.add_row()
            _row_flags(line)
            for cell, (e, copy) in zip(line.cells, photos[start:start + PER_LINE], strict=False):
                w, h = fitted(copy.size, box)
                picture = cell.paragraphs[0]
                picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
                picture.add_run().add_picture(io.BytesIO(copy.image), width=Mm(w), height=Mm(h))
                _small(picture, style, 9)
                picture.paragraph_format.space_before = Mm(1)
                caption = cell.add_paragraph(_clean(file_label(e)))
                caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _small(caption, style, 9, exact=11)
                tags = cell.add_paragraph(_clean(" · ".join(file_tags(e, state="ok"))))
                tags.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _small(tags, style, 8, exact=10, grey=True)
        for line_row in grid.rows:
            for tc in line_row._tr.tc_lst:
                tc.width = Mm(per)
        for col in grid._tbl.tblGrid.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol"):
            col.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w", str(int(per * 56.7)))
        target._tc.remove(first._p)  # the cell opens with the photos; Word needs the paragraph after the table
        closing = target.paragraphs[-1]
        _small(closing, style, 2, exact=2)
    else:
        target._tc.remove(first._p)
    for text in lines:
        p = target.add_paragraph(_clean(text))
        _small(p, style, 9, exact=12)
    if len(photos) <= PER_LINE:
        return
    for child in row._tr.trPr.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}cantSplit"):
        row._tr.trPr.remove(child)  # several lines of photos may go on over a page, a line at a time


def _fields(word: Any, s: Any, block_mm: float, official: bool) -> None:
    """Label/value pairs, `s.pairs` to a printed row; a `wide` row spans the row."""
    from nanxian_cli.render.widths import text_width

    pairs = max(1, s.pairs)
    per_cell = _mm_per_cell(official)
    pad = 2 * CELL_PADDING_MM + 0.4
    label_w = max(text_width(str(r["label"])) for r in s.rows) * per_cell + pad
    value_w = (block_mm - pairs * label_w) / pairs
    if not official and pairs == 1:  # a report's totals: as wide as their longest value, not the page
        widest = max(text_width(plain(r.get("value"), r.get("kind", "text"))) for r in s.rows) * per_cell + pad
        value_w = min(value_w, max(widest, 25.0))
    lines: list[list[dict]] = []
    for r in s.rows:
        if r.get("wide") or pairs == 1 or not lines or len(lines[-1]) >= pairs or lines[-1][0].get("wide"):
            lines.append([r])
        else:
            lines[-1].append(r)
    table = word.add_table(rows=0, cols=2 * pairs)
    table.style = "Table Grid"
    style = word.styles["NX Table"]
    for line in lines:
        row = table.add_row()
        _row_flags(row)
        cells = row.cells
        if line[0].get("wide") and pairs > 1:
            cells[1].merge(cells[-1])
        for i, r in enumerate(line):
            _cell_text(cells[2 * i], str(r["label"]), style=style, bold=True, fill="F3F3F3")
            _cell_text(cells[2 * i + 1], plain(r.get("value"), r.get("kind", "text")), style=style,
                       align="right" if r.get("kind") in ("int", "rate", "number") else None)
    _widths(table, [label_w, value_w] * pairs)
