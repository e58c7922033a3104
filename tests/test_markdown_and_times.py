"""Markdown escapes only what Markdown reads as markup (issue 17, point 10); the times people read are county
time (point 11), while JSON keeps the recorded ISO time with its offset."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from zoneinfo import ZoneInfo

import pytest

from test_reports_summary import PERIOD, report_db  # noqa: F401  (shared fixture)
from visit_helpers import record, vdir  # noqa: F401

# -- Markdown ----------------------------------------------------------------------------------------------


def test_markdown_leaves_dates_ids_and_words_alone(cli, report_db, tmp_path):  # noqa: F811
    out = tmp_path / "s.md"
    assert cli("report", "summary", *PERIOD, "-o", out).exit_code == 0
    md = out.read_text(encoding="utf-8")
    assert "- **Period**: 2020-09-01 – 2020-12-31" in md
    assert "| NX-001 | 南洲实验小学 | 南洲镇 | 李明 | 2 | 2020-11-20 |" in md
    assert "\\-" not in md and "\\." not in md and "\\(" not in md
    visit = tmp_path / "v.md"
    assert cli("report", "visit", report_db["v2"], "-o", visit).exit_code == 0
    text = visit.read_text(encoding="utf-8")
    # the 督导意见书 names points by their text, never by id (DESIGN.md, "Documents for the school")
    assert "| 1 | A drill was held | not in place | 本学期未演练 | this must be in place | critical |" in text
    assert "Supervisor (signature): ____" in text
    # headings are inline text: their numbers and the issuer's blank to fill in are written as they are
    assert "## 1. The visit" in text and "## 3. Problems found" in text
    assert "**________ County Education Supervision Office**" in text and "\\_" not in text


def test_markdown_still_escapes_what_markdown_reads(cli, schools, tmp_path):
    """School names that look like markup stay literal text: emphasis, links, HTML, tables, headings, lists."""
    hostile = {"NX-101": "*粗体* [链接](http://x) <b>镇</b>", "NX-102": "a|b _斜体_ ~~删~~", "NX-103": "# 标题 #",
               "NX-104": "1. 第一", "NX-105": "- 列表 &amp; snake_case"}
    roster = tmp_path / "hostile.yaml"
    roster.write_text("".join(f"- {{code: {c}, name: '{n}', town: 南洲镇, stages: primary}}\n"
                              for c, n in hostile.items()), encoding="utf-8")
    assert cli("school", "import", roster).exit_code == 0
    out = tmp_path / "s.md"
    result = cli("report", "summary", *PERIOD, "--town", "南洲镇", "-o", out)
    assert result.exit_code == 0, result.output
    md = out.read_text(encoding="utf-8")
    for escaped in ("\\*粗体\\* \\[链接\\](http://x) \\<b>镇\\</b>", "a\\|b \\_斜体\\_ \\~\\~删\\~\\~",
                    "\\# 标题 \\#", "1\\. 第一", "\\- 列表 \\&amp; snake_case"):
        assert escaped in md, escaped


def test_escape_markdown_in_every_context():
    from nanxian_cli.render import escape_markdown as esc

    assert esc("2020-09-01 cs-drill-time a_b (note) 3.5 #42 wow!") == "2020-09-01 cs-drill-time a_b (note) 3.5 #42 wow!"
    assert esc("+ x") == "\\+ x" and esc("> quote") == "\\> quote" and esc("= x") == "\\= x" and esc("2) b") == "2\\) b"
    assert esc("C:\\data\\") == "C:\\data\\\\" and esc("a\\*") == "a\\\\\\*"
    assert esc("line\none") == "line one" and esc(None) == ""
    # a run of underscores between spaces is no emphasis; alone on a line it is a thematic break
    assert esc("________ 县教育督导室") == "________ 县教育督导室" and esc("报送 ____ 。") == "报送 ____ 。"
    assert esc("_a_ b_") == "\\_a\\_ b\\_" and esc("___") == "\\_\\_\\_" and esc(" _ _ _") == " \\_ \\_ \\_"
    # after `## ` a number, a dash or a plus begins no block; a leading `#` would close the heading
    assert esc("1. The visit", heading=True) == "1. The visit" and esc("- x", heading=True) == "- x"
    assert esc("#", heading=True) == "\\#" and esc("1. x") == "1\\. x"


# -- county time ---------------------------------------------------------------------------------------------

def _county(stamp: str, zone: str = "Asia/Shanghai") -> str:
    return dt.datetime.fromisoformat(stamp).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize("zone", [None, "America/Los_Angeles"])
def test_revision_history_shows_county_time(cli, vdir, tmp_path, db_path, monkeypatch, zone):  # noqa: F811
    if zone:
        monkeypatch.setenv("NANXIAN_TIMEZONE", zone)
    data = record(cli, tmp_path, {"t-drill": "yes", "t-class": 58, "t-meal": "yes", "t-homework": "light",
                                  "t-morale": 4, "t-remarks": "ok"})
    assert cli("inspect", "amend", data["id"][:8], "t-class", "50", "--reason", "recounted").exit_code == 0
    stamps = [r[0] for r in sqlite3.connect(db_path).execute(
        "SELECT recorded_at FROM answers WHERE item_id = 't-class' ORDER BY revision")]
    assert all(s.endswith("+00:00") for s in stamps)  # stored in UTC
    shown = cli("inspect", "show", data["id"][:8])
    assert shown.exit_code == 0, shown.output
    for stamp in stamps:
        assert _county(stamp, zone or "Asia/Shanghai") in shown.stdout
        assert stamp not in shown.stdout and stamp[:16] not in shown.stdout
    # JSON keeps the recorded time as it is (ISO with its offset)
    detail = json.loads(cli("inspect", "show", data["id"][:8], "--format", "json").stdout)
    revisions = {a["item"]: a for a in detail["answers"]}["t-class"]["revisions"]
    assert [r["recorded_at"] for r in revisions] == stamps


def test_sync_status_shows_county_time(cli, vdir, tmp_path, db_path):  # noqa: F811
    record(cli, tmp_path, {"t-drill": "yes"}, "--partial")
    bundle = tmp_path / "week.nxb"
    assert cli("sync", "export", "-o", bundle).exit_code == 0
    status = json.loads(cli("sync", "status", "--format", "json").stdout)
    stamp = status["last_export"]["at"]
    assert stamp.endswith("+00:00")
    shown = cli("sync", "status").stdout
    assert f"Last export: {_county(stamp)} → " in shown and stamp[:16] not in shown
    other = tmp_path / "other.db"
    imported = cli("--db", other, "sync", "import", bundle)
    assert imported.exit_code == 0, imported.output
    created = json.loads(cli("--db", other, "sync", "status", "--format", "json").stdout)["imported"][0]
    assert "(from " in imported.stdout and _county(created["created_at"]) in imported.stdout
    table = cli("--db", other, "sync", "status").stdout
    assert _county(created["created_at"]) in table and _county(created["imported_at"]) in table
    assert created["created_at"][:16] not in table

