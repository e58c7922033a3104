"""The interactive visit: one point at a time, every answer written the moment it is given.

Works on a terminal (Rich prompts) and on piped input (one answer per line), so a visit can be
scripted. Keys at any point: `?` guidance, `b` back, `s` skip for now, `q` save and quit; a note may follow the
answer on the same line (`n 消防通道堆放杂物`). A fail says the deadline of the finding it opens; a point that
re-checks an open finding is labelled 复查. At the end a review of every answer: `b` or a point's number goes
back to it before submitting.
The session never loses an answer: each one is a transaction of its own (`record_draft_answer`). A fail whose
note was being typed when the session ended (Ctrl-C, end of input) is kept, marked, and `--resume` asks for the
note again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from nanxian_cli.core.answers import AnswerError, Outcome, hint, judge
from nanxian_cli.core.applicability import applies, auto_na
from nanxian_cli.i18n import answer_text, get_lang, pick, tr
from nanxian_cli.ui.prompter import Prompter

AUTO_NOT_APPLICABLE = "auto: does not apply to this school"
AUTO_CONDITION = "auto: condition not met"
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


def _severity(key: str) -> str:
    from nanxian_cli.core.vocab import SEVERITY_LABELS
    from nanxian_cli.i18n import label

    return label(SEVERITY_LABELS.get(key), key)


def _show_value(value: Any) -> str:
    return answer_text(value)


@dataclass
class Session:
    store: Any
    visit_id: str
    school: dict
    loaded: Any
    date: dt.date
    inspector: str
    console: Any
    prompter: Prompter
    latest: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # item -> (outcome, reason)
    notes: dict[str, str | None] = field(default_factory=dict)  # item -> the note of its latest answer
    values: dict[str, Outcome] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    reask: set[str] = field(default_factory=set)
    invalid_streak: int = 0
    evidence_limit: int | None = None
    """The size limit of an evidence file attached with `p PATH` (config `[evidence] max_mb`)."""
    rechecks: dict[str, dict] = field(default_factory=dict)  # item -> the open finding its answer re-checks
    pending: set[str] = field(default_factory=set)  # items whose note was interrupted (NOTE_PENDING)

    @property
    def checklist(self) -> Any:
        return self.loaded.checklist

    # -- output helpers ------------------------------------------------------------------------------
    def say(self, text: str, style: str = "") -> None:
        from rich.text import Text

        self.console.print(Text(text, style=style), highlight=False)

    def text_of(self, local: Any) -> str:
        return "" if local is None else local.get(get_lang())

    # -- state ---------------------------------------------------------------------------------------
    def load(self) -> None:
        from nanxian_cli.store.visits import current_answers, decode_value, visit_row

        for row in current_answers(self.store.conn, visit_row(self.store.conn, self.visit_id)["seq"]):
            self.latest[row["item_id"]] = (row["outcome"], row["reason"])
            self.notes[row["item_id"]] = row["note"]
            self.values[row["item_id"]] = Outcome(decode_value(row["value"]), row["outcome"])
            if not (row["reason"] or "").startswith("auto:"):
                self.history.append(row["item_id"])
            if row["reason"] == NOTE_PENDING and row["outcome"] == "fail":
                self.pending.add(row["item_id"])

    def answered(self, item: Any) -> bool:
        got = self.latest.get(item.id)
        if got is None or item.id in self.reask:
            return False
        outcome, reason = got
        return not (outcome == "na" and ((reason or "").startswith("auto:") or not item.allow_na))

    def write(self, item: Any, value: Any, outcome: str, note: str | None, reason: str | None = None) -> None:
        from nanxian_cli.services.recording import record_draft_answer

        record_draft_answer(self.store, self.visit_id, item.id, value, outcome, note, self.inspector, reason)
        self.latest[item.id] = (outcome, reason)
        self.notes[item.id] = note
        self.values[item.id] = Outcome(value, outcome)
        if reason == NOTE_PENDING:
            self.pending.add(item.id)
        else:
            self.pending.discard(item.id)

    def ensure_auto_na(self, item: Any) -> None:
        got = self.latest.get(item.id)
        if got is not None and got[0] == "na":
            return
        reason = AUTO_NOT_APPLICABLE if not applies(item, self.school, self.date) else AUTO_CONDITION
        self.write(item, None, "na", None, reason)

    # -- screens ---------------------------------------------------------------------------------------
    def header(self) -> None:
        from rich.panel import Panel
        from rich.table import Table
        from rich.text import Text

        cl = self.checklist
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        grid.add_row(Text(tr("学校", "School")), Text(f"{self.school['name']} ({self.school['code']})"))
        grid.add_row(Text(tr("检查表", "Checklist")), Text(f"{self.text_of(cl.title)} [{cl.id} v{cl.version}]"))
        grid.add_row(Text(tr("督学", "Inspector")), Text(self.inspector))
        grid.add_row(Text(tr("日期", "Date")), Text(self.date.isoformat()))
        grid.add_row(Text(tr("进度", "Progress")), Text(f"{self.progress()}/{len(cl.items)}"))
        grid.add_row(Text(tr("按键", "Keys")), Text(tr("? 指引 · b 返回上一项 · s 暂时跳过 · q 保存并退出 · "
                                                      "p 文件 添加照片或文档 · "
                                                      "回答后空一格可写备注（n 消防通道堆放杂物）",
                                                      "? guidance · b back · s skip for now · q save and quit · "
                                                      "p FILE attach a photo or document · a note may follow the "
                                                      "answer (n exit blocked)")))
        self.console.print(Panel(grid, title=Text(tr("督导检查", "School visit")), title_align="left"))

    def progress(self) -> int:
        return sum(1 for item in self.checklist.items if item.id in self.latest)

    def accepted(self, item: Any) -> str:
        return pick(hint(item))

    def show_point(self, item: Any, position: int) -> None:
        from rich.text import Text

        total = len(self.checklist.items)
        sev_style = "bold red" if item.severity == "critical" else ""
        title = Text(f"{position}/{total} · {item.id} · ")
        title.append(_severity(item.severity), style=sev_style)
        finding = self.rechecks.get(item.id)
        if finding is not None:  # this answer re-checks an open finding
            title.append(" · " + tr(f"复查 #{finding['id']}", f"re-check #{finding['id']}"), style="bold yellow")
        title.append(tr(f" · 已答 {self.progress()}/{total}", f" · answered {self.progress()}/{total}"), style="dim")
        self.console.rule(title, align="left")
        self.say(self.text_of(item.text), "bold")
        if item.guidance is not None:
            self.say(self.text_of(item.guidance), "dim")
        self.say(tr("工作要点：", "Plan items: ") + ", ".join(str(n) for n in item.plan), "dim")
        self.say(tr("回答：", "Answer: ") + self.accepted(item))

    def show_guidance(self, item: Any) -> None:
        self.say(tr("指引：", "Guidance: ") + (self.text_of(item.guidance) or tr("（无）", "(none)")))
        if item.evidence is not None:
            self.say(tr("佐证材料：", "Evidence: ") + self.text_of(item.evidence))
        self.say(tr("回答：", "Answer: ") + self.accepted(item))

    def invalid(self, message: str) -> None:
        self.say(tr(f"无效回答：{message}。请重新输入。", f"Invalid answer: {message}. Please try again."), "yellow")
        self.invalid_streak += 1
        if not self.prompter.tty and self.invalid_streak >= MAX_INVALID_PIPED:
            raise _TooManyInvalid

    def earlier_answer(self, item: Any) -> tuple[Any, str, str | None] | None:
        """(value, outcome, note) of the point's answer given by the supervisor earlier (not an automatic na)."""
        got = self.latest.get(item.id)
        if got is None or (got[1] or "").startswith("auto:"):
            return None
        return self.values[item.id].value, got[0], self.notes.get(item.id)

    def show_earlier(self, earlier: tuple[Any, str, str | None]) -> None:
        value, outcome, note = earlier
        words = {"pass": tr("合格", "pass"), "fail": tr("不合格", "fail"), "na": tr("不适用", "n/a"),
                 "info": tr("记录", "recorded")}
        line = tr("原回答：", "Earlier answer: ") + f"{_show_value(value)} ({words.get(outcome, outcome)})"
        line += " · " + tr("备注：", "note: ") + (note if note else tr("（无）", "(none)"))
        self.say(line, "cyan")

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
    def say_deadline(self, item: Any) -> None:
        """What a fail does: opens a finding due visit date + rectify days, or (re-check) keeps the open one."""
        finding = self.rechecks.get(item.id)
        if finding is not None:
            self.say(tr(f"复查未通过：整改项 #{finding['id']} 仍待整改（期限 {finding['due']}）",
                        f"Re-check failed: finding #{finding['id']} stays open (due {finding['due']})"), "yellow")
            return
        days = getattr(self.checklist.rectify_days, item.severity)
        due = self.date + dt.timedelta(days=days)
        self.say(tr(f"提交后开出整改项，整改期限 {due.isoformat()}（{_severity(item.severity)}：{days} 天）",
                    f"Opens a finding when submitted, due {due.isoformat()} ({item.severity}: {days} days)"), "yellow")

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

    # -- the review before submitting ---------------------------------------------------------------------
    def review(self, detail: dict) -> None:
        """Every point with its answer, outcome and note (an automatic n/a shown as such)."""
        from rich.table import Table
        from rich.text import Text

        from nanxian_cli.core.answers import show
        from nanxian_cli.render.labels import word

        self.console.rule(Text(tr("检查结束", "End of the checklist")), align="left")
        table = Table(title=Text(tr("回答一览（提交前可返回修改）", "Your answers (go back to any before submitting)")),
                      title_justify="left", header_style="bold")
        for col in ("#", tr("要点", "point"), tr("回答", "answer"), tr("结果", "outcome"), tr("备注", "note")):
            table.add_column(col, overflow="fold")
        answers = {a["item"]: a for a in detail["answers"]}
        for n, item in enumerate(self.checklist.items, start=1):
            got = answers.get(item.id)
            if got is None:
                table.add_row(Text(str(n)), Text(item.id), Text("—"), Text(tr("未回答", "no answer"), style="yellow"),
                              Text(""))
                continue
            automatic = (self.latest.get(item.id, ("", ""))[1] or "").startswith("auto:")
            outcome = tr("不适用（自动）", "n/a (auto)") if automatic else word(got["outcome"])
            style = "red" if got["outcome"] == "fail" else "dim" if automatic else ""
            shown = pick(show(item, got.get("value"))) if got.get("value") is not None else "—"
            table.add_row(Text(str(n)), Text(item.id), Text(shown),
                          Text(outcome, style=style), Text(got.get("note") or ""))
        self.console.print(table)

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

    # -- the whole visit -------------------------------------------------------------------------------
    def recheck_other_findings(self, findings: list[dict]) -> None:
        """Open findings from other checklists: "fixed? y/n", recorded as events (effective at submit)."""
        from nanxian_cli.services.recording import draft_rechecks, record_recheck

        done = draft_rechecks(self.store, self.visit_id)
        for f in findings:
            if f["id"] in done:
                continue
            self.say(f"#{f['id']} {f['item_text'] or f['item']}", "bold red" if f["severity"] == "critical" else "bold")
            fixed = self.ask_yes_no(tr("已整改？[y/n，s 跳过] ", "Fixed? [y/n, s to skip] "), allow_skip=True)
            if fixed is None:
                continue
            note = None
            if not fixed:
                note = self.ask_note()
            record_recheck(self.store, self.visit_id, f["id"], fixed, note, self.inspector)

    def order(self, first: list[str]) -> list[Any]:
        """Points of findings under re-check first (with the points their `when` needs), then the rest."""
        items = {item.id: item for item in self.checklist.items}
        chosen: list[str] = []

        def add(item_id: str) -> None:
            if item_id in chosen:
                return
            item = items[item_id]
            if item.when is not None:
                add(item.when.item)
            chosen.append(item_id)

        for item_id in first:
            if item_id in items:
                add(item_id)
        rest = [item.id for item in self.checklist.items if item.id not in chosen]
        return [items[i] for i in chosen + rest]

    def follow_dependents(self, changed: Any, queue: list[Any], at: int) -> None:
        """Points whose `when` depends on the changed one: recorded na, or queued right after it."""
        depends = {changed.id}
        for other in self.checklist.items:
            if other.when is None or other.when.item not in depends:
                continue
            depends.add(other.id)
            if auto_na(other, self.school, self.values, self.date):
                self.ensure_auto_na(other)
            elif not self.answered(other) and other not in queue[at + 1:]:
                queue.insert(at + 1, other)

    def walk(self, queue: list[Any]) -> list[str]:
        """Ask every point of the queue; returns the points still unanswered."""
        skipped_once: set[str] = set()
        position = {item.id: i for i, item in enumerate(self.checklist.items, start=1)}
        i = 0
        while i < len(queue):
            item = queue[i]
            if auto_na(item, self.school, self.values, self.date):
                self.ensure_auto_na(item)
                i += 1
                continue
            if self.answered(item):
                i += 1
                continue
            step = self.ask_point(item, position[item.id])
            if step == "answered":
                self.reask.discard(item.id)
                if item.id in self.history:
                    self.history.remove(item.id)
                self.history.append(item.id)
                # an answer given late (after `b` or `s`) re-decides the points whose `when` depends on it
                self.follow_dependents(item, queue, i)
                i += 1
            elif step == "back":
                previous = [h for h in self.history if h != item.id]
                if not previous:
                    self.say(tr("没有可返回的上一项。", "There is no earlier answer to go back to."), "yellow")
                    continue
                target = previous[-1]
                self.history.remove(target)
                self.reask.add(target)
                queue.insert(i, next(x for x in self.checklist.items if x.id == target))
            else:  # skip for now: asked again at the end, once
                if item.id not in skipped_once:
                    skipped_once.add(item.id)
                    queue.append(item)
                    self.say(tr("已跳过，最后再问。", "Skipped; asked again at the end."), "dim")
                i += 1
        return [item.id for item in self.checklist.items
                if not auto_na(item, self.school, self.values, self.date) and not self.answered(item)]


def run_visit(store: Any, *, school: dict, loaded: Any, date: dt.date, inspector: str, visit_id: str,
              console: Any, tty: bool | None = None, again: bool = False, evidence_limit: int | None = None) -> str:
    """Run the interactive visit on an existing draft.

    Submitting is refused (DuplicateVisit, the draft kept) when a submitted twin exists, unless `again`.

    Returns how it ended: 'submitted', 'kept' (not submitted), 'quit', 'eof', 'interrupt' or 'invalid'.
    Every answer given before the end is already in the database.
    """
    from rich.table import Table
    from rich.text import Text

    from nanxian_cli.reports.findings import findings_list
    from nanxian_cli.reports.visits import visit_detail
    from nanxian_cli.services.recording import submit_draft

    session = Session(store, visit_id, school, loaded, date, inspector, console, Prompter(console, tty),
                      evidence_limit=evidence_limit)
    try:
        session.load()
        session.header()
        open_findings = [f for f in findings_list(store, school=school["code"], status="open", as_of=date,
                                                  lang=get_lang())
                         if f["visit"] != visit_id and f["opened"] <= date.isoformat()]
        item_ids = {item.id for item in loaded.checklist.items}
        if open_findings:
            table = Table(title=Text(tr("本次需复查的整改项", "Open findings to re-check")), title_justify="left")
            for col in ("#", tr("程度", "severity"), tr("要点", "point"), tr("原回答", "answer"), tr("备注", "note"),
                        tr("发现于", "opened"), tr("期限", "due"), tr("逾期天数", "days overdue")):
                table.add_column(col, overflow="fold")
            for f in open_findings:
                late = (date - dt.date.fromisoformat(f["due"])).days
                style = "bold red" if f["severity"] == "critical" else ""
                table.add_row(Text(str(f["id"]), style=style), Text(_severity(f["severity"]), style=style),
                              Text(f["item_text"] or f["item"]), Text(_show_value(f["answer"])),
                              Text(f["note"] or ""), Text(f["opened"]), Text(f["due"]),
                              Text(str(late) if late > 0 else ""))
            console.print(table)
            session.recheck_other_findings([f for f in open_findings if f["item"] not in item_ids])
        session.rechecks = {f["item"]: f for f in open_findings if f["item"] in item_ids}
        session.ask_pending_notes()
        queue = session.order([f["item"] for f in open_findings if f["item"] in item_ids])
        missing = session.walk(queue)
        while True:
            detail = visit_detail(store, visit_id, as_of=date, lang=get_lang())
            session.review(detail)
            failed = [a for a in detail["answers"] if a["outcome"] == "fail"]
            for a in failed:
                style = "bold red" if a["severity"] == "critical" else "red"
                console.print(Text(f"✗ {a['item']}  {a['text']}  ({_severity(a['severity'])})", style=style))
            rate, score = detail["compliance_rate"], detail["score"]
            session.say(tr("合格率 ", "Compliance ") + ("—" if rate is None else f"{rate * 100:.1f}%") + " · "
                        + tr("得分 ", "score ") + ("—" if score is None else f"{score * 100:.1f}%"), "bold")
            if missing:
                session.say(tr(f"{len(missing)} 项未回答：",
                               f"{len(missing)} point(s) not answered: ") + ", ".join(missing),
                            "yellow")
                prompt = tr("仍然提交？[y/N；b 或要点编号：返回修改] ",
                            "Submit anyway? [y/N] (b or a point's number: go back to it) ")
            else:
                prompt = tr("提交本次督导？[y/N；b 或要点编号：返回修改] ",
                            "Submit the visit? [y/N] (b or a point's number: go back to it) ")
            decided = session.ask_submit(prompt)
            if decided is True:
                submit_draft(store, visit_id, inspector, again=again)
                return "submitted"
            if decided is False:
                return "kept"
            session.reask.add(decided.id)  # go back to that point, then review again
            missing = session.walk([decided])
    except _Quit:
        return "quit"
    except EOFError:
        return "eof"
    except KeyboardInterrupt:
        return "interrupt"
    except _TooManyInvalid:
        return "invalid"
