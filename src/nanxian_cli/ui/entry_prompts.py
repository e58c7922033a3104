"""What the interactive visit asks (ui/entry.py): one point until it gets a valid answer or a key (`?` guidance,
`b` back, `s` skip for now, `q` save and quit, `p FILE` attach), a note, yes or no, and whether to submit after the
review. A mixin of `Session` (ui/entry_session.py)."""

from __future__ import annotations

from typing import Any

from nanxian_cli.core.answers import AnswerError, Outcome, judge
from nanxian_cli.core.applicability import auto_na
from nanxian_cli.i18n import pick, tr
from nanxian_cli.ui.entry_screens import _show_value

NOTE_PENDING = "interrupted before its note"
"""The reason kept on a fail written when the session ended while its note was typed: `--resume` asks again."""
MAX_INVALID_PIPED = 3
KEYS = {"?", "b", "s", "q"}


def answer_and_note(item: Any, raw: str) -> tuple[Outcome, str | None]:
    """The answer typed at a point, and the note written after it on the same line (`y 工作计划齐全`,
    `58 初二(3)班58人`): the whole line is tried as the answer first (a text point's answer is the whole line, a
    choice's label may hold spaces), then its first word. Raises AnswerError about the whole line."""
    try:
        return judge(item, raw), None
    except AnswerError:
        parts = raw.split(None, 1)
        if item.type == "text" or len(parts) < 2:
            raise
        try:
            return judge(item, parts[0]), parts[1].strip()
        except AnswerError:
            pass
        raise


class _Quit(Exception):
    """The supervisor typed `q`."""


class _TooManyInvalid(Exception):
    """Three invalid answers in a row on piped input."""


class Prompts:
    """The questions of a `Session`: it holds the state they change (`prompter`, `invalid_streak` …)."""

    def invalid(self, message: str) -> None:
        self.say(tr(f"无效回答：{message}。请重新输入。", f"Invalid answer: {message}. Please try again."), "yellow")
        self.invalid_streak += 1
        if not self.prompter.tty and self.invalid_streak >= MAX_INVALID_PIPED:
            raise _TooManyInvalid

    # -- asking ----------------------------------------------------------------------------------------
    def ask_point(self, item: Any, position: int) -> str:
        """Ask one point until it gets a valid answer or a key; returns 'answered' | 'back' | 'skip'.

        A point answered before (after `b`, or a resumed draft's point asked again) shows its earlier answer
        and note; the note is offered again and Enter keeps it.
        """
        self.show_point(item, position)
        earlier = self.earlier_answer(item)
        kept_note = earlier[2] if earlier else None
        if earlier:
            self.show_earlier(earlier)
        while True:
            raw = self.prompter.ask("> ").strip()
            key = raw.lower()
            if key == "?":
                self.show_guidance(item)
                continue
            if key == "q":
                raise _Quit
            if key == "b":
                return "back"
            if key == "s":
                return "skip"
            if key == "p" or key.startswith("p "):
                self.attach(item, raw[1:].strip())
                continue
            try:
                result, inline = answer_and_note(item, raw)
            except AnswerError as exc:
                self.invalid(pick(exc.words))
                continue
            if inline is not None and len(inline) > 4000:
                self.invalid(tr("备注不能超过 4000 字", "a note is at most 4000 characters"))
                continue
            self.invalid_streak = 0
            note = inline
            if result.outcome == "fail":
                self.say(tr("✗ 不合格", "✗ fail"), "bold red" if item.severity == "critical" else "red")
                self.say_deadline(item)
            if inline is None and (result.outcome == "fail" or kept_note):
                try:
                    note = self.ask_note(kept_note)
                except (EOFError, KeyboardInterrupt):
                    # keep the answer (and the earlier note), lose only the note being typed; a fail that had no
                    # note yet is marked, so that --resume asks for it again
                    pending = result.outcome == "fail" and not kept_note
                    self.write(item, result.value, result.outcome, kept_note, NOTE_PENDING if pending else None)
                    raise
            self.write(item, result.value, result.outcome, note)
            if result.outcome != "fail":
                label = {"pass": tr("✓ 合格", "✓ pass"), "na": tr("— 不适用", "— n/a"),
                         "info": tr("已记录", "recorded")}
                self.say(label[result.outcome], "green" if result.outcome == "pass" else "")
                finding = self.rechecks.get(item.id)
                if finding is not None and result.outcome == "pass":
                    self.say(tr(f"复查通过：整改项 #{finding['id']} 在提交本次督导时销号",
                                f"Re-check passed: finding #{finding['id']} is resolved when the visit is submitted"),
                             "green")
            return "answered"

    def attach(self, item: Any, text: str) -> None:
        """`p PATH`: attach a photo or document to this point at once, say so, and ask the point again."""
        from pathlib import Path

        from nanxian_cli.errors import InputError
        from nanxian_cli.files.evidence import DEFAULT_MAX_MB
        from nanxian_cli.services.evidence import add_to_draft_point

        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":  # a path dropped on a terminal comes quoted
            text = text[1:-1]
        if not text:
            self.say(tr("请在 p 后给出文件路径，例如：p 照片.jpg", "give the file after p, e.g. p photo.jpg"), "yellow")
            self.invalid_streak += 1
            if not self.prompter.tty and self.invalid_streak >= MAX_INVALID_PIPED:
                raise _TooManyInvalid
            return
        try:
            done = add_to_draft_point(self.store, self.visit_id, item.id, Path(text).expanduser(),
                                      self.evidence_limit or DEFAULT_MAX_MB * 1024 * 1024, self.inspector)
        except InputError as exc:
            self.say(tr("未添加：", "Not attached: ") + exc.message, "yellow")
            for line in exc.details:
                self.say(f"  {line}", "yellow")
            self.invalid_streak += 1
            if not self.prompter.tty and self.invalid_streak >= MAX_INVALID_PIPED:
                raise _TooManyInvalid from None
            return
        self.invalid_streak = 0
        from nanxian_cli.render.evidence import kind, size_text

        how = "" if done.linked else tr("（此前已添加）", " (attached before)")
        self.say(tr(f"已添加 {done.name}（{kind(done.media_type)}，{size_text(done.size)}，编号 {done.sha256[:12]}）"
                    f"{how}；请回答本要点",
                    f"attached {done.name} ({kind(done.media_type)}, {size_text(done.size)}, id "
                    f"{done.sha256[:12]}){how}; now answer the point"), "green")

    def ask_pending_notes(self) -> None:
        """The notes that were being typed when the last session ended: asked again, first."""
        for item in self.checklist.items:
            if item.id not in self.pending:
                continue
            value, outcome = self.values[item.id].value, self.latest[item.id][0]
            self.say(tr(f"{item.id}：{_show_value(value)}（不合格）— 上次输入备注时中断了",
                        f"{item.id}: {_show_value(value)} (fail) — the session ended while its note was typed"),
                     "yellow")
            self.say(self.text_of(item.text), "bold")
            self.write(item, value, outcome, self.ask_note())

    def ask_note(self, kept: str | None = None) -> str | None:
        """A note; with an earlier note `kept`, Enter keeps it and `-` removes it."""
        if kept:
            prompt = tr("备注（直接回车保留原备注，- 删除）：",
                        "Note (empty line = keep the earlier note, - = no note): ")
        else:
            prompt = tr("备注（直接回车表示无）：", "Note (empty line = no note): ")
        while True:
            text = self.prompter.ask(prompt).strip()
            if len(text) > 4000:
                self.say(tr("备注不能超过 4000 字。", "A note is at most 4000 characters."), "yellow")
                continue
            if kept and text == "":
                return kept
            if kept and text == "-":
                return None
            return text or None

    def ask_yes_no(self, prompt: str, allow_skip: bool = False) -> bool | None:
        """y -> True, n (or empty) -> False; `s` -> None when allowed; `q` quits."""
        from nanxian_cli.core.answers import NO_WORDS, YES_WORDS

        while True:
            raw = self.prompter.ask(prompt).strip().lower()
            if raw == "q":
                raise _Quit
            if allow_skip and raw == "s":
                return None
            if raw in YES_WORDS:
                self.invalid_streak = 0
                return True
            if raw in NO_WORDS or (raw == "" and not allow_skip):
                self.invalid_streak = 0
                return False
            self.invalid(tr("请输入 y 或 n", "type y or n"))

    def ask_submit(self, prompt: str) -> Any:
        """y -> True (submit), n or empty -> False (keep the draft), `q` quits; `b` -> the last point answered,
        a number -> that point (to answer again)."""
        from nanxian_cli.core.answers import NO_WORDS, YES_WORDS

        by_number = dict(enumerate(self.checklist.items, start=1))
        while True:
            raw = self.prompter.ask(prompt).strip().lower()
            if raw == "q":
                raise _Quit
            if raw in YES_WORDS:
                self.invalid_streak = 0
                return True
            if raw in NO_WORDS or raw == "":
                self.invalid_streak = 0
                return False
            target = None
            if raw == "b":
                asked = [h for h in self.history if h in {i.id for i in self.checklist.items}]
                target = next((i for i in self.checklist.items if asked and i.id == asked[-1]), None)
            elif raw.isdigit() and int(raw) in by_number:
                target = by_number[int(raw)]
            elif raw in {i.id for i in self.checklist.items}:
                target = next(i for i in self.checklist.items if i.id == raw)
            if target is None:
                self.invalid(tr(f"请输入 y、n、b 或 1–{len(by_number)} 的要点编号",
                                f"type y, n, b or a point's number 1–{len(by_number)}"))
                continue
            if auto_na(target, self.school, self.values, self.date):
                self.say(tr(f"{target.id} 不适用于本次督导（自动记为不适用），无需回答",
                            f"{target.id} does not apply to this visit (recorded n/a); nothing to answer"), "yellow")
                continue
            self.invalid_streak = 0
            return target
