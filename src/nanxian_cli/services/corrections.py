"""Correcting a recorded visit: amending one answer (a new revision, with the skip logic that follows it) and
voiding a whole visit. Nothing is deleted; the findings of every touched point are derived again."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from nanxian_cli.clock import utc_now
from nanxian_cli.core.answers import AnswerError, Outcome, judge
from nanxian_cli.core.applicability import applies, follow_change, when_met
from nanxian_cli.core.findings import point_key
from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError, NotFound
from nanxian_cli.services import catalog, derive
from nanxian_cli.services.recording import _visit, new_revision, refresh_counts, school_of
from nanxian_cli.store import findings as finding_sql
from nanxian_cli.store import visits as sql
from nanxian_cli.store.db import Store


def _same_value(a: Any, b: Any) -> bool:
    """The same answer value (50 and 50.0 are the same number; True is not the number 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def amend_answer(store: Store, visit_id: str, item_id: str, raw: Any, reason: str, author: str | None,
                 note: str | None = None) -> dict:
    """Correct one answer: a new revision judged against the visit's stored checklist version.

    Counts and (for a submitted visit) findings follow; points whose `when` no longer holds get an `na` revision."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError(Words("--reason：请说明更正的原因", "--reason: say why the answer is corrected"))
    now = utc_now()
    with store.transaction() as conn:
        visit = _visit(conn, visit_id)
        if visit["status"] == "void":
            raise InputError(Words(f"督导记录 {visit_id[:8]} 已作废，不能更正",
                                   f"visit {visit_id[:8]} is void; a void visit cannot be amended"))
        checklist = catalog.snapshot(conn, visit["checklist_hash"]).checklist
        items = {item.id: item for item in checklist.items}
        item = items.get(item_id)
        if item is None:
            raise NotFound(Words(f"{item_id!r} 不是检查表 {checklist.id}（第 {checklist.version} 版）的要点",
                                 f"{item_id!r} is not a point of checklist {checklist.id!r} (version {checklist.version})"))
        school = school_of(conn, visit["school_code"])
        latest = {r["item_id"]: r for r in sql.current_answers(conn, visit["seq"])}
        values = {k: Outcome(sql.decode_value(r["value"]), r["outcome"]) for k, r in latest.items()}
        day = dt.date.fromisoformat(visit["date"])
        if applies(item, school) and not applies(item, school, day):
            months = ", ".join(map(str, item.applies_to.months))
            raise InputError(Words(f"{item_id}：此要点只在 {months} 月检查，本次督导日期为 {day.isoformat()}，"
                                   f"保持不适用",
                                   f"{item_id}: this point is checked in months {months} only and the visit is dated "
                                   f"{day.isoformat()}; it stays na"))
        if not applies(item, school, day):
            raise InputError(Words(f"{item_id}：此要点不适用于{school['name']}，保持不适用",
                                   f"{item_id}: this point does not apply to {school['name']}; it stays na"))
        if not when_met(item, values):
            raise InputError(Words(
                f"{item_id}：其条件（{item.when.item} = {item.when.equals}）不满足；请先更正 {item.when.item}",
                f"{item_id}: its condition ({item.when.item} = {item.when.equals}) is not met; amend {item.when.item} first"))
        try:
            result = judge(item, raw)
        except AnswerError as exc:
            raise InputError(Words(f"{item_id}：{exc.words.zh}", f"{item_id}: {exc.words.en}")) from None
        old = latest.get(item_id)
        new_note = note if note is not None else (old["note"] if old is not None else None)
        if (old is not None and old["outcome"] == result.outcome
                and _same_value(sql.decode_value(old["value"]), result.value) and (old["note"] or None) == (new_note or None)):
            raise InputError(Words(f"{item_id}：回答和备注与当前一致（{old['outcome']}），无需修改；未写入任何内容",
                                   f"{item_id}: nothing to change: the answer and note are what it already has "
                                   f"({old['outcome']}); nothing was written"))
        changed: list[dict] = []

        def write(target: str, value: Any, outcome: str, why: str, note_: str | None) -> None:
            before = latest[target]["outcome"] if target in latest else None
            revision = new_revision(conn, visit, target, value, outcome, note_, why, author, now=now)
            changed.append({"item": target, "from": before, "to": outcome, "revision": revision, "reason": why})
            values[target] = Outcome(value, outcome)

        write(item_id, result.value, result.outcome, reason, new_note)
        to_na, needs_answer = follow_change(checklist, school, values, item_id, day)
        for other in to_na:
            kept = latest.get(other)
            write(other, None, "na", f"skip logic: {item_id} amended ({reason})", kept["note"] if kept is not None else None)
        t = refresh_counts(conn, visit, checklist)
        if visit["status"] == "submitted":
            keys = {point_key(checklist.id, items[c["item"]]) for c in changed}
            derive.rebuild(conn, visit["school_code"], keys, now)
    return {
        "visit": visit_id, "item": item_id, "value": result.value, "outcome": result.outcome,
        "revisions": changed, "needs_answer": needs_answer, "status": visit["status"],
        "counts": {"pass": t.n_pass, "fail": t.n_fail, "na": t.n_na, "info": t.n_info},
        "compliance_rate": t.compliance_rate, "score": t.score,
    }


def _states(conn: sqlite3.Connection, school: str, keys: list[str]) -> dict[int, sqlite3.Row]:
    if not keys:
        return {}
    rows = conn.execute(
        f"SELECT id, status, recheck_count FROM findings WHERE school_code = ? AND point_key IN "
        f"({', '.join('?' for _ in keys)})", (school, *keys)).fetchall()
    return {r["id"]: r for r in rows}


def void_visit(store: Store, visit_id: str, reason: str, author: str | None) -> dict:
    """Mark a visit void (never deleted, never counted): the findings of its points follow without it — those it
    opened are withdrawn, those it resolved reopened, later checks take over."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError(Words("--reason：请说明作废的原因", "--reason: say why the visit is void"))
    now = utc_now()
    withdrawn: list[int] = []
    reopened: list[int] = []
    undone: list[int] = []
    replayed: list[int] = []
    with store.transaction() as conn:
        visit = _visit(conn, visit_id)
        if visit["status"] == "void":
            raise InputError(Words(f"督导记录 {visit_id[:8]} 已经作废", f"visit {visit_id[:8]} is already void"))
        sql.mark_void(conn, visit_id, reason, now, author)
        if visit["status"] == "submitted":
            school = visit["school_code"]
            keys = finding_sql.keys_of_visit(conn, visit_id)
            before = _states(conn, school, keys)
            changes = derive.rebuild(conn, school, keys, now)
            after = _states(conn, school, keys)
            for fid, row in sorted(after.items()):
                old = before.get(fid)
                if old is None:
                    replayed.append(fid)
                elif old["status"] != "withdrawn" and row["status"] == "withdrawn":
                    withdrawn.append(fid)
                elif old["status"] == "resolved" and row["status"] in ("open", "reported"):
                    reopened.append(fid)
                elif row["recheck_count"] < old["recheck_count"]:
                    undone.append(fid)
                elif fid in changes["updated"] and (old["status"], old["recheck_count"]) != (row["status"], row["recheck_count"]):
                    replayed.append(fid)
    return {"id": visit_id, "status": "void", "reason": reason, "withdrawn": withdrawn, "reopened": reopened,
            "rechecks_undone": undone, "replayed": sorted(set(replayed))}
