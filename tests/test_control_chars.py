"""Text typed by people never carries terminal control sequences into the database or onto a screen."""

from __future__ import annotations

import sqlite3

from nanxian_cli.config import bundled_checklists_dir  # noqa: F401

CHECKLIST = """\
id: cc
version: 1
title: {zh: 测试, en: Test}
kind: routine
items:
  - id: cc-drill
    text: {zh: 演练, en: Drill held}
    plan: [21]
    type: yesno
    severity: major
  - id: cc-remark
    text: {zh: 其他情况, en: Other remarks}
    plan: [18]
    type: text
"""


def _setup(tmp_path, cli, schools):
    folder = tmp_path / "cl"
    folder.mkdir()
    (folder / "cc.yaml").write_text(CHECKLIST, encoding="utf-8")
    assert cli("inspector", "add", "李明").exit_code == 0  # visits name a registered supervisor
    return folder


def _rows(db_path, table):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_answers_file_note_with_escape_is_refused(tmp_path, cli, schools, db_path):
    folder = _setup(tmp_path, cli, schools)
    answers = tmp_path / "a.yaml"
    answers.write_text(
        'school: NX-001\nchecklist: cc\ndate: 2020-11-02\ninspector: 李明\n'
        'answers:\n  cc-drill: {value: no, note: "bad \\e[31mred"}\n  cc-remark: ok\n',
        encoding="utf-8",
    )
    result = cli("--checklists", folder, "inspect", "visit", "--answers", answers)
    assert result.exit_code == 2, result.output
    assert "U+001B" in result.output
    assert _rows(db_path, "visits") == 0


def test_answers_file_text_answer_with_escape_is_refused(tmp_path, cli, schools, db_path):
    folder = _setup(tmp_path, cli, schools)
    answers = tmp_path / "a.yaml"
    answers.write_text(
        'school: NX-001\nchecklist: cc\ndate: 2020-11-02\ninspector: 李明\n'
        'answers:\n  cc-drill: yes\n  cc-remark: "\\e]0;pwned\\a"\n',
        encoding="utf-8",
    )
    result = cli("--checklists", folder, "inspect", "visit", "--answers", answers)
    assert result.exit_code == 2, result.output
    assert _rows(db_path, "answers") == 0


def test_amend_reason_and_resolve_note_with_escape_are_refused(tmp_path, cli, schools, db_path):
    folder = _setup(tmp_path, cli, schools)
    answers = tmp_path / "a.yaml"
    answers.write_text(
        'school: NX-001\nchecklist: cc\ndate: 2020-11-02\ninspector: 李明\nanswers:\n  cc-drill: no\n  cc-remark: ok\n',
        encoding="utf-8",
    )
    result = cli("--checklists", folder, "inspect", "visit", "--answers", answers, "--format", "json")
    assert result.exit_code == 0, result.output
    import json

    visit = json.loads(result.stdout)
    before = _rows(db_path, "answers")
    result = cli("--checklists", folder, "inspect", "amend", visit["id"][:8], "cc-drill", "yes", "--reason",
                 "x\x1b[2Jy")
    assert result.exit_code == 2
    assert "--reason" in result.output
    assert _rows(db_path, "answers") == before
    finding_id = visit["findings"][0]["id"]
    result = cli("finding", "resolve", finding_id, "--note", "fixed\x07", "--date", "2020-11-03")
    assert result.exit_code == 2
    result = cli("--checklists", folder, "inspect", "void", visit["id"][:8], "--reason", "\x1b[31m")
    assert result.exit_code == 2


def test_interactive_input_drops_escape_sequences(tmp_path, cli, schools, db_path):
    folder = _setup(tmp_path, cli, schools)
    # yesno answer "n", then a note containing an arrow-key sequence, then a text answer, then submit
    result = cli("--checklists", folder, "inspect", "visit", "NX-001", "--checklist", "cc", "--inspector", "李明",
                 "--date", "2020-11-02", input="n\nbroken\x1b[A door\nall \x1b[31mfine\ny\n")
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db_path)
    try:
        texts = [r[0] or "" for r in conn.execute("SELECT coalesce(note, '') || ' ' || coalesce(value, '') "
                                                  "FROM answers")]
    finally:
        conn.close()
    assert texts and not any("\x1b" in t for t in texts)
    assert any("broken door" in t for t in texts)
