"""When a finding (整改项) opens, is re-checked, reported, extended, escalated and closed.

One pure function, `derive`, of a point's timeline at one school:
- the checks: the current answer (pass or fail) of the point in every submitted, non-void visit;
- the hand actions on the point's findings (整改报告 received, 销号 by hand, a new deadline, 上报/交办, withdrawn
  as opened by mistake, reopened) and the re-checks recorded during a visit of another checklist.

The rules:
- a fail opens a finding when the point has no finding in progress (open or reported); its id is the id of the
  answer revision that failed, its deadline the visit's date + the checklist's days for the severity;
- a fail while a finding is in progress is a re-check that did not pass: it is counted, and a `reported`
  finding returns to `open`;
- a pass at a later visit resolves the finding in progress (open or reported);
- a fail fixed on the spot (立行立改, `fixed_on_site`) counts as a fail, and its finding is resolved the same day;
- an action names its finding; when the timeline no longer gives that finding (its visit was voided, or an
  earlier check now holds the point), it acts on the finding in progress at its date, the same problem;
- an action that does not fit the finding's state when it is applied is kept but has no effect (`applied`
  is False in the history): the actions are facts, the states follow from them.

Entries are applied in date order; on the same day, in the order they were recorded, checks before actions when
recorded at the same second, then by id, so every database that holds the same facts derives the same findings.
No I/O, no clock, no database, no language: the store persists the result as a cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from nanxian_cli.core.ids import revision_uid

IN_PROGRESS = ("open", "reported")
ACTION_KINDS = ("report", "resolve", "extend", "escalate", "withdraw", "reopen", "recheck")


class Check(NamedTuple):
    """The current answer of the point in one submitted, non-void visit. (A named tuple: a rebuild makes one per
    answer of a school's decade, a million of them.)"""

    visit: str
    """The visit's UUID."""
    date: str
    """The visit's date (ISO)."""
    at: str
    """When the visit was submitted (UTC ISO): orders visits of the same day."""
    revision: str | None
    """UUID of the current answer revision; None for a first revision, whose id is derived when needed (`uid`)."""
    outcome: str
    """pass | fail (other outcomes are not checks and are left out by the caller)."""
    severity: str
    rectify_days: int
    """Days to fix a failure of this severity, from the visit's checklist version."""
    checklist_id: str = ""
    checklist_hash: str = ""
    item_id: str = ""
    opening_revision: str | None = None
    """UUID of the point's earliest failing revision in this visit: the id of a finding this visit opens, kept
    when the answer is amended from fail to fail (or back). None = `revision`."""
    note: str | None = None
    author: str | None = None
    fixed_on_site: bool = False
    rank: tuple = ()
    """Where the check stands among those of its day for numbering new findings (the visit's local number and
    the point's place in its checklist): not part of the rules."""

    @property
    def uid(self) -> str:
        return self.revision or revision_uid(self.visit, self.item_id, 1)


@dataclass(frozen=True)
class Action:
    """A hand action on a finding, or a re-check recorded during a visit of another checklist."""

    uid: str
    finding: str
    """The id (UUID) of the finding it names."""
    kind: str
    """report | resolve | extend | escalate | withdraw | reopen | recheck"""
    date: str
    recorded_at: str
    author: str | None = None
    text: str | None = None
    """The measures (report), note (resolve) or reason (extend, escalate, withdraw, reopen)."""
    due: str | None = None
    """extend: the new deadline."""
    visit: str | None = None
    """recheck: the visit it was recorded in (the caller passes only re-checks of submitted, non-void visits)."""
    visit_at: str | None = None
    """recheck: that visit's submission time, which orders the re-check like the visit's own checks."""
    passed: bool | None = None
    """recheck: whether the point was found fixed."""
    on_site: bool = False
    """resolve: fixed during the visit (立行立改), dated the visit's date."""


@dataclass
class Step:
    """One line of a finding's history."""

    kind: str
    """opened | recheck_failed | recheck_passed | resolved | reported | returned | extended | escalated |
    withdrawn | reopened | fixed_on_site, or an action kind with applied False."""
    date: str
    uid: str
    """The answer revision (visit steps) or the action (hand steps)."""
    visit: str | None = None
    author: str | None = None
    text: str | None = None
    applied: bool = True
    due: str | None = None
    """extended: the new deadline."""


@dataclass
class Finding:
    uid: str
    visit: str
    opened: str
    severity: str
    due: str
    checklist_id: str = ""
    checklist_hash: str = ""
    item_id: str = ""
    note: str | None = None
    status: str = "open"
    """open | reported | resolved | withdrawn"""
    escalated: bool = False
    fixed_on_site: bool = False
    reported_on: str | None = None
    measures: str | None = None
    resolved_on: str | None = None
    resolved_by_visit: str | None = None
    resolved_by: str | None = None
    resolve_note: str | None = None
    recheck_count: int = 0
    last_recheck: str | None = None
    due_history: list[dict] = field(default_factory=list)
    """Each deadline change: {due, reason, by, date}."""
    history: list[Step] = field(default_factory=list)
    visits: dict[str, str] = field(default_factory=dict)
    """visit UUID -> how that visit touched the finding: opened | rechecked | resolved."""
    actions: list[str] = field(default_factory=list)
    """UUIDs of the hand actions that name this finding or were applied to it."""
    rank: tuple = ()
    """The opening check's `rank`."""


def due_date(opened: str, days: int) -> str:
    return (dt.date.fromisoformat(opened) + dt.timedelta(days=int(days))).isoformat()


def _order(entry: Check | Action) -> tuple:
    if isinstance(entry, Check):
        return (entry.date, entry.at, 0, entry.visit)
    if entry.kind == "recheck":
        return (entry.date, entry.visit_at or entry.recorded_at, 0, entry.uid)
    return (entry.date, entry.recorded_at, 1, entry.uid)


def _latest_rechecks(actions: list[Action], answered_visits: set[str]) -> list[Action]:
    """Per (visit, finding), the re-check recorded last; none for a visit that answered the point itself."""
    latest: dict[tuple[str | None, str], Action] = {}
    others: list[Action] = []
    for a in actions:
        if a.kind != "recheck":
            others.append(a)
            continue
        if a.visit in answered_visits:
            continue
        key = (a.visit, a.finding)
        kept = latest.get(key)
        if kept is None or (a.recorded_at, a.uid) > (kept.recorded_at, kept.uid):
            latest[key] = a
    return others + list(latest.values())


class OutOfOrder(Exception):
    """An entry that belongs before the last one applied, given to a timeline that does not keep its entries."""


class Timeline:
    """The findings of one point at one school, kept current as entries arrive.

    Entries that arrive in order are applied at once (a county's bulk import appends visits in date order);
    an entry that belongs earlier makes the whole timeline be applied again from its start. A timeline made
    with `keep=False` does not keep its entries (a bulk import holds a county's decade in memory): it raises
    OutOfOrder instead, and the caller derives that point again from the database."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.checks: list[Check] = []
        self.actions: list[Action] = []
        self._last: tuple | None = None
        self.version = 0
        """Counts the changes to the findings: a caller saves them again only when it moved."""
        self._reset()

    def _reset(self) -> None:
        self.findings: list[Finding] = []
        self._by_uid: dict[str, Finding] = {}
        self._current: Finding | None = None
        self._answered: set[str] = set()

    def add(self, entry: Check | Action) -> None:
        key = _order(entry)
        rechecks = isinstance(entry, Action) and entry.kind == "recheck"
        visit_answered_late = isinstance(entry, Check) and any(
            a.kind == "recheck" and a.visit == entry.visit for a in self.actions)
        late = self._last is not None and (key < self._last or rechecks or visit_answered_late)
        if late and not self.keep:
            raise OutOfOrder(entry)
        if isinstance(entry, Check):
            if self.keep:
                self.checks.append(entry)
        elif self.keep:
            self.actions.append(entry)
        if late:
            self.replay()
            return
        self._last = key
        if isinstance(entry, Check):
            self._answered.add(entry.visit)
            if entry.outcome in ("pass", "fail"):
                self._check(entry)
        else:
            self._action(entry)

    @property
    def in_progress(self) -> bool:
        """A finding of this point is open or reported now."""
        return self._current is not None

    def idle_pass(self, date: str, at: str) -> bool:
        """A pass that changes nothing (no finding in progress) noted by its place only, without building an
        entry; False (nothing noted) when it is late or a finding is in progress: then `add` it."""
        key = (date, at, 0, "")
        if self._current is not None or (self._last is not None and key < self._last):
            return False
        self._last = key
        return True

    def replay(self) -> None:
        """Apply every entry again, in order (after one arrived out of order)."""
        self.version += 1
        self._reset()
        self._answered = {c.visit for c in self.checks}
        entries: list[Check | Action] = [c for c in self.checks if c.outcome in ("pass", "fail")]
        entries += _latest_rechecks(self.actions, self._answered)
        entries.sort(key=_order)
        for entry in entries:
            if isinstance(entry, Check):
                self._check(entry)
            else:
                self._action(entry)
        self._last = _order(entries[-1]) if entries else None

    # -- the rules -----------------------------------------------------------------------------------
    def _resolve(self, f: Finding, date: str, visit: str | None, author: str | None, note: str | None) -> None:
        f.status = "resolved"
        f.resolved_on, f.resolved_by_visit, f.resolved_by, f.resolve_note = date, visit, author, note
        if visit is not None:
            f.visits.setdefault(visit, "resolved")
        if self._current is f:
            self._current = None

    def _recheck_failed(self, f: Finding, date: str, visit: str | None, uid: str, author: str | None,
                        note: str | None) -> None:
        f.recheck_count += 1
        f.last_recheck = date
        if visit is not None:
            f.visits.setdefault(visit, "rechecked")
        f.history.append(Step("recheck_failed", date, uid, visit, author, note))
        if f.status == "reported":
            f.status = "open"
            f.history.append(Step("returned", date, uid, visit, author, None))

    def _check(self, c: Check) -> None:
        current = self._current
        if c.outcome == "fail":
            self.version += 1
            if current is None:
                uid = c.opening_revision or c.uid
                f = Finding(uid=uid, visit=c.visit, opened=c.date, severity=c.severity,
                            due=due_date(c.date, c.rectify_days), checklist_id=c.checklist_id,
                            checklist_hash=c.checklist_hash, item_id=c.item_id, note=c.note, rank=c.rank)
                f.visits[c.visit] = "opened"
                f.history.append(Step("opened", c.date, c.uid, c.visit, c.author, c.note))
                self.findings.append(f)
                self._by_uid[uid] = f
                self._current = f
                if c.fixed_on_site:
                    f.fixed_on_site = True
                    f.history.append(Step("fixed_on_site", c.date, c.uid, c.visit, c.author, c.note))
                    self._resolve(f, c.date, c.visit, c.author, c.note)
            elif current.visit != c.visit:
                self._recheck_failed(current, c.date, c.visit, c.uid, c.author, c.note)
                if c.fixed_on_site:
                    current.fixed_on_site = True
                    current.history.append(Step("fixed_on_site", c.date, c.uid, c.visit, c.author, c.note))
                    self._resolve(current, c.date, c.visit, c.author, c.note)
        elif current is not None and current.visit != c.visit and current.opened <= c.date:
            self.version += 1
            current.history.append(Step("resolved", c.date, c.uid, c.visit, c.author, c.note))
            self._resolve(current, c.date, c.visit, c.author, c.note)

    def _action(self, a: Action) -> None:
        named = self._by_uid.get(a.finding)
        target = named if named is not None else self._current
        if target is None:
            return  # nothing to act on: its finding is not given by the timeline and none is in progress
        self.version += 1
        if a.uid not in target.actions:
            target.actions.append(a.uid)
        applied = self._apply(a, target)
        if a.kind == "reopen" and applied:
            self._current = target
        elif target.status not in IN_PROGRESS and self._current is target:
            self._current = None
        if not applied:
            target.history.append(Step(a.kind, a.date, a.uid, a.visit, a.author, a.text, applied=False))

    def _apply(self, a: Action, f: Finding) -> bool:
        """Apply one action to its finding; False when it does not fit the finding's state at that point."""
        current = self._current
        in_progress = f.status in IN_PROGRESS and current is f
        if a.date < f.opened:
            return False
        if a.kind == "recheck":
            if not in_progress:
                return False
            if a.passed:
                f.history.append(Step("recheck_passed", a.date, a.uid, a.visit, a.author, a.text))
                self._resolve(f, a.date, a.visit, a.author, a.text)
            else:
                self._recheck_failed(f, a.date, a.visit, a.uid, a.author, a.text)
            return True
        if a.kind == "report":
            if not in_progress:
                return False
            f.status = "reported"
            f.reported_on, f.measures = a.date, a.text
            f.history.append(Step("reported", a.date, a.uid, None, a.author, a.text))
            return True
        if a.kind == "resolve":
            if not in_progress:
                return False
            if a.on_site:
                f.fixed_on_site = True
            f.history.append(Step("fixed_on_site" if a.on_site else "resolved", a.date, a.uid, None, a.author, a.text))
            self._resolve(f, a.date, None, a.author, a.text)
            return True
        if a.kind == "extend":
            if not in_progress or not a.due or a.due <= f.due:
                return False
            f.due_history.append({"due": a.due, "previous": f.due, "reason": a.text, "by": a.author, "date": a.date})
            f.due = a.due
            f.history.append(Step("extended", a.date, a.uid, None, a.author, a.text, due=a.due))
            return True
        if a.kind == "escalate":
            if not in_progress or f.escalated:
                return False
            f.escalated = True
            f.history.append(Step("escalated", a.date, a.uid, None, a.author, a.text))
            return True
        if a.kind == "withdraw":
            if not in_progress:
                return False
            f.status = "withdrawn"
            f.history.append(Step("withdrawn", a.date, a.uid, None, a.author, a.text))
            return True
        if a.kind == "reopen":
            if f.status not in ("resolved", "withdrawn") or (current is not None and current is not f):
                return False
            f.status = "open"
            f.resolved_on = f.resolved_by_visit = f.resolved_by = f.resolve_note = None
            f.history.append(Step("reopened", a.date, a.uid, None, a.author, a.text))
            return True
        return False


def derive(checks: list[Check], actions: Sequence[Action] = ()) -> list[Finding]:
    """The findings of one point at one school, in the order they were opened."""
    timeline = Timeline()
    timeline.checks = list(checks)
    timeline.actions = list(actions)
    timeline.replay()
    return timeline.findings


def point_key(checklist_id: str, item: object) -> str:
    """The key a point's findings are kept under at a school: `checklist-id/item-id`, so the same point of
    later versions of the checklist continues the same findings; for a point of the shared library (`ref`), the
    library id, so a breach seen with two checklists that share the point is one finding."""
    ref = getattr(item, "ref", None)
    return ref if ref else f"{checklist_id}/{item.id}"  # type: ignore[attr-defined]
