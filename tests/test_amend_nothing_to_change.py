"""`inspect amend` to the value and note a point already has is refused: no no-op revision ("pass → pass")."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from visit_helpers import FULL, record, rows, vdir  # noqa: F401

ANSWERS = dict(FULL, **{"t-class": {"value": 58, "note": "初二(3)班58人"}, "t-homework": "heavy"})


def dump(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("visits", "answers", "findings", "finding_actions", "finding_steps", "visit_plan_counts")}
    finally:
        conn.close()


@pytest.mark.parametrize(("item", "value", "extra"), [
    ("t-drill", "yes", ()),
    ("t-drill", "y", ()),                          # another spelling of the same answer
    ("t-class", "58", ()),                         # the note is kept when --note is not given
    ("t-class", "58.0", ("--note", "初二(3)班58人")),  # the same number and the same note
    ("t-homework", "heavy", ()),
    ("t-remarks", "ok", ()),
])
def test_amend_to_the_current_answer_is_refused(cli, vdir, db_path, tmp_path, item, value, extra):
    visit = record(cli, tmp_path, ANSWERS)
    before = dump(db_path)
    result = cli("inspect", "amend", visit["id"][:8], item, value, "--reason", "checked again", *extra)
    assert result.exit_code == 2, result.output
    outcome = {"t-drill": "pass", "t-class": "fail", "t-homework": "fail", "t-remarks": "info"}[item]
    assert result.stderr.strip() == (f"Error: {item}: nothing to change: the answer and note are what it already has "
                                      f"({outcome}); nothing was written")
    assert dump(db_path) == before
    shown = json.loads(cli("inspect", "show", visit["id"], "--format", "json").stdout)
    assert [len(a["revisions"]) for a in shown["answers"] if a["item"] == item] == [1]


def test_nothing_to_change_in_chinese(cli, vdir, db_path, tmp_path):
    visit = record(cli, tmp_path, ANSWERS)
    before = dump(db_path)
    result = cli("--lang", "zh", "inspect", "amend", visit["id"][:8], "t-drill", "是", "--reason", "复核")
    assert result.exit_code == 2
    assert "t-drill：回答和备注与当前一致（pass），无需修改" in result.stderr
    assert dump(db_path) == before


def test_a_new_note_alone_is_a_change(cli, vdir, db_path, tmp_path):
    visit = record(cli, tmp_path, ANSWERS)
    result = cli("inspect", "amend", visit["id"][:8], "t-class", "58", "--reason", "note the class",
                 "--note", "初二(3)班、初三(1)班", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(r["item"], r["from"], r["to"], r["revision"]) for r in json.loads(result.stdout)["revisions"]] == [
        ("t-class", "fail", "fail", 2)]
    assert rows(db_path, "SELECT revision, note FROM answers WHERE item_id = 't-class' ORDER BY revision") == [
        (1, "初二(3)班58人"), (2, "初二(3)班、初三(1)班")]
    # and amending to exactly that again is refused
    before = dump(db_path)
    result = cli("inspect", "amend", visit["id"][:8], "t-class", "58", "--reason", "again")
    assert result.exit_code == 2 and "nothing to change" in result.stderr
    assert dump(db_path) == before


def test_a_changed_value_is_still_amended(cli, vdir, db_path, tmp_path):
    visit = record(cli, tmp_path, ANSWERS)
    result = cli("inspect", "amend", visit["id"][:8], "t-class", "50", "--reason", "recount")
    assert result.exit_code == 0, result.output
    assert "t-class: fail → pass (revision 2)" in result.stdout
    before = dump(db_path)
    result = cli("inspect", "amend", visit["id"][:8], "t-class", "50", "--reason", "recount again")
    assert result.exit_code == 2 and "t-class: nothing to change" in result.stderr
    assert dump(db_path) == before
