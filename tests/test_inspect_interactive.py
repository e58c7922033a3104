"""Interactive visits through piped stdin: answers, back, skip, quit, resume, EOF, invalid input, notes, re-checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import register_supervisors
from visit_helpers import FULL, counts, record, rows, vdir  # noqa: F401

START = ("inspect", "visit", "NX-001", "--checklist", "t-visit", "--inspector", "李明", "--date", "2020-11-02")
RESUME = ("inspect", "visit", "NX-001", "--checklist", "t-visit", "--resume")
RESUME_CMD = "nanxian inspect visit NX-001 --checklist t-visit --resume"


def latest(db, visit_id):
    return dict(rows(db, "SELECT a.item_id, a.outcome FROM answers a "
                         "WHERE a.visit_seq = (SELECT seq FROM visits WHERE id = ?) AND a.revision = "
                         "(SELECT max(revision) FROM answers b "
                         "WHERE b.visit_seq = a.visit_seq AND b.item_id = a.item_id)",
                     (visit_id,)))


def only_visit(db):
    (row,) = rows(db, "SELECT id, status FROM visits")
    return row


def test_full_interactive_visit_submitted(cli, vdir, db_path):
    result = cli(*START, input="y\n50\ny\nlight\n4\nall good\ny\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "南洲实验小学 (NX-001)" in out and "Progress   0/7" in out
    assert "1/7 · t-drill" in out and "Ask for the drill record" in out and "Plan items: 21" in out
    assert "light = Within limits ✓ / heavy = Too much" in out
    assert "t-kg-play" not in out.split("End of the checklist")[0]  # kindergarten point is not asked
    vid, status = only_visit(db_path)
    assert status == "submitted"
    assert latest(db_path, vid) == {"t-drill": "pass", "t-class": "pass", "t-meal": "pass", "t-homework": "pass",
                                    "t-morale": "pass", "t-remarks": "info", "t-kg-play": "na"}
    (counts_row,) = rows(db_path, "SELECT n_pass, n_fail, n_na, n_info, w_pass FROM visits")
    assert counts_row == (5, 0, 1, 1, 6.0)
    assert "Compliance 100.0% · score 100.0%" in out


def test_json_format_keeps_stdout_clean(cli, vdir):
    result = cli(*START, "--format", "json", input="y\n50\ny\nlight\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "submitted" and data["counts"] == {"pass": 5, "fail": 0, "na": 1, "info": 1}
    assert "1/7 · t-drill" in result.stderr


def test_note_after_fail_and_finding(cli, vdir, db_path):
    result = cli(*START, input="y\n61\n[bold]61 pupils[/] in 3(2)\ny\nheavy\n\n2\n\nok\ny\n")
    assert result.exit_code == 0, result.output
    notes = dict(rows(db_path, "SELECT item_id, note FROM answers WHERE outcome = 'fail'"))
    assert notes == {"t-class": "[bold]61 pupils[/] in 3(2)", "t-homework": None, "t-morale": None}
    found = rows(db_path, "SELECT item_id, severity, due, note FROM findings ORDER BY item_id")
    assert found == [("t-class", "critical", "2020-11-09", "[bold]61 pupils[/] in 3(2)"),
                     ("t-homework", "major", "2020-12-02", None), ("t-morale", "minor", "2021-01-01", None)]
    assert "✗ t-class  Largest class  (critical)" in result.stdout
    assert "Compliance 40.0% · score 50.0%" in result.stdout


def test_back_changes_previous_answer_as_new_revision(cli, vdir, db_path):
    result = cli(*START, input="y\n60\n\nb\n50\ny\nlight\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    vid, status = only_visit(db_path)
    assert status == "submitted"
    history = rows(db_path, "SELECT revision, value, outcome FROM answers "
                            "WHERE visit_seq = (SELECT seq FROM visits WHERE id = ?) AND item_id = 't-class' "
                            "ORDER BY revision", (vid,))
    assert history == [(1, "60", "fail"), (2, "50", "pass")]
    assert counts(db_path)["findings"] == 0


def test_back_twice_and_skip_logic_follows(cli, vdir, db_path):
    # drill y, class 50, meal y; at homework go back three times to drill, answer n: meal no longer applies
    result = cli(*START, input="y\n50\ny\nb\nb\nb\nn\nno plan\n50\nlight\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    vid, status = only_visit(db_path)
    assert status == "submitted"
    meal = rows(db_path, "SELECT revision, outcome, reason FROM answers "
                         "WHERE visit_seq = (SELECT seq FROM visits WHERE id = ?) AND item_id = 't-meal' "
                         "ORDER BY revision", (vid,))
    assert meal == [(1, "pass", None), (2, "na", "auto: condition not met")]
    assert latest(db_path, vid)["t-drill"] == "fail"
    assert rows(db_path, "SELECT n_pass, n_fail, n_na FROM visits") == [(3, 1, 2)]


def test_back_at_first_point_explains(cli, vdir):
    result = cli(*START, input="b\ny\nq\n")
    assert result.exit_code == 0
    assert "There is no earlier answer to go back to." in result.stdout


def test_skip_asks_again_at_the_end(cli, vdir, db_path):
    result = cli(*START, input="y\ns\ny\nlight\n4\nok\n50\ny\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count("2/7 · t-class") == 2
    assert out.index("6/7 · t-remarks") < out.rindex("2/7 · t-class")
    vid, status = only_visit(db_path)
    assert status == "submitted" and latest(db_path, vid)["t-class"] == "pass"


def test_skipped_twice_stays_unanswered(cli, vdir, db_path):
    result = cli(*START, input="y\ns\ny\nlight\n4\nok\ns\nn\n")
    assert result.exit_code == 0, result.output
    assert "1 point(s) not answered: t-class" in result.stdout
    assert "Submit anyway? [y/N]" in result.stdout
    assert RESUME_CMD in result.stdout
    assert only_visit(db_path)[1] == "draft"


def test_quit_then_resume(cli, vdir, db_path):
    result = cli(*START, input="y\n58\nbig class\nq\n")
    assert result.exit_code == 0, result.output
    assert "Draft saved" in result.stdout and RESUME_CMD in result.stdout
    vid, status = only_visit(db_path)
    assert status == "draft"
    assert latest(db_path, vid) == {"t-drill": "pass", "t-class": "fail"}
    assert counts(db_path)["findings"] == 0
    # resume: the two answered points are not asked again
    result = cli(*RESUME, input="y\nlight\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    assert "Progress   2/7" in result.stdout
    assert "1/7 · t-drill" not in result.stdout and "2/7 · t-class" not in result.stdout
    assert only_visit(db_path) == (vid, "submitted")
    assert rows(db_path, "SELECT item_id, due, note FROM findings") == [("t-class", "2020-11-09", "big class")]


def test_eof_saves_draft(cli, vdir, db_path):
    result = cli(*START, input="y\n50\n")
    assert result.exit_code == 0
    assert "Draft saved" in result.stdout and RESUME_CMD in result.stdout
    vid, status = only_visit(db_path)
    assert status == "draft" and latest(db_path, vid) == {"t-drill": "pass", "t-class": "pass"}


def test_eof_at_note_prompt_keeps_the_answer(cli, vdir, db_path):
    result = cli(*START, input="y\n70\n")
    assert result.exit_code == 0
    vid, _ = only_visit(db_path)
    assert latest(db_path, vid)["t-class"] == "fail"


def test_eof_at_submit_question_keeps_draft(cli, vdir, db_path):
    result = cli(*START, input="y\n50\ny\nlight\n4\nok\n")
    assert result.exit_code == 0
    assert only_visit(db_path)[1] == "draft"
    assert RESUME_CMD in result.stdout


def test_answer_no_to_submit_keeps_draft_then_resume_submits(cli, vdir, db_path):
    result = cli(*START, input="y\n50\ny\nlight\n4\nok\nn\n")
    assert result.exit_code == 0
    assert only_visit(db_path)[1] == "draft"
    result = cli(*RESUME, input="y\n")
    assert result.exit_code == 0, result.output
    assert only_visit(db_path)[1] == "submitted"


def test_invalid_answer_explained_and_asked_again(cli, vdir, db_path):
    result = cli(*START, input="maybe\ny\nabc\n56.5\n\ny\nmedium\nlight\n9\n3\nok\ny\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Invalid answer: expected yes or no, got 'maybe'" in out
    assert "Invalid answer: expected a number, got 'abc'" in out
    assert "Invalid answer: expected one of light, heavy, got 'medium'" in out
    assert "Invalid answer: expected a rating 1..5, got '9'" in out
    vid, status = only_visit(db_path)
    assert status == "submitted"
    assert latest(db_path, vid)["t-class"] == "fail"  # 56.5 was a valid, failing answer


def test_three_invalid_answers_in_a_row_stop_with_exit_2(cli, vdir, db_path):
    result = cli(*START, input="y\nlots\nmany\n\n50\n")
    assert result.exit_code == 2
    assert "3 invalid answers in a row" in result.stderr
    vid, status = only_visit(db_path)
    assert status == "draft" and latest(db_path, vid) == {"t-drill": "pass"}


def test_na_only_where_allowed(cli, vdir, db_path):
    result = cli(*START, input="na\ny\n50\ny\nlight\nna\nok\ny\n")
    assert result.exit_code == 0, result.output
    assert "does not accept 'na'" in result.stdout
    vid, _ = only_visit(db_path)
    assert latest(db_path, vid)["t-morale"] == "na"
    assert rows(db_path, "SELECT n_pass, n_na FROM visits") == [(4, 2)]


def test_ctrl_c_saves_draft_exit_130(cli, vdir, db_path, monkeypatch):
    from nanxian_cli.ui import entry as interactive

    real = interactive.Prompter.ask
    calls = {"n": 0}

    def ask(self, prompt):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, prompt)

    monkeypatch.setattr(interactive.Prompter, "ask", ask)
    result = cli(*START, input="y\n50\ny\n")
    assert result.exit_code == 130
    assert "Draft saved" in result.stdout and RESUME_CMD in result.stdout
    vid, status = only_visit(db_path)
    assert status == "draft" and latest(db_path, vid) == {"t-drill": "pass", "t-class": "pass"}


def test_resume_without_draft_is_exit_2(cli, vdir, db_path):
    result = cli(*RESUME, input="y\n")
    assert result.exit_code == 2
    assert "no draft of t-visit" in result.stderr
    assert counts(db_path)["visits"] == 0


def test_new_visit_warns_about_existing_draft(cli, vdir):
    cli(*START, input="y\nq\n")
    result = cli(*START, input="q\n")
    assert "use --resume to continue it" in result.stdout


def test_interactive_future_date_and_unknown_checklist(cli, vdir, db_path):
    register_supervisors(db_path, "x")
    result = cli("inspect", "visit", "NX-001", "--checklist", "t-visit", "--inspector", "x", "--date", "2999-01-01",
                 input="y\n")
    assert result.exit_code == 2 and "in the future" in result.stderr
    result = cli("inspect", "visit", "NX-001", "--checklist", "nope", "--inspector", "x", input="y\n")
    assert result.exit_code == 2 and "unknown checklist 'nope'" in result.stderr
    result = cli("inspect", "visit", "NX-001", "--checklist", "t-visit", input="y\n")
    assert result.exit_code == 2 and "--inspector" in result.stderr
    assert counts(db_path)["visits"] == 0


def test_recheck_open_findings_first(cli, vdir, tmp_path, db_path):
    first = record(cli, tmp_path, {"t-drill": "yes", "t-class": {"value": 58, "note": "3(2) has 58"}, "t-meal": "no",
                                   "t-homework": "heavy", "t-morale": 4, "t-remarks": "-"})
    other = record(cli, tmp_path, {"o-gate": "no", "o-fence": "no"}, name="other.yaml", checklist="t-other",
                   date="2020-11-05")
    assert len(other["findings"]) == 2
    # new visit: the gate is fixed, the fence is not; class fixed, meal still failing, homework fixed
    result = cli("inspect", "visit", "NX-001", "--checklist", "t-visit", "--inspector", "李明", "--date", "2020-11-20",
                 input="y\nn\nstill broken\n50\nlight\ny\nn\nstill none\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Open findings to re-check" in out and "3(2) has 58" in out and "58" in out
    assert "11" in out  # t-class was due 2020-11-09: 11 days overdue on 2020-11-20
    # points under re-check first (critical first), the point a `when` needs just before its dependant
    assert (out.index("2/7 · t-class") < out.index("4/7 · t-homework") < out.index("1/7 · t-drill")
            < out.index("3/7 · t-meal") < out.index("5/7 · t-morale"))
    listed = json.loads(cli("finding", "list", "--format", "json", "--as-of", "2020-11-20").stdout)
    new_id = rows(db_path, "SELECT id FROM visits WHERE date = '2020-11-20'")[0][0]
    state = {f["item"]: (f["status"], f["resolved_by"], f["recheck_count"]) for f in listed}
    assert state == {
        "t-class": ("resolved", new_id, 0),
        "t-homework": ("resolved", new_id, 0),
        "t-meal": ("open", None, 1),
        "o-gate": ("resolved", new_id, 0),
        "o-fence": ("open", None, 1),
    }
    steps = rows(db_path, "SELECT f.item_id, s.kind, s.text FROM finding_steps s "
                          "JOIN findings f ON f.id = s.finding_id "
                          "WHERE s.visit_id = ? ORDER BY f.item_id, s.n", (new_id,))
    assert ("o-fence", "recheck_failed", "still broken") in steps
    assert ("o-gate", "recheck_passed", None) in steps
    assert ("t-meal", "recheck_failed", "still none") in steps
    assert first["id"] != new_id


def test_recheck_answers_take_effect_only_at_submit(cli, vdir, tmp_path, db_path):
    record(cli, tmp_path, {"o-gate": "no", "o-fence": "yes"}, name="other.yaml", checklist="t-other")
    result = cli(*START, input="y\nq\n")  # fixed? y, then quit
    assert result.exit_code == 0
    assert rows(db_path, "SELECT status FROM findings") == [("open",)]
    result = cli(*RESUME, input="y\n50\ny\nlight\n4\nok\ny\n")  # the re-check is not asked again
    assert result.exit_code == 0, result.output
    assert "Fixed?" not in result.stdout
    assert rows(db_path, "SELECT status FROM findings") == [("resolved",)]


def test_subprocess_piped_stdin(vdir, db_path, tmp_path):
    register_supervisors(db_path, "王")
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-m", "nanxian_cli", *START],
        input=b"y\n58\n\ny\nlight\n4\nok\ny\n", capture_output=True, env=env, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in proc.stderr.decode("utf-8", "replace")
    vid, status = only_visit(db_path)
    assert status == "submitted"
    assert rows(db_path, "SELECT item_id, due FROM findings") == [("t-class", "2020-11-09")]
    # end of input mid-visit in a real process: exit 0, the draft kept
    proc = subprocess.run(
        [sys.executable, "-m", "nanxian_cli", "inspect", "visit", "NX-002", "--checklist", "t-visit", "--inspector",
         "王", "--date", "2020-11-03"],
        input=b"n\n", capture_output=True, env=env, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert "nanxian inspect visit NX-002 --checklist t-visit --resume" in proc.stdout.decode("utf-8")
    assert rows(db_path, "SELECT status FROM visits WHERE school_code = 'NX-002'") == [("draft",)]


def test_subprocess_non_utf8_answer_is_invalid_not_a_crash(vdir, db_path):
    proc = subprocess.run(
        [sys.executable, "-m", "nanxian_cli", *START],
        # one valid answer first, so there is a draft to keep (a draft without answers is not kept)
        input=b"y\n\xff\xfe\n\xff\n\xc3\n", capture_output=True, env=dict(os.environ), timeout=60,
    )
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert b"Traceback" not in proc.stderr
    assert rows(db_path, "SELECT status FROM visits") == [("draft",)]


def test_checklist_that_does_not_apply_is_refused(cli, vdir, db_path):
    register_supervisors(db_path, "x")
    (vdir / "t-kg.yaml").write_text(
        "id: t-kg\nversion: 1\ntitle: Kindergarten\nkind: assessment\napplies_to: {stages: [kindergarten]}\nitems:\n"
        "  - {id: k-1, text: Play, plan: [5], type: yesno}\n", encoding="utf-8")
    result = cli("inspect", "visit", "NX-001", "--checklist", "t-kg", "--inspector", "x", "--date", "2020-11-02",
                 input="y\n")
    assert result.exit_code == 2
    assert "does not apply to 南洲实验小学" in result.stderr
    assert counts(db_path)["visits"] == 0


def test_resume_a_draft_from_an_answers_file(cli, vdir, tmp_path, db_path):
    draft = record(cli, tmp_path, {"t-drill": "yes", "t-class": 58, "t-meal": "yes", "t-remarks": "-"})
    assert draft["status"] == "draft" and draft["missing"] == ["t-homework", "t-morale"]
    result = cli(*RESUME, input="light\n2\nlow\ny\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "4/7 · t-homework" in out and "5/7 · t-morale" in out and "t-drill ·" not in out
    assert rows(db_path, "SELECT status, n_pass, n_fail, n_na, n_info FROM visits") == [("submitted", 3, 2, 1, 1)]
    assert (rows(db_path, "SELECT item_id, note FROM findings ORDER BY item_id")
            == [("t-class", None), ("t-morale", "low")])


def test_hostile_school_name_is_plain_text(cli, vdir, tmp_path):
    roster = tmp_path / "evil.yaml"
    roster.write_text("- {code: NX-666, name: '[bold red]坏[/] <script>x</script> =HYPERLINK(1)', stages: primary}\n",
                      encoding="utf-8")
    assert cli("school", "import", roster).exit_code == 0
    name = "[bold red]坏[/] <script>x</script> =HYPERLINK(1)"
    result = cli("inspect", "visit", "NX-666", "--checklist", "t-visit", "--inspector", "李明", "--date", "2020-11-02",
                 input="n\n\n50\nheavy\n\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    assert f"{name} (NX-666)" in result.stdout
    listed = cli("finding", "list")
    assert name in listed.stdout
    csv_text = cli("finding", "list", "--format", "csv").stdout
    assert f",{name}," in csv_text  # not a formula: kept as it is


def test_formula_school_name_neutralised_in_finding_csv(cli, vdir, tmp_path):
    roster = tmp_path / "evil.yaml"
    roster.write_text("- {code: NX-667, name: '=HYPERLINK(\"http://x\")', stages: primary}\n", encoding="utf-8")
    assert cli("school", "import", roster).exit_code == 0
    record(cli, tmp_path, dict(FULL, **{"t-class": 70}), school="NX-667")
    import csv
    import io

    table = list(csv.DictReader(io.StringIO(cli("finding", "list", "--format", "csv").stdout.lstrip("\ufeff"))))
    assert [r["school_name"] for r in table] == ["'=HYPERLINK(\"http://x\")"]


def test_unscored_choice_gate_and_when_on_a_choice(cli, vdir, db_path):
    register_supervisors(db_path, "x")
    (vdir / "t-gate.yaml").write_text(
        "id: t-gate\nversion: 1\ntitle: Gate\nkind: special\nitems:\n"
        "  - id: g-size\n    text: Pupils\n    plan: [21]\n    type: choice\n"
        "    choices: {small: Under 100, large: 100 or more}\n"
        "  - {id: g-guards-small, text: One guard, plan: [21], type: yesno, when: {item: g-size, equals: small}}\n"
        "  - {id: g-guards-large, text: Two guards, plan: [21], type: yesno, severity: critical, "
        "when: {item: g-size, equals: large}}\n",
        encoding="utf-8")
    result = cli("inspect", "visit", "NX-001", "--checklist", "t-gate", "--inspector", "x", "--date", "2020-11-02",
                 input="large\nn\n\ny\n")
    assert result.exit_code == 0, result.output
    assert "small = Under 100 / large = 100 or more (recorded, not scored)" in result.stdout
    assert "One guard" not in result.stdout.split("End of the checklist")[0]
    assert rows(db_path, "SELECT n_pass, n_fail, n_na, n_info FROM visits") == [(0, 1, 1, 1)]
    assert rows(db_path,
                "SELECT item_id, severity, due FROM findings") == [("g-guards-large", "critical", "2020-11-09")]


def test_skipped_condition_point_then_answered_asks_its_dependant(cli, vdir, db_path):
    # skip the drill: the meal point (when drill = yes) cannot be decided yet; answering the drill at the end asks it
    result = cli(*START, input="s\n50\nlight\n4\nok\ny\nn\n\ny\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.rindex("1/7 · t-drill") < out.rindex("3/7 · t-meal")
    vid, status = only_visit(db_path)
    assert status == "submitted"
    assert latest(db_path, vid)["t-meal"] == "fail"
    assert rows(db_path, "SELECT n_pass, n_fail, n_na, n_info FROM visits") == [(4, 1, 1, 1)]


def test_resume_keeps_the_drafts_date_and_inspector(cli, vdir, db_path):
    cli(*START, input="y\nq\n")
    result = cli(*RESUME, "--date", "2020-11-05", "--inspector", "别人", input="q\n")
    assert result.exit_code == 0
    assert "keeps its date 2020-11-02 and inspector 李明" in result.stdout
    assert rows(db_path, "SELECT date, inspector FROM visits") == [("2020-11-02", "李明")]


def test_school_and_checklist_required(cli, vdir, db_path):
    result = cli("inspect", "visit", "--checklist", "t-visit", input="")
    assert result.exit_code == 2 and "SCHOOL" in result.stderr
    result = cli("inspect", "visit", "NX-001", input="")
    assert result.exit_code == 2 and "--checklist" in result.stderr
    assert counts(db_path)["visits"] == 0


# -- issue 17: notes on the answer's line, deadlines, 复查 labels, the review, a note interrupted -------------

def test_a_note_may_follow_the_answer_on_its_line(cli, vdir, db_path):
    result = cli(*START, input="y 演练记录齐全\n61 初二(3)班61人\ny\nlight\n4\nall good today\ny\n")
    assert result.exit_code == 0, result.output
    assert "Note (empty line = no note)" not in result.stdout  # the fail's note came with it: not asked again
    notes = dict(rows(db_path, "SELECT item_id, note FROM answers"))
    assert notes["t-drill"] == "演练记录齐全" and notes["t-class"] == "初二(3)班61人"
    assert notes["t-remarks"] is None  # a text point's whole line is its answer
    assert rows(db_path, "SELECT value FROM answers WHERE item_id = 't-remarks'") == [('"all good today"',)]
    assert rows(db_path, "SELECT item_id, note FROM findings") == [("t-class", "初二(3)班61人")]
    # a fail without a note still asks for one, so piped scripts keep working
    result = cli("inspect", "visit", "NX-002", "--checklist", "t-visit", "--inspector", "李明", "--date", "2020-11-02",
                 input="n\nno record\n50\nlight\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    assert "Note (empty line = no note)" in result.stdout


def test_a_fail_says_the_deadline_of_its_finding(cli, vdir):
    result = cli(*START, input="y\n61\n\ny\nheavy\n\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    assert "Opens a finding when submitted, due 2020-11-09 (critical: 7 days)" in result.stdout
    assert "Opens a finding when submitted, due 2020-12-02 (major: 30 days)" in result.stdout
    result = cli("--lang", "zh", "inspect", "visit", "NX-002", "--checklist", "t-visit", "--inspector", "李明",
                 "--date", "2020-11-03", input="y\n61\n\ny\nlight\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    assert "提交后开出整改项，整改期限 2020-11-10（严重：7 天）" in result.stdout


def test_points_that_recheck_an_open_finding_are_labelled(cli, vdir, tmp_path):
    first = record(cli, tmp_path, dict(FULL, **{"t-class": 58, "t-homework": "heavy"}))
    numbers = {f["item"]: f["id"] for f in first["findings"]}
    later = ("inspect", "visit", "NX-001", "--checklist", "t-visit", "--inspector", "李明", "--date", "2020-11-20")
    result = cli(*later, input="60\n\nlight\ny\ny\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"2/7 · t-class · critical · re-check #{numbers['t-class']}" in out
    assert f"4/7 · t-homework · major · re-check #{numbers['t-homework']}" in out
    assert "1/7 · t-drill · major · answered" in out  # no open finding: no label
    assert f"Re-check failed: finding #{numbers['t-class']} stays open (due 2020-11-09)" in out
    assert f"Re-check passed: finding #{numbers['t-homework']} is resolved when the visit is submitted" in out
    assert "Opens a finding" not in out


def test_the_review_goes_back_to_a_point_before_submitting(cli, vdir, db_path):
    # all answered; at the end: 2 -> t-class again (61 -> 50), then b -> the last one answered (t-class), then y
    result = cli(*START, input="y\n61\n\ny\nlight\n4\nok\n2\n50\nb\n52\ny\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count("Your answers (go back to any before submitting)") == 3
    assert "Submit the visit? [y/N] (b or a point's number: go back to it)" in out
    review = out.split("Your answers")[1]
    assert "t-kg-play" in review and "n/a (auto)" in review and "61" in review
    vid, status = only_visit(db_path)
    assert status == "submitted"
    assert rows(db_path, "SELECT value, outcome FROM answers WHERE item_id = 't-class' ORDER BY revision") == [
        ("61", "fail"), ("50", "pass"), ("52", "pass")]
    assert counts(db_path)["findings"] == 0
    # a point that does not apply is not asked; a bad choice is explained
    result = cli(*START, "--again", input="y\n50\ny\nlight\n4\nok\n7\nzz\nn\n")
    assert "t-kg-play does not apply to this visit (recorded n/a); nothing to answer" in result.stdout
    assert "type y, n, b or a point's number 1–7" in result.stdout


def test_ctrl_c_while_typing_a_note_keeps_the_fail_and_resume_asks_for_the_note(cli, vdir, db_path, monkeypatch):
    from nanxian_cli.ui import entry as interactive

    real = interactive.Prompter.ask

    def ask(self, prompt):
        if prompt.startswith("Note"):
            raise KeyboardInterrupt
        return real(self, prompt)

    monkeypatch.setattr(interactive.Prompter, "ask", ask)
    result = cli(*START, input="y\n61\n")
    assert result.exit_code == 130
    vid, status = only_visit(db_path)
    assert status == "draft" and latest(db_path, vid) == {"t-drill": "pass", "t-class": "fail"}
    monkeypatch.setattr(interactive.Prompter, "ask", real)
    result = cli(*RESUME, input="初二(3)班61人\ny\nlight\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    assert "t-class: 61 (fail) — the session ended while its note was typed" in result.stdout
    assert "2/7 · t-class" not in result.stdout  # the answer is kept: only its note is asked
    assert rows(db_path, "SELECT revision, value, note, reason FROM answers WHERE item_id = 't-class' "
                         "ORDER BY revision") == [(1, "61", None, "interrupted before its note"),
                                                  (2, "61", "初二(3)班61人", None)]
    assert rows(db_path, "SELECT note FROM findings") == [("初二(3)班61人",)]
