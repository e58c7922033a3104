"""How a visit is recorded: from an answers file in one transaction, or on a screen one answer at a time (a
draft, every answer its own transaction) and then submitted. The findings of the points a submitted visit
checked are derived again in the same transaction (services/derive.py)."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from nanxian_cli.clock import later, utc_now
from nanxian_cli.core.ids import new_uid, revision_uid
from nanxian_cli.core.revisions import Revision, current
from nanxian_cli.core.scoring import tally
from nanxian_cli.core.words import Words
from nanxian_cli.errors import Ambiguous, DuplicateVisit, InputError, NotFound
from nanxian_cli.services import catalog, derive
from nanxian_cli.store import finding_lists, meta
from nanxian_cli.store import findings as finding_sql
from nanxian_cli.store import visits as sql
from nanxian_cli.store.db import Store

# -- looking visits up ---------------------------------------------------------------------------------

def find_visit(store: Store, ref: str) -> sqlite3.Row:
    """A visit by its full id or a unique prefix of at least 8 characters."""
    ref = (ref or "").strip().lower()
    row = sql.visit_row(store.conn, ref)
    if row is not None:
        return row
    if len(ref) < 8 or not all(c in "0123456789abcdef-" for c in ref):
        raise NotFound(Words(f"没有督导记录 {ref!r}（请给出编号或其前 8 位）",
                             f"no visit {ref!r} (give the id or its first 8 characters)"))
    rows = sql.visits_by_prefix(store.conn, ref)
    if not rows:
        raise NotFound(Words(f"没有督导记录 {ref!r}", f"no visit {ref!r}"))
    if len(rows) > 1:
        raise Ambiguous(Words(f"{ref!r} 匹配多条督导记录；请多给几位",
                              f"{ref!r} matches several visits; give more characters"),
                        [r["id"] for r in rows])
    return rows[0]


def _visit(conn: sqlite3.Connection, visit_id: str) -> sqlite3.Row:
    row = sql.visit_row(conn, visit_id)
    if row is None:
        raise NotFound(Words(f"没有督导记录 {visit_id!r}", f"no visit {visit_id!r}"))
    return row


def school_of(conn: sqlite3.Connection, school_code: str) -> dict:
    from nanxian_cli.store.schools import school_dict

    row = sql.school_row(conn, school_code)
    if row is None:
        raise NotFound(Words(f"没有学校 {school_code!r}", f"no school {school_code!r}"))
    return school_dict(row)


def refuse_duplicate(conn: sqlite3.Connection, school_code: str, checklist_id: str, day: str, inspector: str,
                     exclude: str | None = None) -> None:
    """Raise DuplicateVisit naming the submitted visit with the same school, checklist, date and supervisor."""
    twin = sql.submitted_twin(conn, school_code, checklist_id, day, inspector, exclude)
    if twin is None:
        return
    short = twin["id"][:8]
    raise DuplicateVisit(
        Words(f"{school_code} 在 {day} 已有 {inspector} 用 {checklist_id} 提交的督导记录 {short}；未记录本次"
              f"（确是同一天的第二次督导，请加 --again）",
              f"{school_code} already has a submitted visit with {checklist_id} on {day} by {inspector}: {short}; "
              f"this one was not recorded (if it really is a second visit that day, add --again)"),
        [Words(f"已有的督导记录：{twin['id']}（nanxian inspect show {short}）",
               f"existing visit: {twin['id']} (nanxian inspect show {short})")],
        existing=twin["id"],
    )


# -- writing whole visits (answers files, the demo, bulk imports) ----------------------------------------

def record_visit(store: Store, visit: Any, author: str | None = None, *, again: bool = False,
                 evidence: dict[str, list[Any]] | None = None) -> None:
    """Write one prepared visit; a submitted one is refused (DuplicateVisit) when the same school, checklist,
    date and supervisor already have a submitted visit, unless `again`. Checked inside the writing transaction.
    `evidence`: point id -> files checked already (services/evidence.py), stored and attached with the visit."""
    if not evidence:
        with store.transaction() as conn:
            _write_one(conn, visit, author, again)
        return
    from nanxian_cli.services.evidence import attach, folder_of, taking_back

    with store.transaction() as conn, taking_back(folder_of(store)) as stored:
        _write_one(conn, visit, author, again)
        for item_id, files in evidence.items():
            attach(conn, folder_of(store), files, visit_id=visit.id, item_id=item_id, author=author or visit.inspector,
                   created=stored)


def _write_one(conn: sqlite3.Connection, visit: Any, author: str | None, again: bool) -> None:
    if visit.status == "submitted" and not again:
        refuse_duplicate(conn, visit.school["code"], visit.loaded.checklist.id, visit.date.isoformat(),
                         visit.inspector)
    write_visits(conn, [visit], author=author)


def write_visits(conn: sqlite3.Connection, visits: list[Any], *, author: str | None = None,
                 saved_hashes: set[str] | None = None, findings: Any = None, now: str | None = None) -> None:
    """Insert prepared visits with their answers and counts, inside the caller's transaction; the findings of
    the points submitted ones checked follow. `findings` (services.bulk.BulkFindings) keeps the timelines of a
    bulk import in memory; without it the touched points are derived again from the database."""
    now = now or utc_now()
    device = meta.device_id(conn)
    saved = saved_hashes if saved_hashes is not None else set()
    visit_rows: list[tuple] = []
    answer_rows: list[tuple] = []
    plan_rows: list[tuple] = []
    touched: dict[str, set[str]] = defaultdict(set)
    failed: dict[str, set[str]] = defaultdict(set)
    to_json = sql.value_json
    seq = sql.next_visit_seq(conn) - 1
    for index, v in enumerate(visits):
        at = later(now, index) if index else now
        loaded = v.loaded
        if loaded.hash not in saved:
            catalog.save_checklist(conn, loaded, now)
            saved.add(loaded.hash)
        t = v.tally
        seq += 1
        submitted = v.status == "submitted"
        visit_rows.append((v.id, seq, v.school["code"], loaded.checklist.id, loaded.hash, v.date.isoformat(),
                           v.inspector, v.status, v.source, at, at if submitted else None, device, t.n_pass, t.n_fail,
                           t.n_na, t.n_info, t.w_pass, t.w_fail, t.n_critical_fail, t.n_items))
        who = author or v.inspector
        fixed = v.fixed
        answer_rows.extend([(seq, item_id, 1, to_json(value), outcome, note, None, who, at, None, None, None,
                             1 if item_id in fixed else 0) for item_id, value, outcome, note in v.answers])
        plan_rows.extend([(seq, number, *counts) for number, counts in t.by_plan.items()])
        if len(answer_rows) > 20000:
            _flush(conn, visit_rows, answer_rows, plan_rows)
        if submitted:
            if findings is not None:
                findings.add_visit(conn, v, seq, who, at)
            else:
                keys = catalog_keys(loaded)
                touched[v.school["code"]].update(keys[i] for i, _, outcome, _ in v.answers
                                                 if outcome in ("pass", "fail"))
                failed[v.school["code"]].update(keys[i] for i, _, outcome, _ in v.answers if outcome == "fail")
    _flush(conn, visit_rows, answer_rows, plan_rows)
    if len(visits) == 1 and touched:  # one visit recorded: its checks settled from where each point stands
        single = _last_checks(visits[0], seq, author or visits[0].inspector, at)
        if single is not None:
            derive.add_last_checks(conn, visits[0].school["code"], visits[0].id, *single, now)
            return
    for school, keys in touched.items():
        derive.rebuild_touched(conn, school, keys, failed[school], now)


def _last_checks(v: Any, seq: int, author: str | None, at: str) -> tuple[dict, set[str]] | None:
    """A submitted visit's fails as the engine's checks (point key -> Check) and the keys it passed; None when
    two of its points share a key (a shared library point asked twice): then its points are derived whole."""
    from nanxian_cli.core.findings import Check

    rules = catalog_rules(v.loaded)
    checks: dict[str, Check] = {}
    passed: set[str] = set()
    seen: set[str] = set()
    day = v.date.isoformat()
    for item_id, _value, outcome, note in v.answers:
        if outcome != "pass" and outcome != "fail":
            continue
        key, severity, days, position = rules[item_id]
        if key in seen:
            return None
        seen.add(key)
        if outcome == "pass":
            passed.add(key)
            continue
        checks[key] = Check(visit=v.id, date=day, at=at, revision=None, outcome="fail", severity=severity,
                            rectify_days=days, checklist_id=v.loaded.checklist.id, checklist_hash=v.loaded.hash,
                            item_id=item_id, note=note, author=author, fixed_on_site=item_id in v.fixed,
                            rank=(seq, position))
    return checks, passed


def catalog_keys(loaded: Any) -> dict[str, str]:
    from nanxian_cli.core.findings import point_key

    return {item.id: point_key(loaded.checklist.id, item) for item in loaded.checklist.items}


def catalog_rules(loaded: Any) -> dict[str, tuple[str, str, int, int]]:
    """item id -> (point key, severity, days to fix, place in the checklist) of a checklist version's points:
    what the findings engine's checks carry."""
    from nanxian_cli.core.findings import point_key

    cl = loaded.checklist
    return {item.id: (point_key(cl.id, item), item.severity, getattr(cl.rectify_days, item.severity), position)
            for position, item in enumerate(cl.items)}


def _flush(conn: sqlite3.Connection, visit_rows: list, answer_rows: list, plan_rows: list) -> None:
    """Write the visits, then their answers and counts (a batch at a time: one statement each)."""
    sql.insert_visits(conn, visit_rows)
    visit_rows.clear()
    sql.insert_answers(conn, answer_rows)
    answer_rows.clear()
    sql.insert_plan_counts(conn, plan_rows)
    plan_rows.clear()


# -- drafts: one answer at a time ---------------------------------------------------------------------------

def start_draft(store: Store, school: dict, loaded: Any, date: Any, inspector: str,
                visit_id: str | None = None) -> str:
    """Create an empty visit with status `draft` (its checklist version saved) and return its id."""
    import uuid

    vid = visit_id or str(uuid.uuid4())
    now = utc_now()
    with store.transaction() as conn:
        catalog.save_checklist(conn, loaded, now)
        sql.insert_visit(conn, {
            "id": vid, "seq": sql.next_visit_seq(conn), "school_code": school["code"],
            "checklist_id": loaded.checklist.id, "checklist_hash": loaded.hash, "date": date.isoformat(),
            "inspector": inspector, "status": "draft", "source": "interactive", "created_at": now,
            "device": meta.device_id(conn),
        })
    return vid


def new_revision(conn: sqlite3.Connection, visit: sqlite3.Row, item_id: str, value: Any, outcome: str,
                 note: str | None, reason: str | None, author: str | None, *, fixed_on_site: bool = False,
                 now: str | None = None) -> int:
    """Append a revision of one point that replaces its current one; returns the local revision number.

    A first revision made on the visit's own device needs no stored id (it is derived from the visit and the
    point); any other gets a new one and names the revision it replaces."""
    device = meta.device_id(conn)
    own = device == visit["device"]
    revisions = sql.point_revisions(conn, visit["seq"], item_id)
    base = None
    if revisions:
        heads = [Revision(r["uid"] or revision_uid(visit["id"], item_id, r["revision"]), r["base"], r["recorded_at"])
                 for r in revisions]
        base = current(heads).uid
    uid = None if (not revisions and own) else new_uid()
    return sql.append_revision(
        conn, visit["seq"], item_id, value=sql.value_json(value), outcome=outcome, note=note, reason=reason,
        author=author, recorded_at=now or utc_now(), uid=uid, base=base, device=None if own else device,
        fixed_on_site=fixed_on_site,
    )


def refresh_counts(conn: sqlite3.Connection, visit: sqlite3.Row, checklist: Any) -> Any:
    """Rewrite a visit's counts (and per-plan-item counts) from its current revisions; returns the tally."""
    items = {item.id: item for item in checklist.items}
    t = tally(items, {r["item_id"]: r["outcome"] for r in sql.current_answers(conn, visit["seq"])})
    sql.write_counts(conn, visit["id"], visit["seq"], t)
    return t


def record_draft_answer(store: Store, visit_id: str, item_id: str, value: Any, outcome: str, note: str | None,
                        author: str | None, reason: str | None = None, fixed_on_site: bool = False) -> int:
    """Write one interactive answer (a new revision) and the visit's counts, in one transaction."""
    with store.transaction() as conn:
        visit = _visit(conn, visit_id)
        if visit["status"] != "draft":
            raise InputError(Words(f"督导记录 {visit_id[:8]} 不是草稿（{visit['status']}）；"
                                   "请用 `nanxian inspect amend`",
                                   f"visit {visit_id[:8]} is {visit['status']}, not a draft; "
                                   "use `nanxian inspect amend`"))
        checklist = catalog.snapshot(conn, visit["checklist_hash"]).checklist
        if item_id not in {item.id for item in checklist.items}:
            raise NotFound(Words(f"{item_id!r} 不是检查表 {checklist.id} 的要点",
                                 f"{item_id!r} is not a point of checklist {checklist.id!r}"))
        revision = new_revision(conn, visit, item_id, value, outcome, note, reason, author, fixed_on_site=fixed_on_site)
        refresh_counts(conn, visit, checklist)
    return revision


def record_recheck(store: Store, visit_id: str, finding_id: int, passed: bool, note: str | None,
                   author: str | None) -> None:
    """A draft's answer to "fixed?" for an open finding from another checklist; it counts once the visit is
    submitted (the latest answer per finding counts: going back records another)."""
    with store.transaction() as conn:
        visit = _visit(conn, visit_id)
        if visit["status"] != "draft":
            raise InputError(Words(f"督导记录 {visit_id[:8]} 不是草稿（{visit['status']}）",
                                   f"visit {visit_id[:8]} is {visit['status']}, not a draft"))
        row = conn.execute("SELECT uid, school_code, point_key FROM findings WHERE id = ?", (finding_id,)).fetchone()
        if row is None or row["school_code"] != visit["school_code"]:
            raise NotFound(Words(f"本校没有整改项 #{finding_id}", f"no finding #{finding_id} at this school"))
        finding_sql.insert_action(conn, {
            "uid": new_uid(), "finding": row["uid"], "school_code": row["school_code"], "point_key": row["point_key"],
            "kind": "recheck", "date": visit["date"], "text": note, "visit_id": visit_id, "passed": int(passed),
            "author": author, "device": meta.device_id(conn), "recorded_at": utc_now(),
        })


def draft_rechecks(store: Store, visit_id: str) -> dict[int, str]:
    """finding number -> the latest re-check this visit recorded for it (recheck_passed | recheck_failed)."""
    latest = finding_lists.draft_rechecks(store.conn, visit_id)
    out: dict[int, str] = {}
    for uid, action in latest.items():
        row = store.one("SELECT id FROM findings WHERE uid = ?", (uid,))
        if row is not None:
            out[row[0]] = "recheck_passed" if action["passed"] else "recheck_failed"
    return out


def submit_draft(store: Store, visit_id: str, author: str | None, *, again: bool = False) -> None:
    """Submit a draft: status and time, then the findings of every point it answered or re-checked, in one
    transaction. Refused (DuplicateVisit, the draft kept) when a submitted twin exists, unless `again`."""
    now = utc_now()
    with store.transaction() as conn:
        visit = _visit(conn, visit_id)
        if visit["status"] != "draft":
            raise InputError(Words(f"督导记录 {visit_id[:8]} 不是草稿（{visit['status']}）",
                                   f"visit {visit_id[:8]} is {visit['status']}, not a draft"))
        if not again:
            refuse_duplicate(conn, visit["school_code"], visit["checklist_id"], visit["date"], visit["inspector"],
                             exclude=visit_id)
        checklist = catalog.snapshot(conn, visit["checklist_hash"]).checklist
        sql.mark_submitted(conn, visit_id, now)
        refresh_counts(conn, visit, checklist)
        derive.rebuild(conn, visit["school_code"], finding_sql.keys_of_visit(conn, visit_id), now)


def remove_empty_draft(store: Store, visit_id: str) -> bool:
    """Delete a draft that holds no fact (no answer, no re-check); True if it was removed.

    Drafts are the only visits ever deleted, and only empty ones: nothing refers to them and the append-only
    answers are not touched."""
    with store.transaction() as conn:
        row = sql.visit_row(conn, visit_id)
        if row is None or row["status"] != "draft" or not sql.draft_is_empty(conn, visit_id):
            return False
        sql.delete_draft(conn, visit_id, row["seq"])
    return True


def discard_draft(store: Store, visit_id: str, reason: str, author: str | None) -> dict:
    """Give up a draft: an empty one is deleted; one with answers is kept as void with the reason (never counted)."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError(Words("--reason：请说明放弃草稿的原因", "--reason: say why the draft is given up"))
    with store.transaction() as conn:
        visit = _visit(conn, visit_id)
        if visit["status"] != "draft":
            raise InputError(Words(f"督导记录 {visit_id[:8]} 不是草稿（{visit['status']}）",
                                   f"visit {visit_id[:8]} is {visit['status']}, not a draft"))
        answered = sql.answered_points(conn, visit["seq"])
        if sql.draft_is_empty(conn, visit_id):
            sql.delete_draft(conn, visit_id, visit["seq"])
            return {"id": visit_id, "status": "removed", "reason": reason, "answers": 0}
        sql.mark_void(conn, visit_id, reason, utc_now(), author)
    return {"id": visit_id, "status": "void", "reason": reason, "answers": answered}
