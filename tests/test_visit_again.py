"""A second submitted visit with the same school, checklist, date and supervisor is refused unless --again
(the same answers file recorded twice must not count twice)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from visit_helpers import FULL, answers_file, counts, record, rows, vdir  # noqa: F401

START = ("inspect", "visit", "NX-001", "--checklist", "t-visit", "--inspector", "李明", "--date", "2020-11-02")
INTERACTIVE_FULL = "y\n50\ny\nlight\n4\nall good\ny\n"


def dump(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("visits", "answers", "findings", "finding_actions", "finding_steps", "visit_plan_counts")}
    finally:
        conn.close()


def summary_visits(cli) -> int:
    result = cli("report", "summary", "--from", "2020-09-01", "--to", "2020-12-31", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["totals"]["visits"]


def test_same_answers_file_twice_is_refused(cli, vdir, db_path, tmp_path):
    path = answers_file(tmp_path, dict(FULL, **{"t-class": 60}))
    first = cli("inspect", "visit", "--answers", path, "--format", "json")
    assert first.exit_code == 0, first.output
    visit_id = json.loads(first.stdout)["id"]
    before = dump(db_path)
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: NX-001 already has a submitted visit with t-visit on 2020-11-02 by 李明: {visit_id[:8]}; this one "
        "was not recorded (if it really is a second visit that day, add --again)",
        f"  existing visit: {visit_id} (nanxian inspect show {visit_id[:8]})",
    ]
    assert result.stdout == ""
    assert dump(db_path) == before
    assert summary_visits(cli) == 1
    zh = cli("--lang", "zh", "inspect", "visit", "--answers", path)
    assert zh.exit_code == 2
    assert f"已有 李明 用 t-visit 提交的督导记录 {visit_id[:8]}" in zh.stderr and visit_id in zh.stderr
    assert dump(db_path) == before


def test_again_records_a_second_visit(cli, vdir, db_path, tmp_path):
    path = answers_file(tmp_path, FULL)
    first = record(cli, tmp_path, FULL)
    second = cli("inspect", "visit", "--answers", path, "--again", "--format", "json")
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["id"] != first["id"]
    assert counts(db_path)["visits"] == 2
    assert summary_visits(cli) == 2


def test_other_supervisor_date_school_or_checklist_is_not_a_duplicate(cli, vdir, db_path, tmp_path):
    record(cli, tmp_path, FULL)
    record(cli, tmp_path, FULL, name="b.yaml", inspector="王芳")
    record(cli, tmp_path, FULL, name="c.yaml", date="2020-11-03")
    record(cli, tmp_path, FULL, name="d.yaml", school="NX-002")
    record(cli, tmp_path, {"o-gate": "yes", "o-fence": "yes"}, name="e.yaml", checklist="t-other")
    assert counts(db_path)["visits"] == 5
    # while the first one again is a duplicate
    assert cli("inspect", "visit", "--answers", tmp_path / "answers.yaml").exit_code == 2
    assert counts(db_path)["visits"] == 5


def test_drafts_and_void_visits_do_not_count(cli, vdir, db_path, tmp_path):
    draft = record(cli, tmp_path, {"t-drill": "yes"}, name="draft.yaml")  # unanswered points: a draft
    assert draft["status"] == "draft"
    done = record(cli, tmp_path, FULL)
    assert done["status"] == "submitted"
    assert cli("inspect", "void", done["id"][:8], "--reason", "wrong school").exit_code == 0
    again = record(cli, tmp_path, FULL, name="again.yaml")
    assert again["status"] == "submitted"
    assert rows(db_path, "SELECT status, count(*) FROM visits GROUP BY status ORDER BY status") == [
        ("draft", 1), ("submitted", 1), ("void", 1)]
    # a file that leaves points unanswered stays a draft: not refused either
    assert record(cli, tmp_path, {"t-drill": "no"}, name="part.yaml")["status"] == "draft"
    # but the submitted one again is
    before = dump(db_path)
    result = cli("inspect", "visit", "--answers", tmp_path / "again.yaml")
    assert result.exit_code == 2
    assert f"existing visit: {again['id']}" in result.stderr
    assert dump(db_path) == before


def test_interactive_is_refused_before_the_first_question(cli, vdir, db_path, tmp_path):
    existing = record(cli, tmp_path, FULL)
    before = dump(db_path)
    result = cli(*START, input=INTERACTIVE_FULL)
    assert result.exit_code == 2
    assert f"already has a submitted visit with t-visit on 2020-11-02 by 李明: {existing['id'][:8]}" in result.stderr
    assert f"existing visit: {existing['id']}" in result.stderr
    assert "An evacuation drill" not in result.stdout  # no question was asked
    assert dump(db_path) == before  # and no draft was made
    result = cli(*START, "--again", input=INTERACTIVE_FULL)
    assert result.exit_code == 0, result.output
    assert rows(db_path, "SELECT status, count(*) FROM visits GROUP BY status") == [("submitted", 2)]


def test_interactive_resume_is_refused_before_the_first_question(cli, vdir, db_path, tmp_path):
    assert cli(*START, input="y\nq\n").exit_code == 0  # a draft, quit after one answer
    existing = record(cli, tmp_path, FULL)  # meanwhile the same visit came in from a file
    before = dump(db_path)
    resume = ("inspect", "visit", "NX-001", "--checklist", "t-visit", "--resume")
    result = cli(*resume, input="50\ny\nlight\n4\nok\ny\n")
    assert result.exit_code == 2
    assert existing["id"][:8] in result.stderr and "add --again" in result.stderr
    assert dump(db_path) == before
    result = cli(*resume, "--again", input="50\ny\nlight\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    assert rows(db_path, "SELECT status, count(*) FROM visits GROUP BY status") == [("submitted", 2)]


def _wait_for(db: Path, sql: str, expected, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists() and rows(db, sql) == expected:
            return
        time.sleep(0.05)
    raise AssertionError(f"{sql}: never {expected}")


def test_interactive_is_refused_again_at_submit(vdir, db_path, tmp_path):
    """A twin submitted from a file while the interactive visit is being answered: submit keeps the draft."""
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "nanxian_cli", *START], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        proc.stdin.write(b"y\n50\ny\nlight\n4\nall good\n")  # every point, not yet submitted
        proc.stdin.flush()
        _wait_for(db_path, "SELECT count(*) FROM answers a JOIN visits v ON v.seq = a.visit_seq "
                           "WHERE v.status = 'draft' AND a.item_id = 't-remarks'", [(1,)])  # the last point
        twin = subprocess.run([sys.executable, "-m", "nanxian_cli", "inspect", "visit", "--answers",
                               str(answers_file(tmp_path, FULL)), "--format", "json"],
                              capture_output=True, env=env, timeout=60)
        assert twin.returncode == 0, twin.stderr.decode()
        twin_id = json.loads(twin.stdout)["id"]
        before = dump(db_path)
        out, err = proc.communicate(b"y\n", timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stdout, stderr = out.decode("utf-8"), err.decode("utf-8")
    assert proc.returncode == 2, (stdout, stderr)
    assert f"already has a submitted visit with t-visit on 2020-11-02 by 李明: {twin_id[:8]}" in stderr
    assert "Draft saved (not submitted). To submit it as a second visit:" in stdout
    draft_id = rows(db_path, "SELECT id FROM visits WHERE status = 'draft'")[0][0]
    assert f"nanxian inspect visit NX-001 --checklist t-visit --resume --draft {draft_id[:8]} --again" in stdout
    assert "Traceback" not in stderr
    assert dump(db_path) == before  # the draft kept as it was, nothing submitted
    assert rows(db_path, "SELECT status, count(*) FROM visits GROUP BY status ORDER BY status") == [
        ("draft", 1), ("submitted", 1)]
    done = subprocess.run([sys.executable, "-m", "nanxian_cli", "inspect", "visit", "NX-001", "--checklist", "t-visit",
                           "--resume", "--again"], input=b"y\n", capture_output=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    assert rows(db_path, "SELECT status, count(*) FROM visits GROUP BY status") == [("submitted", 2)]
