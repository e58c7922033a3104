"""The rectification loop as commands (问题清单 → 整改通知书 → 整改报告 → 复查/销号): `finding show | report |
resolve [--on-site] | extend | escalate | withdraw | reopen`, 立行立改 in answers files, and every refusal.

Each action is one fact in finding_actions (UUID, author, device, recorded_at); the finding's state is what the
engine derives from the facts, checked here after every step.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from visit_helpers import answers_file, record, rows, vdir  # noqa: F401

SHORT = """\
id: t-short
version: 1
title: {zh: 短期整改, en: Short deadlines}
kind: special
rectify_days: {critical: 3, major: 10, minor: 20}
items:
  - {id: s-crit, text: {zh: 校门有人值守, en: Critical point}, plan: [21], type: yesno, severity: critical}
  - {id: s-major, text: Major point, plan: [21], type: yesno, severity: major}
  - {id: s-minor, text: Minor point, plan: [21], type: yesno, severity: minor}
"""
ALL_FAIL = {"s-crit": "no", "s-major": "no", "s-minor": "no"}
ALL_PASS = {"s-crit": "yes", "s-major": "yes", "s-minor": "yes"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def short(vdir):
    (vdir / "t-short.yaml").write_text(SHORT, encoding="utf-8")
    return vdir


@pytest.fixture
def opened(cli, short, tmp_path):
    """Three findings opened on 2020-11-02 at NX-001: #1 s-crit (due 11-05), #2 s-major (11-12), #3 s-minor (11-22)."""
    visit = record(cli, tmp_path, ALL_FAIL, checklist="t-short", date="2020-11-02")
    numbers = {f["item"]: f["id"] for f in visit["findings"]}
    assert numbers == {"s-crit": 1, "s-major": 2, "s-minor": 3}
    return visit


def show(cli, ref) -> dict:
    result = cli("finding", "show", str(ref), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def ok(cli, *args):
    result = cli(*[str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every row of the tables an action (or a visit) writes."""
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                for t in ("visits", "answers", "findings", "finding_actions", "finding_steps")}
    finally:
        conn.close()


def device(db: Path) -> str:
    return rows(db, "SELECT value FROM meta WHERE key = 'device_id'")[0][0]


def actions(db: Path) -> list[tuple]:
    return rows(db, "SELECT kind, date, text, due, on_site, author FROM finding_actions ORDER BY recorded_at, uid")


def derived_again(db: Path) -> list[tuple]:
    """The findings the engine derives from the facts alone, the cache thrown away (in a copy of the database)."""
    import shutil

    from nanxian_cli.services.derive import rebuild_all
    from nanxian_cli.store import open_store

    copy = db.with_name("copy.db")
    src = sqlite3.connect(db)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.execute("DELETE FROM finding_steps")
    dst.execute("DELETE FROM findings")
    dst.commit()
    dst.close()
    with open_store(copy) as store:
        rebuild_all(store, "2020-12-31T00:00:00Z")
    out = rows(copy, "SELECT id, uid, status, due, escalated, fixed_on_site, reported_on, resolved_on FROM findings "
                     "ORDER BY uid")
    copy.unlink()
    shutil.rmtree(copy.with_name("copy.db.evidence"), ignore_errors=True)
    return out


def cached(db: Path) -> list[tuple]:
    return rows(db, "SELECT id, uid, status, due, escalated, fixed_on_site, reported_on, resolved_on FROM findings "
                    "ORDER BY uid")


# -- finding show -------------------------------------------------------------------------------------

def test_show_by_number_hash_and_id_prefix(cli, opened):
    f = show(cli, 1)
    for key in ("id", "school", "item", "severity", "opened", "due", "status", "visit", "resolved_by",
                "uid", "escalated", "due_history", "events", "evidence", "fixed_on_site"):
        assert key in f, key
    assert (f["id"], f["item"], f["status"], f["escalated"], f["fixed_on_site"], f["evidence"], f["due_history"]) == (
        1, "s-crit", "open", False, False, [], [])
    assert UUID.match(f["uid"])
    assert [(e["kind"], e["date"], e["by"]) for e in f["events"]] == [("opened", "2020-11-02", "李明")]
    assert set(f["events"][0]) >= {"uid", "kind", "date", "by", "text"}
    assert show(cli, "#1") == f
    assert show(cli, f["uid"][:8]) == f
    assert show(cli, f["uid"].upper()) == f
    table = ok(cli, "finding", "show", "#1").stdout
    assert "Critical point" in table and "History" in table and "opened" in table and "2020-11-05" in table
    zh = ok(cli, "--lang", "zh", "finding", "show", "1").stdout
    assert "校门有人值守" in zh and "待整改" in zh and "发现问题" in zh


def test_show_unknown_and_ambiguous_ids(cli, opened, db_path):
    for ref, message in (("999", "no finding #999"), ("#999", "no finding #999"), ("abc", "8 or more characters"),
                         ("deadbeef", "no finding 'deadbeef'")):
        result = cli("finding", "show", ref)
        assert result.exit_code == 2, ref
        assert message in result.stderr, (ref, result.stderr)
    # two findings whose ids start alike (set up in the cache: random ids never share 8 characters in a test)
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE findings SET uid = 'abcdef12-0000-4000-8000-00000000000' || id WHERE id IN (1, 2)")
    conn.commit()
    conn.close()
    before = snapshot(db_path)
    for args in (("finding", "show", "abcdef12"), ("finding", "report", "abcdef12", "--measures", "x", "--by", "李明")):
        result = cli(*args)
        assert result.exit_code == 2
        assert "'abcdef12' matches several findings; give more characters" in result.stderr
        assert "abcdef12-0000-4000-8000-000000000001" in result.stderr
        assert "abcdef12-0000-4000-8000-000000000002" in result.stderr
    assert snapshot(db_path) == before
    assert show(cli, "abcdef12-0000-4000-8000-000000000002")["id"] == 2


def test_an_id_prefix_of_digits_only_is_still_an_id(cli, opened, db_path):
    """One UUID in 40 or so starts with 8 digits: 8 or more digits name the finding whose id starts so; `#` makes
    a number of them."""
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE findings SET uid = '12345678-0000-4000-8000-000000000002' WHERE id = 2")
    conn.commit()
    conn.close()
    assert show(cli, "12345678")["id"] == 2
    assert show(cli, "1")["id"] == 1
    result = cli("finding", "show", "#12345678")
    assert result.exit_code == 2 and "no finding #12345678" in result.stderr
    assert show(cli, "00000001")["id"] == 1  # no id starts so: the number 1


# -- the loop -----------------------------------------------------------------------------------------

def test_report_then_a_passing_recheck_resolves(cli, opened, short, tmp_path, db_path):
    result = ok(cli, "finding", "report", "1", "--measures", "门卫已到岗，值班表上墙", "--date", "2020-11-04",
                "--by", "王主任")
    assert "Finding #1: rectification report of 2020-11-04 recorded; now reported" in result.stdout
    f = show(cli, 1)
    assert (f["status"], f["measures"], f["reported_on"]) == ("reported", "门卫已到岗，值班表上墙", "2020-11-04")
    assert [(e["kind"], e["date"], e["by"], e["text"]) for e in f["events"]][-1] == (
        "reported", "2020-11-04", "王主任", "门卫已到岗，值班表上墙")
    # one fact: a UUID, its author, this database's device, when it was recorded
    fact = rows(db_path, "SELECT uid, finding, kind, date, text, author, device, recorded_at FROM finding_actions")
    assert len(fact) == 1
    uid, finding, kind, date, text, author, dev, at = fact[0]
    assert UUID.match(uid) and finding == f["uid"] and (kind, date, text, author) == (
        "report", "2020-11-04", "门卫已到岗，值班表上墙", "王主任")
    assert dev == device(db_path) and at.endswith("+00:00")
    listed = json.loads(ok(cli, "finding", "list", "--status", "reported", "--format", "json").stdout)
    assert [x["id"] for x in listed] == [1]
    assert "reported" in ok(cli, "finding", "list").stdout
    # the re-check (复查) at the next visit passes: resolved (销号) by that visit
    later = record(cli, tmp_path, dict(ALL_FAIL, **{"s-crit": "yes"}), name="b.yaml", checklist="t-short",
                   date="2020-11-09")
    f = show(cli, 1)
    assert (f["status"], f["resolved_by"], f["resolved_on"]) == ("resolved", later["id"], "2020-11-09")
    assert cached(db_path) == derived_again(db_path)


def test_a_failing_recheck_sends_a_reported_finding_back_to_open_and_the_visit_says_so(cli, opened, tmp_path, db_path):
    ok(cli, "finding", "report", "#1", "--measures", "已整改", "--date", "2020-11-04", "--by", "李明")
    path = answers_file(tmp_path, ALL_FAIL, name="b.yaml", checklist="t-short", date="2020-11-09")
    result = ok(cli, "inspect", "visit", "--answers", path)
    findings = result.stdout[result.stdout.index("Findings"):]
    line = next(x for x in findings.splitlines() if "Critical point" in x)
    assert "re-check failed: back to open" in line
    data = json.loads(ok(cli, "inspect", "show", json.loads(
        ok(cli, "inspect", "list", "--format", "json").stdout)[0]["id"], "--format", "json").stdout)
    crit = next(f for f in data["findings"] if f["item"] == "s-crit")
    assert (crit["relation"], crit["returned"], crit["status"], crit["recheck_count"]) == ("rechecked", True, "open", 1)
    assert not next(f for f in data["findings"] if f["item"] == "s-major")["returned"]  # never reported
    f = show(cli, 1)
    assert f["status"] == "open"
    assert [e["kind"] for e in f["events"]] == ["opened", "reported", "recheck_failed", "returned"]
    assert json.loads(ok(cli, "finding", "list", "--status", "reported", "--format", "json").stdout) == []
    zh = ok(cli, "--lang", "zh", "inspect", "show", data["id"][:8]).stdout
    assert "复查未通过，退回待整改" in zh
    assert cached(db_path) == derived_again(db_path)


def test_resolve_by_hand_and_backdated_before_a_later_failing_visit(cli, opened, tmp_path, db_path):
    record(cli, tmp_path, ALL_FAIL, name="b.yaml", checklist="t-short", date="2020-11-20")
    uid = show(cli, 1)["uid"]
    result = ok(cli, "finding", "resolve", uid[:10], "--note", "门卫已到岗", "--date", "2020-11-10", "--by", "李明")
    assert "Finding #1 resolved on 2020-11-10" in result.stdout
    # fixed on 11-10; the visit of 11-20 found the point failing again: that visit opened a new finding
    assert "a later visit found the point failing again: finding #4 opened" in result.stdout
    assert (show(cli, 1)["status"], show(cli, 4)["status"], show(cli, 4)["opened"]) == (
        "resolved", "open", "2020-11-20")
    assert cached(db_path) == derived_again(db_path)


def test_extend_keeps_the_due_history(cli, opened, db_path):
    result = ok(cli, "finding", "extend", "2", "--to", "2020-12-01", "--reason", "围墙施工需三周", "--by", "王主任")
    assert "Finding #2: due date moved from 2020-11-12 to 2020-12-01" in result.stdout
    ok(cli, "finding", "extend", "2", "--to", "2020-12-15", "--reason", "材料未到", "--by", "李明")
    f = show(cli, 2)
    assert f["due"] == "2020-12-15"
    today = rows(db_path, "SELECT date FROM finding_actions LIMIT 1")[0][0]
    assert f["due_history"] == [{"due": "2020-12-01", "reason": "围墙施工需三周", "by": "王主任", "date": today},
                                {"due": "2020-12-15", "reason": "材料未到", "by": "李明", "date": today}]
    assert [e["kind"] for e in f["events"]] == ["opened", "extended", "extended"]
    # no longer overdue on 2020-11-20, as the listing as of that day shows
    listed = json.loads(ok(cli, "finding", "list", "--status", "overdue", "--as-of", "2020-11-20", "--format",
                           "json").stdout)
    assert [x["id"] for x in listed] == [1]
    assert cached(db_path) == derived_again(db_path)


def test_escalate_flags_and_stays_open(cli, opened, db_path):
    result = ok(cli, "finding", "escalate", "3", "--reason", "需教育局统筹经费", "--by", "李明")
    assert "Finding #3 escalated to the bureau" in result.stdout
    f = show(cli, 3)
    assert (f["status"], f["escalated"]) == ("open", True)
    assert [x["id"] for x in json.loads(ok(cli, "finding", "list", "--escalated", "--format", "json").stdout)] == [3]
    assert "escalated" in ok(cli, "finding", "list").stdout
    before = snapshot(db_path)
    again = cli("finding", "escalate", "3", "--reason", "again", "--by", "李明")
    assert again.exit_code == 2 and "finding #3 is already escalated" in again.stderr
    assert snapshot(db_path) == before


def test_withdraw_and_reopen(cli, opened, tmp_path, db_path):
    ok(cli, "finding", "withdraw", "2", "--reason", "误录：该校无此项", "--by", "李明")
    assert show(cli, 2)["status"] == "withdrawn"
    assert [x["id"] for x in json.loads(ok(cli, "finding", "list", "--format", "json").stdout)] == [1, 3]
    assert [x["id"] for x in json.loads(ok(cli, "finding", "list", "--status", "withdrawn", "--format",
                                          "json").stdout)] == [2]
    result = ok(cli, "finding", "reopen", "2", "--reason", "复核确有此问题", "--by", "李明")
    assert "Finding #2 reopened; now open (due 2020-11-12)" in result.stdout
    f = show(cli, 2)
    assert f["status"] == "open"
    assert [e["kind"] for e in f["events"]] == ["opened", "withdrawn", "reopened"]
    # a resolved finding can be reopened too
    ok(cli, "finding", "resolve", "3", "--note", "已核实", "--date", "2020-11-05", "--by", "李明")
    ok(cli, "finding", "reopen", "3", "--reason", "复查发现未整改到位", "--by", "李明")
    f = show(cli, 3)
    assert (f["status"], f["resolved_on"]) == ("open", None)
    assert actions(db_path) == [
        ("withdraw", actions(db_path)[0][1], "误录：该校无此项", None, 0, "李明"),
        ("reopen", actions(db_path)[1][1], "复核确有此问题", None, 0, "李明"),
        ("resolve", "2020-11-05", "已核实", None, 0, "李明"),
        ("reopen", actions(db_path)[3][1], "复查发现未整改到位", None, 0, "李明"),
    ]
    assert cached(db_path) == derived_again(db_path)


def test_reopen_refused_when_the_point_failed_again_later(cli, opened, tmp_path, db_path):
    ok(cli, "finding", "resolve", "1", "--note", "已核实", "--date", "2020-11-05", "--by", "李明")
    record(cli, tmp_path, dict(ALL_FAIL, **{"s-crit": "no"}), name="b.yaml", checklist="t-short", date="2020-11-20")
    assert show(cli, 4)["status"] == "open"  # the same point failed again: finding #4
    before = snapshot(db_path)
    result = cli("finding", "reopen", "1", "--reason", "x", "--by", "李明")
    assert result.exit_code == 2
    assert "finding #4 is already in progress for this point at this school; #1 cannot be reopened" in result.stderr
    ok(cli, "finding", "resolve", "4", "--note", "已核实", "--date", "2020-11-21", "--by", "李明")
    before = snapshot(db_path)
    result = cli("finding", "reopen", "1", "--reason", "x", "--by", "李明")
    assert result.exit_code == 2
    assert "finding #4 was opened later for this point at this school; reopen #4" in result.stderr
    assert snapshot(db_path) == before


def test_withdrawn_with_its_voided_visit_cannot_be_acted_on(cli, opened, db_path):
    ok(cli, "inspect", "void", opened["id"][:8], "--reason", "重复录入", "--by", "李明")
    before = snapshot(db_path)
    for args in (("report", "1", "--measures", "x"), ("reopen", "1", "--reason", "x")):
        result = cli("finding", *args, "--by", "李明")
        assert result.exit_code == 2, args
        assert "finding #1" in result.stderr and ("voided" in result.stderr)
    assert snapshot(db_path) == before


# -- 立行立改 (fixed on site) ----------------------------------------------------------------------------

def test_fixed_on_site_in_an_answers_file(cli, short, tmp_path, db_path):
    answers = {"s-crit": {"value": "no", "note": "消防通道堆放杂物，当场清理", "fixed_on_site": True}, "s-major": "no",
               "s-minor": "yes"}
    visit = record(cli, tmp_path, answers, checklist="t-short", date="2020-11-02")
    assert visit["counts"]["fail"] == 2  # counted as a fail
    crit = next(f for f in visit["findings"] if f["item"] == "s-crit")
    assert (crit["status"], crit["fixed_on_site"], crit["resolved_on"], crit["opened"]) == (
        "resolved", True, "2020-11-02", "2020-11-02")
    f = show(cli, crit["id"])
    assert [e["kind"] for e in f["events"]] == ["opened", "fixed_on_site"]
    shown = json.loads(ok(cli, "inspect", "show", visit["id"], "--format", "json").stdout)
    assert next(a for a in shown["answers"] if a["item"] == "s-crit")["fixed_on_site"] is True
    # never open, not even on the visit's day
    for day in ("2020-11-02", "2020-11-30"):
        listed = json.loads(ok(cli, "finding", "list", "--status", "open", "--as-of", day, "--format", "json").stdout)
        assert [x["item"] for x in listed] == ["s-major"]
    summary = json.loads(ok(cli, "report", "summary", "--from", "2020-11-01", "--to", "2020-11-30", "--format",
                            "json").stdout)
    t = summary["totals"]
    assert (t["fail"], t["open_findings"], t["fixed_on_site_findings"]) == (2, 1, 1)
    assert "fixed on site" in ok(cli, "inspect", "show", visit["id"]).stdout


@pytest.mark.parametrize("answer, below, message", [
    ({"value": "yes", "fixed_on_site": True}, 0,
     "answers.s-crit.fixed_on_site: only a failing answer can be fixed on site"),
    ({"value": "no", "fixed_on_site": "yes"}, 2, "answers.s-crit.fixed_on_site: Input should be a valid boolean"),
])
def test_fixed_on_site_refused_on_a_passing_answer_or_not_a_boolean(cli, short, tmp_path, db_path, answer, below,
                                                                     message):
    path = answers_file(tmp_path, dict(ALL_PASS, **{"s-crit": answer}), checklist="t-short", date="2020-11-02")
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if '"s-crit"' in text)
    before = snapshot(db_path)
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2
    assert f"{path}:{line + below}: {message}" in result.stderr  # file:line of the answer (of its key)
    assert snapshot(db_path) == before


def test_resolve_on_site_afterwards_is_dated_the_visits_date(cli, opened, db_path):
    result = ok(cli, "finding", "resolve", "1", "--note", "当场整改", "--on-site", "--by", "李明")
    assert "Finding #1 fixed on site on 2020-11-02 (the visit's date)" in result.stdout
    f = show(cli, 1)
    assert (f["status"], f["fixed_on_site"], f["resolved_on"]) == ("resolved", True, "2020-11-02")
    assert actions(db_path) == [("resolve", "2020-11-02", "当场整改", None, 1, "李明")]
    open_then = json.loads(ok(cli, "finding", "list", "--status", "open", "--as-of", "2020-11-02", "--format",
                              "json").stdout)
    assert [x["id"] for x in open_then] == [2, 3]
    # another date than the visit's is refused
    before = snapshot(db_path)
    result = cli("finding", "resolve", "2", "--note", "x", "--on-site", "--date", "2020-11-03", "--by", "李明")
    assert result.exit_code == 2
    assert "--on-site: a fix on site is dated the visit's date (2020-11-02), not 2020-11-03" in result.stderr
    assert snapshot(db_path) == before
    assert cached(db_path) == derived_again(db_path)


def test_resolve_on_site_refused_after_a_later_report(cli, opened, db_path):
    ok(cli, "finding", "report", "1", "--measures", "已整改", "--date", "2020-11-04", "--by", "李明")
    before = snapshot(db_path)
    result = cli("finding", "resolve", "1", "--note", "x", "--on-site", "--by", "李明")
    assert result.exit_code == 2
    assert ("--on-site: the visit date 2020-11-02 is before the last action recorded on finding #1 "
            "(rectification report received on 2020-11-04)") in result.stderr
    assert snapshot(db_path) == before


# -- refusals: exit 2, the reason, nothing written ----------------------------------------------------------

ACTIONS = {
    "report": ("--measures", "已整改"),
    "resolve": ("--note", "已核实"),
    "extend": ("--reason", "施工", "--to", "2021-01-31"),
    "escalate": ("--reason", "需统筹"),
    "withdraw": ("--reason", "误录"),
    "reopen": ("--reason", "复核"),
}


def refused(cli, db_path, *args, message: str) -> None:
    before = snapshot(db_path)
    result = cli("finding", *[str(a) for a in args])
    assert result.exit_code == 2, (args, result.output)
    assert message in result.stderr, (args, result.stderr)
    assert "Traceback" not in result.output
    assert snapshot(db_path) == before, args


@pytest.mark.parametrize("kind", list(ACTIONS))
def test_unknown_finding(cli, opened, db_path, kind):
    refused(cli, db_path, kind, "999", *ACTIONS[kind], "--by", "李明", message="no finding #999")
    refused(cli, db_path, kind, "#42", *ACTIONS[kind], "--by", "李明", message="no finding #42")
    refused(cli, db_path, kind, "0123abcd", *ACTIONS[kind], "--by", "李明", message="no finding '0123abcd'")
    refused(cli, db_path, kind, "1x", *ACTIONS[kind], "--by", "李明", message="8 or more characters of its id")


@pytest.mark.parametrize("kind", list(ACTIONS))
@pytest.mark.parametrize("text, message", [
    ("", "empty"), ("   \n\t ", "empty"), ("ok\x1b[2Jgone", "control character U+001B"),
    ("x" * 4001, "at most 4000 characters"),
])
def test_empty_or_hostile_text(cli, opened, db_path, kind, text, message):
    option, _, *rest = ACTIONS[kind]
    if kind == "reopen":
        ok(cli, "finding", "resolve", "1", "--note", "fixed", "--date", "2020-11-03", "--by", "李明")
    refused(cli, db_path, kind, "1", option, text, *rest, "--by", "李明", message=f"{option}: {message}"
            if message == "empty" else message)


@pytest.mark.parametrize("kind", ["report", "resolve"])
def test_dates_before_the_finding_opened_or_in_the_future(cli, opened, db_path, kind):
    option, text = ACTIONS[kind]
    refused(cli, db_path, kind, "1", option, text, "--date", "2020-11-01", "--by", "李明",
            message="--date 2020-11-01 is before the finding was opened (2020-11-02)")
    refused(cli, db_path, kind, "1", option, text, "--date", "2999-01-01", "--by", "李明",
            message="--date: 2999-01-01 is in the future")
    refused(cli, db_path, kind, "1", option, text, "--date", "2020-13-01", "--by", "李明", message="is not a date")


def test_a_date_before_the_last_action(cli, opened, db_path):
    ok(cli, "finding", "report", "1", "--measures", "已整改", "--date", "2020-11-10", "--by", "李明")
    refused(cli, db_path, "resolve", "1", "--note", "已核实", "--date", "2020-11-08", "--by", "李明",
            message="--date 2020-11-08 is before the last action recorded on finding #1 (rectification report "
                    "received on 2020-11-10)")


def test_extend_not_after_the_current_due_date(cli, opened, db_path):
    refused(cli, db_path, "extend", "1", "--to", "2020-11-05", "--reason", "x", "--by", "李明",
            message="--to 2020-11-05 is not after the current due date 2020-11-05")
    refused(cli, db_path, "extend", "1", "--to", "2020-11-01", "--reason", "x", "--by", "李明",
            message="--to 2020-11-01 is not after the current due date 2020-11-05")
    refused(cli, db_path, "extend", "1", "--to", "soon", "--reason", "x", "--by", "李明",
            message="--to: 'soon' is not a date")
    ok(cli, "finding", "extend", "1", "--to", "2020-11-20", "--reason", "x", "--by", "李明")
    refused(cli, db_path, "extend", "1", "--to", "2020-11-19", "--reason", "x", "--by", "李明",
            message="--to 2020-11-19 is not after the current due date 2020-11-20")


@pytest.mark.parametrize("closing", ["resolve", "withdraw"])
@pytest.mark.parametrize("kind", [k for k in ACTIONS if k != "reopen"])
def test_no_action_on_a_resolved_or_withdrawn_finding_but_reopen(cli, opened, db_path, closing, kind):
    ok(cli, "finding", closing, "1", *ACTIONS[closing], "--by", "李明")
    state = {"resolve": "resolved", "withdraw": "withdrawn"}[closing]
    refused(cli, db_path, kind, "1", *ACTIONS[kind], "--by", "李明",
            message=f"finding #1 is {state}, not open; to take it up again: nanxian finding reopen 1 --reason")


@pytest.mark.parametrize("state", ["open", "reported"])
def test_reopen_an_open_or_reported_finding_is_refused(cli, opened, db_path, state):
    if state == "reported":
        ok(cli, "finding", "report", "1", "--measures", "已整改", "--by", "李明")
    refused(cli, db_path, "reopen", "1", "--reason", "x", "--by", "李明",
            message=f"finding #1 is {state}, not closed; there is nothing to reopen")


@pytest.mark.parametrize("kind", list(ACTIONS))
def test_by_must_be_a_registered_supervisor(cli, opened, db_path, kind):
    refused(cli, db_path, kind, "1", *ACTIONS[kind], "--by", "李铭",
            message="--by: no supervisor named '李铭' is registered; nothing was changed")
    result = cli("finding", kind, "1", *ACTIONS[kind], "--by", "李铭")
    assert "closest registered names: 李明" in result.stderr


def test_by_defaults_to_the_configured_inspector(cli, opened, db_path, monkeypatch):
    monkeypatch.setenv("NANXIAN_INSPECTOR", "王芳")
    ok(cli, "finding", "escalate", "1", "--reason", "需统筹")
    assert actions(db_path) == [("escalate", actions(db_path)[0][1], "需统筹", None, 0, "王芳")]


def test_rich_markup_and_html_in_texts_are_kept_as_data(cli, opened, db_path):
    text = "[bold red]已整改[/] <b>x</b> [link=http://x]y[/link]"
    ok(cli, "finding", "report", "1", "--measures", text, "--by", "李明")
    assert show(cli, 1)["measures"] == text
    table = ok(cli, "finding", "show", "1").stdout
    assert "[bold red]已整改[/] <b>x</b>" in table


def test_help_lists_the_loop(cli):
    result = ok(cli, "finding", "--help")
    for name in ("list", "show", "report", "resolve", "extend", "escalate", "withdraw", "reopen"):
        assert name in result.stdout
    assert "--on-site" in ok(cli, "finding", "resolve", "--help").stdout
