"""Lists a bureau uses: `finding list --inspector --town --due-within --escalated --status reported`, and the
counts of reported, escalated and fixed-on-site findings in `report summary` and `report digest` (with its
section of findings due in the coming week)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from test_finding_loop import ALL_FAIL, SHORT, ok, snapshot
from visit_helpers import record, vdir  # noqa: F401


@pytest.fixture
def county(cli, vdir, tmp_path):
    """NX-001 (南洲镇, 李明) and NX-002 (华阁镇, 王芳) fail every point on 2020-11-02 (#1-#3 and #4-#6); NX-005
    (乌嘴乡, nobody assigned) on 2020-11-03 (#7-#9). Due: critical +3 days, major +10, minor +20."""
    (vdir / "t-short.yaml").write_text(SHORT, encoding="utf-8")
    ok(cli, "inspector", "assign", "李明", "NX-001")
    ok(cli, "inspector", "assign", "王芳", "NX-002")
    for n, (code, day) in enumerate((("NX-001", "2020-11-02"), ("NX-002", "2020-11-02"), ("NX-005", "2020-11-03"))):
        record(cli, tmp_path, ALL_FAIL, name=f"v{n}.yaml", school=code, checklist="t-short", date=day)
    return vdir


def ids(cli, *args) -> list[int]:
    result = cli("finding", "list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return [f["id"] for f in json.loads(result.stdout)]


def refused(cli, db_path, *args, message: str) -> None:
    before = snapshot(db_path)
    result = cli("finding", "list", *args)
    assert result.exit_code == 2, (args, result.output)
    assert message in result.stderr, result.stderr
    assert snapshot(db_path) == before


def test_by_inspector_and_town(cli, county, db_path):
    assert ids(cli, "--inspector", "李明") == [1, 2, 3]
    assert ids(cli, "--inspector", "王芳", "--severity", "critical") == [4]
    assert ids(cli, "--inspector", "张三") == []  # registered, responsible for no school
    assert ids(cli, "--town", "南洲镇") == [1, 2, 3]
    assert ids(cli, "--town", "乌嘴乡", "--inspector", "李明") == []
    assert sorted(ids(cli, "--town", "华阁镇")) == [4, 5, 6]
    refused(cli, db_path, "--inspector", "李铭", message="--inspector: no supervisor named '李铭' is registered")
    assert "closest registered names: 李明" in cli("finding", "list", "--inspector", "李铭").stderr
    refused(cli, db_path, "--town", "南州镇", message="--town: no school is in '南州镇'")
    assert "closest towns: 南洲镇" in cli("finding", "list", "--town", "南州镇").stderr
    refused(cli, db_path, "--town", "纽约", message="towns: 乌嘴乡, 华阁镇, 南洲镇")
    refused(cli, db_path, "--town", "x\x1b[2J", message="control character U+001B")


def test_due_within(cli, county, db_path):
    # as of 11-03: NX-001/NX-002 critical due 11-05, NX-005 critical 11-06, majors 11-12 / 11-13
    assert sorted(ids(cli, "--due-within", "2", "--as-of", "2020-11-03")) == [1, 4]
    assert sorted(ids(cli, "--due-within", "3", "--as-of", "2020-11-03")) == [1, 4, 7]
    assert sorted(ids(cli, "--due-within", "9", "--as-of", "2020-11-03")) == [1, 2, 4, 5, 7]
    assert ids(cli, "--due-within", "0", "--as-of", "2020-11-04") == []
    assert sorted(ids(cli, "--due-within", "0", "--as-of", "2020-11-05")) == [1, 4]  # due today: not overdue yet
    # overdue ones (#1, #4: due 11-05) are not "due within": they are due already
    assert sorted(ids(cli, "--due-within", "7", "--as-of", "2020-11-06")) == [2, 5, 7, 8]  # #7 due 11-06: today
    assert sorted(ids(cli, "--due-within", "7", "--as-of", "2020-11-06", "--town", "南洲镇")) == [2]
    for bad in ("-1", "x", "99999"):
        refused(cli, db_path, "--due-within", bad, message="--due-within")


def test_status_reported_and_escalated_as_they_stood(cli, county, tmp_path, db_path):
    ok(cli, "finding", "report", "1", "--measures", "已整改", "--date", "2020-11-04", "--by", "李明")
    ok(cli, "finding", "escalate", "6", "--reason", "需统筹经费", "--by", "王芳")
    assert ids(cli, "--status", "reported", "--as-of", "2020-11-03") == []
    assert ids(cli, "--status", "reported", "--as-of", "2020-11-04") == [1]
    assert ids(cli, "--status", "open", "--as-of", "2020-11-04", "--inspector", "李明") == [1, 2, 3]  # in progress
    assert ids(cli, "--escalated") == [6]
    assert ids(cli, "--escalated", "--as-of", "2020-11-30") == []  # escalated only today
    # the re-check of 11-09 fails: back to open from then on, reported before
    record(cli, tmp_path, ALL_FAIL, name="again.yaml", school="NX-001", checklist="t-short", date="2020-11-09")
    assert ids(cli, "--status", "reported", "--as-of", "2020-11-06") == [1]
    assert ids(cli, "--status", "reported", "--as-of", "2020-11-10") == []
    assert ids(cli, "--status", "reported") == []
    then = json.loads(ok(cli, "finding", "list", "--format", "json", "--as-of", "2020-11-06", "--inspector",
                         "李明").stdout)
    assert [(f["id"], f["status"], f["status_as_of"]) for f in then] == [
        (1, "open", "reported"), (2, "open", "open"), (3, "open", "open")]
    zh = ok(cli, "--lang", "zh", "finding", "list", "--status", "reported", "--as-of", "2020-11-06").stdout
    assert "待整改" in zh  # its state now: one word per state, the same everywhere


# -- report summary -----------------------------------------------------------------------------------

def test_summary_counts_reported_escalated_and_fixed_on_site(cli, county, tmp_path, db_path):
    ok(cli, "finding", "report", "1", "--measures", "已整改", "--date", "2020-11-04", "--by", "李明")
    ok(cli, "finding", "escalate", "2", "--reason", "需统筹", "--by", "李明")
    ok(cli, "finding", "resolve", "4", "--note", "当场整改", "--on-site", "--by", "王芳")
    record(cli, tmp_path, {"s-crit": {"value": "no", "fixed_on_site": True}, "s-major": "yes", "s-minor": "yes"},
           name="fix.yaml", school="NX-003", checklist="t-short", date="2020-11-20")

    def summary(*args):
        return json.loads(ok(cli, "report", "summary", "--from", "2020-11-01", "--to", "2020-11-30", "--format",
                             "json", *args).stdout)

    data = summary()
    t = data["totals"]
    assert (t["open_findings"], t["reported_findings"], t["escalated_findings"], t["fixed_on_site_findings"]) == (
        8, 1, 0, 2)  # the escalation is dated today, after the period
    rows = {r["key"]: r for r in data["rows"]}
    assert (rows["NX-001"]["reported_findings"], rows["NX-002"]["fixed_on_site_findings"],
            rows["NX-003"]["fixed_on_site_findings"], rows["NX-003"]["open_findings"], rows["NX-003"]["fail"]) == (
        1, 1, 1, 0, 1)
    up_to_today = json.loads(ok(cli, "report", "summary", "--from", "2020-11-01", "--format", "json").stdout)
    assert (up_to_today["totals"]["escalated_findings"], up_to_today["totals"]["reported_findings"]) == (1, 1)
    assert summary("--to", "2020-11-03")["totals"]["reported_findings"] == 0
    towns = {r["key"]: r for r in summary("--by", "town")["rows"]}
    assert (towns["南洲镇"]["reported_findings"], towns["南洲镇"]["fixed_on_site_findings"],
            towns["华阁镇"]["fixed_on_site_findings"]) == (1, 1, 1)
    items = {r["key"]: r for r in summary("--by", "plan-item")["rows"]}
    assert (items[21]["reported_findings"], items[21]["fixed_on_site_findings"]) == (1, 2)
    csv_head = ok(cli, "report", "summary", "--from", "2020-11-01", "--to", "2020-11-30", "--format",
                  "csv").stdout.splitlines()[0]
    assert csv_head.endswith(",reported,escalated,fixed on site")
    wide = {"COLUMNS": "250"}
    zh = cli("--lang", "zh", "report", "summary", "--from", "2020-11-01", "--to", "2020-11-30", env=wide).stdout
    head = next(line for line in zh.splitlines() if line.startswith("代码"))
    assert head.split()[-3:] == ["待复查", "已上报", "立行立改"]
    assert "待复查（已交整改报告）" in zh and "立行立改（期间内）" in zh
    en = cli("report", "summary", "--from", "2020-11-01", "--to", "2020-11-30", env=wide).stdout
    assert "reported   escalated   fixed on site" in en


def test_school_report_says_which_open_findings_are_reported_or_escalated(cli, county, db_path):
    ok(cli, "finding", "report", "1", "--measures", "已整改", "--date", "2020-11-04", "--by", "李明")
    ok(cli, "finding", "escalate", "2", "--reason", "需统筹", "--by", "李明")
    data = json.loads(ok(cli, "report", "school", "NX-001", "--from", "2020-11-01", "--format", "json").stdout)
    found = {f["id"]: f for f in data["open_findings"]}
    assert [(n, found[n]["status"], found[n]["escalated"]) for n in (1, 2, 3)] == [
        (1, "reported", False), (2, "open", True), (3, "open", False)]
    assert found[1]["uid"] == json.loads(ok(cli, "finding", "show", "1", "--format", "json").stdout)["uid"]
    before = json.loads(ok(cli, "report", "school", "NX-001", "--from", "2020-11-01", "--to", "2020-11-03",
                           "--format", "json").stdout)
    assert [f["status"] for f in before["open_findings"]] == ["open", "open", "open"]
    zh = cli("--lang", "zh", "report", "school", "NX-001", "--from", "2020-11-01", env={"COLUMNS": "250"}).stdout
    assert "待复查" in zh


# -- report digest ------------------------------------------------------------------------------------

class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.cells: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "td"):
            self._in = tag
            (self.headings if tag == "h2" else self.cells).append("")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "h2":
            self.headings[-1] += data
        elif self._in == "td":
            self.cells[-1] += data


def test_digest_counts_and_the_week_ahead(cli, county, tmp_path, db_path):
    """Week 2020-W45 (11-02..11-08): reports on #1 (11-04) and #7 (11-05), #4 fixed on site (11-02), a visit of
    NX-003 with a fix on site (11-06); due in W46 (11-09..11-15): the majors #2, #5 (11-12) and #8 (11-13)."""
    ok(cli, "finding", "report", "1", "--measures", "已整改", "--date", "2020-11-04", "--by", "李明")
    ok(cli, "finding", "report", "7", "--measures", "已整改", "--date", "2020-11-05", "--by", "李明")
    ok(cli, "finding", "resolve", "4", "--note", "当场整改", "--on-site", "--by", "王芳")
    record(cli, tmp_path, {"s-crit": {"value": "no", "fixed_on_site": True}, "s-major": "yes", "s-minor": "yes"},
           name="fix.yaml", school="NX-003", checklist="t-short", date="2020-11-06")
    ok(cli, "finding", "report", "2", "--measures", "下周复查", "--date", "2020-11-09", "--by", "李明")  # not in W45
    data = json.loads(ok(cli, "report", "digest", "--week", "2020-W45", "--as-of", "2020-11-30", "--format",
                         "json").stdout)
    assert (data["reported_findings"], data["escalated_findings"], data["fixed_on_site_findings"]) == (2, 0, 2)
    assert data["resolved_findings"] == 2
    assert data["next_week"] == {"week": "2020-W46", "from": "2020-11-09", "to": "2020-11-15"}
    due = data["due_next_week"]
    assert [(f["id"], f["school"], f["due"], f["severity"]) for f in due] == [
        (2, "NX-001", "2020-11-12", "major"), (5, "NX-002", "2020-11-12", "major"),
        (8, "NX-005", "2020-11-13", "major")]
    assert {"uid", "escalated", "fixed_on_site", "status", "item_text"} <= set(due[0])
    assert [f["id"] for f in data["overdue"]] == [1, 7]  # critical, due 11-05 / 11-06, in progress on 11-08

    text = ok(cli, "report", "digest", "--week", "2020-W45", "--as-of", "2020-11-30").stdout
    assert "2 finding(s) resolved this week (critical 2, major 0, minor 0), 2 of them fixed on site." in text
    assert "2 rectification report(s) received this week (awaiting re-check); 0 finding(s) escalated" in text
    ahead = text[text.index("8. Due next week"):]
    assert "3 finding(s) due next week (2020-11-09 to 2020-11-15), soonest first." in ahead
    lines = [line for line in ahead.splitlines() if "s-major" in line]
    assert [line.split()[0] for line in lines] == ["南洲实验小学", "华阁镇中心学校", "乌嘴乡中心学校"]
    assert all("open" in line for line in lines)  # #2's report came after the week: open at its end

    html = ok(cli, "report", "digest", "--week", "2020-W45", "--as-of", "2020-11-30", "--format", "html").stdout
    parser = _Tables()
    parser.feed(html)
    assert parser.headings[-1] == "8. Due next week"
    assert "3 finding(s) due next week (2020-11-09 to 2020-11-15), soonest first." in html
    for line in lines:  # the same rows in the mail's HTML part as in its text part
        for word in re.split(r"\s{2,}", line.strip()):
            assert word in parser.cells, word
    md = ok(cli, "report", "digest", "--week", "2020-W45", "--as-of", "2020-11-30", "--format", "markdown").stdout
    assert "## 8\\. Due next week" in md and md.count("| s-major Major point |") == 3
    zh = ok(cli, "--lang", "zh", "report", "digest", "--week", "2020-W45", "--as-of", "2020-11-30").stdout
    assert "八、下周到期" in zh and "其中立行立改 2 项" in zh
    assert "本周收到整改报告 2 项（待复查），上报/交办 0 项。" in zh
    assert zh.count("待整改") >= 3


def test_digest_counts_an_escalation_of_this_week(cli, county, db_path):
    """Escalations are dated the day they are recorded (today): the digest of this week counts them."""
    ok(cli, "finding", "escalate", "5", "--reason", "需统筹经费", "--by", "王芳")
    data = json.loads(ok(cli, "report", "digest", "--week", "this", "--format", "json").stdout)
    assert data["escalated_findings"] == 1
    week = json.loads(ok(cli, "report", "digest", "--week", "2020-W45", "--as-of", "2020-11-30", "--format",
                         "json").stdout)
    assert week["escalated_findings"] == 0
    assert [f["escalated"] for f in week["due_next_week"] if f["id"] == 5] == [True]
    # the digest's words say how things stood at the end of its week: not escalated yet then
    text = ok(cli, "report", "digest", "--week", "2020-W45", "--as-of", "2020-11-30").stdout
    row = next(line for line in text.splitlines() if line.startswith("华阁镇中心学校") and "s-major" in line)
    assert row.rstrip().endswith("open")
    this = ok(cli, "report", "digest", "--week", "this").stdout
    assert "1 finding(s) escalated to the bureau" in this
