"""`nanxian report digest`: content of one ISO week, week parsing, formats, files, hostile text.

The fixture data go through the real recording path (prepare_visit + record_visit) with a small
checklist written here, so the numbers below do not move when the bundled checklists change.

Week 2020-W45 is Monday 2020-11-02 .. Sunday 2020-11-08; the week before is 2020-W44.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

CHECKLIST = """\
id: weekly-test
version: 1
title: {zh: 周报测试检查表, en: Digest test checklist}
kind: routine
items:
  - id: dg-drill
    text: {zh: 本学期已开展应急疏散演练, en: An evacuation drill was held this term}
    plan: [21]
    type: yesno
    severity: critical
  - id: dg-class
    text: {zh: 最大班额（人）, en: Largest class (pupils)}
    plan: [4, 14]
    type: number
    max: 55
    severity: major
  - id: dg-sign
    text: {zh: 挂牌标牌已公示, en: "The supervisor's sign is displayed"}
    plan: [18]
    type: yesno
    severity: minor
"""


def write_checklist(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "weekly-test.yaml"
    path.write_text(CHECKLIST, encoding="utf-8")
    return path


def record(db: Path, checklist: Path, code: str, day: str, inspector: str, drill=None, cls=None, sign=None) -> str:
    """Record one visit through the real path; a missing answer leaves it a draft."""
    from nanxian_cli.core.visit import GivenAnswer, prepare_visit
    from nanxian_cli.files.checklist_file import load_checklist
    from nanxian_cli.services.people import find_school
    from nanxian_cli.services.recording import record_visit
    from nanxian_cli.store import open_store

    given = {k: GivenAnswer(v) for k, v in (("dg-drill", drill), ("dg-class", cls), ("dg-sign", sign)) if v is not None}
    with open_store(db) as store:
        visit = prepare_visit(load_checklist(checklist), find_school(store, code), dt.date.fromisoformat(day),
                              inspector, given)
        record_visit(store, visit)
    return visit.id


def build_weeks(cli, db: Path, checklist: Path) -> dict[str, str]:
    """Visits in weeks 2020-W43..W46 (see the module docstring of each test for what they produce)."""
    for name in ("李明", "王芳"):
        assert cli("inspector", "add", name).exit_code == 0
    assert cli("inspector", "assign", "李明", "NX-001", "NX-002").exit_code == 0
    assert cli("inspector", "assign", "王芳", "NX-003", "NX-004").exit_code == 0
    ids = {}
    # W43: NX-001 fails the sign (minor finding, resolved on 2020-11-02).
    ids["v0"] = record(db, checklist, "NX-001", "2020-10-20", "李明", "yes", 50, "no")
    # W44 (Monday): NX-003 fails the drill: critical finding due 2020-11-02, still open -> overdue on 2020-11-08.
    ids["v00"] = record(db, checklist, "NX-003", "2020-10-26", "王芳", "no", 40, "yes")
    # W45: three submitted visits.
    ids["v1"] = record(db, checklist, "NX-001", "2020-11-02", "李明", "yes", 50, "yes")  # 3 pass, resolves v0's finding
    ids["v2"] = record(db, checklist, "NX-002", "2020-11-08", "李明", "no", 58, "yes")   # Sunday: 1 pass 2 fail
    # 0 pass 3 fail (drill = re-check)
    ids["v3"] = record(db, checklist, "NX-003", "2020-11-05", "王芳", "no", 60, "no")
    # W46 Monday: not in W45.
    ids["v4"] = record(db, checklist, "NX-004", "2020-11-09", "王芳", "no", 50, "yes")
    # A draft inside W45 never counts.
    ids["v5"] = record(db, checklist, "NX-005", "2020-11-04", "李明", "no")
    return ids


@pytest.fixture
def weeks(cli, schools, db_path: Path, tmp_path: Path) -> dict[str, str]:
    checklist = write_checklist(tmp_path / "checklists")
    return build_weeks(cli, db_path, checklist)


def digest_json(cli, *args: str) -> dict:
    result = cli("report", "digest", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- content --------------------------------------------------------------------------------------

def test_week_content_exact(cli, weeks):
    data = digest_json(cli, "--week", "2020-W45", "--as-of", "2020-11-09")
    assert {k: data[k] for k in ("week", "from", "to", "visits", "new_findings", "resolved_findings",
                                 "overdue_findings", "unvisited_schools")} == {
        "week": "2020-W45", "from": "2020-11-02", "to": "2020-11-08", "visits": 3, "new_findings": 4,
        "resolved_findings": 1, "overdue_findings": 1, "unvisited_schools": ["NX-004", "NX-005"],
    }
    assert all(type(data[k]) is int for k in ("visits", "new_findings", "resolved_findings", "overdue_findings"))
    assert (data["pass"], data["fail"], data["compliance_rate"]) == (4, 5, 0.4444)
    assert data["complete"] is True
    assert data["visits_by_inspector"] == [
        {"inspector": "李明", "visits": 2, "schools": 2, "compliance_rate": 0.6667},
        {"inspector": "王芳", "visits": 1, "schools": 1, "compliance_rate": 0.0},
    ]
    assert [(c["checklist"], c["visits"]) for c in data["visits_by_checklist"]] == [("weekly-test", 3)]
    assert data["new_findings_by_severity"] == {"critical": 1, "major": 2, "minor": 1}
    assert [(f["school"], f["item"], f["opened"], f["due"]) for f in data["critical_findings"]] == [
        ("NX-002", "dg-drill", "2020-11-08", "2020-11-15")]
    assert data["resolved_findings_by_severity"] == {"critical": 0, "major": 0, "minor": 1}
    assert [(f["school"], f["item"], f["due"], f["days_overdue"]) for f in data["overdue"]] == [
        ("NX-003", "dg-drill", "2020-11-02", 6)]
    assert [(s["code"], s["pass"], s["fail"], s["compliance_rate"]) for s in data["weakest_schools"]] == [
        ("NX-003", 0, 3, 0.0), ("NX-002", 1, 2, 0.3333), ("NX-001", 3, 0, 1.0)]
    assert [(p["number"], p["pass"], p["fail"]) for p in data["weakest_plan_items"]] == [
        (4, 1, 2), (14, 1, 2), (21, 1, 2), (18, 2, 1)]
    assert [u["inspector"] for u in data["unvisited"]] == ["王芳", None]
    assert data["previous_week"] == {
        "week": "2020-W44", "from": "2020-10-26", "to": "2020-11-01", "visits": 1, "compliance_rate": 0.6667,
        "new_findings": 1, "change": {"visits": 2, "compliance_rate": -0.2222, "new_findings": 3},
    }


def test_sunday_in_week_monday_not(cli, weeks):
    w45 = digest_json(cli, "--week", "2020-W45", "--as-of", "2020-11-20")
    w46 = digest_json(cli, "--week", "2020-W46", "--as-of", "2020-11-20")
    # The Sunday visit (NX-002, 2020-11-08) is in W45; the Monday visit (NX-004, 2020-11-09) is in W46 only.
    assert "NX-002" in [s["code"] for s in w45["weakest_schools"]]
    assert "NX-004" not in [s["code"] for s in w45["weakest_schools"]]
    assert w46["visits"] == 1
    assert [s["code"] for s in w46["weakest_schools"]] == ["NX-004"]
    assert w46["new_findings_by_severity"]["critical"] == 1


def test_overdue_as_of_the_weeks_sunday(cli, weeks):
    # The W44 critical finding is due 2020-11-02: on W44's Sunday (2020-11-01) it is not overdue yet.
    w44 = digest_json(cli, "--week", "2020-W44", "--as-of", "2020-11-09")
    assert w44["overdue_findings"] == 0
    w46 = digest_json(cli, "--week", "2020-W46", "--as-of", "2020-11-20")
    # On 2020-11-15 the 2020-11-02 finding and NX-002's (due 2020-11-15, not before) -> only one overdue.
    assert [(f["school"], f["days_overdue"]) for f in w46["overdue"]] == [("NX-003", 13)]


def test_plan_item_titles_when_plan_stored(cli, weeks, db_path):
    from nanxian_cli.files.checklist_file import load_plan
    from nanxian_cli.store import open_store
    from nanxian_cli.store.checklists import ensure_plan

    with open_store(db_path) as store, store.transaction() as conn:
        ensure_plan(conn, load_plan())
    data = digest_json(cli, "--week", "2020-W45", "--as-of", "2020-11-09")
    assert all(p["title"] and p["title"]["zh"] for p in data["weakest_plan_items"])
    text = cli("--lang", "zh", "report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09").stdout
    assert "第 4 项" not in text  # titles replace the bare number


def test_drafts_never_count(cli, weeks):
    data = digest_json(cli, "--week", "2020-W45", "--as-of", "2020-11-09")
    # NX-005 has only a draft in W45: it is still "not visited"; the draft's 'no' made no finding.
    assert "NX-005" in data["unvisited_schools"]
    assert data["visits"] == 3


def test_voided_visit_drops_out(cli, weeks, db_path):
    voided = cli("inspect", "void", weeks["v2"][:8], "--reason", "wrong school", "--by", "李明")
    assert voided.exit_code == 0, voided.output
    data = digest_json(cli, "--week", "2020-W45", "--as-of", "2020-11-09")
    assert data["visits"] == 2
    assert data["new_findings_by_severity"] == {"critical": 0, "major": 1, "minor": 1}
    assert data["critical_findings"] == []
    assert "NX-002" in data["unvisited_schools"]


def test_week_with_no_visits(cli, weeks):
    data = digest_json(cli, "--week", "2020-W40", "--as-of", "2020-11-09")
    assert (data["visits"], data["new_findings"], data["resolved_findings"], data["overdue_findings"]) == (0, 0, 0, 0)
    assert data["compliance_rate"] is None
    assert data["unvisited_schools"] == ["NX-001", "NX-002", "NX-003", "NX-004", "NX-005"]
    assert data["weakest_schools"] == [] and data["weakest_plan_items"] == []
    assert data["previous_week"]["change"] == {"visits": 0, "compliance_rate": None, "new_findings": 0}
    text = cli("report", "digest", "--week", "2020-W40", "--as-of", "2020-11-09")
    assert text.exit_code == 0, text.output
    assert "0 visit(s) to 0 school(s); compliance rate —" in text.stdout


def test_empty_database(cli, schools):
    data = digest_json(cli, "--week", "2020-W45", "--as-of", "2020-11-09")
    assert data["visits"] == 0 and len(data["unvisited_schools"]) == 5


def test_missing_database_is_an_error_not_an_empty_digest(cli, db_path, tmp_path, monkeypatch):
    missing = tmp_path / "typo" / "nanxian.db"
    monkeypatch.setenv("NANXIAN_DB", str(missing))
    result = cli("report", "digest", "--as-of", "2020-11-09", "--output", tmp_path)
    assert result.exit_code == 1, result.output
    assert "no database" in result.stderr
    assert not missing.exists() and not missing.parent.exists()
    assert not (tmp_path / "digest-2020-W45.txt").exists()


# -- weeks ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("as_of", "week", "expected"), [
    ("2020-11-09", "last", "2020-W45"),   # Monday -> the week that just ended
    ("2020-11-08", "last", "2020-W44"),   # Sunday is still inside W45
    ("2020-11-08", "this", "2020-W45"),
    ("2021-01-04", "last", "2020-W53"),   # 2020 has 53 ISO weeks
    ("2021-01-03", "this", "2020-W53"),
    ("2020-11-09", "2020-w45", "2020-W45"),
])
def test_week_parsing(cli, schools, as_of, week, expected):
    data = digest_json(cli, "--week", week, "--as-of", as_of)
    assert data["week"] == expected


def test_default_week_is_last(cli, schools):
    assert digest_json(cli, "--as-of", "2020-11-09")["week"] == "2020-W45"


@pytest.mark.parametrize("week", ["2020-W54", "2021-W53", "2020-W00", "garbage", "2020-45", "", "2020-W45; DROP TABLE"])
def test_invalid_week_exit_2(cli, week):
    result = cli("report", "digest", "--week", week, "--as-of", "2021-02-01")
    assert result.exit_code == 2, result.output
    assert "--week" in result.stderr
    assert "Traceback" not in result.output


def test_future_week_and_bad_as_of(cli):
    result = cli("report", "digest", "--week", "2020-W47", "--as-of", "2020-11-09")
    assert result.exit_code == 2 and "has not started" in result.stderr
    result = cli("report", "digest", "--as-of", "2020-13-01")
    assert result.exit_code == 2 and "--as-of" in result.stderr
    result = cli("report", "digest", "--as-of", "2999-01-01")
    assert result.exit_code == 2 and "after today" in result.stderr
    result = cli("report", "digest", "--format", "xlsx")
    assert result.exit_code == 2


def test_bad_timezone_exit_2(cli, monkeypatch):
    monkeypatch.setenv("NANXIAN_TIMEZONE", "Mars/Olympus")
    result = cli("report", "digest")
    assert result.exit_code == 2 and "time zone" in result.stderr


# -- formats and files --------------------------------------------------------------------------

def test_text_digest_english_and_chinese(cli, weeks):
    en = cli("report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09")
    assert en.exit_code == 0, en.output
    assert en.stdout.startswith("Nanxian supervision digest 2020-W45 (2020-11-02 to 2020-11-08)\n")
    assert "3 visit(s) to 3 school(s); compliance rate 44.4% (4 passed, 5 failed)." in en.stdout
    assert "visits 1 → 3 (+2), compliance 66.7% → 44.4% (-22.2 points), new findings 1 → 4 (+3)" in en.stdout
    assert "4 new finding(s) this week (critical 1, major 2, minor 1)." in en.stdout
    assert "1 finding(s) overdue as of 2020-11-08" in en.stdout
    zh = cli("--lang", "zh", "report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09")
    assert zh.stdout.startswith("南县责任督学督导周报 2020-W45（2020-11-02 至 2020-11-08）\n")
    assert "到校督导 3 次，涉及 3 所学校；检查点合格率 44.4%（合格 4，不合格 5）。" in zh.stdout
    assert "华阁镇中心学校（NX-002）  dg-drill 本学期已开展应急疏散演练" in zh.stdout
    assert "南洲镇中心幼儿园（NX-004）  南洲镇  王芳" in zh.stdout
    assert "乌嘴乡中心学校（NX-005）    乌嘴乡  未挂牌" in zh.stdout
    assert "\x1b" not in zh.stdout


def test_output_folder_names_the_file(cli, weeks, tmp_path, db_path):
    out = tmp_path / "digests"
    out.mkdir()
    for fmt, ext in (("text", "txt"), ("markdown", "md"), ("html", "html"), ("json", "json")):
        result = cli("report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09", "--format", fmt, "--output",
                     out)
        assert result.exit_code == 0, result.output
        assert (out / f"digest-2020-W45.{ext}").is_file()
    assert sorted(p.name for p in out.iterdir()) == ["digest-2020-W45.html", "digest-2020-W45.json",
                                                    "digest-2020-W45.md", "digest-2020-W45.txt"]
    assert json.loads((out / "digest-2020-W45.json").read_text(encoding="utf-8"))["visits"] == 3
    rows = sqlite3.connect(db_path).execute("SELECT week, channel, target FROM digest_deliveries "
                                            "ORDER BY target").fetchall()
    assert rows == [("2020-W45", "file", str((out / f"digest-2020-W45.{ext}").resolve()))
                    for ext in ("html", "json", "md", "txt")]


def test_output_file_format_from_extension(cli, weeks, tmp_path):
    target = tmp_path / "week.md"
    result = cli("report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09", "--output", target)
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# Nanxian supervision digest 2020-W45")
    target = tmp_path / "week.html"
    cli("report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09", "--output", target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_file_delivered_once_then_force(cli, weeks, tmp_path, db_path):
    out = tmp_path / "digests"
    out.mkdir()
    args = ("report", "digest", "--week", "last", "--as-of", "2020-11-09", "--output", f"{out}/")
    first = cli(*args)
    assert first.exit_code == 0, first.output
    path = out / "digest-2020-W45.txt"
    assert f"Digest 2020-W45 written to {path.resolve()}" in first.stdout
    path.write_text("edited by hand", encoding="utf-8")
    second = cli(*args)
    assert second.exit_code == 0, second.output
    assert "already delivered" in second.stdout
    assert path.read_text(encoding="utf-8") == "edited by hand"  # nothing re-written
    forced = cli(*args, "--force")
    assert forced.exit_code == 0, forced.output
    assert path.read_text(encoding="utf-8").startswith("Nanxian supervision digest 2020-W45")
    count = sqlite3.connect(db_path).execute("SELECT count(*) FROM digest_deliveries").fetchone()[0]
    assert count == 1


def test_missing_output_folder_exit_2_nothing_recorded(cli, weeks, tmp_path, db_path):
    result = cli("report", "digest", "--as-of", "2020-11-09", "--output", f"{tmp_path / 'nope'}/")
    assert result.exit_code == 2, result.output
    result = cli("report", "digest", "--as-of", "2020-11-09", "--output", tmp_path / "nope" / "d.txt")
    assert result.exit_code == 2, result.output
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM digest_deliveries").fetchone()[0] == 0


def test_unwritable_output_exit_1_nothing_recorded(cli, weeks, tmp_path, db_path):
    import os

    if os.geteuid() == 0:
        # root ignores permission bits: a path through a regular file fails for everyone instead
        blocker = tmp_path / "file"
        blocker.write_text("x")
        target = tmp_path / "ro"
        target.mkdir()
        (target / "digest-2020-W45.txt").mkdir()  # a folder where the file should go
        result = cli("report", "digest", "--as-of", "2020-11-09", "--output", target)
    else:
        target = tmp_path / "ro"
        target.mkdir()
        target.chmod(0o500)
        result = cli("report", "digest", "--as-of", "2020-11-09", "--output", target)
        target.chmod(0o700)
    assert result.exit_code == 1, result.output
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM digest_deliveries").fetchone()[0] == 0


def test_unfinished_week_delivered_but_not_recorded(cli, weeks, tmp_path, db_path):
    out = tmp_path / "digests"
    out.mkdir()
    result = cli("report", "digest", "--week", "this", "--as-of", "2020-11-08", "--output", out)
    assert result.exit_code == 0, result.output
    assert "not over yet" in result.stdout
    assert (out / "digest-2020-W45.txt").read_text(encoding="utf-8").count("the week is not over yet") == 1
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM digest_deliveries").fetchone()[0] == 0
    # The Monday run then delivers (and records) the final digest.
    final = cli("report", "digest", "--week", "last", "--as-of", "2020-11-09", "--output", out)
    assert "written to" in final.stdout
    assert "not over yet" not in (out / "digest-2020-W45.txt").read_text(encoding="utf-8")
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM digest_deliveries").fetchone()[0] == 1


def test_stdout_is_never_recorded(cli, weeks, db_path):
    for _ in range(2):
        result = cli("report", "digest", "--as-of", "2020-11-09")
        assert result.exit_code == 0
        assert "already delivered" not in result.output
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM digest_deliveries").fetchone()[0] == 0


HOSTILE = '[bold]x[/] <script>alert(1)</script> =HYPERLINK("x") *a*|b'


def test_hostile_names_are_data(cli, schools, db_path, tmp_path):
    roster = tmp_path / "hostile.yaml"
    roster.write_text(f"- {{code: NX-009, name: '{HOSTILE}', town: '<b>镇</b>', stages: primary}}\n", encoding="utf-8")
    assert cli("school", "import", roster).exit_code == 0
    checklist = write_checklist(tmp_path / "checklists")
    record(db_path, checklist, "NX-009", "2020-11-03", "<img src=x onerror=alert(1)>", "no", 60, "no")
    text = cli("report", "digest", "--as-of", "2020-11-09")
    assert text.exit_code == 0, text.output
    assert HOSTILE in text.stdout and "\x1b" not in text.stdout
    html = cli("report", "digest", "--as-of", "2020-11-09", "--format", "html").stdout
    assert "<script>" not in html and "<img" not in html and "<b>镇" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    md = cli("report", "digest", "--as-of", "2020-11-09", "--format", "markdown").stdout
    assert "\\[bold\\]x\\[/\\] \\<script>" in md
    assert "\\*a\\*\\|b" in md
    data = digest_json(cli, "--as-of", "2020-11-09")
    assert data["weakest_schools"][0]["name"] == HOSTILE


def test_control_characters_stripped_from_text(cli, schools, db_path, tmp_path):
    from nanxian_cli.render.digest import clean

    assert clean("a\x1b[31mb\x00c\r\nd") == "a[31mbc  d"
    long_name = "长" * 200  # the roster's maximum
    roster = tmp_path / "long.yaml"
    roster.write_text(f"- {{code: NX-010, name: '{long_name}', stages: primary}}\n", encoding="utf-8")
    assert cli("school", "import", roster).exit_code == 0
    checklist = write_checklist(tmp_path / "checklists")
    long_inspector = "督" * 1000 + "\x1b[31m"
    record(db_path, checklist, "NX-010", "2020-11-03", long_inspector, "yes", 50, "yes")
    result = cli("report", "digest", "--as-of", "2020-11-09")
    assert result.exit_code == 0, result.output
    assert f"{long_name} (NX-010)" in result.stdout
    assert "督" * 1000 + "[31m" in result.stdout and "\x1b" not in result.stdout


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_this_week_is_taken_in_the_county_time_zone(cli, schools, monkeypatch, zone):
    from zoneinfo import ZoneInfo

    if zone != "Asia/Shanghai":
        monkeypatch.setenv("NANXIAN_TIMEZONE", zone)
    before = dt.datetime.now(ZoneInfo(zone)).date()
    data = digest_json(cli, "--week", "this")
    after = dt.datetime.now(ZoneInfo(zone)).date()
    expected = {f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in (before, after)}
    assert data["week"] in expected
    assert data["as_of"] in {before.isoformat(), after.isoformat()}


def test_help(cli):
    result = cli("report", "digest", "--help")
    assert result.exit_code == 0
    for word in ("--week", "--as-of", "--format", "--output", "--email", "--force", "smtp table of config.toml"):
        assert word in result.stdout
