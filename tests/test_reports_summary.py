"""`report summary`: every number against the hand-computed fixture (tests/reports_fixture.py), every format
parsed back and compared number for number, filters, periods and bad input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

import reports_fixture as rf

PERIOD = ("--from", rf.FROM, "--to", rf.TO)


@pytest.fixture
def report_db(cli, schools, tmp_path, db_path, monkeypatch):
    folder = rf.write_checklists(tmp_path)
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(folder))
    for name, codes in (("李明", ["NX-001", "NX-003"]), ("王芳", ["NX-002", "NX-004"])):
        assert cli("inspector", "add", name).exit_code == 0
        result = cli("inspector", "assign", name, *codes)
        assert result.exit_code == 0, result.output
    return rf.build(db_path, folder)


def summary_json(cli, *args):
    result = cli("report", "summary", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def by_key(data):
    return {r["key"]: r for r in data["rows"]}


def test_summary_by_school_every_number(cli, report_db):
    data = summary_json(cli, *PERIOD)
    assert data["period"] == {"from": "2020-09-01", "to": "2020-12-31"}
    assert data["totals"] == {
        "visits": 3, "schools": 2, "schools_in_scope": 5, "unvisited_schools": 3, "pass": 9, "fail": 2, "na": 1,
        "info": 3, "w_pass": 11.0, "w_fail": 3.0, "critical_fails": 1, "open_findings": 2, "overdue_findings": 2,
        "reported_findings": 0, "escalated_findings": 0, "fixed_on_site_findings": 0,
        "last_visit": "2020-12-01", "compliance_rate": 0.8182, "score": 0.7857,
    }
    # worst first, schools without a visit (rate null) last, by code
    assert [r["key"] for r in data["rows"]] == ["NX-001", "NX-002", "NX-003", "NX-004", "NX-005"]
    rows = by_key(data)
    assert rows["NX-001"] == {
        "key": "NX-001", "label": "南洲实验小学", "visits": 2, "last_visit": "2020-11-20", "pass": 5, "fail": 2,
        "na": 1, "info": 2, "compliance_rate": 0.7143, "score": 0.6667, "open_findings": 1, "overdue_findings": 1,
        "reported_findings": 0, "escalated_findings": 0, "fixed_on_site_findings": 0,
        "critical_fails": 1, "town": "南洲镇", "inspector": "李明",
    }
    assert rows["NX-002"] == {
        "key": "NX-002", "label": "华阁镇中心学校", "visits": 1, "last_visit": "2020-12-01", "pass": 4, "fail": 0,
        "na": 0, "info": 1, "compliance_rate": 1.0, "score": 1.0, "open_findings": 0, "overdue_findings": 0,
        "reported_findings": 0, "escalated_findings": 0, "fixed_on_site_findings": 0,
        "critical_fails": 0, "town": "华阁镇", "inspector": "王芳",
    }
    # NX-003: no visit in the period, but the finding from August is open and overdue at 2020-12-31
    assert (rows["NX-003"]["visits"], rows["NX-003"]["compliance_rate"], rows["NX-003"]["open_findings"],
            rows["NX-003"]["overdue_findings"]) == (0, None, 1, 1)
    # NX-005: its only visit was voided, so nothing counts and its finding was withdrawn
    assert (rows["NX-005"]["visits"], rows["NX-005"]["pass"], rows["NX-005"]["open_findings"]) == (0, 0, 0)
    assert [(u["code"], u["inspector"], u["last_visit_before"]) for u in data["unvisited"]] == [
        ("NX-005", None, None), ("NX-003", "李明", "2020-08-15"), ("NX-004", "王芳", None)]


def test_summary_by_town_inspector_checklist(cli, report_db):
    towns = summary_json(cli, *PERIOD, "--by", "town")
    assert [r["key"] for r in towns["rows"]] == ["南洲镇", "华阁镇", "乌嘴乡"]
    t = by_key(towns)
    assert (t["南洲镇"]["visits"], t["南洲镇"]["pass"], t["南洲镇"]["fail"], t["南洲镇"]["compliance_rate"],
            t["南洲镇"]["open_findings"], t["南洲镇"]["overdue_findings"]) == (2, 5, 2, 0.7143, 2, 2)
    assert (t["华阁镇"]["visits"], t["华阁镇"]["compliance_rate"], t["华阁镇"]["open_findings"]) == (1, 1.0, 0)
    assert (t["乌嘴乡"]["visits"], t["乌嘴乡"]["compliance_rate"]) == (0, None)
    assert towns["totals"]["visits"] == 3

    people = by_key(summary_json(cli, *PERIOD, "--by", "inspector"))
    assert (people["李明"]["visits"], people["李明"]["pass"], people["李明"]["fail"], people["李明"]["open_findings"],
            people["李明"]["overdue_findings"]) == (2, 5, 2, 2, 2)
    assert (people["王芳"]["visits"], people["王芳"]["pass"], people["王芳"]["compliance_rate"]) == (1, 4, 1.0)
    assert people[""]["visits"] == 0 and people[""]["label"] == "(no supervisor assigned)"

    lists = summary_json(cli, *PERIOD, "--by", "checklist")
    assert [(r["key"], r["label"], r["visits"], r["pass"], r["fail"], r["na"], r["compliance_rate"], r["score"],
             r["open_findings"], r["overdue_findings"]) for r in lists["rows"]] == [
        ("mini", "Mini checklist", 3, 9, 2, 1, 0.8182, 0.7857, 2, 2)]


def test_summary_by_plan_item(cli, report_db):
    data = summary_json(cli, *PERIOD, "--by", "plan-item")
    assert [r["key"] for r in data["rows"]] == list(range(1, 22))
    rows = by_key(data)
    assert {k: rows[1][k] for k in ("visits", "pass", "fail", "na", "compliance_rate", "score", "open_findings",
                                     "overdue_findings")} == {
        "visits": 3, "pass": 4, "fail": 2, "na": 0, "compliance_rate": 0.6667, "score": 0.6667,
        "open_findings": 2, "overdue_findings": 2}
    assert (rows[2]["pass"], rows[2]["fail"], rows[2]["compliance_rate"], rows[2]["open_findings"]) == (5, 1, 0.8333, 1)
    assert (rows[3]["pass"], rows[3]["fail"], rows[3]["na"], rows[3]["info"],
            rows[3]["compliance_rate"]) == (2, 0, 1, 3, 1.0)
    # the critical point m-a checks plan item 1 only; it failed once in the period (V2)
    assert [rows[n]["critical_fails"] for n in (1, 2, 3)] == [1, 0, 0]
    assert all(rows[n]["critical_fails"] == 0 for n in range(4, 22))
    assert rows[1]["label"] == "Ideological and political education"
    assert all(rows[n]["visits"] == 0 and rows[n]["compliance_rate"] is None for n in range(4, 22))


@pytest.mark.parametrize(
    "args, visits, in_scope, unvisited, passed, failed, open_, overdue",
    [
        (("--town", "南洲镇"), 2, 3, ["NX-003", "NX-004"], 5, 2, 2, 2),
        (("--stage", "kindergarten"), 0, 1, ["NX-004"], 0, 0, 0, 0),
        (("--inspector", "王芳"), 1, 2, ["NX-004"], 4, 0, 0, 0),
        (("--checklist", "mini"), 3, 5, ["NX-005", "NX-003", "NX-004"], 9, 2, 2, 2),
        (("--from", "2021-01-01", "--to", "2021-06-30"), 0, 5, ["NX-005", "NX-002", "NX-001", "NX-003", "NX-004"],
         0, 0, 2, 2),
    ],
)
def test_summary_filters(cli, report_db, args, visits, in_scope, unvisited, passed, failed, open_, overdue):
    data = summary_json(cli, *PERIOD, *args)
    t = data["totals"]
    assert (t["visits"], t["schools_in_scope"], t["pass"], t["fail"], t["open_findings"], t["overdue_findings"]) == (
        visits, in_scope, passed, failed, open_, overdue)
    assert [u["code"] for u in data["unvisited"]] == unvisited
    assert len(data["rows"]) == in_scope


@pytest.mark.parametrize(
    "args, message",
    [(("--town", "南州镇"), "no school is in '南州镇'"), (("--inspector", "李四"), "no supervisor named '李四'"),
     (("--checklist", "routine-monthy"), "no visit was ever recorded with checklist 'routine-monthy'")],
)
def test_summary_unknown_filter_values_are_refused(cli, report_db, args, message):
    for command in (("summary",), ("matrix",), ("item", "1")):
        if command[0] != "summary" and args[0] != "--town":
            continue
        result = cli("report", *command, *args)
        assert result.exit_code == 2, result.output
        assert message in result.stderr
    assert "南洲镇" in cli("report", "summary", "--town", "南州镇").stderr  # the known towns are listed


def test_findings_are_counted_as_of_the_end_of_the_period(cli, report_db):
    # At 2020-11-01 the fee finding of NX-001 (resolved 2020-11-20) was still open but not yet due;
    # NX-003's finding (due 2020-09-14) was overdue. The voided visit's finding never counts.
    data = summary_json(cli, "--to", "2020-11-01")
    assert data["period"] == {"from": "2020-09-01", "to": "2020-11-01"}  # from: start of that school year
    assert (data["totals"]["visits"], data["totals"]["pass"], data["totals"]["fail"]) == (1, 3, 1)
    assert (data["totals"]["open_findings"], data["totals"]["overdue_findings"]) == (2, 1)
    august = summary_json(cli, "--to", "2020-08-31")
    assert august["period"]["from"] == "2019-09-01"
    assert (august["totals"]["visits"], august["totals"]["pass"], august["totals"]["fail"],
            august["totals"]["compliance_rate"]) == (1, 3, 1, 0.75)  # a, c, d pass; b fails
    assert (august["totals"]["open_findings"], august["totals"]["overdue_findings"]) == (1, 0)


def test_default_period_is_the_current_school_year(cli, report_db):
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    data = summary_json(cli)
    assert data["period"] == {"from": start.isoformat(), "to": today.isoformat()}
    result = cli("report", "summary")
    assert f"Period: {start.isoformat()} – {today.isoformat()}" in result.stdout


def test_drafts_and_void_visits_are_ignored(cli, report_db):
    data = summary_json(cli, "--from", "2020-12-02", "--to", "2020-12-31")  # only the draft V4 lies here
    assert data["totals"]["visits"] == 0
    data = summary_json(cli, "--from", "2020-11-01", "--to", "2020-11-01")  # only the void V5 lies here
    assert data["totals"]["visits"] == 0
    assert "NX-005" in [u["code"] for u in data["unvisited"]]


# -- formats agree number for number ----------------------------------------------------------------

class Tables(HTMLParser):
    """Every <table> as a list of rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self.row, self.cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr":
            self.tables[-1].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def _pct(value):
    return "—" if value is None else f"{value * 100:.1f}%"


def test_summary_formats_agree(cli, report_db, tmp_path):
    from openpyxl import load_workbook

    data = summary_json(cli, *PERIOD)
    for ext in ("csv", "xlsx", "html", "md", "json", "txt"):
        result = cli("report", "summary", *PERIOD, "--output", tmp_path / f"s.{ext}")
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8")) == data

    raw = (tmp_path / "s.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:5] == ["code", "school", "town", "supervisor", "visits"]
    col = {name: i for i, name in enumerate(header)}
    assert len(rows) - 1 == len(data["rows"])
    for line, expected in zip(rows[1:], data["rows"], strict=True):
        assert line[col["code"]] == expected["key"]
        assert line[col["school"]] == expected["label"]
        for name, key in (("visits", "visits"), ("pass", "pass"), ("fail", "fail"), ("n/a", "na"),
                          ("open", "open_findings"), ("overdue", "overdue_findings"), ("critical", "critical_fails")):
            assert int(line[col[name]]) == expected[key], name
        for name, key in (("compliance", "compliance_rate"), ("score", "score")):
            assert (float(line[col[name]]) if line[col[name]] else None) == expected[key], name

    wb = load_workbook(tmp_path / "s.xlsx")
    ws = wb["Rows"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    xrows = list(ws.iter_rows(values_only=True))
    assert list(xrows[0]) == header
    for line, expected in zip(xrows[1:], data["rows"], strict=True):
        assert line[col["code"]] == expected["key"]
        assert line[col["visits"]] == expected["visits"] and isinstance(line[col["visits"]], int)
        assert line[col["fail"]] == expected["fail"]
        assert line[col["compliance"]] == expected["compliance_rate"]
        assert line[col["overdue"]] == expected["overdue_findings"]
    rate_cell = ws.cell(row=2, column=col["compliance"] + 1)
    assert rate_cell.number_format == "0.0%" and isinstance(rate_cell.value, float)
    totals = {r[0]: r[1] for r in wb["Totals"].iter_rows(min_row=2, values_only=True)}
    assert totals["Visits"] == 3 and totals["Compliance rate"] == 0.8182 and totals["Overdue findings"] == 2
    assert [r[0] for r in wb["Unvisited"].iter_rows(min_row=2, values_only=True)] == [
        "NX-005", "NX-003", "NX-004"]

    parser = Tables()
    html = (tmp_path / "s.html").read_text(encoding="utf-8")
    parser.feed(html)
    assert "@page" in html and "A4" in html and "<script" not in html and "http" not in html.split("<body>")[0]
    totals_table, rows_table = parser.tables[0], parser.tables[1]
    assert ["Visits", "3"] in totals_table and ["Compliance rate", "81.8%"] in totals_table
    assert rows_table[0] == header
    for line, expected in zip(rows_table[1:], data["rows"], strict=True):
        assert line[col["code"]] == expected["key"]
        assert line[col["visits"]] == str(expected["visits"])
        assert line[col["fail"]] == str(expected["fail"])
        assert line[col["compliance"]] == _pct(expected["compliance_rate"])
        assert line[col["open"]] == str(expected["open_findings"])

    md = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert "| NX-001 | 南洲实验小学 | 南洲镇 | 李明 | 2 | 2020-11-20 | 5 | 2 | 1 | 71.4% | 66.7% | 1 | 1 | 1 |" in md
    txt = (tmp_path / "s.txt").read_text(encoding="utf-8")
    assert "\x1b[" not in txt and "NX-001" in txt and "71.4%" in txt


def test_summary_table_reads_at_80_and_160_columns(cli, report_db):
    wide = cli("report", "summary", *PERIOD, env={"COLUMNS": "160"})
    assert wide.exit_code == 0
    lines = wide.stdout.splitlines()
    assert max(len(line) for line in lines) <= 160
    header = next(line for line in lines if line.startswith("code"))
    for word in ("school", "town", "supervisor", "visits", "last visit", "pass", "fail", "compliance", "score",
                 "open", "overdue", "critical"):
        assert word in header
    row = next(line for line in lines if line.startswith("NX-001"))
    # the last number: `reported` (the columns added with it that do not fit 160 are left out first)
    assert row.split() == ["NX-001", "南洲实验小学", "南洲镇", "李明", "2", "2020-11-20", "5", "2", "1", "71.4%",
                           "66.7%", "1", "1", "1", "0"]
    narrow = cli("report", "summary", *PERIOD, env={"COLUMNS": "80"})
    from rich.cells import cell_len

    assert max(cell_len(line) for line in narrow.stdout.splitlines()) <= 80
    row = next(line for line in narrow.stdout.splitlines() if line.startswith("NX-001"))
    assert "南洲实验小学" in row and "71.4%" in row
    head = next(line for line in narrow.stdout.splitlines() if line.startswith("code"))
    for word in ("visits", "fail", "compliance", "open", "overdue"):
        assert word in head
    assert "\x1b[" not in narrow.stdout


def test_summary_in_chinese(cli, report_db):
    result = cli("--lang", "zh", "report", "summary", *PERIOD)
    assert result.exit_code == 0
    assert "督导合规汇总" in result.stdout and "期间: 2020-09-01 – 2020-12-31" in result.stdout
    assert "期间内未到访的学校" in result.stdout


# -- bad input ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "args, message",
    [
        (("--from", "2020-12-31", "--to", "2020-09-01"), "is after --to"),
        (("--from", "2020-13-01"), "not a date"),
        (("--to", "yesterday"), "not a date"),
        (("--stage", "college"), "unknown stage"),
        (("--format", "xlsx"), "cannot go to the terminal"),
        (("--format", "docx"), "cannot go to the terminal"),
    ],
)
def test_summary_bad_input(cli, report_db, args, message):
    result = cli("report", "summary", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [("--by", "county"), ("--format", "pdf")])
def test_summary_bad_choice(cli, report_db, args):
    result = cli("report", "summary", *args)
    assert result.exit_code == 2


def test_summary_output_folder_missing(cli, report_db, tmp_path):
    result = cli("report", "summary", "--output", tmp_path / "nope" / "s.csv")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "nope").exists()


def test_summary_without_database(cli, tmp_path, db_path):
    result = cli("report", "summary")
    assert result.exit_code == 1
    assert "no database yet" in result.stderr
    assert not db_path.exists()


def test_summary_on_empty_database(cli, schools):
    data = summary_json(cli, *PERIOD)
    assert data["totals"]["visits"] == 0 and data["totals"]["compliance_rate"] is None
    assert len(data["unvisited"]) == 5
    result = cli("report", "summary", *PERIOD)
    assert result.exit_code == 0 and "NX-001" in result.stdout
