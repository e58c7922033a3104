"""Correcting or voiding a visit that is not the latest check of a point replays the later checks;
visits recorded out of date order give the findings they would have given in date order."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from visit_helpers import record, rows, vdir  # noqa: F401

# Two points; rectify days critical 3, major 10.
REPLAY = """\
id: t-replay
version: 1
title: {zh: 复查测试, en: Replay test}
kind: special
rectify_days: {critical: 3, major: 10, minor: 20}
items:
  - {id: r-gate, text: {zh: 校门值守, en: Gate guarded}, plan: [21], type: yesno, severity: critical}
  - {id: r-fence, text: {zh: 围墙完好, en: Fence intact}, plan: [21], type: yesno, severity: major}
"""

COLUMNS = ("id", "status", "opened", "due", "visit_id", "resolved_by_visit", "resolved_on", "recheck_count",
           "last_recheck")


@pytest.fixture
def rdir(vdir):
    (vdir / "t-replay.yaml").write_text(REPLAY, encoding="utf-8")
    return vdir


def visit(cli, tmp_path, date, gate, fence="yes", note=None):
    gate_answer = {"value": gate, "note": note} if note else gate
    return record(cli, tmp_path, {"r-gate": gate_answer, "r-fence": fence}, name=f"{date}.yaml",
                  checklist="t-replay", date=date)["id"]


def gate_rows(db):
    """Every finding row of the gate point, withdrawn ones included, in id order."""
    return rows(db, f"SELECT {', '.join(COLUMNS)} FROM findings WHERE item_id = 'r-gate' ORDER BY id")


# Keys added to a finding's JSON since these tests were written (state and history of the rectification loop);
# the shape compared here is the one these tests pin.
NEWER_KEYS = ("uid", "escalated", "fixed_on_site", "reported_on", "measures", "due_history", "events", "evidence")


def listing(cli, *args):
    result = cli("finding", "list", "--format", "json", "--as-of", "2020-11-30", *args)
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    for f in found:
        assert set(NEWER_KEYS) <= set(f), f
    return [{k: v for k, v in f.items() if k not in NEWER_KEYS} for f in found]


def finding_json(fid, opened, due, status, visit, resolved_by, resolved_on, recheck_count, last_recheck,
                 overdue_days=0, note=None, resolve_note=None):
    return {
        "id": fid, "school": "NX-001", "item": "r-gate", "severity": "critical", "opened": opened, "due": due,
        "status": status, "status_as_of": status, "as_of": "2020-11-30",
        "visit": visit, "resolved_by": resolved_by, "school_name": "南洲实验小学",
        "item_text": "Gate guarded", "checklist": "t-replay", "overdue": overdue_days > 0,
        "days_overdue": overdue_days, "resolved_on": resolved_on,
        "resolved_by_name": "李明" if status == "resolved" else None, "resolve_note": resolve_note,
        "recheck_count": recheck_count, "last_recheck": last_recheck, "note": note, "answer": False,
    }


def amend(cli, vid, value, reason="recount"):
    result = cli("inspect", "amend", vid[:8], "r-gate", value, "--reason", reason, "--by", "李明")
    assert result.exit_code == 0, result.output


def void(cli, vid, reason="wrong school"):
    result = cli("inspect", "void", vid[:8], "--reason", reason, "--by", "李明")
    assert result.exit_code == 0, result.output
    return result


# (a) ----------------------------------------------------------------------------------------------

def test_amending_an_older_pass_to_fail_is_resolved_by_the_later_pass(cli, rdir, tmp_path, db_path):
    v1 = visit(cli, tmp_path, "2020-11-02", "yes")
    v2 = visit(cli, tmp_path, "2020-11-20", "yes")
    amend(cli, v1, "n")
    assert gate_rows(db_path) == [(1, "resolved", "2020-11-02", "2020-11-05", v1, v2, "2020-11-20", 0, None)]
    assert listing(cli) == [finding_json(1, "2020-11-02", "2020-11-05", "resolved", v1, v2, "2020-11-20", 0, None)]
    assert listing(cli, "--status", "open") == []
    steps = rows(db_path, "SELECT kind, visit_id FROM finding_steps WHERE finding_id = 1 ORDER BY n")
    assert steps == [("opened", v1), ("resolved", v2)]
    assert rows(db_path, "SELECT a.reason FROM answers a JOIN visits v ON v.seq = a.visit_seq "
                         "WHERE v.id = ? AND a.item_id = 'r-gate' AND a.revision = 2", (v1,)) == [("recount",)]
    # and back: the finding was never there
    amend(cli, v1, "y", "typo")
    assert gate_rows(db_path) == [(1, "withdrawn", "2020-11-02", "2020-11-05", v1, v2, "2020-11-20", 0, None)]
    assert listing(cli) == []


# (b) ----------------------------------------------------------------------------------------------

def three_visits(cli, tmp_path):
    v1 = visit(cli, tmp_path, "2020-11-02", "no", note="无人值守")
    v2 = visit(cli, tmp_path, "2020-11-10", "no", note="仍无人")
    v3 = visit(cli, tmp_path, "2020-11-20", "yes")
    return v1, v2, v3


def test_voiding_the_opening_visit_lets_the_next_failure_open_the_finding(cli, rdir, tmp_path, db_path):
    v1, v2, v3 = three_visits(cli, tmp_path)
    assert gate_rows(db_path) == [(1, "resolved", "2020-11-02", "2020-11-05", v1, v3, "2020-11-20", 1, "2020-11-10")]
    result = void(cli, v1)
    assert "1 finding(s) withdrawn" in result.stdout
    assert gate_rows(db_path) == [
        (1, "withdrawn", "2020-11-02", "2020-11-05", v1, v3, "2020-11-20", 1, "2020-11-10"),
        (2, "resolved", "2020-11-10", "2020-11-13", v2, v3, "2020-11-20", 0, None)]
    assert listing(cli) == [
        finding_json(2, "2020-11-10", "2020-11-13", "resolved", v2, v3, "2020-11-20", 0, None, note="仍无人")]
    assert rows(db_path, "SELECT kind, visit_id, date FROM finding_steps WHERE finding_id = 2 ORDER BY n") == [
        ("opened", v2, "2020-11-10"), ("resolved", v3, "2020-11-20")]
    # the fence point was passed by all three: nothing to replay there
    assert rows(db_path, "SELECT count(*) FROM findings WHERE item_id = 'r-fence'") == [(0,)]


def test_voiding_the_resolving_visit_after_a_void_leaves_the_replayed_finding_open(cli, rdir, tmp_path, db_path):
    v1, v2, v3 = three_visits(cli, tmp_path)
    result = cli("inspect", "void", v1, "--reason", "wrong school", "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["withdrawn"], out["reopened"], out["replayed"]) == ([1], [], [2])
    void(cli, v3, "duplicate")
    assert gate_rows(db_path)[1] == (2, "open", "2020-11-10", "2020-11-13", v2, None, None, 0, None)
    assert listing(cli) == [finding_json(2, "2020-11-10", "2020-11-13", "open", v2, None, None, 0, None,
                                         overdue_days=17, note="仍无人")]


# (c) ----------------------------------------------------------------------------------------------

def test_amending_the_middle_failure_to_pass_resolves_on_its_date(cli, rdir, tmp_path, db_path):
    v1, v2, v3 = three_visits(cli, tmp_path)
    amend(cli, v2, "y")
    assert gate_rows(db_path) == [(1, "resolved", "2020-11-02", "2020-11-05", v1, v2, "2020-11-10", 0, None)]
    assert listing(cli) == [
        finding_json(1, "2020-11-02", "2020-11-05", "resolved", v1, v2, "2020-11-10", 0, None, note="无人值守",
                     resolve_note="仍无人")]  # the amended answer keeps its note
    # back to fail: resolved by the third visit again, re-checked once
    amend(cli, v2, "n", "misread")
    assert gate_rows(db_path) == [(1, "resolved", "2020-11-02", "2020-11-05", v1, v3, "2020-11-20", 1, "2020-11-10")]


# (d) ----------------------------------------------------------------------------------------------

def state(db):
    """Findings without ids, creation times or events: what the bureau sees."""
    return rows(db, "SELECT item_id, status, opened, due, visit_id, resolved_by_visit, resolved_on, recheck_count, "
                    "last_recheck, note FROM findings WHERE status != 'withdrawn' ORDER BY item_id, opened")


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0), (2, 0, 1), (0, 2, 1), (1, 0, 2)])
def test_recording_order_does_not_change_findings(cli, rdir, tmp_path, db_path, order):
    plan = [("2020-11-02", "no", "no"), ("2020-11-10", "no", "yes"), ("2020-11-20", "yes", "no")]
    ids = {}
    for n in order:
        date, gate, fence = plan[n]
        ids[n] = visit(cli, tmp_path, date, gate, fence)
    v1, v2, v3 = ids[0], ids[1], ids[2]
    assert state(db_path) == [
        ("r-fence", "resolved", "2020-11-02", "2020-11-12", v1, v2, "2020-11-10", 0, None, None),
        ("r-fence", "open", "2020-11-20", "2020-11-30", v3, None, None, 0, None, None),
        ("r-gate", "resolved", "2020-11-02", "2020-11-05", v1, v3, "2020-11-20", 1, "2020-11-10", None),
    ]
    assert len(rows(db_path, "SELECT * FROM findings WHERE status = 'open'")) == 1


def test_in_order_recording_writes_no_replay_events(cli, rdir, tmp_path, db_path):
    three_visits(cli, tmp_path)
    assert rows(db_path, "SELECT kind FROM finding_steps ORDER BY finding_id, n") == [
        ("opened",), ("recheck_failed",), ("resolved",)]
    assert rows(db_path, "SELECT count(*) FROM findings") == [(1,)]


def test_earlier_visit_submitted_from_a_draft_later_replays(cli, rdir, tmp_path, db_path):
    from nanxian_cli.files.checklist_folder import find_checklist
    from nanxian_cli.services.people import find_school
    from nanxian_cli.services.recording import record_draft_answer, start_draft, submit_draft
    from nanxian_cli.store import open_store

    v2 = visit(cli, tmp_path, "2020-11-20", "no")
    with open_store(db_path) as store:
        loaded = find_checklist(rdir, "t-replay")
        v1 = start_draft(store, find_school(store, "NX-001"), loaded, dt.date(2020, 11, 2), "李明")
        record_draft_answer(store, v1, "r-gate", False, "fail", "早已发现", "李明")
        record_draft_answer(store, v1, "r-fence", True, "pass", None, "李明")
        submit_draft(store, v1, "李明")
    assert [r[1:] for r in gate_rows(db_path)] == [
        ("withdrawn", "2020-11-20", "2020-11-23", v2, None, None, 0, None),
        ("open", "2020-11-02", "2020-11-05", v1, None, None, 1, "2020-11-20")]


def test_hand_resolution_sticks_and_a_later_failure_opens_a_new_finding(cli, rdir, tmp_path, db_path):
    v1 = visit(cli, tmp_path, "2020-11-02", "no")
    v2 = visit(cli, tmp_path, "2020-11-20", "no")
    result = cli("finding", "resolve", "1", "--note", "guard hired", "--date", "2020-11-10", "--by", "王主任")
    assert result.exit_code == 0, result.output
    # fixed on 11-10 by hand; the visit of 11-20 found the gate unguarded again: a new finding
    assert gate_rows(db_path) == [
        (1, "resolved", "2020-11-02", "2020-11-05", v1, None, "2020-11-10", 0, None),
        (2, "open", "2020-11-20", "2020-11-23", v2, None, None, 0, None)]
    assert rows(db_path, "SELECT resolved_by, resolve_note FROM findings WHERE id = 1") == [("王主任", "guard hired")]
    # an amendment elsewhere on the timeline keeps the hand resolution on its finding
    amend(cli, v2, "y")
    assert gate_rows(db_path)[1][1] == "withdrawn"
    amend(cli, v2, "n", "misread")
    # the same finding #2 again (a finding is named after the first failing answer of its visit), not a third one
    assert [r[1:] for r in gate_rows(db_path)] == [
        ("resolved", "2020-11-02", "2020-11-05", v1, None, "2020-11-10", 0, None),
        ("open", "2020-11-20", "2020-11-23", v2, None, None, 0, None)]
    assert rows(db_path, "SELECT resolved_by, resolve_note FROM findings WHERE id = 1") == [("王主任", "guard hired")]


def test_hand_resolution_moves_to_the_finding_that_replaces_a_voided_one(cli, rdir, tmp_path, db_path):
    v1 = visit(cli, tmp_path, "2020-11-02", "no")
    v2 = visit(cli, tmp_path, "2020-11-05", "no")
    assert cli("finding", "resolve", "1", "--note", "fixed", "--date", "2020-11-10").exit_code == 0
    void(cli, v1)
    assert [r[1:] for r in gate_rows(db_path)] == [
        ("withdrawn", "2020-11-02", "2020-11-05", v1, None, "2020-11-10", 1, "2020-11-05"),
        ("resolved", "2020-11-05", "2020-11-08", v2, None, "2020-11-10", 0, None)]


def test_cross_checklist_recheck_is_replayed(cli, rdir, tmp_path, db_path):
    """A re-check answered during a visit with another checklist survives the void of the opening visit."""
    from nanxian_cli.files.checklist_folder import find_checklist
    from nanxian_cli.services.people import find_school
    from nanxian_cli.services.recording import record_recheck, start_draft, submit_draft
    from nanxian_cli.store import open_store

    v1 = visit(cli, tmp_path, "2020-11-02", "no")
    v2 = visit(cli, tmp_path, "2020-11-06", "no")
    with open_store(db_path) as store:
        other = start_draft(store, find_school(store, "NX-001"), find_checklist(rdir, "t-other"), dt.date(2020, 11, 15),
                            "李明")
        record_recheck(store, other, 1, True, "guard on duty", "李明")
        submit_draft(store, other, "李明")
    assert gate_rows(db_path) == [(1, "resolved", "2020-11-02", "2020-11-05", v1, other, "2020-11-15", 1, "2020-11-06")]
    void(cli, v1)
    assert [r[1:] for r in gate_rows(db_path)] == [
        ("withdrawn", "2020-11-02", "2020-11-05", v1, other, "2020-11-15", 1, "2020-11-06"),
        ("resolved", "2020-11-06", "2020-11-09", v2, other, "2020-11-15", 0, None)]


def test_bad_amend_of_an_older_visit_changes_nothing(cli, rdir, tmp_path, db_path):
    v1, _, _ = three_visits(cli, tmp_path)
    before = (rows(db_path, "SELECT * FROM findings") + rows(db_path, "SELECT * FROM finding_actions")
              + rows(db_path, "SELECT * FROM finding_steps"))
    for args in (("r-gate", "maybe", "--reason", "x"), ("r-nope", "y", "--reason", "x"),
                 ("r-gate", "y", "--reason", " ")):
        result = cli("inspect", "amend", v1[:8], *args)
        assert result.exit_code == 2, result.output
    assert (rows(db_path, "SELECT * FROM findings") + rows(db_path, "SELECT * FROM finding_actions")
            + rows(db_path, "SELECT * FROM finding_steps")) == before


def test_hostile_reason_is_kept_as_data_in_replay_events(cli, rdir, tmp_path, db_path):
    v1, v2, _ = three_visits(cli, tmp_path)
    reason = '[bold]x[/] <script>alert(1)</script> =HYPERLINK("x")'
    void(cli, v1, reason)
    assert rows(db_path, "SELECT void_reason FROM visits WHERE id = ?", (v1,)) == [(reason,)]
    assert listing(cli)[0]["visit"] == v2
    shown = cli("inspect", "show", v1[:8])
    assert reason in shown.stdout and "Traceback" not in shown.stderr
