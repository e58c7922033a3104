"""`report matrix`, `report item N`, `report school`, `report visit`: every number against the hand-computed
fixture (tests/reports_fixture.py), formats parsed back."""

from __future__ import annotations

import csv
import io
import json

import pytest

import reports_fixture as rf
from test_reports_summary import PERIOD, Tables, report_db  # noqa: F401  (shared fixture)


def run_json(cli, *args):
    result = cli("report", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- matrix -------------------------------------------------------------------------------------------

def test_matrix_numbers(cli, report_db):
    data = run_json(cli, "matrix", *PERIOD)
    assert data["columns"] == list(range(1, 22))
    assert data["period"] == {"from": "2020-09-01", "to": "2020-12-31"}
    # grouped by town (then code)
    assert [(r["town"], r["code"]) for r in data["rows"]] == [
        ("乌嘴乡", "NX-005"), ("华阁镇", "NX-002"), ("南洲镇", "NX-001"), ("南洲镇", "NX-003"), ("南洲镇", "NX-004")]
    rows = {r["code"]: r["cells"] for r in data["rows"]}
    assert set(rows["NX-001"]) == {str(n) for n in range(1, 22)}
    assert (rows["NX-001"]["1"], rows["NX-001"]["2"], rows["NX-001"]["3"]) == (0.5, 0.75, 1.0)
    assert (rows["NX-002"]["1"], rows["NX-002"]["2"], rows["NX-002"]["3"]) == (1.0, 1.0, 1.0)
    assert all(v is None for v in rows["NX-005"].values())  # only a void visit
    assert all(rows["NX-001"][str(n)] is None for n in range(4, 22))
    assert ((data["county"]["1"], data["county"]["2"], data["county"]["3"], data["county"]["4"])
            == (0.6667, 0.8333, 1.0, None))


def test_matrix_town_filter_and_formats(cli, report_db, tmp_path):
    from openpyxl import load_workbook

    data = run_json(cli, "matrix", *PERIOD, "--town", "华阁镇")
    assert [r["code"] for r in data["rows"]] == ["NX-002"]
    full = run_json(cli, "matrix", *PERIOD)
    for ext in ("csv", "xlsx", "html"):
        assert cli("report", "matrix", *PERIOD, "-o", tmp_path / f"m.{ext}").exit_code == 0
    rows = list(csv.reader(io.StringIO((tmp_path / "m.csv").read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["code", "school", "town"] + [str(n) for n in range(1, 22)]
    for line, expected in zip(rows[1:], full["rows"], strict=True):
        assert line[0] == expected["code"]
        assert [float(v) if v else None for v in line[3:]] == [expected["cells"][str(n)] for n in range(1, 22)]
    ws = load_workbook(tmp_path / "m.xlsx")["Matrix"]
    for line, expected in zip(list(ws.iter_rows(values_only=True))[1:], full["rows"], strict=True):
        assert list(line[3:]) == [expected["cells"][str(n)] for n in range(1, 22)]
    parser = Tables()
    parser.feed((tmp_path / "m.html").read_text(encoding="utf-8"))
    grid = [r for r in parser.tables[0][1:] if len(r) == 24]
    assert [r[0] for r in grid] == [r["code"] for r in full["rows"]]
    nx1 = next(r for r in grid if r[0] == "NX-001")
    assert nx1[3:6] == ["50", "75", "100"] and nx1[6] == "·"
    assert 'class="num bad"' in (tmp_path / "m.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("columns", ["80", "160"])
def test_matrix_fits_the_terminal(cli, report_db, columns):
    from rich.cells import cell_len

    result = cli("report", "matrix", *PERIOD, env={"COLUMNS": columns})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= int(columns)
    nx1 = [line for line in lines if line.startswith("南洲实验小学")]
    if columns == "160":
        assert len(nx1) == 1 and nx1[0].split()[1:4] == ["50", "75", "100"]
        assert nx1[0].split().count("·") == 18
    else:  # split into two blocks of columns, the school named in each
        assert len(nx1) == 2
        assert nx1[0].split()[1:4] == ["50", "75", "100"]
        assert len(nx1[0].split()) - 1 + len(nx1[1].split()) - 1 == 21


# -- item ---------------------------------------------------------------------------------------------

def test_item_numbers(cli, report_db):
    data = run_json(cli, "item", "1", *PERIOD)
    assert data["item"] == {"number": 1, "title": "Ideological and political education"}
    assert data["totals"] == {"visits": 3, "schools": 2, "pass": 4, "fail": 2, "na": 0, "failing_schools": 1,
                              "compliance_rate": 0.6667}
    assert [(p["checklist"], p["item"], p["text"]) for p in data["points"]] == [
        ("mini", "m-a", "A drill was held"), ("mini", "m-b", "Fees are posted")]
    assert [(t["town"], t["visits"], t["pass"], t["fail"], t["compliance_rate"]) for t in data["by_town"]] == [
        ("南洲镇", 2, 2, 2, 0.5), ("华阁镇", 1, 2, 0, 1.0)]
    assert [(s["code"], s["visits"], s["pass"], s["fail"], s["compliance_rate"]) for s in data["by_school"]] == [
        ("NX-001", 2, 2, 2, 0.5), ("NX-002", 1, 2, 0, 1.0)]
    # failing schools: the latest visit's failed points (V1's fee failure passed at V2, so it is not listed)
    assert [(f["code"], f["date"], f["item"], f["value"], f["note"], f["finding"]) for f in data["failures"]] == [
        ("NX-001", "2020-11-20", "m-a", "no", "本学期未演练", "open"),
    ]
    october = run_json(cli, "item", "1", "--from", rf.FROM, "--to", "2020-10-31")
    assert [(f["code"], f["date"], f["item"], f["note"], f["finding"]) for f in october["failures"]] == [
        ("NX-001", "2020-10-10", "m-b", "收费公示栏缺失", "resolved")]


def test_item_uses_the_latest_answer_revision(cli, report_db):
    # V2 first recorded m-c = 60 (fail), then amended to 45 (pass): NX-001's latest visit fails nothing on item 2.
    data = run_json(cli, "item", "2", *PERIOD)
    assert (data["totals"]["pass"], data["totals"]["fail"]) == (5, 1)
    assert data["failures"] == []
    assert data["totals"]["failing_schools"] == 0
    three = run_json(cli, "item", "3", *PERIOD)
    assert (three["totals"]["pass"], three["totals"]["fail"], three["totals"]["na"]) == (2, 0, 1)
    assert three["failures"] == []
    four = run_json(cli, "item", "4", *PERIOD)
    assert four["points"] == [] and four["totals"]["compliance_rate"] is None


def test_item_formats_agree(cli, report_db, tmp_path):
    from openpyxl import load_workbook

    data = run_json(cli, "item", "1", *PERIOD)
    for ext in ("csv", "xlsx", "html", "md"):
        assert cli("report", "item", "1", *PERIOD, "-o", tmp_path / f"i.{ext}").exit_code == 0
    text = (tmp_path / "i.csv").read_bytes().decode("utf-8-sig")
    blocks = [list(csv.reader(io.StringIO(b))) for b in text.split("\r\n\r\n")]
    titles = [b[0][0] for b in blocks]
    assert titles == ["Totals", "Points that check this item", "By town", "By school (worst first)",
                      "Failing schools (latest visit in the period)"]
    by_school = blocks[3]
    assert by_school[1][:3] == ["code", "school", "town"]
    assert [(r[0], int(r[4]), int(r[5]), int(r[6]), float(r[8])) for r in by_school[2:]] == [
        (s["code"], s["visits"], s["pass"], s["fail"], s["compliance_rate"]) for s in data["by_school"]]
    wb = load_workbook(tmp_path / "i.xlsx")
    sheet = wb["Failing schools"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["NX-001"]
    assert wb["By town"]["F2"].value == 0.5 and wb["By town"]["F2"].number_format == "0.0%"
    parser = Tables()
    parser.feed((tmp_path / "i.html").read_text(encoding="utf-8"))
    assert ["Compliance rate", "66.7%"] in parser.tables[0]
    assert parser.tables[2][1] == ["南洲镇", "2", "2", "2", "0", "50.0%"]
    md = (tmp_path / "i.md").read_text(encoding="utf-8")
    assert "| 南洲镇 | 2 | 2 | 2 | 0 | 50.0% |" in md


@pytest.mark.parametrize("arg", ["0", "22", "-1"])
def test_item_out_of_range(cli, report_db, arg):
    result = cli("report", "item", "--", arg) if arg.startswith("-") else cli("report", "item", arg)
    assert result.exit_code == 2
    assert "1..21" in result.stderr


def test_item_not_a_number(cli, report_db):
    assert cli("report", "item", "seven").exit_code == 2


@pytest.mark.parametrize("columns", ["80", "160"])
def test_item_reads_at_80_and_160(cli, report_db, columns):
    from rich.cells import cell_len

    result = cli("report", "item", "1", *PERIOD, env={"COLUMNS": columns})
    assert result.exit_code == 0
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= int(columns)
    assert "本学期未演练" in result.stdout and "50.0%" in result.stdout


# -- school -------------------------------------------------------------------------------------------

def test_school_report_numbers(cli, report_db):
    data = run_json(cli, "school", "nzsyxx", *PERIOD)
    assert data["school"]["code"] == "NX-001" and data["school"]["inspector"] == "李明"
    assert data["totals"] == {"visits": 2, "last_visit": "2020-11-20", "pass": 5, "fail": 2, "na": 1,
                              "critical_fails": 1, "open_findings": 1, "overdue_findings": 1,
                              "compliance_rate": 0.7143, "score": 0.6667}
    assert data["months"] == [
        {"month": "2020-09", "visits": 0, "pass": 0, "fail": 0, "na": 0, "compliance_rate": None},
        {"month": "2020-10", "visits": 1, "pass": 3, "fail": 1, "na": 0, "compliance_rate": 0.75},
        {"month": "2020-11", "visits": 1, "pass": 2, "fail": 1, "na": 1, "compliance_rate": 0.6667},
        {"month": "2020-12", "visits": 0, "pass": 0, "fail": 0, "na": 0, "compliance_rate": None},
    ]
    assert [(v["id"], v["date"], v["pass"], v["fail"], v["na"], v["compliance_rate"], v["score"])
            for v in data["visits"]] == [
        (report_db["v2"], "2020-11-20", 2, 1, 1, 0.6667, 0.5), (report_db["v1"], "2020-10-10", 3, 1, 0, 0.75, 0.8)]
    assert [(f["item"], f["severity"], f["opened"], f["due"], f["days_overdue"]) for f in data["open_findings"]] == [
        ("m-a", "critical", "2020-11-20", "2020-11-27", 34)]
    assert [(p["number"], p["pass"], p["fail"], p["compliance_rate"]) for p in data["worst_plan_items"]] == [
        (1, 2, 2, 0.5), (2, 3, 1, 0.75), (3, 1, 0, 1.0)]


def test_school_report_bar_chart_and_unknown_school(cli, report_db):
    result = cli("report", "school", "NX-001", *PERIOD)
    assert result.exit_code == 0
    line = next(printed for printed in result.stdout.splitlines() if printed.startswith("2020-10"))
    assert "75.0%" in line and "█" * 15 in line and "█" * 16 not in line
    assert cli("report", "school", "no such school").exit_code == 2
    ambiguous = cli("report", "school", "中心")
    assert ambiguous.exit_code == 2 and "matches" in ambiguous.stderr


def test_school_report_unvisited_school(cli, report_db):
    data = run_json(cli, "school", "NX-003", *PERIOD)
    assert data["totals"]["visits"] == 0 and data["totals"]["compliance_rate"] is None
    assert [(f["item"], f["due"], f["days_overdue"]) for f in data["open_findings"]] == [("m-b", "2020-09-14", 108)]


# -- visit: the 督导意见书 ------------------------------------------------------------------------------

def test_visit_report_numbers(cli, report_db):
    data = run_json(cli, "visit", report_db["v2"][:8])
    assert data["id"] == report_db["v2"] and data["status"] == "submitted"
    assert data["school"] == {"code": "NX-001", "name": "南洲实验小学", "town": "南洲镇"}
    assert (data["date"], data["inspector"], data["responsible_inspector"]) == ("2020-11-20", "李明", "李明")
    assert data["counts"] == {"pass": 2, "fail": 1, "na": 1, "info": 1}
    assert (data["compliance_rate"], data["score"]) == (0.6667, 0.5)
    assert [(p["item"], p["outcome"], p["value"], p["revision"]) for p in data["points"]] == [
        ("m-a", "fail", "no", 1), ("m-b", "pass", "yes", 1), ("m-c", "pass", "45", 2), ("m-d", "na", "", 1),
        ("m-e", "info", "一般", 1)]
    assert data["points"][0]["plan"] == [1] and data["points"][1]["plan"] == [1, 2]
    # the class-size finding was withdrawn by the amendment: only the drill remains to be fixed
    assert [(r["item"], r["severity"], r["due"], r["status"]) for r in data["rectifications"]] == [
        ("m-a", "critical", "2020-11-27", "open")]
    first = run_json(cli, "visit", report_db["v1"])
    assert [(r["item"], r["due"], r["status"]) for r in first["rectifications"]] == [("m-b", "2020-11-09", "resolved")]


def test_visit_report_formats(cli, report_db, tmp_path):
    from docx import Document

    vid = report_db["v2"]
    for ext in ("md", "html", "docx", "xlsx", "csv"):
        result = cli("report", "visit", vid, "-o", tmp_path / f"v.{ext}")
        assert result.exit_code == 0, result.output
    md = (tmp_path / "v.md").read_text(encoding="utf-8")
    assert "# Supervision opinion: 南洲实验小学" in md
    # the failed point in words (no point id in print: DESIGN.md "Documents for the school")
    assert "| 1 | A drill was held | not in place | 本学期未演练 | this must be in place | critical |" in md
    assert "m-a" not in md
    assert "Supervisor (signature): ____" in md and "Head of school (signature and stamp)" in md
    html = (tmp_path / "v.html").read_text(encoding="utf-8")
    assert "size: A4" in html and "Fix by 2020-11-27" in html
    parser = Tables()
    parser.feed(html)
    failed = next(t for t in parser.tables if t[0][:3] == ["no.", "point", "found"])
    assert failed[1] == ["1", "A drill was held", "not in place", "本学期未演练", "this must be in place", "critical"]
    doc = Document(str(tmp_path / "v.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Supervision opinion: 南洲实验小学" in text and "Supervisor (signature)" in text
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert ["1", "A drill was held", "not in place", "本学期未演练", "this must be in place", "critical"] in cells
    assert any(r[1] == "A drill was held" and "2020-11-27" in r[2] for r in cells)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    result = cli("report", "visit", vid, "--format", "docx")
    assert result.exit_code == 2 and "--output" in result.stderr


def test_visit_report_draft_and_void_are_marked(cli, report_db):
    draft = cli("report", "visit", report_db["v4"])
    assert draft.exit_code == 0 and "DRAFT" in draft.stdout
    void = run_json(cli, "visit", report_db["v5"])
    assert void["status"] == "void" and void["void_reason"] == "wrong school"
    assert void["rectifications"] == []  # its findings were withdrawn
    assert "VOID: wrong school" in cli("report", "visit", report_db["v5"]).stdout


@pytest.mark.parametrize("ref", ["0000", "ffffffff", "not-a-visit"])
def test_visit_report_unknown(cli, report_db, ref):
    result = cli("report", "visit", ref)
    assert result.exit_code == 2
    assert "no visit" in result.stderr


def test_every_report_command_has_help(cli):
    for name in ("summary", "school", "item", "matrix", "visit"):
        result = cli("report", name, "--help")
        assert result.exit_code == 0 and "--format" in result.stdout


def test_visit_report_says_a_rechecked_finding_is_overdue(cli, schools, tmp_path, db_path):
    """A point failed again after its deadline: the 督导意见书 must not ask to fix it 'by' a past date."""
    from nanxian_cli.files.checklist_file import load_checklist
    from nanxian_cli.store import open_store

    folder = rf.write_checklists(tmp_path)
    loaded = load_checklist(folder / "mini.yaml")
    with open_store(db_path) as store:
        first = rf.record(store, loaded, "NX-001", "2020-10-10",
                          {"m-a": "yes", "m-b": "no", "m-c": 40, "m-d": "yes", "m-e": "x"})
        again = rf.record(store, loaded, "NX-001", "2020-12-20",
                          {"m-a": "yes", "m-b": "no", "m-c": 40, "m-d": "yes", "m-e": "x"})
    data = json.loads(cli("--checklists", folder, "report", "visit", again, "--format", "json").stdout)
    (rect,) = data["rectifications"]
    assert rect["item"] == "m-b" and rect["status"] == "open" and rect["due"] < "2020-12-20"
    assert rect["requirement"].startswith(f"Overdue (was due {rect['due']})")
    data = json.loads(cli("--checklists", folder, "report", "visit", first, "--format", "json").stdout)
    assert data["rectifications"][0]["requirement"].startswith(f"Fix by {rect['due']}")
