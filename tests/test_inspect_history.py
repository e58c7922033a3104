"""`inspect list|show|amend|void`: history, corrections with revisions, voided visits, id prefixes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from visit_helpers import FULL, counts, record, rows, vdir  # noqa: F401

MIXED = {"t-drill": "yes", "t-class": {"value": 58, "note": "初二(3)班58人"}, "t-meal": "no",
         "t-homework": "heavy", "t-morale": 4, "t-remarks": "ok"}


def show(cli, visit_id):
    result = cli("inspect", "show", visit_id, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def findings(db, visit_id=None):
    sql = "SELECT item_id, status, recheck_count FROM findings"
    if visit_id:
        return rows(db, sql + " WHERE visit_id = ? ORDER BY id", (visit_id,))
    return rows(db, sql + " ORDER BY id")


# -- list ------------------------------------------------------------------------------------------

def test_list_filters_and_formats(cli, vdir, tmp_path):
    a = record(cli, tmp_path, FULL)
    b = record(cli, tmp_path, {k: v for k, v in FULL.items() if k != "t-meal"}, name="b.yaml", school="NX-005",
               inspector="张三", date="2020-11-10")
    c = record(cli, tmp_path, {"t-drill": "no"}, name="c.yaml", date="2020-12-01")  # a draft
    def ids(*args):
        result = cli("inspect", "list", "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return [v["id"] for v in json.loads(result.stdout)]

    assert ids() == [c["id"], b["id"], a["id"]]  # newest first
    assert ids("--school", "南洲实验小学") == [c["id"], a["id"]]
    assert ids("--inspector", "张三") == [b["id"]]
    assert ids("--from", "2020-11-03", "--to", "2020-11-30") == [b["id"]]
    assert ids("--status", "draft") == [c["id"]]
    assert ids("--checklist", "t-other") == []
    listed = json.loads(cli("inspect", "list", "--format", "json", "--status", "submitted").stdout)
    assert ({v["id"]: (v["counts"]["pass"], v["compliance_rate"]) for v in listed}
            == {a["id"]: (5, 1.0), b["id"]: (4, 1.0)})
    csv_text = cli("inspect", "list", "--format", "csv").stdout
    assert csv_text.startswith("\ufeffid,date,school,")
    assert csv_text.count("\n") == 4
    out = tmp_path / "visits.json"
    assert cli("inspect", "list", "--output", out).exit_code == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 3
    table = cli("inspect", "list").stdout
    assert a["id"][:8] in table and "南洲实验小学" in table and "100.0%" in table


def test_list_bad_input(cli, vdir):
    assert cli("inspect", "list", "--from", "2020-12-01", "--to", "2020-11-01").exit_code == 2
    assert cli("inspect", "list", "--from", "last week").exit_code == 2
    assert cli("inspect", "list", "--status", "deleted").exit_code == 2
    assert cli("inspect", "list", "--school", "no such school").exit_code == 2


# -- show ------------------------------------------------------------------------------------------

def test_show_json_shape_and_table(cli, vdir, tmp_path):
    data = record(cli, tmp_path, MIXED)
    detail = show(cli, data["id"][:8])
    for key in ("id", "school", "checklist", "checklist_hash", "date", "inspector", "status", "counts",
                "compliance_rate", "score", "findings", "answers"):
        assert key in detail
    answers = {a["item"]: a for a in detail["answers"]}
    assert list(answers) == ["t-drill", "t-class", "t-meal", "t-homework", "t-morale", "t-remarks", "t-kg-play"]
    assert answers["t-class"]["value"] == 58 and answers["t-class"]["outcome"] == "fail"
    assert answers["t-class"]["note"] == "初二(3)班58人"
    assert answers["t-class"]["text"] == "Largest class"
    assert answers["t-drill"]["value"] is True
    assert len(answers["t-class"]["revisions"]) == 1
    assert {f["item"] for f in detail["findings"]} == {"t-class", "t-meal", "t-homework"}
    table = cli("inspect", "show", data["id"][:8]).stdout
    for text in ("Answers", "Largest class", "初二(3)班58人", "Findings", "2020-11-09"):
        assert text in table


def test_visit_prefix_lookup_and_ambiguity(cli, vdir, db_path):
    from nanxian_cli.files.checklist_folder import find_checklist
    from nanxian_cli.services.people import find_school
    from nanxian_cli.services.recording import start_draft
    from nanxian_cli.store import open_store

    with open_store(db_path) as store:
        school = find_school(store, "NX-001")
        loaded = find_checklist(vdir, "t-visit")
        start_draft(store, school, loaded, dt.date(2020, 11, 2), "李明",
                    visit_id="abcdef12-0000-4000-8000-000000000001")
        start_draft(store, school, loaded, dt.date(2020, 11, 3), "李明",
                    visit_id="abcdef12-1111-4000-8000-000000000002")
    result = cli("inspect", "show", "abcdef12")
    assert result.exit_code == 2
    assert "matches several visits" in result.stderr
    assert "abcdef12-0000-4000-8000-000000000001" in result.stderr
    assert show(cli, "abcdef12-1")["date"] == "2020-11-03"
    assert show(cli, "ABCDEF12-0000")["date"] == "2020-11-02"
    assert cli("inspect", "show", "abcdef1").exit_code == 2  # fewer than 8 characters
    assert cli("inspect", "show", "ffffffff").exit_code == 2
    assert cli("inspect", "show", "'; DROP TABLE visits; --").exit_code == 2
    assert counts(db_path)["visits"] == 2


# -- amend -----------------------------------------------------------------------------------------

def test_amend_keeps_history_and_findings_follow(cli, vdir, tmp_path, db_path):
    data = record(cli, tmp_path, MIXED)
    vid = data["id"]
    result = cli("inspect", "amend", vid[:8], "t-class", "50", "--reason", "recounted: 50 pupils", "--by", "王主任")
    assert result.exit_code == 0, result.output
    assert "t-class: fail → pass (revision 2)" in result.stdout
    detail = show(cli, vid)
    revs = {a["item"]: a for a in detail["answers"]}["t-class"]["revisions"]
    assert [(r["revision"], r["value"], r["outcome"], r["reason"], r["author"]) for r in revs] == [
        (1, 58, "fail", None, "李明"), (2, 50, "pass", "recounted: 50 pupils", "王主任")]
    assert revs[1]["note"] == "初二(3)班58人"  # the note is kept unless --note is given
    assert detail["counts"] == {"pass": 3, "fail": 2, "na": 1, "info": 1}
    assert detail["compliance_rate"] == pytest.approx(3 / 5)
    assert detail["score"] == pytest.approx(4 / 6)
    assert rows(db_path, "SELECT n_pass, n_fail, n_critical_fail FROM visits") == [(3, 2, 0)]
    assert findings(db_path) == [("t-class", "withdrawn", 0), ("t-meal", "open", 0), ("t-homework", "open", 0)]
    assert rows(db_path, "SELECT kind, text FROM finding_steps WHERE finding_id = 1 ORDER BY n") == [
        ("opened", "初二(3)班58人")]  # how it was opened; why it went is the amendment's reason, kept with the answer
    assert rows(db_path, "SELECT derived FROM findings WHERE id = 1") == [(0,)]
    # and back to a failing answer: the same finding is open again (it is named after the visit's first failing
    # answer), due from the visit date, with the current note
    result = cli("inspect", "amend", vid[:8], "t-class", "59", "--reason", "miscounted again", "--note", "59 after all")
    assert result.exit_code == 0, result.output
    assert rows(db_path,
                "SELECT id, item_id, status, due, note FROM findings WHERE item_id = 't-class' ORDER BY id") == [
        (1, "t-class", "open", "2020-11-09", "59 after all")]
    assert len(rows(db_path, "SELECT * FROM answers WHERE item_id = 't-class'")) == 3


def test_amend_skip_logic_gives_dependants_na(cli, vdir, tmp_path, db_path):
    data = record(cli, tmp_path, MIXED)
    result = cli("inspect", "amend", data["id"], "t-drill", "n", "--reason", "no drill record after all", "--format",
                 "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert ([(r["item"], r["from"], r["to"]) for r in out["revisions"]]
            == [("t-drill", "pass", "fail"), ("t-meal", "fail", "na")])
    assert out["counts"] == {"pass": 1, "fail": 3, "na": 2, "info": 1}
    state = {item: status for item, status, _ in findings(db_path)}
    assert state == {"t-class": "open", "t-meal": "withdrawn", "t-homework": "open", "t-drill": "open"}
    # the point now needs an answer again once the condition holds
    result = cli("inspect", "amend", data["id"], "t-drill", "y", "--reason", "found it", "--format", "json")
    assert json.loads(result.stdout)["needs_answer"] == ["t-meal"]
    # back to `n` and then `y` again through the table output (amending to the value it has is refused)
    assert cli("inspect", "amend", data["id"], "t-drill", "n", "--reason", "not that drill").exit_code == 0
    assert "t-meal now applies" in cli("inspect", "amend", data["id"], "t-drill", "y", "--reason", "again").stdout


def test_amend_recheck_visit_resolves_and_reopens(cli, vdir, tmp_path, db_path):
    first = record(cli, tmp_path, MIXED)
    second = record(cli, tmp_path, MIXED, name="second.yaml", date="2020-11-20")  # fails again: re-checks
    assert findings(db_path) == [("t-class", "open", 1), ("t-meal", "open", 1), ("t-homework", "open", 1)]
    # the second visit's class answer was wrong: the class was fixed, so the finding is resolved by it
    assert cli("inspect", "amend", second["id"], "t-class", "50", "--reason", "typo").exit_code == 0
    (row,) = rows(db_path, "SELECT status, recheck_count, resolved_by_visit, resolved_on FROM findings "
                           "WHERE item_id = 't-class'")
    assert row == ("resolved", 0, second["id"], "2020-11-20")
    # ...and back: the finding is reopened and the re-check counted again; no second finding
    assert cli("inspect", "amend", second["id"], "t-class", "58", "--reason", "typo of the typo").exit_code == 0
    assert rows(db_path, "SELECT status, recheck_count, resolved_by_visit FROM findings WHERE item_id = 't-class'") == [
        ("open", 1, None)]
    steps = [k for (k,) in rows(db_path, "SELECT kind FROM finding_steps WHERE finding_id = 1 ORDER BY n")]
    assert steps == ["opened", "recheck_failed"]
    assert first["id"] != second["id"]


def test_amend_draft_touches_no_findings(cli, vdir, tmp_path, db_path):
    draft = record(cli, tmp_path, {"t-drill": "yes", "t-class": 50})
    assert draft["status"] == "draft"
    assert cli("inspect", "amend", draft["id"], "t-class", "70", "--reason", "x").exit_code == 0
    assert counts(db_path)["findings"] == 0
    assert show(cli, draft["id"])["counts"]["fail"] == 1


@pytest.mark.parametrize(
    "args, expected",
    [
        (("t-class", "lots", "--reason", "x"), "expected a number"),
        (("t-morale", "6", "--reason", "x"), "expected a rating 1..5"),
        (("t-class", "na", "--reason", "x"), "does not accept 'na'"),
        (("t-nope", "1", "--reason", "x"), "'t-nope' is not a point"),
        (("t-kg-play", "y", "--reason", "x"), "does not apply"),
        (("t-class", "50", "--reason", "  "), "--reason"),
        (("t-class", "50", "--reason", "x", "--note", "n" * 4001), "4000"),
    ],
)
def test_amend_bad_input_writes_nothing(cli, vdir, tmp_path, db_path, args, expected):
    data = record(cli, tmp_path, MIXED)
    before = counts(db_path)
    result = cli("inspect", "amend", data["id"][:8], *args)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert counts(db_path) == before


def test_amend_when_condition_not_met(cli, vdir, tmp_path, db_path):
    data = record(cli, tmp_path, dict(MIXED, **{"t-drill": "no", "t-meal": "na"}))
    result = cli("inspect", "amend", data["id"], "t-meal", "y", "--reason", "x")
    assert result.exit_code == 2
    assert "condition" in result.stderr and "amend t-drill first" in result.stderr


# -- void ------------------------------------------------------------------------------------------

def test_void_withdraws_and_reopens(cli, vdir, tmp_path, db_path):
    first = record(cli, tmp_path, MIXED)
    second = record(cli, tmp_path, dict(MIXED, **{"t-class": 50}), name="second.yaml", date="2020-11-20")
    assert findings(db_path) == [("t-class", "resolved", 0), ("t-meal", "open", 1), ("t-homework", "open", 1)]
    result = cli("inspect", "void", second["id"][:8], "--reason", "wrong school recorded", "--by", "王主任")
    assert result.exit_code == 0, result.output
    assert "0 finding(s) withdrawn, 1 reopened" in result.stdout
    assert findings(db_path) == [("t-class", "open", 0), ("t-meal", "open", 0), ("t-homework", "open", 0)]
    assert rows(db_path, "SELECT status, void_reason, voided_by FROM visits WHERE id = ?", (second["id"],)) == [
        ("void", "wrong school recorded", "王主任")]
    # never deleted; its answers stay; excluded from the submitted list
    assert counts(db_path)["visits"] == 2 and counts(db_path)["answers"] == 14
    listed = json.loads(cli("inspect", "list", "--status", "submitted", "--format", "json").stdout)
    assert [v["id"] for v in listed] == [first["id"]]
    assert show(cli, second["id"])["status"] == "void"
    # void the first: its findings are withdrawn
    assert cli("inspect", "void", first["id"], "--reason", "test entry").exit_code == 0
    assert findings(db_path) == [("t-class", "withdrawn", 0), ("t-meal", "withdrawn", 0),
                                 ("t-homework", "withdrawn", 0)]
    before = counts(db_path)
    again = cli("inspect", "void", first["id"], "--reason", "again")
    assert again.exit_code == 2 and "already void" in again.stderr
    amend = cli("inspect", "amend", first["id"], "t-class", "50", "--reason", "x")
    assert amend.exit_code == 2 and "void" in amend.stderr
    assert counts(db_path) == before


def test_void_needs_reason(cli, vdir, tmp_path, db_path):
    data = record(cli, tmp_path, MIXED)
    assert cli("inspect", "void", data["id"]).exit_code == 2
    assert cli("inspect", "void", data["id"], "--reason", " ").exit_code == 2
    assert rows(db_path, "SELECT status FROM visits") == [("submitted",)]


def test_show_in_chinese(cli, vdir, tmp_path):
    data = record(cli, tmp_path, MIXED)
    out = cli("--lang", "zh", "inspect", "show", data["id"][:8]).stdout
    for text in ("状态", "已提交", "最大班额", "不合格", "严重", "逾期", "合格率    40.0%"):
        assert text in out, text
    # JSON keeps English keys and values whatever the language
    detail = json.loads(cli("--lang", "zh", "inspect", "show", data["id"], "--format", "json").stdout)
    assert detail["status"] == "submitted" and detail["findings"][0]["severity"] == "critical"


def test_amend_old_visit_withdraws_its_finding_even_if_resolved_later(cli, vdir, tmp_path, db_path):
    first = record(cli, tmp_path, MIXED)
    record(cli, tmp_path, dict(MIXED, **{"t-class": 50}), name="second.yaml", date="2020-11-20")
    assert rows(db_path, "SELECT status FROM findings WHERE item_id = 't-class'") == [("resolved",)]
    # the first visit's count was wrong: there never was a finding
    assert cli("inspect", "amend", first["id"], "t-class", "52", "--reason", "recount").exit_code == 0
    assert rows(db_path, "SELECT status FROM findings WHERE item_id = 't-class'") == [("withdrawn",)]
    assert json.loads(cli("finding", "list", "--status", "resolved", "--format", "json").stdout) == []


def test_void_after_amend_undoes_a_recheck_only_once(cli, vdir, tmp_path, db_path):
    record(cli, tmp_path, MIXED)
    record(cli, tmp_path, MIXED, name="v2.yaml", date="2020-11-10")
    third = record(cli, tmp_path, MIXED, name="v3.yaml", date="2020-11-20")
    assert rows(db_path, "SELECT status, recheck_count FROM findings WHERE item_id = 't-class'") == [("open", 2)]
    assert cli("inspect", "amend", third["id"], "t-class", "50", "--reason", "fixed after all").exit_code == 0
    assert rows(db_path, "SELECT status, recheck_count FROM findings WHERE item_id = 't-class'") == [("resolved", 1)]
    assert cli("inspect", "void", third["id"], "--reason", "duplicate entry").exit_code == 0
    # back to the state after the second visit
    assert rows(db_path, "SELECT status, recheck_count FROM findings WHERE item_id = 't-class'") == [("open", 1)]
    assert rows(db_path, "SELECT item_id, recheck_count FROM findings WHERE item_id != 't-class' ORDER BY item_id") == [
        ("t-homework", 1), ("t-meal", 1)]
