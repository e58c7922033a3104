"""A report `Document` as a Word file (python-docx) that prints well in Word, WPS and other word processors.

A4 (portrait unless the document is wide), margins after GB/T 9704 (top 37, bottom 35, left 28, right 26 mm);
fonts named for Chinese text in the styles themselves (`w:eastAsia`: 方正小标宋简体 / 黑体 for titles, 仿宋 for
the body of a document for the school, 宋体 in tables), with the alternatives a missing font falls back to in
the font table, and the language set to zh-CN, so no viewer picks a Japanese face. Tables: columns sized to
their content, the header row repeated on every page, rows never split across pages. The signature block is
kept on one page. Page numbers in the footer (— 1 —).
"""

from __future__ import annotations

import io
from typing import Any

from nanxian_cli.i18n import get_lang, tr
from nanxian_cli.render.document import ATTACHMENTS
from nanxian_cli.render.document_text import cell_kind, matrix_cell_text, plain

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
FALLBACKS = {  # the font table's alternatives, and the family Word substitutes from
    TITLE_FONT: ("宋体", "roman"), HEADING_FONT: ("SimHei", "modern"), BODY_FONT: ("FangSong", "modern"),
    TABLE_FONT: ("SimSun", "auto"),
}
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # GB/T 9704: 版心 156 x 225 mm
WIDE_MARGINS_MM = {"top": 20, "bottom": 20, "left": 15, "right": 15}
CELL_PADDING_MM = 0.9  # each side of a table cell

RATE_FILLS = {"good": "D9F2D9", "warn": "FFF2C2", "bad": "F8D0D0"}


def _clean(text: Any) -> str:
    """Word rejects control characters in XML text."""
    return "".join(ch for ch in str(text) if ch in "\t\n" or ord(ch) >= 32)


# -- styles ---------------------------------------------------------------------------------------------

def _set_fonts(rpr: Any, east: str, latin: str | None = None) -> None:
    """Name the fonts of a run-properties element: East Asian text in `east`, Latin text in `latin`; theme fonts
    (which win over names) removed."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    latin = latin or LATIN_FONT
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east)
    fonts.set(qn("w:hint"), "eastAsia")


def _set_lang(rpr: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "zh-CN" if get_lang() == "zh" else "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _style(word: Any, name: str, *, east: str, size: float, bold: bool = False, base: str | None = None,
           paragraph: bool = True, line: float | None = None) -> Any:
    """A paragraph style with its fonts named; `line`: an exact line height in points (the same on every machine,
    whatever the fallback font's ascent, as GB/T 9704 sets lines per page)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt, RGBColor

    styles = word.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH if paragraph else WD_STYLE_TYPE.CHARACTER)
        if base:
            style.base_style = styles[base]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    _set_fonts(rpr, east)
    _set_lang(rpr)
    if line is not None:
        style.paragraph_format.line_spacing = Pt(line)
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    return style


def _styles(word: Any, official: bool) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    defaults = word.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, BODY_FONT if official else TABLE_FONT)
    _set_lang(rpr)
    body = 12 if official else 10.5

    def exact(points: float) -> float | None:  # documents for the school: exact line heights
        return points if official else None

    normal = _style(word, "Normal", east=BODY_FONT if official else TABLE_FONT, size=body, line=exact(18))
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    if not official:
        normal.paragraph_format.line_spacing = 1.0
    for name, size in (("Heading 1", 12.5 if official else 13), ("Heading 2", 12 if official else 11)):
        h = _style(word, name, east=HEADING_FONT, size=size, bold=False, base="Normal", line=exact(17))
        h.paragraph_format.space_before = Pt(4)
        h.paragraph_format.space_after = Pt(2)
        h.paragraph_format.keep_with_next = True
        h.paragraph_format.first_line_indent = None
    title = _style(word, "Title", east=TITLE_FONT if official else HEADING_FONT, size=20 if official else 16,
                   line=exact(28))
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER if official else WD_ALIGN_PARAGRAPH.LEFT
    title.paragraph_format.space_before = Pt(0)
    title.paragraph_format.space_after = Pt(4)
    title.paragraph_format.keep_with_next = True
    _drop_border(title)
    issuer = _style(word, "NX Issuer", east=TITLE_FONT, size=15, base="Normal", line=exact(22))
    issuer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issuer.paragraph_format.space_after = Pt(4)
    issuer.paragraph_format.keep_with_next = True
    number = _style(word, "NX Number", east=BODY_FONT, size=body, base="Normal", line=exact(18))
    number.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.paragraph_format.space_after = Pt(6)
    number.paragraph_format.keep_with_next = True
    text = _style(word, "NX Body", east=BODY_FONT, size=body, base="Normal", line=exact(20))
    text.paragraph_format.first_line_indent = Pt(body * 2)
    text.paragraph_format.space_before = Pt(3)
    text.paragraph_format.space_after = Pt(0)
    if not official:
        text.paragraph_format.line_spacing = 1.25
    table = _style(word, "NX Table", east=TABLE_FONT, size=10.5 if official else 9.5, base="Normal", line=exact(13.5))
    if not official:
        table.paragraph_format.line_spacing = 1.0
    sign = _style(word, "NX Signature", east=BODY_FONT, size=body, base="Normal", line=exact(18))
    sign.paragraph_format.keep_with_next = True
    sign.paragraph_format.keep_together = True
    sign.paragraph_format.space_before = Pt(6)


def _drop_border(style: Any) -> None:
    from docx.oxml.ns import qn

    ppr = style.element.find(qn("w:pPr"))
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)


def _font_table(word: Any) -> None:
    """Declare the fonts used with their alternatives and families, so a viewer without one picks a Chinese
    font of the same kind (宋体 for 小标宋, SimHei for 黑体 …)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = next((r.target_part for r in word.part.rels.values() if r.reltype == RT.FONT_TABLE), None)
    if part is None:
        return
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = etree.fromstring(part.blob)
    present = {f.get(f"{{{ns}}}name") for f in root.findall(f"{{{ns}}}font")}
    for name, (alt, family) in FALLBACKS.items():
        if name in present:
            continue
        font = etree.SubElement(root, f"{{{ns}}}font")
        font.set(f"{{{ns}}}name", name)
        etree.SubElement(font, f"{{{ns}}}altName").set(f"{{{ns}}}val", alt)
        etree.SubElement(font, f"{{{ns}}}charset").set(f"{{{ns}}}val", "86")  # GB2312
        etree.SubElement(font, f"{{{ns}}}family").set(f"{{{ns}}}val", family)
        etree.SubElement(font, f"{{{ns}}}pitch").set(f"{{{ns}}}val", "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# -- page ---------------------------------------------------------------------------------------------

def _page(word: Any, landscape: bool) -> float:
    """A4 with the margins; returns the width of the text block in mm."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section = word.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_height, section.page_width = Mm(210), Mm(297)
        margins = WIDE_MARGINS_MM
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_height, section.page_width = Mm(297), Mm(210)
        margins = MARGINS_MM
    for side, mm in margins.items():
        setattr(section, f"{side}_margin", Mm(mm))
    section.footer_distance = Mm(18 if not landscape else 8)
    _page_numbers(section)
    return (297 if landscape else 210) - margins["left"] - margins["right"]


def _field(paragraph: Any, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind in ("begin", None, "end"):
        run = paragraph.add_run()
        if kind is None:
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = f" {instruction} "
            run._r.append(text)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def _page_numbers(section: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    footer = section.footer
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ").font.size = Pt(10.5)
    _field(paragraph, "PAGE")
    paragraph.add_run(" —").font.size = Pt(10.5)


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


def _signatures(word: Any, s: Any) -> None:
    """The signature block, kept on one page: every paragraph but the last keeps with the next."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    date_blank = tr("____年____月____日", "____-____-____")
    paragraphs = []
    for r in s.rows:
        p = word.add_paragraph(style="NX Signature")
        if "label" in r:
            p.add_run(_clean(f"{r['label']}{tr('：', ': ')}________________    {tr('日期', 'Date')}{tr('：', ': ')}"
                             f"{date_blank}"))
        elif "labels" in r:
            p.add_run(_clean("    ".join(f"{label}{tr('：', ': ')}__________" for label in r["labels"])))
        else:
            p.add_run(_clean(r["text"]))
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.space_before = Pt(0)
        paragraphs.append(p)
    if paragraphs:
        paragraphs[0].paragraph_format.space_before = Pt(10)
        paragraphs[-1].paragraph_format.keep_with_next = False


def _text(word: Any, s: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for r in s.rows:
        style = r.get("style", "body")
        p = word.add_paragraph(_clean(r["text"]), style="NX Body" if style == "body" else "Normal")
        if style == "right":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if style == "addressee":
            p.paragraph_format.space_before = p.paragraph_format.space_after = None


def _drop_thumbnail(word: Any) -> None:
    """The template's preview picture is not this document: file browsers would show it."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    rels = word.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        rels.pop(rid)


def _properties(word: Any, doc: Any) -> None:
    """The file's properties: its title and issuer, not the template's (author "python-docx", dated 2013)."""
    props = word.core_properties
    issuer = doc.issuer if doc.issuer and not doc.issuer.startswith("_") else ""
    props.title, props.author, props.last_modified_by = _clean(doc.title), _clean(issuer), ""
    props.comments = props.subject = props.keywords = ""
    element = props._element
    for name in ("created", "modified"):
        for old in element.findall("{http://purl.org/dc/terms/}" + name):
            element.remove(old)


def document_docx(doc: Any) -> bytes:
    from docx import Document as Word  # only for --format docx

    from nanxian_cli.render.widths import too_wide

    word = Word()
    _drop_thumbnail(word)
    _properties(word, doc)
    portrait = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
    per_cell, pad = _mm_per_cell(doc.official), 2 * CELL_PADDING_MM + 0.4
    landscape = doc.landscape or (not doc.official and too_wide(doc, portrait / per_cell, pad / per_cell))
    block_mm = _page(word, landscape)
    _styles(word, doc.official)
    _font_table(word)
    if doc.official:
        if doc.issuer:
            word.add_paragraph(_clean(doc.issuer), style="NX Issuer")
        word.add_paragraph(_clean(doc.title), style="Title")
        if doc.number:
            word.add_paragraph(_clean(doc.number), style="NX Number")
    else:
        word.add_paragraph(_clean(doc.title), style="Title")
    for label, value in doc.meta:
        p = word.add_paragraph()
        p.add_run(_clean(f"{label}{tr('：', ': ')}")).bold = True
        p.add_run(_clean(value))
    printed = [s for s in doc.sections if not s.data_only]
    for i, s in enumerate(printed):
        if s.title:
            word.add_heading(_clean(s.title), level=1)
        if s.layout == "signatures":
            _signatures(word, s)
        elif s.layout == "text":
            _text(word, s)
            if i + 1 < len(printed) and printed[i + 1].layout == "signatures" and s.rows:
                # the closing words (特此通知。) go over a page with the signatures: never a page of seal alone
                word.paragraphs[-1].paragraph_format.keep_with_next = True
        elif not s.rows:
            word.add_paragraph(_clean(s.empty or tr("（无）", "(none)")), style="NX Body" if doc.official else None)
        elif s.layout == "fields":
            _fields(word, s, block_mm, doc.official)
        else:
            _table(word, s, list(s.columns), block_mm, doc.official, doc)
    buf = io.BytesIO()
    word.save(buf)
    return buf.getvalue()
