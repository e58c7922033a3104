"""SQL of visits and their answers: headers, append-only answer revisions, per-visit counts, drafts.

What is written and when is decided in services/ (with the rules from core/); every function that writes takes
the connection of an open transaction, so a visit, its answers, its counts and its findings are written together
or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from nanxian_cli.store.db import Store

_VISIT_COLUMNS = ("id", "seq", "school_code", "checklist_id", "checklist_hash", "date", "inspector", "status", "source",
                  "created_at", "submitted_at", "device", "n_pass", "n_fail", "n_na", "n_info", "w_pass", "w_fail",
                  "n_critical_fail", "n_items")
ANSWER_COLUMNS = ("visit_seq", "item_id", "revision", "value", "outcome", "note", "reason", "author", "recorded_at",
                  "uid", "base", "device", "fixed_on_site")
_PLAN_COLUMNS = ("visit_seq", "plan_item", "n_pass", "n_fail", "n_na", "n_info", "w_pass", "w_fail", "n_critical_fail")
_INSERT_VISIT = f"INSERT INTO visits ({', '.join(_VISIT_COLUMNS)}) VALUES ({', '.join('?' for _ in _VISIT_COLUMNS)})"
_INSERT_ANSWER = f"INSERT INTO answers ({', '.join(ANSWER_COLUMNS)}) VALUES ({', '.join('?' for _ in ANSWER_COLUMNS)})"
_INSERT_PLAN = (f"INSERT INTO visit_plan_counts ({', '.join(_PLAN_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in _PLAN_COLUMNS)})")


def value_json(value: Any) -> str | None:
    """An answer value as stored. Fast paths give exactly json.dumps' text: most answers are yes/no or whole
    numbers, and the bulk path encodes millions of them."""
    if value is None:
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def decode_value(text: str | None) -> Any:
    return None if text is None else json.loads(text)


# -- writing --------------------------------------------------------------------------------------------

def next_visit_seq(conn: sqlite3.Connection) -> int:
    """The local number the next new visit gets (read inside the writing transaction)."""
    return conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM visits").fetchone()[0]


def visit_tuple(row: dict) -> tuple:
    """A visit header as `insert_visits` takes it (`row` has the keys of _VISIT_COLUMNS, others are left out;
    counts default to 0)."""
    values = {"n_pass": 0, "n_fail": 0, "n_na": 0, "n_info": 0, "w_pass": 0.0, "w_fail": 0.0, "n_critical_fail": 0,
              "n_items": 0, "submitted_at": None, **row}
    return tuple(values[c] for c in _VISIT_COLUMNS)


def insert_visit(conn: sqlite3.Connection, row: dict) -> None:
    """One visit header (`row` has the keys of _VISIT_COLUMNS; counts default to 0)."""
    conn.execute(_INSERT_VISIT, visit_tuple(row))


def insert_visits(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Visit headers, each a tuple in _VISIT_COLUMNS order (the bulk path: one statement for a batch)."""
    if rows:
        conn.executemany(_INSERT_VISIT, rows)


def insert_answers(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Answer revisions, each a tuple in ANSWER_COLUMNS order (first revisions: uid, base and device None)."""
    if rows:
        conn.executemany(_INSERT_ANSWER, rows)


def insert_plan_counts(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Per-plan-item counts of visits that have none yet (tuples in _PLAN_COLUMNS order), added to the roll-ups."""
    if rows:
        from nanxian_cli.store.rollups import add_plan_rows

        conn.executemany(_INSERT_PLAN, rows)
        add_plan_rows(conn, sorted({r[0] for r in rows}))


def append_revision(conn: sqlite3.Connection, seq: int, item_id: str, *, value: str | None, outcome: str,
                    note: str | None, reason: str | None, author: str | None, recorded_at: str, uid: str | None,
                    base: str | None, device: str | None, fixed_on_site: bool = False) -> int:
    """A new revision of one point of a visit, made the current one; returns its local revision number."""
    revision = conn.execute("SELECT coalesce(max(revision), 0) + 1 FROM answers WHERE visit_seq = ? AND item_id = ?",
                            (seq, item_id)).fetchone()[0]
    conn.execute("UPDATE answers SET is_current = 0 WHERE visit_seq = ? AND item_id = ? AND is_current = 1",
                 (seq, item_id))
    conn.execute(_INSERT_ANSWER, (seq, item_id, revision, value, outcome, note, reason, author, recorded_at,
                                  uid, base, device, int(fixed_on_site)))
    return revision


def write_counts(conn: sqlite3.Connection, visit_id: str, seq: int, tally: Any) -> None:
    """A visit's counts (and per-plan-item counts), as computed from its current revisions."""
    t = tally
    conn.execute(
        "UPDATE visits SET n_pass=?, n_fail=?, n_na=?, n_info=?, w_pass=?, w_fail=?, n_critical_fail=?, n_items=? "
        "WHERE id=?",
        (t.n_pass, t.n_fail, t.n_na, t.n_info, t.w_pass, t.w_fail, t.n_critical_fail, t.n_items, visit_id),
    )
    _delete_plan_counts(conn, seq)
    insert_plan_counts(conn, [(seq, number, *counts) for number, counts in t.by_plan.items()])


def _delete_plan_counts(conn: sqlite3.Connection, seq: int) -> None:
    from nanxian_cli.store.rollups import take_out_plan_rows

    take_out_plan_rows(conn, seq)
    conn.execute("DELETE FROM visit_plan_counts WHERE visit_seq = ?", (seq,))


def mark_submitted(conn: sqlite3.Connection, visit_id: str, at: str) -> None:
    conn.execute("UPDATE visits SET status = 'submitted', submitted_at = ? WHERE id = ?", (at, visit_id))


def mark_void(conn: sqlite3.Connection, visit_id: str, reason: str, at: str, by: str | None,
              device: str | None = None) -> None:
    conn.execute("UPDATE visits SET status = 'void', void_reason = ?, voided_at = ?, voided_by = ?, void_device = ? "
                 "WHERE id = ?", (reason, at, by, device, visit_id))


def delete_draft(conn: sqlite3.Connection, visit_id: str, seq: int) -> None:
    """Remove a draft that holds no fact (the caller checked `draft_is_empty`)."""
    _delete_plan_counts(conn, seq)
    conn.execute("DELETE FROM visits WHERE id = ? AND status = 'draft'", (visit_id,))


# -- reading one visit ------------------------------------------------------------------------------------

def visit_row(conn: sqlite3.Connection, visit_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM visits WHERE id = ?", (visit_id,)).fetchone()


def visits_by_prefix(conn: sqlite3.Connection, prefix: str, limit: int = 6) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM visits WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
                        (prefix, prefix + "\uffff", limit)).fetchall()


def current_answers(conn: sqlite3.Connection, seq: int) -> list[sqlite3.Row]:
    """The current revision of every answered point of a visit, in the order they were recorded."""
    return conn.execute(
        "SELECT * FROM answers WHERE visit_seq = ? AND is_current = 1 ORDER BY recorded_at, item_id", (seq,)
    ).fetchall()


def answer_history(conn: sqlite3.Connection, seq: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM answers WHERE visit_seq = ? ORDER BY item_id, revision", (seq,)).fetchall()


def point_revisions(conn: sqlite3.Connection, seq: int, item_id: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM answers WHERE visit_seq = ? AND item_id = ? ORDER BY revision",
                        (seq, item_id)).fetchall()


def checklist_content(conn: sqlite3.Connection, checklist_hash: str) -> str | None:
    row = conn.execute("SELECT content FROM checklist_versions WHERE hash = ?", (checklist_hash,)).fetchone()
    return row[0] if row else None


def point_keys(conn: sqlite3.Connection, checklist_hash: str) -> dict[str, str]:
    """item id -> the key its findings are kept under, for one stored checklist version."""
    return {r[0]: r[1] for r in conn.execute(
        "SELECT item_id, point_key FROM checklist_items WHERE hash = ?", (checklist_hash,))}


# -- duplicates and drafts ----------------------------------------------------------------------------------

def submitted_twin(conn: sqlite3.Connection, school_code: str, checklist_id: str, day: str, inspector: str,
                   exclude: str | None = None) -> sqlite3.Row | None:
    """The earliest submitted visit with this school, checklist, date and supervisor (drafts and void visits
    do not count), other than `exclude`."""
    return conn.execute(
        "SELECT id, school_code, checklist_id, date, inspector FROM visits WHERE school_code = ? AND checklist_id = ? "
        "AND date = ? AND inspector = ? AND status = 'submitted' AND id != ? ORDER BY seq LIMIT 1",
        (school_code, checklist_id, day, inspector, exclude or ""),
    ).fetchone()


# A draft holds a fact once it has an answer, a re-check ("fixed? y/n") or evidence; until then it may be removed.
_DRAFT_HOLDS_FACTS = (
    "(EXISTS (SELECT 1 FROM answers a WHERE a.visit_seq = v.seq) "
    "OR EXISTS (SELECT 1 FROM finding_actions fa WHERE fa.visit_id = v.id) "
    "OR EXISTS (SELECT 1 FROM evidence_links el WHERE el.visit_id = v.id))"
)


def resumable_drafts(store: Store, school_code: str, checklist_id: str) -> list[sqlite3.Row]:
    """The drafts of this school with this checklist that hold answers (or re-checks), newest first."""
    return store.query(
        "SELECT v.* FROM visits v WHERE v.school_code = ? AND v.checklist_id = ? AND v.status = 'draft' "
        f"AND {_DRAFT_HOLDS_FACTS} ORDER BY v.created_at DESC, v.seq DESC",
        (school_code, checklist_id),
    )


def draft_is_empty(conn: sqlite3.Connection, visit_id: str) -> bool:
    return conn.execute(
        f"SELECT NOT {_DRAFT_HOLDS_FACTS} AND NOT EXISTS (SELECT 1 FROM findings f "
        "WHERE f.visit_id = v.id OR f.resolved_by_visit = v.id) FROM visits v WHERE v.id = ?", (visit_id,)
    ).fetchone()[0] == 1


def answered_points(conn: sqlite3.Connection, seq: int) -> int:
    return conn.execute("SELECT count(DISTINCT item_id) FROM answers WHERE visit_seq = ?", (seq,)).fetchone()[0]


def school_row(conn: sqlite3.Connection, school_code: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT code, name, town, stages, boarding, canteen, school_bus, ownership, grp, inclusive FROM schools "
        "WHERE code = ?",
        (school_code,),
    ).fetchone()


# -- listings -----------------------------------------------------------------------------------------------

_VISIT_SELECT = (
    "SELECT v.*, s.name AS school_name, cv.title_zh AS checklist_title_zh, cv.title_en AS checklist_title_en, "
    "cv.version AS checklist_version FROM visits v JOIN schools s ON s.code = v.school_code "
    "JOIN checklist_versions cv ON cv.hash = v.checklist_hash"
)


def list_visits(store: Store, *, limit: int | None = None, **filters: Any) -> list[sqlite3.Row]:
    """Visits, newest first (filters: `_visits_where`); with `limit`, the newest `limit` only."""
    where, params = _visits_where(**filters)
    sql = _VISIT_SELECT + where + " ORDER BY v.date DESC, v.created_at DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return store.query(sql, params)


def count_visits(store: Store, **filters: Any) -> tuple[int, int]:
    """How many visits `list_visits` lists with these filters, and how many of them are drafts."""
    where, params = _visits_where(**filters)
    row = store.one("SELECT count(*), coalesce(sum(v.status = 'draft'), 0) FROM visits v" + where, params)
    return row[0], row[1]


def _visits_where(school: str | None = None, inspector: str | None = None, checklist: str | None = None,
                  date_from: str | None = None, date_to: str | None = None,
                  status: str | None = None) -> tuple[str, list[Any]]:
    """The WHERE clause over visits `v` (and its parameters); `school` is a school code, dates ISO."""
    where, params = [], []
    for sql, value in (("v.school_code = ?", school), ("v.inspector = ?", inspector), ("v.checklist_id = ?", checklist),
                       ("v.status = ?", status), ("v.date >= ?", date_from), ("v.date <= ?", date_to)):
        if value:
            where.append(sql)
            params.append(value)
    return (" WHERE " + " AND ".join(where) if where else ""), params


def visit_summary_row(store: Store, visit_id: str) -> sqlite3.Row | None:
    return store.one(_VISIT_SELECT + " WHERE v.id = ?", (visit_id,))


def visit_items(store: Store, checklist_hash: str) -> list[sqlite3.Row]:
    return store.query(
        "SELECT item_id, position, type, severity, weight, text_zh, text_en FROM checklist_items WHERE hash = ? "
        "ORDER BY position",
        (checklist_hash,),
    )


def recorded_checklist_ids(store: Any) -> list[str]:
    """Every checklist id a visit was ever recorded with (its versions are kept)."""
    return [r[0] for r in store.query("SELECT DISTINCT checklist_id FROM checklist_versions ORDER BY checklist_id")]
