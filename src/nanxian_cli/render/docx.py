"""A report `Document` as a Word file (python-docx) that prints well in Word, WPS and other word processors: the
document itself (title, issuer, number, meta lines, sections in order), its text and signature sections, and the
file's properties. The page and styles are in `docx_styles`, the tables in `docx_tables`.

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

from nanxian_cli.i18n import tr
from nanxian_cli.render.docx_styles import MARGINS_MM, _clean, _font_table, _page, _styles
from nanxian_cli.render.docx_tables import CELL_PADDING_MM, _fields, _mm_per_cell, _table


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
