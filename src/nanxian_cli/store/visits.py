"""Visits, answers (append-only revisions), per-visit counts and findings.

Every function that writes takes an open transaction's connection, so a visit, its answers, its
counts and its findings are written together or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from nanxian_cli.errors import Ambiguous, InputError, NotFound
from nanxian_cli.evaluate import Tally, due_date, tally
from nanxian_cli.store.checklists import save_checklist_version
from nanxian_cli.store.db import Store, utc_now
from nanxian_cli.visits import PreparedVisit, value_json

COUNT_COLUMNS = ("n_pass", "n_fail", "n_na", "n_info", "w_pass", "w_fail", "n_critical_fail", "n_items")


# -- writing a visit ----------------------------------------------------------------------------

def write_visits(conn: sqlite3.Connection, visits: list[PreparedVisit], *, author: str | None = None,
                 saved_hashes: set[str] | None = None) -> None:
    """Insert prepared visits with their answers and counts; submitted ones update findings.

    The bulk path (demo, imports) passes many visits in one call; recording one visit passes one.
    """
    now = utc_now()
    saved = saved_hashes if saved_hashes is not None else set()
    answer_rows: list[tuple] = []
    plan_rows: list[tuple] = []
    for v in visits:
        if v.loaded.hash not in saved:
            save_checklist_version(conn, v.loaded)
            saved.add(v.loaded.hash)
        t = v.tally
        conn.execute(
            "INSERT INTO visits (id, school_code, checklist_id, checklist_hash, date, inspector, status, source, "
            "created_at, submitted_at, n_pass, n_fail, n_na, n_info, w_pass, w_fail, n_critical_fail, n_items) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (v.id, v.school["code"], v.loaded.checklist.id, v.loaded.hash, v.date.isoformat(), v.inspector,
             v.status, v.source, now, now if v.status == "submitted" else None,
             t.n_pass, t.n_fail, t.n_na, t.n_info, t.w_pass, t.w_fail, t.n_critical_fail, t.n_items),
        )
        who = author or v.inspector
        answer_rows.extend(
            (v.id, item_id, 1, value_json(value), outcome, note, None, who, now)
            for item_id, value, outcome, note in v.answers
        )
        plan_rows.extend((v.id, number, *counts) for number, counts in t.by_plan.items())
        if len(answer_rows) > 20000:
            _flush(conn, answer_rows, plan_rows)
        if v.status == "submitted":
            _flush(conn, answer_rows, plan_rows)
            apply_findings(
                conn, v.id, v.school["code"], v.date, v.loaded.checklist,
                {item_id: (outcome, note) for item_id, _, outcome, note in v.answers}, who,
            )
    _flush(conn, answer_rows, plan_rows)


def _flush(conn: sqlite3.Connection, answer_rows: list, plan_rows: list) -> None:
    if answer_rows:
        conn.executemany(
            "INSERT INTO answers (visit_id, item_id, revision, value, outcome, note, reason, author, recorded_at) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            answer_rows,
        )
        answer_rows.clear()
    if plan_rows:
        conn.executemany(
            "INSERT INTO visit_plan_counts (visit_id, plan_item, n_pass, n_fail, n_na, n_info, w_pass, w_fail) "
            "VALUES (?,?,?,?,?,?,?,?)",
            plan_rows,
        )
        plan_rows.clear()


def record_visit(store: Store, visit: PreparedVisit, author: str | None = None) -> None:
    with store.transaction() as conn:
        write_visits(conn, [visit], author=author)


# -- findings -------------------------------------------------------------------------------------

def _event(conn, finding_id: int, event: str, visit_id: str | None, date: str, note: str | None, author: str | None) -> None:
    conn.execute(
        "INSERT INTO finding_events (finding_id, event, visit_id, date, note, author, recorded_at) VALUES (?,?,?,?,?,?,?)",
        (finding_id, event, visit_id, date, note, author, utc_now()),
    )


def apply_findings(conn, visit_id: str, school_code: str, date: dt.date, checklist: Any,
                   outcomes: dict[str, tuple[str, str | None]], author: str | None) -> None:
    """A fail opens a finding (or notes a re-check on the open one); a pass resolves an older open finding."""
    day = date.isoformat()
    open_rows = {
        r["item_id"]: r
        for r in conn.execute(
            "SELECT id, item_id, opened, visit_id FROM findings WHERE school_code = ? AND status = 'open'", (school_code,)
        )
    }
    items = {item.id: item for item in checklist.items}
    for item_id, (outcome, note) in outcomes.items():
        existing = open_rows.get(item_id)
        if outcome == "fail":
            if existing is not None:
                if existing["visit_id"] != visit_id:
                    conn.execute(
                        "UPDATE findings SET recheck_count = recheck_count + 1, last_recheck = ? WHERE id = ?",
                        (day, existing["id"]),
                    )
                    _event(conn, existing["id"], "recheck_failed", visit_id, day, note, author)
                continue
            item = items[item_id]
            cur = conn.execute(
                "INSERT INTO findings (school_code, item_id, checklist_id, checklist_hash, severity, opened, due, status, "
                "visit_id, note, created_at) VALUES (?,?,?,(SELECT checklist_hash FROM visits WHERE id = ?),?,?,?,'open',?,?,?)",
                (school_code, item_id, checklist.id, visit_id, item.severity, day,
                 due_date(date, item.severity, checklist.rectify_days).isoformat(), visit_id, note, utc_now()),
            )
            _event(conn, cur.lastrowid, "opened", visit_id, day, note, author)
        elif outcome == "pass" and existing is not None and existing["visit_id"] != visit_id and existing["opened"] <= day:
            conn.execute(
                "UPDATE findings SET status = 'resolved', resolved_on = ?, resolved_by_visit = ?, resolved_by = ?, "
                "resolve_note = ? WHERE id = ?",
                (day, visit_id, author, note, existing["id"]),
            )
            _event(conn, existing["id"], "resolved", visit_id, day, note, author)


def resolve_finding(store: Store, finding_id: int, note: str, date: dt.date, author: str | None) -> dict:
    with store.transaction() as conn:
        row = conn.execute("SELECT id, status, opened FROM findings WHERE id = ?", (finding_id,)).fetchone()
        if row is None:
            raise NotFound(f"no finding #{finding_id}")
        if row["status"] != "open":
            raise InputError(f"finding #{finding_id} is {row['status']}, not open")
        if date.isoformat() < row["opened"]:
            raise InputError(f"--date {date.isoformat()} is before the finding was opened ({row['opened']})")
        conn.execute(
            "UPDATE findings SET status = 'resolved', resolved_on = ?, resolved_by = ?, resolve_note = ? WHERE id = ?",
            (date.isoformat(), author, note, finding_id),
        )
        _event(conn, finding_id, "resolved", None, date.isoformat(), note, author)
    return {"id": finding_id, "status": "resolved", "resolved_on": date.isoformat()}


# -- reading visits -----------------------------------------------------------------------------

def find_visit(store: Store, ref: str) -> sqlite3.Row:
    """A visit by its full id or a unique prefix of at least 8 characters."""
    ref = (ref or "").strip().lower()
    row = store.one("SELECT * FROM visits WHERE id = ?", (ref,))
    if row is not None:
        return row
    if len(ref) < 8 or not all(c in "0123456789abcdef-" for c in ref):
        raise NotFound(f"no visit {ref!r} (give the id or its first 8 characters)")
    rows = store.query("SELECT * FROM visits WHERE id >= ? AND id < ? LIMIT 6", (ref, ref + "\uffff"))
    if not rows:
        raise NotFound(f"no visit {ref!r}")
    if len(rows) > 1:
        raise Ambiguous(f"{ref!r} matches several visits; give more characters", [r["id"] for r in rows])
    return rows[0]


def latest_answers(conn, visit_id: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT a.* FROM answers a WHERE a.visit_id = ? AND a.revision = "
        "(SELECT max(b.revision) FROM answers b WHERE b.visit_id = a.visit_id AND b.item_id = a.item_id) ORDER BY a.id",
        (visit_id,),
    ).fetchall()


def answer_history(conn, visit_id: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM answers WHERE visit_id = ? ORDER BY item_id, revision", (visit_id,)
    ).fetchall()


def load_snapshot(conn, checklist_hash: str) -> Any:
    """The checklist version a visit was recorded against, from the database (never the YAML)."""
    from nanxian_cli.checklists import LoadedChecklist, checklist_from_snapshot

    content = conn.execute("SELECT content FROM checklist_versions WHERE hash = ?", (checklist_hash,)).fetchone()[0]
    return LoadedChecklist(checklist=checklist_from_snapshot(content), path=None, canonical=content, hash=checklist_hash)


def refresh_counts(conn, visit_id: str, checklist: Any) -> Tally:
    """Rewrite a visit's counts (and per-plan-item counts) from its latest answer revisions."""
    items = {item.id: item for item in checklist.items}
    t = tally(items, {r["item_id"]: r["outcome"] for r in latest_answers(conn, visit_id)})
    conn.execute(
        "UPDATE visits SET n_pass=?, n_fail=?, n_na=?, n_info=?, w_pass=?, w_fail=?, n_critical_fail=?, n_items=? WHERE id=?",
        (t.n_pass, t.n_fail, t.n_na, t.n_info, t.w_pass, t.w_fail, t.n_critical_fail, t.n_items, visit_id),
    )
    conn.execute("DELETE FROM visit_plan_counts WHERE visit_id = ?", (visit_id,))
    conn.executemany(
        "INSERT INTO visit_plan_counts (visit_id, plan_item, n_pass, n_fail, n_na, n_info, w_pass, w_fail) VALUES (?,?,?,?,?,?,?,?)",
        [(visit_id, number, *counts) for number, counts in t.by_plan.items()],
    )
    return t


def append_answer(conn, visit_id: str, item_id: str, value: Any, outcome: str, note: str | None,
                  reason: str | None, author: str | None) -> int:
    row = conn.execute(
        "SELECT coalesce(max(revision), 0) FROM answers WHERE visit_id = ? AND item_id = ?", (visit_id, item_id)
    ).fetchone()
    revision = row[0] + 1
    conn.execute(
        "INSERT INTO answers (visit_id, item_id, revision, value, outcome, note, reason, author, recorded_at) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        (visit_id, item_id, revision, value_json(value), outcome, note, reason, author, utc_now()),
    )
    return revision


def decode_value(text: str | None) -> Any:
    return None if text is None else json.loads(text)
