"""A report `Document` as one self-contained HTML file that prints on A4 (jinja2 with autoescape)."""

from __future__ import annotations

from typing import Any

from nanxian_cli.i18n import get_lang, tr
from nanxian_cli.render.document_text import cell_kind, matrix_cell_text, plain

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ doc.title }}</title>
<style>
@page { size: A4{% if doc.landscape %} landscape{% endif %}; margin: 15mm 12mm; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "SimSun", sans-serif; font-size: 10.5pt;
       color: #111; margin: 2em auto; max-width: {% if doc.landscape %}1400px{% else %}960px{% endif %}; \
padding: 0 1em; }
h1 { font-size: 16pt; margin: 0 0 .3em; }
h2 { font-size: 12pt; margin: 1.4em 0 .4em; border-bottom: 1px solid #999; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: 0 0 1em; }
dl.meta dt { color: #555; } dl.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .3em 0 1em; }
th, td { border: 1px solid #bbb; padding: 2px 5px; vertical-align: top; }
th { background: #eef2f7; text-align: left; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.good { background: #d9f2d9; } td.warn { background: #fff2c2; } td.bad { background: #f8d0d0; }
td.none { color: #999; text-align: center; }
table.matrix td, table.matrix th { padding: 1px 3px; font-size: 9pt; }
table.matrix tr.town th { background: #f5f5f5; text-align: left; }
table.fields { width: auto; } table.fields th { background: none; font-weight: normal; color: #444; }
.empty { color: #777; font-style: italic; }
.signature { margin: 2.2em 0 0; } \
.signature span { display: inline-block; min-width: 18em; border-bottom: 1px solid #000; }
.legend span { padding: 0 .4em; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }
</style>
</head>
<body>
<h1>{{ doc.title }}</h1>
<dl class="meta">
{% for label, value in doc.meta %}<dt>{{ label }}</dt><dd>{{ value }}</dd>
{% endfor %}</dl>
{% for s in sections %}
<section id="{{ s.key }}">
<h2>{{ s.title }}</h2>
{% if s.layout == "signatures" %}
{% for r in s.rows %}<p class="signature">{{ r.label }}: <span>&nbsp;</span> \
{{ date_word }}: <span style="min-width:8em">&nbsp;</span></p>
{% endfor %}
{% elif not s.rows %}<p class="empty">{{ s.empty or none_word }}</p>
{% elif s.layout == "fields" %}
<table class="fields">{% for r in s.cells %}<tr><th>{{ r[0].text }}</th>\
<td class="{{ r[1].cls }}">{{ r[1].text }}</td></tr>{% endfor %}</table>
{% elif s.layout == "matrix" %}
<table class="matrix"><thead><tr>{% for c in s.columns %}\
<th title="{{ c.title }}">{{ c.header }}</th>{% endfor %}</tr></thead>
<tbody>{% for r in s.cells %}{% if r.town is defined %}\
<tr class="town"><th colspan="{{ s.columns|length }}">{{ r.town }}</th></tr>\
{% else %}<tr>{% for c in r %}<td class="{{ c.cls }}">{{ c.text }}</td>{% endfor %}</tr>\
{% endif %}{% endfor %}</tbody></table>
<p class="legend"><span class="good" style="background:#d9f2d9">≥90%</span><span style="background:#fff2c2">≥75%</span>\
<span style="background:#f8d0d0">&lt;75%</span><span>· {{ nodata_word }}</span></p>
{% else %}
<table><thead><tr>{% for c in s.columns %}<th>{{ c.header }}</th>{% endfor %}</tr></thead>
<tbody>{% for r in s.cells %}<tr>{% for c in r %}<td class="{{ c.cls }}">{{ c.text }}</td>{% endfor %}</tr>\
{% endfor %}</tbody></table>
{% endif %}
</section>
{% endfor %}
</body>
</html>
"""


def _rate_class(value: float | None) -> str:
    if value is None:
        return "num none"
    return "num " + ("good" if value >= 0.9 else "warn" if value >= 0.75 else "bad")


def _cell(value: Any, kind: str) -> dict:
    if kind == "rate":
        return {"text": plain(value, kind), "cls": _rate_class(value)}
    return {"text": plain(value, kind), "cls": "num" if kind in ("int", "number") else ""}


def _section_view(s: Any) -> dict:
    view = {"key": s.key, "title": s.title, "layout": s.layout, "rows": s.rows, "empty": s.empty,
            "columns": [{"header": c.header, "title": c.title or c.header} for c in s.columns]}
    if s.layout == "fields":
        view["cells"] = [({"text": str(r["label"])}, _cell(r.get("value"), r.get("kind", "text"))) for r in s.rows]
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
                    row.append({"text": matrix_cell_text(r.get(c.key)), "cls": _rate_class(r.get(c.key))})
                else:
                    row.append(_cell(r.get(c.key), c.kind))
            cells.append(row)
        view["cells"] = cells
    else:
        view["cells"] = [[_cell(r.get(c.key), cell_kind(c, r)) for c in s.columns] for r in s.rows]
    return view


def document_html(doc: Any) -> str:
    import jinja2  # only for --format html

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(TEMPLATE)
    return template.render(
        doc=doc, sections=[_section_view(s) for s in doc.sections], lang="zh-CN" if get_lang() == "zh" else "en",
        none_word=tr("（无）", "(none)"), date_word=tr("日期", "Date"), nodata_word=tr("无数据", "no data"),
    )
