"""A report laid out for people: a `Document` of titled sections of typed columns, in the current language,
rendered as a table, CSV, Markdown, HTML, XLSX or DOCX. JSON is the report's own data (render/data.py).

Each report's layout (titles, column headers, totals labels in Chinese and English) is in render/layouts/.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from nanxian_cli.i18n import tr


@dataclass
class Column:
    key: str
    header: str
    kind: str = "text"  # text | int | rate | number | date | bar
    priority: int = 3  # at narrow widths the table drops columns of the lowest priority first (3 = always kept)
    max_width: int | None = None
    title: str | None = None  # a longer description (HTML tooltip)


@dataclass
class Section:
    key: str  # machine name: xlsx sheet, csv block
    title: str  # may be empty: paragraphs that follow the one before
    columns: list[Column]
    rows: list[dict]
    layout: str = "table"  # table | fields (label/value pairs) | matrix | text (paragraphs) | signatures
    empty: str = ""  # what to say when there are no rows
    sheet: str | None = None  # a short xlsx sheet name (default: the title)
    pairs: int = 1  # fields: label/value pairs side by side in print (docx, html); a row with `wide` spans them
    data_only: bool = False  # written to the spreadsheet formats (csv, xlsx) only, not printed
    rank: str | None = None  # the row key (a rate) that ranks rows worst first when a terminal shows only some
    hidden: int = 0  # rows a terminal does not show (`shortened`)


# `table` rows may carry "attachments": the files shown under that row (reports/evidence.py Attachment as data:
# {sha256, caption, media_type, original_name, attached}); html and docx print the photos as thumbnails and the
# documents by name in a row under it, the other formats list them in a column of their own.
# `text` rows: {"text": str, "style": "body" (an indented paragraph) | "addressee" | "right" | "note"}.
# `signatures` rows: {"label": str} a line to sign with a date line beside it, {"labels": [str, ...]} lines to
# sign side by side, or {"text": str} a line set to the right (the issuing office, the date); the block is kept on
# one page.


@dataclass
class Document:
    kind: str
    title: str
    meta: list[tuple[str, str]]  # (label, value) lines under the title: period, filters
    sections: list[Section]
    csv_sections: list[str] | None = None  # sections written to CSV (default: all)
    landscape: bool = False
    official: bool = False  # a document for the school: printed after GB/T 9704 (title centred, fonts, margins)
    issuer: str | None = None  # official: the issuing office, above the title
    number: str | None = None  # official: the document's number, under the title
    files: dict[str, Any] = field(default_factory=dict)  # sha256 -> services.evidence.DocumentFile (state, copy)


def shortened(doc: Document, limit: int) -> Document:
    """The document as a terminal shows it by default: each table of more than `limit` rows keeps `limit` of them
    (the worst by its `rank`, lowest first, ties in the table's order, rows without a rate last; the first ones
    when it has no rank) and counts the rest as hidden. A heat map keeps the rows it shows in its own order (by
    town). Totals are the report's own, computed over every row."""
    sections = []
    for s in doc.sections:
        if s.layout in ("table", "matrix") and not s.data_only and len(s.rows) > limit:
            s = replace(s, rows=worst(s, limit), hidden=len(s.rows) - limit)
        sections.append(s)
    return replace(doc, sections=sections)


def worst(section: Section, limit: int) -> list[dict]:
    rows = section.rows
    if section.rank is None:
        return rows[:limit]
    key = section.rank
    chosen = sorted(range(len(rows)), key=lambda i: (rows[i].get(key) is None, rows[i].get(key) or 0.0, i))[:limit]
    if section.layout == "matrix":
        chosen.sort()
    return [rows[i] for i in chosen]


def totals_section(rows: list[dict]) -> Section:
    """A report's totals: label/value lines (`{label, value, kind}`), shown as fields, one xlsx sheet."""
    return Section("totals", tr("合计", "Totals"),
                   [Column("label", tr("项目", "item")), Column("value", tr("数值", "value"), "number")],
                   rows, layout="fields")


def period_text(period: dict) -> str:
    return f"{period['from']} – {period['to']}"


def filters_meta(filters: dict[str, Any]) -> list[tuple[str, str]]:
    names = {"town": tr("乡镇", "Town"), "stage": tr("学段", "Stage"), "inspector": tr("责任督学", "Supervisor"),
             "checklist": tr("检查表", "Checklist"), "by": tr("分组", "Grouped by")}
    return [(names.get(k, k), str(v)) for k, v in filters.items() if v is not None]


# -- files under a row (photos and documents) -------------------------------------------------------------

ATTACHMENTS = "attachments"
ATTACHMENT_TEXT = "attachments_text"


def file_state(doc: Document, sha256: str) -> str:
    """ok | missing | changed | unreadable (a file the document was given no state for is taken as there)."""
    found = doc.files.get(sha256)
    return "ok" if found is None else found.state


def file_tags(entry: dict, state: str) -> list[str]:
    """What is said beside a file's caption: what it came with (整改报告, 销号), its short hash (the first 8 hex
    digits of its sha256) and, when it cannot be shown, why."""
    tags = []
    if entry.get("attached") == "report":
        tags.append(tr("整改报告", "rectification report"))
    elif entry.get("attached") == "resolve":
        tags.append(tr("销号", "resolution"))
    tags.append(entry["sha256"][:8])
    if state == "missing":
        tags.append(tr("文件缺失", "file missing"))
    elif state == "changed":
        tags.append(tr("文件已被改动", "file changed"))
    elif state == "unreadable":
        tags.append(tr("本机无法显示", "cannot be shown here"))
    return tags


def is_photo(entry: dict) -> bool:
    return str(entry.get("media_type") or "").startswith("image/")


def file_label(entry: dict) -> str:
    """A photo by its caption (else its file name); a document by its file name (and its caption)."""
    name, caption = entry.get("original_name") or "", entry.get("caption") or ""
    if is_photo(entry):
        return caption or name
    return f"{name}{tr('：', ': ')}{caption}" if caption and name else name or caption


def file_line(entry: dict, state: str) -> str:
    """One file in words: `门卫室无人值守（3f2a9c1b）`, `整改报告.pdf（整改报告，3f2a9c1b）`,
    `…（3f2a9c1b，文件缺失）`."""
    tags = tr("，", ", ").join(file_tags(entry, state))
    return tr(f"{file_label(entry)}（{tags}）", f"{file_label(entry)} ({tags})")


def listed_files(doc: Document) -> Document:
    """The document for the formats without pictures (table, Markdown, CSV, XLSX): each table whose rows carry
    files gets a column listing them (caption and short hash; a file that cannot be shown says why)."""
    sections = []
    for s in doc.sections:
        if s.layout != "table" or not any(r.get(ATTACHMENTS) for r in s.rows) or \
                any(c.key == ATTACHMENT_TEXT for c in s.columns):
            sections.append(s)
            continue
        rows = [{**r, ATTACHMENT_TEXT: tr("；", "; ").join(file_line(a, file_state(doc, a["sha256"]))
                                                          for a in r.get(ATTACHMENTS) or [])} for r in s.rows]
        columns = [*s.columns, Column(ATTACHMENT_TEXT, tr("照片及佐证材料", "photos and evidence"), max_width=24)]
        sections.append(replace(s, columns=columns, rows=rows))
    return replace(doc, sections=sections)
