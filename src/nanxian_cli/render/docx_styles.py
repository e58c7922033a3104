"""The page, styles and fonts of a Word file (python-docx): A4 with the GB/T 9704 margins (or the wide margins of a
landscape report), page numbers in the footer (— 1 —), styles with their fonts named for Chinese text (`w:eastAsia`)
and the language set, the font table's alternatives for a missing font, and the cleaning of text for Word's XML.
"""

from __future__ import annotations

from typing import Any

from nanxian_cli.i18n import get_lang

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
