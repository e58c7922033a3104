"""Drafts of interactive visits: one session per draft (an OS lock, tested with real processes), empty drafts
are not kept, `--resume` / `--draft` choose what to continue, `inspect discard`, and notes kept on going back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from visit_helpers import FULL, counts, record, rows, vdir  # noqa: F401

START = ("inspect", "visit", "NX-001", "--checklist", "t-visit", "--inspector", "李明", "--date", "2020-11-02")
RESUME = ("inspect", "visit", "NX-001", "--checklist", "t-visit", "--resume")
REST = b"50\ny\nlight\n4\nok\ny\n"  # t-class .. submit, after t-drill = yes


class Session:
    """A real `nanxian` process with piped stdin, its output collected by a thread while it waits at a prompt."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "nanxian_cli", *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
        self.out = b""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while chunk := self.proc.stdout.read1(4096):
            self.out += chunk

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text.encode("utf-8") not in self.out:
            assert self.proc.poll() is None, (self.out, self.proc.stderr.read())
            assert time.monotonic() < deadline, f"{text!r} never shown: {self.out.decode('utf-8', 'replace')}"
            time.sleep(0.05)

    def type(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def finish(self, data: bytes = b"") -> tuple[int, str, str]:
        self.proc.stdin.write(data)
        self.proc.stdin.close()
        code = self.proc.wait(timeout=60)
        self.reader.join(timeout=10)
        return code, self.out.decode("utf-8"), self.proc.stderr.read().decode("utf-8")

    def kill(self, sig: int = signal.SIGKILL) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=60)
        self.reader.join(timeout=10)
        return code


def run(*args: str, input: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nanxian_cli", *args], input=input, capture_output=True,
                          env=dict(os.environ), timeout=60)


def state(db: Path) -> list:
    """Everything an interactive session writes, to compare before and after a refused command."""
    return [rows(db, "SELECT id, status, n_pass, n_fail, n_na, n_info, void_reason FROM visits ORDER BY id"),
            rows(db, "SELECT visit_seq, item_id, revision, value, outcome, note, reason FROM answers ORDER BY 1, 2, 3"),
            rows(db, "SELECT uid, kind, visit_id FROM finding_actions ORDER BY recorded_at, uid")]


def draft_ids(db: Path) -> list[str]:
    return [r[0] for r in rows(db, "SELECT id FROM visits WHERE status = 'draft' ORDER BY seq")]


def lock_files(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(db.name + ".draft-"))


# -- point 8: one session per draft ----------------------------------------------------------------

def test_second_resume_of_a_draft_is_refused_while_the_first_waits(cli, vdir, db_path):
    assert cli(*START, input="y\nq\n").exit_code == 0
    (vid,) = draft_ids(db_path)
    first = Session(*RESUME)
    first.wait_for("2/7 · t-class")  # the first session waits at the prompt of its next point
    assert lock_files(db_path) == [f"{db_path.name}.draft-{vid}.lock"]  # named by the visit's UUID
    before = state(db_path)
    for second in (run(*RESUME, input=REST), run(*RESUME, "--draft", vid[:8], input=REST),
                   run("inspect", "discard", vid[:8], "--reason", "given up")):
        assert second.returncode == 2, (second.stdout, second.stderr)
        err = second.stderr.decode("utf-8")
        assert "being edited in another session" in err and vid[:8] in err and "南洲实验小学" in err
        assert "Traceback" not in err
        assert "1/7" not in second.stdout.decode("utf-8")  # nothing was asked
    assert state(db_path) == before
    # the first session goes on and submits exactly what its user typed
    code, out, err = first.finish(REST)
    assert code == 0, err
    assert rows(db_path, "SELECT id, status FROM visits") == [(vid, "submitted")]
    assert rows(db_path, "SELECT item_id, revision, value FROM answers WHERE item_id IN ('t-drill', 't-class') "
                         "ORDER BY item_id") == [("t-class", 1, "50"), ("t-drill", 1, "true")]
    assert lock_files(db_path) == []


def test_a_new_visit_holds_its_draft_and_a_crash_releases_it(cli, vdir, db_path):
    first = Session(*START)
    first.type(b"y\n")
    first.wait_for("2/7 · t-class")
    (vid,) = draft_ids(db_path)
    second = run(*RESUME, input=REST)
    assert second.returncode == 2 and "being edited in another session" in second.stderr.decode("utf-8")
    assert rows(db_path, "SELECT count(*) FROM answers")[0][0] == 1
    assert first.kill() == -signal.SIGKILL  # the session dies without cleaning up: the kernel drops its lock
    third = run(*RESUME, input=REST)
    assert third.returncode == 0, third.stderr.decode("utf-8")
    assert rows(db_path, "SELECT id, status FROM visits") == [(vid, "submitted")]


def test_lock_released_after_ctrl_c_and_eof(cli, vdir, db_path):
    first = Session(*START)
    first.type(b"y\n")
    first.wait_for("2/7 · t-class")
    (vid,) = draft_ids(db_path)
    assert lock_files(db_path) == [f"{db_path.name}.draft-{vid}.lock"]
    assert run(*RESUME, input=b"50\n").returncode == 2  # held while the session runs
    assert first.kill(signal.SIGINT) == 130
    assert "Draft saved" in first.out.decode("utf-8")
    assert lock_files(db_path) == []
    eof = run(*RESUME, input=b"50\n")  # resumed, one answer, end of input
    assert eof.returncode == 0, eof.stderr.decode("utf-8")
    done = run(*RESUME, input=b"y\nlight\n4\nok\ny\n")
    assert done.returncode == 0, done.stderr.decode("utf-8")
    assert rows(db_path, "SELECT status, n_pass FROM visits") == [("submitted", 5)]


# -- point 9: empty drafts, choosing a draft, discarding one ---------------------------------------

def test_quit_or_eof_before_any_answer_keeps_no_draft(cli, vdir, db_path):
    for typed in ("q\n", "", "s\nq\n"):
        result = cli(*START, input=typed)
        assert result.exit_code == 0, result.output
        assert "Nothing was answered, so no draft was kept." in result.stdout
        assert "Draft saved" not in result.stdout
        assert counts(db_path) == {"visits": 0, "answers": 0, "findings": 0, "finding_actions": 0, "finding_steps": 0,
                                   "visit_plan_counts": 0}
    assert lock_files(db_path) == []


def test_resume_skips_an_empty_draft_for_the_one_with_answers(cli, vdir, db_path):
    assert cli(*START, input="y\n58\nbig class\nq\n").exit_code == 0
    (kept,) = draft_ids(db_path)
    crashed = Session(*START)  # a newer visit that dies at its first point leaves an empty draft
    crashed.wait_for("1/7 · t-drill")
    crashed.kill()
    assert len(draft_ids(db_path)) == 2
    result = cli(*RESUME, input="y\nlight\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    assert "Progress   2/7" in result.stdout
    assert rows(db_path, "SELECT status FROM visits WHERE id = ?", (kept,)) == [("submitted",)]
    # the empty one is offered to nobody and can be given up
    (empty,) = draft_ids(db_path)
    assert cli(*RESUME, input="y\n").exit_code == 2
    gone = cli("inspect", "discard", empty[:8], "--reason", "started by mistake")
    assert gone.exit_code == 0, gone.output
    assert "had no answers and was removed" in gone.stdout
    assert rows(db_path, "SELECT id FROM visits") == [(kept,)]


def test_draft_option_picks_one_draft(cli, vdir, db_path):
    assert cli(*START, input="y\nq\n").exit_code == 0
    assert cli(*START[:-1], "2020-11-03", input="n\nno plan\nq\n").exit_code == 0
    older, newer = draft_ids(db_path)
    plain = cli(*RESUME, input="q\n")  # the newest, saying which others there are
    assert plain.exit_code == 0
    assert f"continuing the newest draft {newer[:8]} (2020-11-03)" in plain.stdout
    assert f"{older[:8]} (2020-11-02)" in plain.stdout and "--draft ID" in plain.stdout
    assert "3/7 · t-meal" not in plain.stdout
    chosen = cli("inspect", "visit", "--resume", "--draft", older[:8], input=REST.decode())
    assert chosen.exit_code == 0, chosen.output
    assert "Date       2020-11-02" in chosen.stdout
    assert rows(db_path, "SELECT id, status FROM visits ORDER BY seq") == [(older, "submitted"), (newer, "draft")]
    # --draft alone implies --resume; the school and checklist, when given, must be the draft's
    before = state(db_path)
    for args, said in [
        (("inspect", "visit", "NX-002", "--draft", newer[:8]), "is for 南洲实验小学 (NX-001), not NX-002"),
        (("inspect", "visit", "--checklist", "t-other", "--draft", newer[:8]), "uses checklist t-visit, not t-other"),
        (("inspect", "visit", "--draft", older[:8]), f"visit {older[:8]} is submitted, not a draft"),
        (("inspect", "visit", "--draft", "0000000000"), "no visit"),
    ]:
        result = cli(*args, input="y\n")
        assert result.exit_code == 2, (args, result.output)
        assert said in result.stderr
    assert state(db_path) == before
    result = cli("inspect", "visit", "--draft", newer[:8], input="q\n")
    assert result.exit_code == 0 and "Progress   2/7" in result.stdout
    assert f"--resume --draft {newer[:8]}" in result.stdout  # the hint names exactly this draft


def test_discard_keeps_a_draft_with_answers_as_void(cli, vdir, db_path):
    assert cli(*START, input="y\n70\n61 pupils\nq\n").exit_code == 0
    (vid,) = draft_ids(db_path)
    answers_before = rows(db_path, "SELECT * FROM answers ORDER BY 1, 2, 3")
    listed = cli("inspect", "list")
    assert "draft (2 points recorded)" in listed.stdout
    assert "1 draft(s) not submitted" in listed.stdout and "inspect discard VISIT" in listed.stdout
    result = cli("inspect", "discard", vid[:8], "--reason", "wrong school", "--by", "王芳", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"id": vid, "status": "void", "reason": "wrong school", "answers": 2}
    assert rows(db_path, "SELECT status, void_reason, voided_by, submitted_at FROM visits") == [
        ("void", "wrong school", "王芳", None)]
    assert rows(db_path, "SELECT * FROM answers ORDER BY 1, 2, 3") == answers_before  # facts are never lost
    assert "discarded draft" in cli("inspect", "list").stdout
    assert cli(*RESUME, input="y\n").exit_code == 2  # nothing to resume any more
    again = cli("inspect", "discard", vid[:8], "--reason", "twice")
    assert again.exit_code == 2 and "already void" in again.stderr


def test_discard_refuses_a_submitted_visit_and_an_empty_reason(cli, vdir, db_path, tmp_path):
    done = record(cli, tmp_path, FULL)
    assert cli(*START[:-1], "2020-11-03", input="y\nq\n").exit_code == 0
    (draft,) = draft_ids(db_path)
    before = state(db_path)
    result = cli("inspect", "discard", done["id"][:8], "--reason", "mistake")
    assert result.exit_code == 2
    assert "is submitted, not a draft" in result.stderr and f"nanxian inspect void {done['id'][:8]}" in result.stderr
    result = cli("inspect", "discard", draft[:8], "--reason", "   ")
    assert result.exit_code == 2 and "--reason" in result.stderr
    result = cli("inspect", "discard", draft[:8])
    assert result.exit_code == 2 and "--reason" in result.stderr
    assert state(db_path) == before


# -- point 10: going back keeps the note -----------------------------------------------------------

def test_back_then_same_answer_keeps_the_note(cli, vdir, db_path):
    # t-drill n with a note; at t-class go back, n again, Enter at the note prompt
    result = cli(*START, input="n\nno plan\nb\nn\n\n50\nlight\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    assert "Earlier answer: no (fail) · note: no plan" in result.stdout
    assert "Note (empty line = keep the earlier note, - = no note):" in result.stdout
    assert rows(db_path, "SELECT revision, outcome, note FROM answers WHERE item_id = 't-drill' ORDER BY revision") == [
        (1, "fail", "no plan"), (2, "fail", "no plan")]
    assert rows(db_path, "SELECT item_id, note FROM findings") == [("t-drill", "no plan")]


def test_back_note_can_be_replaced_or_removed_and_show_lists_every_revisions_note(cli, vdir, db_path):
    result = cli(*START, input="n\nno plan\nb\nn\nplan, but no drill yet\nb\nn\n-\n50\nlight\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    assert "Earlier answer: no (fail) · note: plan, but no drill yet" in result.stdout
    assert rows(db_path, "SELECT revision, note FROM answers WHERE item_id = 't-drill' ORDER BY revision") == [
        (1, "no plan"), (2, "plan, but no drill yet"), (3, None)]
    (vid,) = [r[0] for r in rows(db_path, "SELECT id FROM visits")]
    shown = cli("inspect", "show", vid[:8])
    assert shown.exit_code == 0
    history = shown.stdout.split("Revision history")[1]
    assert "no plan" in history and "plan, but no drill yet" in history
    data = json.loads(cli("inspect", "show", vid[:8], "--format", "json").stdout)
    drill = next(a for a in data["answers"] if a["item"] == "t-drill")
    assert [r["note"] for r in drill["revisions"]] == ["no plan", "plan, but no drill yet", None]


def test_back_to_a_pass_offers_the_earlier_note(cli, vdir, db_path):
    # t-class 60 (fail) with a note, back, 50 (pass): the note is offered again, Enter keeps it
    result = cli(*START, input="y\n60\n3(2) counted twice\ny\nb\nb\n50\n\ny\nlight\n4\nok\ny\n")
    assert result.exit_code == 0, result.output
    assert "Earlier answer: 60 (fail) · note: 3(2) counted twice" in result.stdout
    assert rows(db_path, "SELECT revision, outcome, note FROM answers WHERE item_id = 't-class' ORDER BY revision") == [
        (1, "fail", "3(2) counted twice"), (2, "pass", "3(2) counted twice")]


def test_eof_at_the_note_prompt_of_a_point_answered_again_keeps_the_note(cli, vdir, db_path):
    result = cli(*START, input="n\nno plan\nb\nn\n")
    assert result.exit_code == 0
    assert rows(db_path, "SELECT revision, note FROM answers WHERE item_id = 't-drill' ORDER BY revision") == [
        (1, "no plan"), (2, "no plan")]
