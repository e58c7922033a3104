"""Renderers: documents as a Rich table, JSON, CSV, Markdown, HTML, XLSX or DOCX (formats: render/formats.py).

User text is data here: Rich cells are `Text` objects (never markup), HTML and Markdown are
escaped, and spreadsheet cells that start a formula are neutralised.
"""

from __future__ import annotations

import json
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise a spreadsheet formula: a text cell starting with = + - @ gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def csv_text(columns: list[str], rows: list[list[Any]]) -> str:
    """CSV with a UTF-8 BOM (so Excel/WPS read Chinese correctly) and neutralised formulas."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(_csv_value(v)) for v in row])
    return "\ufeff" + buf.getvalue()


def _csv_value(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return " ".join(str(x) for x in v)
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if v == v else ""
    return v


def escape_markdown(text: Any) -> str:
    s = "" if text is None else str(text)
    out = []
    for ch in s:
        if ch in "\\`*_{}[]()#+-.!|<>&~":
            out.append("\\" + ch)
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)
