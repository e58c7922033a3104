"""Names and notes are data: hostile text is shown literally in the terminal, escaped in HTML and Markdown,
neutralised in CSV and XLSX, and kept exact in JSON — in every report."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

import reports_fixture as rf

MARKUP = "[bold]x[/]"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
LONG = "很长的学校名称" * 28  # 196 characters: the roster allows 200
NOTE_FORMULA = "@SUM(A1:A9)"
NOTE_HTML = '<img src=x onerror="alert(2)"> | **b** [link](http://x)'

ROSTER = f"""\
- code: NX-101
  name: '{MARKUP}'
  town: '[red]镇[/red]'
  stages: primary
- code: NX-102
  name: '{SCRIPT}'
  town: 乌嘴乡
  stages: primary
- code: NX-103
  name: '{FORMULA}'
  town: '-1+2'
  stages: primary
- code: NX-104
  name: {LONG}
  town: 乌嘴乡
  stages: primary
"""

REPORTS = [
    ("summary", "--from", rf.FROM, "--to", rf.TO),
    ("summary", "--from", rf.FROM, "--to", rf.TO, "--by", "town"),
    ("matrix", "--from", rf.FROM, "--to", rf.TO),
    ("item", "1", "--from", rf.FROM, "--to", rf.TO),
    ("school", "NX-103", "--from", rf.FROM, "--to", rf.TO),
]


@pytest.fixture
def hostile(cli, tmp_path, db_path, monkeypatch):
    roster = tmp_path / "hostile.yaml"
    roster.write_text(ROSTER, encoding="utf-8")
    result = cli("school", "import", roster)
    assert result.exit_code == 0, result.output
    folder = rf.write_checklists(tmp_path)
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(folder))
    from nanxian_cli.files.checklist_file import load_checklist
    from nanxian_cli.store import open_store

    loaded = load_checklist(folder / "mini.yaml")
    ids = {}
    with open_store(db_path) as store:
        for code in ("NX-101", "NX-102", "NX-103", "NX-104"):
            ids[code] = rf.record(store, loaded, code, "2020-10-10",
                                  {"m-a": "no", "m-b": "no", "m-c": 40, "m-d": "yes", "m-e": SCRIPT},
                                  {"m-a": NOTE_FORMULA, "m-b": NOTE_HTML})
    return ids


def _all(cli, args, tmp_path, ext):
    out = tmp_path / f"r.{ext}"
    result = cli("report", *args, "--output", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("args", REPORTS + [("visit", "VISIT")])
def test_hostile_text_in_every_format(cli, hostile, tmp_path, args):
    from docx import Document
    from openpyxl import load_workbook

    args = tuple(hostile["NX-103"] if a == "VISIT" else a for a in args)
    # terminal: shown literally, markup never interpreted
    for width in ("80", "160"):
        result = cli("report", *args, env={"COLUMNS": width})
        assert result.exit_code == 0, result.output
        assert "\x1b[" not in result.stdout
    wide = cli("report", *args, env={"COLUMNS": "200"}).stdout
    if args[0] in ("summary", "matrix") and "town" not in args:
        assert MARKUP in wide and SCRIPT in wide
    if args[0] in ("school", "visit"):
        assert FORMULA in wide

    # JSON: exact strings
    data = json.loads(cli("report", *args, "--format", "json").stdout)
    text = json.dumps(data, ensure_ascii=False)
    if "town" not in args:
        assert json.dumps(FORMULA, ensure_ascii=False)[1:-1] in text

    # HTML: escaped, no live tag
    html = _all(cli, args, tmp_path, "html").read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    if args[0] in ("summary", "matrix", "item") and "town" not in args:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    if args[0] in ("item", "visit"):
        assert "&lt;img src=x onerror=" in html

    # Markdown: escaped
    md = _all(cli, args, tmp_path, "md").read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<", md), re.findall(r".{20}(?<!\\)<.{20}", md)
    assert "[link](" not in md and "**b**" not in md
    if args[0] in ("summary", "matrix", "item") and "town" not in args:
        assert "\\<script>" in md and "\\[bold\\]x\\[/\\]" in md

    # CSV: formulas neutralised
    raw = _all(cli, args, tmp_path, "csv").read_bytes().decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(raw)) for c in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells), [c for c in cells if c[:1] in "=+-@"]
    if args[0] in ("summary", "matrix", "item") and "town" not in args:
        assert "'" + FORMULA in cells
    if args[0] in ("item", "school", "visit"):
        assert "'" + NOTE_FORMULA in cells

    # XLSX: no formula cells, text neutralised
    wb = load_workbook(_all(cli, args, tmp_path, "xlsx"))
    values = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    values.append(cell.value)
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    if "town" not in args:
        assert any(v.startswith("'" + FORMULA) or v.endswith(FORMULA) for v in values)

    # DOCX: literal text
    doc = Document(str(_all(cli, args, tmp_path, "docx")))
    words = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells)
    if args[0] in ("school", "visit"):
        assert FORMULA in words


def test_long_names_are_abbreviated_in_narrow_terminals(cli, hostile):
    from rich.cells import cell_len

    for args in REPORTS:
        result = cli("report", *args, env={"COLUMNS": "80"})
        assert result.exit_code == 0
        assert max(cell_len(line) for line in result.stdout.splitlines()) <= 80, args
    data = json.loads(cli("report", "summary", "--from", rf.FROM, "--to", rf.TO, "--format", "json").stdout)
    assert LONG in [r["label"] for r in data["rows"]]  # full name kept in the data


def test_hostile_filter_values_are_parameters(cli, hostile):
    for value in ("' OR 1=1 --", "%", "_", MARKUP, "乌嘴乡' --"):
        result = cli("report", "summary", "--town", value, "--format", "json")
        assert result.exit_code == 2, value
        assert "no school is in" in result.stderr
        assert "[red]镇[/red]" in result.stderr  # the known towns, shown literally
    result = cli("report", "summary", "--town", "[red]镇[/red]", "--from", rf.FROM, "--to", rf.TO, "--format", "json")
    assert json.loads(result.stdout)["totals"]["visits"] == 1


@pytest.mark.parametrize("args", [("school", "\udcff\udcfe"), ("visit", "\udcff"), ("summary", "--town", "\udcff"),
                                  ("summary", "--inspector", "李\udcff"), ("item", "1", "--town", "\udcff")])
def test_undecodable_command_line_bytes_are_refused(cli, hostile, args, db_path):
    """Bytes that are not UTF-8 on the command line (surrogate escapes) get a usage error, not a traceback."""
    import sqlite3

    before = sqlite3.connect(db_path).execute("SELECT count(*) FROM visits").fetchone()[0]
    result = cli("report", *args)
    assert result.exit_code == 2
    assert "not valid UTF-8" in result.output
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM visits").fetchone()[0] == before
