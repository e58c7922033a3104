"""A report `Document` as one self-contained HTML file that prints on A4 (jinja2 with autoescape).

Printed like the docx: A4 portrait (landscape for wide reports), margins after GB/T 9704, fonts named for
Chinese text with fallbacks for Windows, macOS and Linux, columns sized to their content, the header row
repeated on every page, rows and the signature block never split, page numbers at the foot of each page.
"""

from __future__ import annotations

from typing import Any

from nanxian_cli.i18n import get_lang, tr
from nanxian_cli.render.document_text import cell_kind, matrix_cell_text, plain

TITLE_FONTS = '"方正小标宋简体", "FZXiaoBiaoSong-B05S", "STZhongsong", "华文中宋", "SimHei", "黑体", ' \
              '"Noto Serif CJK SC", "Source Han Serif SC", serif'
HEADING_FONTS = '"黑体", "SimHei", "Heiti SC", "STHeiti", "Noto Sans CJK SC", "Source Han Sans SC", ' \
                '"Microsoft YaHei", sans-serif'
LATIN = '"Times New Roman", "Liberation Serif", '  # digits and Latin letters first, Chinese from the next fonts
BODY_FONTS = LATIN + '"仿宋", "FangSong", "STFangsong", "仿宋_GB2312", "FangSong_GB2312", "Noto Serif CJK SC", ' \
             '"Source Han Serif SC", serif'
TABLE_FONTS = LATIN + '"宋体", "SimSun", "Songti SC", "STSong", "Noto Serif CJK SC", "Source Han Serif SC", serif'

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ doc.title }}</title>
<style>
@page { size: A4{% if doc.landscape %} landscape; margin: 20mm 15mm{% else %}; margin: 37mm 26mm 35mm 28mm{% endif %};
        @bottom-center { content: "— " counter(page) " —"; font: 10.5pt {{ fonts.table }}; } }
body { font-family: {{ fonts.body if doc.official else fonts.table }};
       font-size: {{ "12pt" if doc.official else "10.5pt" }};
       line-height: {{ "1.5" if doc.official else "1.45" }}; color: #000; margin: 2em auto; padding: 0 1em;
       max-width: {% if doc.landscape %}1400px{% else %}{{ "156mm" if doc.official else "960px" }}{% endif %}; }
h1 { font-family: {{ fonts.title if doc.official else fonts.heading }}; font-weight: normal;
     font-size: {{ "20pt" if doc.official else "16pt" }}; line-height: 1.4; margin: 0 0 .3em;
     {%- if doc.official %} text-align: center;{% endif %} }
p.issuer { font-family: {{ fonts.title }}; font-size: 15pt; text-align: center; margin: 0 0 .2em; }
p.number { text-align: center; margin: 0 0 .6em; }
h2 { font-family: {{ fonts.heading }}; font-weight: normal; font-size: {{ "12.5pt" if doc.official else "12pt" }};
     margin: {{ ".5em 0 .15em" if doc.official else "1.1em 0 .35em" }};
     {%- if not doc.official %} border-bottom: 1px solid #999;{% endif %} }
dl.meta { margin: 0 0 1em; } dl.meta dt { float: left; clear: left; min-width: 6em; color: #444; }
dl.meta dd { margin: 0 0 0 7em; }
table { border-collapse: collapse; width: 100%; margin: {{ ".15em 0 .3em" if doc.official else ".3em 0 .8em" }};
        font-family: {{ fonts.table }}; font-size: {{ "10.5pt" if doc.official else "9.5pt" }}; line-height: 1.3; }
th, td { border: 1px solid #777; padding: {{ "0 3px" if doc.official else "2px 4px" }}; vertical-align: top;
         text-align: left; }
th { background: #eef2f7; font-weight: bold; text-align: center; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.date { white-space: nowrap; }
td.good { background: #d9f2d9; } td.warn { background: #fff2c2; } td.bad { background: #f8d0d0; }
td.none { color: #999; text-align: center; }
table.matrix td, table.matrix th { padding: 1px 3px; font-size: 9pt; }
table.matrix tr.town th { background: #f5f5f5; text-align: left; }
table.fields { width: {{ "100%" if doc.official else "auto" }}; }
table.fields th { background: #f3f3f3; text-align: left; white-space: nowrap; }
p.text { text-indent: 2em; margin: .2em 0; } p.addressee { margin: .4em 0 .2em; } p.right { text-align: right; }
.empty { text-indent: 2em; margin: .2em 0; }
div.signatures { margin-top: 1em; break-inside: avoid; page-break-inside: avoid; }
section:has(+ section > div.signatures) p:last-child { break-after: avoid; page-break-after: avoid; }
div.signatures p { margin: .5em 0 0; } div.signatures p.right { text-align: right; margin: 0; }
.blank { display: inline-block; min-width: 10em; border-bottom: 1px solid #000; }
span.sign { display: inline-block; margin-right: 1.5em; } span.sign .blank { min-width: 5em; }
.legend span { padding: 0 .4em; }
thead { display: table-header-group; } tr { break-inside: avoid; page-break-inside: avoid; }
tr.with-files { break-after: avoid; page-break-after: avoid; } tr.with-files td { border-bottom-style: dotted; }
tr.files > td { border-top: 0; padding: 1px 3px 3px; }
tr.files.lines { break-inside: auto; page-break-inside: auto; }  /* several lines of photos: a line at a time */
div.thumbs { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1mm 2mm; margin: 1mm 0; }
span.thumb { display: inline-block; vertical-align: top; text-align: center; break-inside: avoid;
             page-break-inside: avoid; }
span.thumb img { display: block; margin: 0 auto 1px; } span.thumb br { display: none; }
.thumbs .caption, .thumbs .tags { display: block; } .thumbs .caption { font-size: 9pt; line-height: 1.25; }
.thumbs .tags, p.file { font-size: 8.5pt; color: #333; }
p.file { margin: 1px 0; }
h2 { break-after: avoid; page-break-after: avoid; }
@media print { body { margin: 0; padding: 0; max-width: none; } }
</style>
</head>
<body>
{% if doc.official and doc.issuer %}<p class="issuer" align="center">{{ doc.issuer }}</p>
{% endif %}<h1{% if doc.official %} align="center"{% endif %}>{{ doc.title }}</h1>
{% if doc.official and doc.number %}<p class="number" align="center">{{ doc.number }}</p>
{% endif %}{% if doc.meta %}<dl class="meta">
{% for label, value in doc.meta %}<dt>{{ label }}</dt><dd>{{ value }}</dd>
{% endfor %}</dl>
{% endif %}{% for s in sections %}
<section id="{{ s.key }}">
{% if s.title %}<h2>{{ s.title }}</h2>
{% endif %}{% if s.layout == "signatures" %}<div class="signatures">
{% for r in s.rows %}{% if r.label is defined -%}
<p>{{ r.label }}{{ colon }}<span class="blank">&nbsp;</span> {{ date_word }}{{ colon }}{{ date_blank }}</p>
{% elif r.labels is defined -%}
<p>{% for label in r.labels %}<span class="sign">{{ label }}{{ colon }}<span class="blank">&nbsp;</span></span>
{%- endfor %}</p>
{% else %}<p class="right" align="right">{{ r.text }}</p>
{% endif %}{% endfor %}</div>
{% elif s.layout == "text" %}{% for r in s.rows -%}
<p class="{{ 'text' if r.style == 'body' else r.style }}"{% if r.style == 'right' %} align="right"{% endif %}>
{{- r.text }}</p>
{% endfor %}{% elif not s.rows %}<p class="empty">{{ s.empty or none_word }}</p>
{% elif s.layout == "fields" %}
<table class="fields" border="1" cellspacing="0" cellpadding="3"{% if doc.official %} width="100%"{% endif %}>
{%- if s.widths %}<colgroup>{% for w in s.widths %}<col width="{{ w }}%" style="width:{{ w }}%">{% endfor %}
</colgroup>{% endif %}
{% for line in s.cells %}<tr>{% for r in line %}<th>{{ r[0].text }}</th><td class="{{ r[1].cls }}"
{%- if r[1].span %} colspan="{{ r[1].span }}"{% endif %}>{{ r[1].text }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% elif s.layout == "matrix" %}
<table class="matrix"><thead><tr>{% for c in s.columns %}<th title="{{ c.title }}">{{ c.header }}</th>
{%- endfor %}</tr></thead>
<tbody>{% for r in s.cells %}{% if r.town is defined -%}
<tr class="town"><th colspan="{{ s.columns|length }}">{{ r.town }}</th></tr>
{%- else %}<tr>{% for c in r %}<td class="{{ c.cls }}">{{ c.text }}</td>{% endfor %}</tr>{% endif %}
{%- endfor %}</tbody></table>
<p class="legend"><span class="good" style="background:#d9f2d9">≥90%</span><span style="background:#fff2c2">≥75%</span>
{{- "" }}<span style="background:#f8d0d0">&lt;75%</span><span>· {{ nodata_word }}</span></p>
{% else %}
<table border="1" cellspacing="0" cellpadding="3" width="100%">
{%- if s.widths %}<colgroup>{% for w in s.widths %}<col width="{{ w }}%" style="width:{{ w }}%">{% endfor %}
</colgroup>{% endif %}<thead><tr>{% for c in s.columns %}<th>{{ c.header }}</th>{% endfor %}</tr></thead>
<tbody>{% for r in s.cells %}{% set f = s.files[loop.index0] %}<tr{% if f %} class="with-files"{% endif %}>
{%- for c in r %}<td class="{{ c.cls }}"{% if c.cls in ("num", "date") %} nowrap
{%- endif %}>{{ c.text }}</td>{% endfor %}</tr>{% if f %}
<tr class="files{% if f.photos|length > f.per_line %} lines{% endif %}">
{%- if s.columns|length > 1 %}<td></td>{% endif %}<td colspan="{{ [s.columns|length - 1, 1]|max }}">
{%- if f.photos %}<div class="thumbs">{% for p in f.photos %}<span class="thumb" style="width:{{ f.cell }}mm">
{%- if p.src %}<img src="{{ p.src }}" alt="{{ p.label }}" width="{{ p.px[0] }}" height="{{ p.px[1] }}"
 style="width:{{ p.mm[0] }}mm;height:{{ p.mm[1] }}mm">{% endif %}<br>
<span class="caption">{{ p.label }}</span><br><span class="tags">{{ p.tags }}</span></span>
{%- endfor %}</div>{% endif %}
{%- for line in f.lines %}<p class="file">{{ line }}</p>{% endfor %}</td></tr>{% endif %}{% endfor %}</tbody></table>
{% endif %}
</section>
{% endfor %}
</body>
</html>
"""


def rate_class(value: float | None) -> str:
    if value is None:
        return "num none"
    return "num " + ("good" if value >= 0.9 else "warn" if value >= 0.75 else "bad")



def _cell(value: Any, kind: str) -> dict:
    if kind == "rate":
        return {"text": plain(value, kind), "cls": rate_class(value)}
    return {"text": plain(value, kind), "cls": "num" if kind in ("int", "number") else "date" if kind == "date" else ""}


def _percents(widths: list[float]) -> list[str]:
    total = sum(widths) or 1
    return [f"{100 * w / total:.1f}" for w in widths]


def _fields_view(s: Any) -> tuple[list, list[str]]:
    from nanxian_cli.render.widths import text_width

    pairs = max(1, s.pairs)
    lines: list[list] = []
    for r in s.rows:
        cell = _cell(r.get("value"), r.get("kind", "text"))
        if r.get("wide") or pairs == 1 or not lines or len(lines[-1]) >= pairs or lines[-1][0][1].get("span"):
            cell["span"] = 2 * pairs - 1 if r.get("wide") and pairs > 1 else None
            lines.append([({"text": str(r["label"])}, cell)])
        else:
            cell["span"] = None
            lines[-1].append(({"text": str(r["label"])}, cell))
    if pairs == 1:
        return lines, []
    label = max(text_width(str(r["label"])) for r in s.rows) + 2
    value = max(8.0, (160 - pairs * label) / pairs)
    return lines, _percents([label, value] * pairs)


PER_LINE = 3
"""Thumbnails side by side under a row."""


def thumb_box(room_mm: float) -> tuple[float, float]:
    """The box (width, height in mm) each thumbnail fits in, `PER_LINE` to a line `room_mm` wide: about 5 cm wide,
    4:3, never larger."""
    width = min(50.0, room_mm / PER_LINE - 3)
    return width, width * 0.75


def fitted(size: tuple[int, int], box: tuple[float, float]) -> tuple[float, float]:
    """A picture of `size` pixels scaled to fit `box` (mm), its shape kept."""
    scale = min(box[0] / size[0], box[1] / size[1])
    return round(size[0] * scale, 1), round(size[1] * scale, 1)


def _files_view(entries: list[dict] | None, doc: Any, room_mm: float) -> dict | None:
    """The row under a table row: its photos as thumbnails (data URIs: the file stays self-contained) in a grid of
    `PER_LINE` to a line, each with its caption and short hash; documents, and photos that cannot be shown, as
    lines."""
    import base64

    from nanxian_cli.render.document import file_label, file_line, file_state, file_tags, is_photo

    if not entries:
        return None
    box = thumb_box(room_mm)
    photos, lines = [], []
    for e in entries:
        state, copy = file_state(doc, e["sha256"]), doc.files.get(e["sha256"])
        if is_photo(e) and state == "ok" and copy is not None and copy.image is not None:
            mm = fitted(copy.size, box)
            photos.append({"src": "data:image/jpeg;base64," + base64.b64encode(copy.image).decode("ascii"), "mm": mm,
                           "px": (round(mm[0] * 96 / 25.4), round(mm[1] * 96 / 25.4)), "label": file_label(e),
                           "tags": " · ".join(file_tags(e, state))})
        else:
            lines.append(file_line(e, state))
    return {"photos": photos, "lines": lines, "cell": round(box[0] + 2, 1), "per_line": PER_LINE}


def _section_view(s: Any, official: bool, landscape: bool, doc: Any = None) -> dict:
    from nanxian_cli.render.document import ATTACHMENTS
    from nanxian_cli.render.widths import column_widths

    view = {"key": s.key, "title": s.title, "layout": s.layout, "rows": s.rows, "empty": s.empty, "widths": [],
            "columns": [{"header": c.header, "title": c.title or c.header} for c in s.columns]}
    if s.layout == "fields":
        view["cells"], view["widths"] = _fields_view(s)
    elif s.layout == "matrix":
        cells: list = []
        town = object()
        for r in s.rows:
            if r.get("town") != town:
                town = r.get("town")
                cells.append({"town": town or tr("（未填乡镇）", "(no town)")})
            row = []
            for c in s.columns:
                if c.kind == "rate":
                    row.append({"text": matrix_cell_text(r.get(c.key)), "cls": rate_class(r.get(c.key))})
                else:
                    row.append(_cell(r.get(c.key), c.kind))
            cells.append(row)
        view["cells"] = cells
    elif s.layout == "text":
        view["rows"] = [{"text": r["text"], "style": r.get("style", "body")} for r in s.rows]
    elif s.layout == "table":
        view["cells"] = [[_cell(r.get(c.key), cell_kind(c, r)) for c in s.columns] for r in s.rows]
        if s.rows:  # the A4 text block in cells of the table font (10.5 pt, reports 9.5 pt), less the padding
            room = (159 if landscape else 84 if official else 93) - 1.2 * len(s.columns)
            view["widths"] = _percents(column_widths(s, room))
        block_mm = 247 if landscape else 156 if official else 170  # the text block's width on A4
        first = float(view["widths"][0]) / 100 * block_mm if view["widths"] and len(s.columns) > 1 else 0
        view["files"] = [_files_view(r.get(ATTACHMENTS), doc, block_mm - first - 3) for r in s.rows] if doc else \
            [None] * len(s.rows)
    return view


def document_html(doc: Any) -> str:
    import jinja2  # only for --format html

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(TEMPLATE)
    from markupsafe import Markup  # the font lists are constants of this module, written into the style sheet

    fonts = {k: Markup(v) for k, v in
             {"title": TITLE_FONTS, "heading": HEADING_FONTS, "body": BODY_FONTS, "table": TABLE_FONTS}.items()}
    from nanxian_cli.render.widths import too_wide

    if not doc.official and not doc.landscape and too_wide(doc, 93, 1.2):  # printed landscape, as the docx
        import dataclasses

        doc = dataclasses.replace(doc, landscape=True)
    return template.render(
        doc=doc, sections=[_section_view(s, doc.official, doc.landscape, doc) for s in doc.sections
                           if not s.data_only],
        lang="zh-CN" if get_lang() == "zh" else "en", fonts=fonts,
        none_word=tr("（无）", "(none)"), date_word=tr("日期", "Date"), nodata_word=tr("无数据", "no data"),
        colon=tr("：", ": "), date_blank=tr("____年____月____日", "____-____-____"),
    )
