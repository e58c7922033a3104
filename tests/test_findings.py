"""Findings (整改项): deadlines per severity, re-checks, resolution by a later visit, `finding list|resolve`."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import register_supervisors
from visit_helpers import FULL, counts, record, rows, vdir  # noqa: F401

SHORT = """\
id: t-short
version: 1
title: {zh: 短期整改, en: Short deadlines}
kind: special
rectify_days: {critical: 3, major: 10, minor: 20}
items:
  - {id: s-crit, text: Critical point, plan: [21], type: yesno, severity: critical}
  - {id: s-major, text: Major point, plan: [21], type: yesno, severity: major}
  - {id: s-minor, text: Minor point, plan: [21], type: yesno, severity: minor}
"""
ALL_FAIL = {"s-crit": "no", "s-major": "no", "s-minor": "no"}
ALL_PASS = {"s-crit": "yes", "s-major": "yes", "s-minor": "yes"}


@pytest.fixture
def short(vdir):
    (vdir / "t-short.yaml").write_text(SHORT, encoding="utf-8")
    return vdir


def listing(cli, *args):
    result = cli("finding", "list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_due_dates_follow_the_checklists_rectify_days(cli, short, tmp_path):
    data = record(cli, tmp_path, ALL_FAIL, checklist="t-short", date="2020-12-30")
    assert [(f["item"], f["severity"], f["due"]) for f in data["findings"]] == [
        ("s-crit", "critical", "2021-01-02"), ("s-major", "major", "2021-01-09"), ("s-minor", "minor", "2021-01-19")]


def test_list_json_keys_and_overdue(cli, short, tmp_path):
    visit = record(cli, tmp_path, ALL_FAIL, checklist="t-short", date="2020-11-02")
    found = listing(cli, "--as-of", "2020-11-12")
    assert [f["item"] for f in found] == ["s-crit", "s-major", "s-minor"]  # critical first
    crit = found[0]
    for key in ("id", "school", "item", "severity", "opened", "due", "status", "visit", "resolved_by",
                "school_name", "item_text", "checklist", "overdue", "days_overdue", "resolved_on", "recheck_count"):
        assert key in crit
    assert (crit["school"], crit["school_name"], crit["visit"], crit["checklist"]) == (
        "NX-001", "南洲实验小学", visit["id"], "t-short")
    assert (crit["due"], crit["overdue"], crit["days_overdue"]) == ("2020-11-05", True, 7)
    # major due 2020-11-12: not overdue on its due day
    assert (found[1]["due"], found[1]["overdue"]) == ("2020-11-12", False)
    assert [f["item"] for f in listing(cli, "--status", "overdue", "--as-of", "2020-11-12")] == ["s-crit"]
    assert [f["item"] for f in listing(cli, "--status", "overdue", "--as-of", "2020-11-13")] == ["s-crit", "s-major"]
    # DESIGN.md's spelling, `finding list --overdue`, is the same filter
    assert [f["item"] for f in listing(cli, "--overdue", "--as-of", "2020-11-13")] == ["s-crit", "s-major"]
    assert cli("finding", "list", "--overdue", "--status", "resolved").exit_code == 2
    assert [f["item"] for f in listing(cli, "--severity", "minor")] == ["s-minor"]
    assert listing(cli, "--school", "乌嘴乡中心学校") == []
    assert len(listing(cli, "--school", "nzsyxx")) == 3
    table = cli("finding", "list", "--as-of", "2020-11-12").stdout
    assert "overdue 7 d" in table and "Critical point" in table
    csv_text = cli("finding", "list", "--format", "csv").stdout
    assert csv_text.startswith("\ufeffid,school,school_name,item,")


def test_finding_list_bad_input(cli, short):
    assert cli("finding", "list", "--status", "closed").exit_code == 2
    assert cli("finding", "list", "--severity", "urgent").exit_code == 2
    assert cli("finding", "list", "--as-of", "2020-02-30").exit_code == 2
    assert cli("finding", "list", "--school", "NX-404").exit_code == 2


def test_repeated_failure_notes_a_recheck_not_a_second_finding(cli, short, tmp_path, db_path):
    record(cli, tmp_path, ALL_FAIL, checklist="t-short", date="2020-11-02")
    second = record(cli, tmp_path, ALL_FAIL, name="b.yaml", checklist="t-short", date="2020-11-09")
    assert counts(db_path)["findings"] == 3
    found = listing(cli)
    assert [(f["recheck_count"], f["due"]) for f in found] == [(1, "2020-11-05"), (1, "2020-11-12"), (1, "2020-11-22")]
    assert {f["relation"] for f in second["findings"]} == {"rechecked"}


def test_later_passing_visit_resolves(cli, short, tmp_path, db_path):
    record(cli, tmp_path, ALL_FAIL, checklist="t-short", date="2020-11-02")
    later = record(cli, tmp_path, dict(ALL_PASS, **{"s-minor": "no"}), name="b.yaml", checklist="t-short",
                   date="2020-11-20")
    found = {f["item"]: f for f in listing(cli, "--as-of", "2020-11-20")}
    assert (found["s-crit"]["status"], found["s-crit"]["resolved_by"], found["s-crit"]["resolved_on"]) == (
        "resolved", later["id"], "2020-11-20")
    assert found["s-major"]["status"] == "resolved"
    assert (found["s-minor"]["status"], found["s-minor"]["recheck_count"]) == ("open", 1)
    assert [f["item"] for f in listing(cli, "--status", "resolved")] == ["s-crit", "s-major"]
    assert [f["item"] for f in listing(cli, "--status", "open")] == ["s-minor"]


def test_draft_and_earlier_visit_do_not_resolve(cli, short, tmp_path):
    record(cli, tmp_path, ALL_FAIL, checklist="t-short", date="2020-11-10")
    draft = record(cli, tmp_path, {"s-crit": "yes"}, name="draft.yaml", checklist="t-short", date="2020-11-20")
    assert draft["status"] == "draft"
    earlier = record(cli, tmp_path, ALL_PASS, name="old.yaml", checklist="t-short", date="2020-11-01")
    assert earlier["status"] == "submitted"
    assert [f["status"] for f in listing(cli)] == ["open", "open", "open"]


def test_resolve_by_hand(cli, short, tmp_path, db_path):
    record(cli, tmp_path, ALL_FAIL, checklist="t-short", date="2020-11-02")
    fid = listing(cli, "--severity", "critical")[0]["id"]
    result = cli("finding", "resolve", str(fid), "--note", "new fence built; photos on file", "--date", "2020-11-04",
                 "--by", "李明")
    assert result.exit_code == 0, result.output
    assert f"Finding #{fid} resolved on 2020-11-04" in result.stdout
    assert rows(db_path,
                "SELECT status, resolved_on, resolve_note, resolved_by, resolved_by_visit FROM findings WHERE id = ?",
                (fid,)) == [("resolved", "2020-11-04", "new fence built; photos on file", "李明", None)]
    again = cli("finding", "resolve", str(fid), "--note", "again")
    assert again.exit_code == 2 and "not open" in again.stderr


@pytest.mark.parametrize(
    "args, expected",
    [
        (("--note", "fixed", "--date", "2020-11-01"), "before the finding was opened"),
        (("--note", "fixed", "--date", "2999-01-01"), "in the future"),
        (("--note", "fixed", "--date", "soon"), "not a date"),
        (("--note", "   "), "--note"),
        ((), "--note"),
    ],
)
def test_resolve_bad_input_changes_nothing(cli, short, tmp_path, db_path, args, expected):
    record(cli, tmp_path, ALL_FAIL, checklist="t-short", date="2020-11-02")
    before = (rows(db_path, "SELECT * FROM findings") + rows(db_path, "SELECT * FROM finding_actions")
              + rows(db_path, "SELECT * FROM finding_steps"))
    result = cli("finding", "resolve", "1", *args)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert (rows(db_path, "SELECT * FROM findings") + rows(db_path, "SELECT * FROM finding_actions")
            + rows(db_path, "SELECT * FROM finding_steps")) == before


def test_resolve_unknown_finding(cli, short):
    result = cli("finding", "resolve", "999", "--note", "x", "--date", "2020-11-04")
    assert result.exit_code == 2
    assert "no finding #999" in result.stderr
    assert cli("finding", "resolve", "abc", "--note", "x").exit_code == 2


def test_hostile_item_text_in_finding_list(cli, vdir, tmp_path):
    (vdir / "t-evil.yaml").write_text(
        "id: t-evil\nversion: 1\ntitle: Evil\nkind: special\nitems:\n"
        "  - {id: e-1, text: '[bold red]boom[/] <b>x</b>', plan: [1], type: yesno, severity: critical}\n",
        encoding="utf-8")
    record(cli, tmp_path, {"e-1": "no"}, checklist="t-evil")
    out = cli("finding", "list").stdout
    assert "[bold red]boom[/] <b>x</b>" in out


def test_parallel_recordings_never_duplicate_a_finding(cli, short, tmp_path, db_path):
    import os
    import subprocess
    import sys

    register_supervisors(db_path, *(f"督学{n}" for n in range(4)))
    files = []
    for n in range(4):
        path = tmp_path / f"p{n}.yaml"
        path.write_text(json.dumps({"school": "NX-001", "checklist": "t-short", "date": f"2020-11-0{n + 2}",
                                    "inspector": f"督学{n}", "answers": ALL_FAIL}), encoding="utf-8")
        files.append(path)
    procs = [subprocess.Popen([sys.executable, "-m", "nanxian_cli", "inspect", "visit", "--answers", str(f)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ)) for f in files]
    results = [(p.wait(timeout=120), p.stderr.read().decode("utf-8", "replace")) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in results] == [0, 0, 0, 0], results
    assert counts(db_path)["visits"] == 4
    conn = sqlite3.connect(db_path)
    try:  # each visit got its own local number, and its answers hang on it
        assert sorted(r[0] for r in conn.execute("SELECT seq FROM visits")) == [1, 2, 3, 4]
        per_visit = conn.execute("SELECT count(DISTINCT visit_seq), count(*) FROM answers").fetchone()
        assert per_visit == (4, 4 * len(ALL_FAIL))
    finally:
        conn.close()
    found = listing(cli)
    assert len(found) == 3  # one open finding per point, whatever the order the visits were written in
    assert sorted(f["recheck_count"] for f in found) == [3, 3, 3]


def test_withdrawn_findings_only_on_request(cli, short, tmp_path):
    visit = record(cli, tmp_path, ALL_FAIL, checklist="t-short", date="2020-11-02")
    assert cli("inspect", "amend", visit["id"], "s-minor", "y", "--reason", "misread").exit_code == 0
    assert [f["item"] for f in listing(cli)] == ["s-crit", "s-major"]
    assert [f["item"] for f in listing(cli, "--status", "withdrawn")] == ["s-minor"]


def test_list_as_of_a_past_day_shows_the_findings_as_they_stood_then(cli, short, tmp_path):
    """`finding list --as-of D` agrees with the reports: resolved later = still open (and overdue) on D."""
    record(cli, tmp_path, ALL_FAIL, checklist="t-short", date="2020-11-02")
    crit = next(f for f in listing(cli) if f["item"] == "s-crit")
    assert cli("finding", "resolve", crit["id"], "--note", "门卫已到岗", "--date", "2020-11-20").exit_code == 0
    then = listing(cli, "--status", "overdue", "--as-of", "2020-11-12")
    assert [(f["item"], f["status"], f["status_as_of"], f["overdue"], f["days_overdue"]) for f in then] == [
        ("s-crit", "resolved", "open", True, 7)]
    assert ([f["item"] for f in listing(cli, "--status", "open", "--as-of", "2020-11-12")]
            == ["s-crit", "s-major", "s-minor"])
    assert listing(cli, "--status", "resolved", "--as-of", "2020-11-12") == []
    assert [f["item"] for f in listing(cli, "--status", "resolved", "--as-of", "2020-11-20")] == ["s-crit"]
    assert [f["item"] for f in listing(cli, "--status", "overdue", "--as-of", "2020-11-25")] == ["s-major", "s-minor"]
    assert listing(cli, "--as-of", "2020-11-01") == []  # nothing had been found yet
    summary = json.loads(cli("report", "summary", "--from", "2020-11-01", "--to", "2020-11-12",
                             "--format", "json").stdout)
    assert summary["totals"]["overdue_findings"] == 1 and summary["totals"]["open_findings"] == 3
