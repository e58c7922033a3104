"""The state of one interactive visit (ui/entry.py): the answers given so far, each written the moment it is given,
and the walk through the points (re-checks first, `when` dependents followed, `b` and `s` honoured)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from nanxian_cli.core.answers import Outcome
from nanxian_cli.core.applicability import applies, auto_na
from nanxian_cli.i18n import tr
from nanxian_cli.ui.entry_prompts import NOTE_PENDING, Prompts
from nanxian_cli.ui.entry_screens import Screens
from nanxian_cli.ui.prompter import Prompter

AUTO_NOT_APPLICABLE = "auto: does not apply to this school"
AUTO_CONDITION = "auto: condition not met"


@dataclass
class Session(Screens, Prompts):
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
