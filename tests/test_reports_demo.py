"""On the demo county: `report summary`, `report matrix` and `report item 21` fit 80 and 160 columns, and
their json, csv, xlsx and html exports agree number for number."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rich.cells import cell_len

from test_reports_summary import Tables

PERIOD = ("--from", "2020-01-01", "--to", "2020-12-31")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from typer.testing import CliRunner

    from nanxian_cli.cli import app

    db = tmp_path_factory.mktemp("demo") / "demo.db"
    result = CliRunner().invoke(app, ["--lang", "en", "demo", "--db", str(db)], catch_exceptions=False,
                                env={"NO_COLOR": "1", "COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    return db


def _run(cli, demo_db, *args, env=None):
    result = cli("--db", demo_db, "report", *args, env=env)
    assert result.exit_code == 0, result.output
    return result


def _exports(cli, demo_db, tmp_path, *args):
    from openpyxl import load_workbook

    data = json.loads(_run(cli, demo_db, *args, "--format", "json").stdout)
    files = {}
    for ext in ("csv", "xlsx", "html"):
        files[ext] = tmp_path / f"{args[0]}.{ext}"
        _run(cli, demo_db, *args, "--output", files[ext])
    text = files["csv"].read_bytes().decode("utf-8-sig")
    parser = Tables()
    parser.feed(files["html"].read_text(encoding="utf-8"))
    return data, text, load_workbook(files["xlsx"]), parser.tables


def _pct(value):
    return "—" if value is None else f"{value * 100:.1f}%"


@pytest.mark.parametrize("args", [("summary",), ("summary", "--by", "town"), ("summary", "--by", "plan-item"),
                                  ("matrix",), ("item", "21")])
@pytest.mark.parametrize("columns", ["80", "160"])
def test_demo_reports_fit_the_terminal(cli, demo_db, args, columns):
    out = _run(cli, demo_db, *args, *PERIOD, env={"COLUMNS": columns}).stdout
    assert max(cell_len(line) for line in out.splitlines()) <= int(columns)
    assert "\x1b[" not in out


def test_demo_summary_exports_agree(cli, demo_db, tmp_path):
    data, text, wb, tables = _exports(cli, demo_db, tmp_path, "summary", *PERIOD)
    assert data["totals"]["visits"] > 100 and data["totals"]["fail"] > 0
    assert sum(r["visits"] for r in data["rows"]) == data["totals"]["visits"]
    assert sum(r["pass"] for r in data["rows"]) == data["totals"]["pass"]
    assert sum(r["fail"] for r in data["rows"]) == data["totals"]["fail"]
    assert sum(r["open_findings"] for r in data["rows"]) == data["totals"]["open_findings"]
    rows = list(csv.reader(io.StringIO(text)))
    sheet = list(wb["Rows"].iter_rows(values_only=True))
    html_rows = tables[1]
    col = {name: i for i, name in enumerate(rows[0])}
    assert len(rows) == len(sheet) == len(html_rows) == len(data["rows"]) + 1
    for c, x, h, j in zip(rows[1:], sheet[1:], html_rows[1:], data["rows"], strict=True):
        assert c[col["code"]] == x[col["code"]] == h[col["code"]] == j["key"]
        for name, key in (("visits", "visits"), ("pass", "pass"), ("fail", "fail"), ("n/a", "na"),
                          ("open", "open_findings"), ("overdue", "overdue_findings"), ("critical", "critical_fails")):
            assert int(c[col[name]]) == x[col[name]] == int(h[col[name]]) == j[key], (j["key"], name)
        for name, key in (("compliance", "compliance_rate"), ("score", "score")):
            csv_value = float(c[col[name]]) if c[col[name]] else None
            assert csv_value == x[col[name]] == j[key], (j["key"], name)
            assert h[col[name]] == _pct(j[key])


def test_demo_matrix_exports_agree(cli, demo_db, tmp_path):
    data, text, wb, tables = _exports(cli, demo_db, tmp_path, "matrix", *PERIOD)
    rows = list(csv.reader(io.StringIO(text)))
    sheet = list(wb["Matrix"].iter_rows(values_only=True))
    grid = [r for r in tables[0][1:] if len(r) == 24]
    assert len(rows) - 1 == len(sheet) - 1 == len(grid) == len(data["rows"]) >= 20
    checked = 0
    for c, x, h, j in zip(rows[1:], sheet[1:], grid, data["rows"], strict=True):
        assert c[0] == x[0] == h[0] == j["code"]
        for n in range(1, 22):
            value = j["cells"][str(n)]
            assert (float(c[2 + n]) if c[2 + n] else None) == x[2 + n] == value
            assert h[2 + n] == ("·" if value is None else str(int(value * 100 + 1e-9)))
            checked += value is not None
    assert checked > 100


def test_demo_item_21_exports_agree(cli, demo_db, tmp_path):
    data, text, wb, tables = _exports(cli, demo_db, tmp_path, "item", "21", *PERIOD)
    assert data["points"] and data["by_school"]
    assert (sum(r["pass"] for r in data["by_town"]) == sum(r["pass"] for r in data["by_school"])
            == data["totals"]["pass"])
    assert (sum(r["fail"] for r in data["by_town"]) == sum(r["fail"] for r in data["by_school"])
            == data["totals"]["fail"])
    blocks = [list(csv.reader(io.StringIO(b))) for b in text.split("\r\n\r\n")]
    by_school_csv = blocks[3][2:]
    by_school_xlsx = list(wb["By school (worst first)"].iter_rows(min_row=2, values_only=True))
    by_school_html = tables[3][1:]
    assert len(by_school_csv) == len(by_school_xlsx) == len(by_school_html) == len(data["by_school"])
    for c, x, h, j in zip(by_school_csv, by_school_xlsx, by_school_html, data["by_school"], strict=True):
        assert c[0] == x[0] == h[0] == j["code"]
        assert int(c[5]) == x[5] == int(h[5]) == j["pass"]
        assert int(c[6]) == x[6] == int(h[6]) == j["fail"]
        assert float(c[8]) == x[8] == j["compliance_rate"] and h[8] == _pct(j["compliance_rate"])
    failures_xlsx = list(wb["Failing schools"].iter_rows(min_row=2, values_only=True))
    assert len(failures_xlsx) == len(blocks[4]) - 2 == len(data["failures"])
