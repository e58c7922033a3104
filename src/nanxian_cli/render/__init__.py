"""Renderers: documents as a Rich table, JSON, CSV, Markdown, HTML, XLSX or DOCX (formats: render/formats.py).

User text is data here: Rich cells are `Text` objects (never markup), HTML and Markdown are
escaped, and spreadsheet cells that start a formula are neutralised.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from json.encoder import encode_basestring as _string  # json's own (C) string writer
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise a spreadsheet formula: a text cell starting with = + - @ gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def json_text(data: Any) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=2, default=str)` and a newline, the same text character for
    character, written about twice as fast: json's indented output runs in Python through nested generators,
    and the reports at city scale are megabytes of it. tests/test_output_formats.py holds it to json's text."""
    out: list[str] = []
    _lay_out(data, "\n", out.append)
    return "".join(out) + "\n"


def json_pieces(data: Any, size: int = 1 << 16) -> Iterator[str]:
    """`json_text(data)` in pieces of about `size` pieces of text each: a long list at the top, or a long list or
    dict in a dict at the top (a county's history of findings is hundreds of megabytes of JSON), is written out
    as it is laid out, never held as one string. Joined, the pieces are `json_text(data)` exactly."""
    out: list[str] = []
    yield from _pieces(data, "\n", out, size, 2)
    out.append("\n")
    yield "".join(out)


def _pieces(o: Any, indent: str, out: list[str], size: int, depth: int) -> Iterator[str]:
    is_dict = type(o) is dict or (type(o) is not list and isinstance(o, dict))
    if depth == 0 or not o or not (is_dict or type(o) is list or isinstance(o, (list, tuple))):
        _lay_out(o, indent, out.append)
        return
    inner = indent + "  "
    out.append(("{" if is_dict else "[") + inner)
    for n, entry in enumerate(o.items() if is_dict else o):
        if n:
            out.append("," + inner)
        if is_dict:
            key, entry = entry
            out.append((_string(key) if type(key) is str else _key(key)) + ": ")
        yield from _pieces(entry, inner, out, size, depth - 1)
        if len(out) >= size:
            yield "".join(out)
            out.clear()
    out.append(indent + ("}" if is_dict else "]"))


def _lay_out(o: Any, indent: str, append: Any) -> None:
    t = type(o)
    if t is str:
        append(_string(o))
    elif t is int:
        append(int.__repr__(o))
    elif o is None:
        append("null")
    elif o is True:
        append("true")
    elif o is False:
        append("false")
    elif t is float:
        append(_float(o))
    elif t is dict or (t is not list and isinstance(o, dict)):
        if not o:
            append("{}")
            return
        inner = indent + "  "
        append("{" + inner)
        first = True
        for key, value in o.items():
            if first:
                first = False
            else:
                append("," + inner)
            append((_string(key) if type(key) is str else _key(key)) + ": ")
            _lay_out(value, inner, append)
        append(indent + "}")
    elif t is list or isinstance(o, (list, tuple)):
        if not o:
            append("[]")
            return
        inner = indent + "  "
        append("[" + inner)
        first = True
        for value in o:
            if first:
                first = False
            else:
                append("," + inner)
            _lay_out(value, inner, append)
        append(indent + "]")
    elif isinstance(o, str):
        append(_string(o))
    elif isinstance(o, int):
        append(int.__repr__(o))
    elif isinstance(o, float):
        append(_float(o))
    else:
        _lay_out(str(o), indent, append)  # json's `default=str`: dates and paths as their text


def _float(o: float) -> str:
    if o != o:
        return "NaN"
    if o in (float("inf"), float("-inf")):
        return "Infinity" if o > 0 else "-Infinity"
    return float.__repr__(o)


def _key(key: Any) -> str:
    """A key that is not a str, as json writes it (bool, None and numbers become text; anything else is refused)."""
    if isinstance(key, str):
        return _string(key)
    if key is True or key is False or key is None:
        return '"' + json.dumps(key) + '"'
    if isinstance(key, int):
        return '"' + int.__repr__(key) + '"'
    if isinstance(key, float):
        return '"' + _float(key) + '"'
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def csv_text(columns: list[str], rows: list[list[Any]]) -> str:
    """CSV with a UTF-8 BOM (so Excel/WPS read Chinese correctly) and neutralised formulas."""
    return "".join(csv_pieces(columns, rows))


def csv_pieces(columns: list[str], rows: list[list[Any]], size: int = 4096) -> Iterator[str]:
    """`csv_text` in pieces of `size` rows each."""
    import csv
    import io

    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for n, row in enumerate(rows, 1):
        writer.writerow(["" if v is None else safe_cell(_csv_value(v)) for v in row])
        if n % size == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _csv_value(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return " ".join(str(x) for x in v)
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if v == v else ""
    return v


_ALWAYS = set("`*[]<|~")
"""Interpreted wherever they stand: code, emphasis, links, HTML and autolinks, table cells, strikethrough."""
_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_BLOCK_START = None  # compiled on first use


def escape_markdown(text: Any, heading: bool = False) -> str:
    """User text as literal Markdown (CommonMark with GitHub's tables and strikethrough), escaping only what
    Markdown would read as markup: `2020-09-01`, `cs-drill-time`, `a_b` and `(note)` stay as they are.

    Escaped: ` * [ ] < | ~ everywhere; `_` where it could start or end emphasis (not inside a word); `\\`
    before punctuation or at the end; `&` that would start an entity (`&amp;`); at the start of the text, what
    would begin a block (`#`, `>`, `-`, `+`, `=`, `1.`); a trailing ` #` (a heading's closing marks). Line
    breaks become spaces: a value stays on its line (a table cell, a list item). A run of `_` with a space or
    the text's edge on both sides is no emphasis (`________ 县教育督导室`, a blank to fill in), unless the text is
    nothing else (a thematic break).

    `heading`: the text follows `# ` on a heading's line, where it is inline text: `1.`, `-`, `+`, `=` and `>`
    begin nothing there (`## 1. The visit`); a leading `#` is still escaped."""
    import re

    global _BLOCK_START
    if _BLOCK_START is None:
        _BLOCK_START = re.compile(r"^(\s*)(#|>|-|\+|=|\d+(?=[.)]))")
    s = "" if text is None else str(text)
    s = s.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    out = []
    for i, ch in enumerate(s):
        before = s[i - 1] if i else ""
        after = s[i + 1] if i + 1 < len(s) else ""
        if ch in _ALWAYS:
            out.append("\\" + ch)
        elif ch == "_":
            inside_word = before.isalnum() and after.isalnum()
            out.append(ch if inside_word or _lone_run(s, i) else "\\_")
        elif ch == "\\":
            out.append("\\\\" if not after or after in _PUNCTUATION else ch)
        elif ch == "&" and re.match(r"#?\w+;", s[i + 1:]):
            out.append("\\&")
        else:
            out.append(ch)
    escaped = "".join(out)
    if re.fullmatch(r"\s*(?:_\s*){3,}", escaped):  # a line of underscores alone is a thematic break
        return escaped.replace("_", "\\_")
    start = _BLOCK_START.match(escaped)
    if start and heading and start.group(2) != "#":
        start = None
    if start:
        lead, mark = start.group(1), start.group(2)
        if mark[0].isdigit():  # `1.` or `1)`: an ordered list item
            at = len(lead) + len(mark)
            escaped = escaped[:at] + "\\" + escaped[at:]
        else:
            escaped = lead + "\\" + escaped[len(lead):]
    closing = re.search(r"(?<=\s)#+\s*$", escaped)
    if closing and closing.start() > 0:
        escaped = escaped[:closing.start()] + "\\" + escaped[closing.start():]
    return escaped


def _lone_run(s: str, i: int) -> bool:
    """Whether the run of `_` holding position `i` has a space or the text's edge on both sides: it can neither
    open nor close emphasis (CommonMark's flanking rules)."""
    start, end = i, i
    while start > 0 and s[start - 1] == "_":
        start -= 1
    while end + 1 < len(s) and s[end + 1] == "_":
        end += 1
    return (start == 0 or s[start - 1].isspace()) and (end + 1 == len(s) or s[end + 1].isspace())
