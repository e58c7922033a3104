"""SQL of the findings: the facts a point's timeline is made of, the hand actions, and the findings cache.

The findings themselves are decided by the engine (core/findings.py); this module reads the rows it needs and
writes what it decided. Every function that writes takes the connection of an open transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

_DAYS = ("CASE ci.severity WHEN 'critical' THEN cv.rectify_critical WHEN 'major' THEN cv.rectify_major "
         "ELSE cv.rectify_minor END")


def point_revisions(conn: sqlite3.Connection, school_code: str, keys: Iterable[str] | None = None) -> list[sqlite3.Row]:
    """Every answer revision of the points `keys` (all points when None) in the submitted visits of a school,
    with what the engine needs to know of the visit and the checklist version, ordered by visit and point."""
    keys = sorted(set(keys)) if keys is not None else None
    where_key = f" AND ci.point_key IN ({', '.join('?' for _ in keys)})" if keys else ""
    if keys is not None and not keys:
        return []
    return conn.execute(
        "SELECT ci.point_key, v.id AS visit, v.date, coalesce(v.submitted_at, v.created_at) AS at, v.checklist_id, "
        "v.checklist_hash, v.inspector, a.item_id, a.revision, a.uid, a.base, a.outcome, a.note, a.author, "
        f"a.recorded_at, a.fixed_on_site, ci.severity, {_DAYS} AS days "
        "FROM visits v JOIN checklist_versions cv ON cv.hash = v.checklist_hash "
        f"JOIN checklist_items ci ON ci.hash = v.checklist_hash{where_key} "
        "JOIN answers a ON a.visit_seq = v.seq AND a.item_id = ci.item_id "
        "WHERE v.school_code = ? AND v.status = 'submitted' ORDER BY v.seq, a.item_id, a.revision",
        (*(keys or ()), school_code),
    ).fetchall()


def point_actions(conn: sqlite3.Connection, school_code: str, keys: Iterable[str] | None = None) -> list[sqlite3.Row]:
    """The hand actions on the findings of these points; re-checks only when their visit is submitted."""
    keys = sorted(set(keys)) if keys is not None else None
    if keys is not None and not keys:
        return []
    where_key = f" AND fa.point_key IN ({', '.join('?' for _ in keys)})" if keys else ""
    return conn.execute(
        "SELECT fa.*, v.date AS visit_date, coalesce(v.submitted_at, v.created_at) AS visit_at "
        "FROM finding_actions fa LEFT JOIN visits v ON v.id = fa.visit_id "
        f"WHERE fa.school_code = ?{where_key} AND (fa.kind != 'recheck' OR v.status = 'submitted') "
        "ORDER BY fa.recorded_at, fa.uid",
        (school_code, *(keys or ())),
    ).fetchall()


def keys_of_visit(conn: sqlite3.Connection, visit_id: str) -> list[str]:
    """The point keys a visit answered or re-checked (what changes when the visit is submitted, amended or voided)."""
    rows = conn.execute(
        "SELECT DISTINCT ci.point_key FROM visits v JOIN answers a ON a.visit_seq = v.seq "
        "JOIN checklist_items ci ON ci.hash = v.checklist_hash AND ci.item_id = a.item_id WHERE v.id = ? "
        "UNION SELECT point_key FROM finding_actions WHERE visit_id = ?",
        (visit_id, visit_id),
    ).fetchall()
    return [r[0] for r in rows]


def school_keys(conn: sqlite3.Connection, school_code: str) -> list[str]:
    """Every point key of a school that has a submitted answer, an action or a cached finding."""
    rows = conn.execute(
        "SELECT DISTINCT ci.point_key FROM visits v JOIN answers a ON a.visit_seq = v.seq "
        "JOIN checklist_items ci ON ci.hash = v.checklist_hash AND ci.item_id = a.item_id "
        "WHERE v.school_code = ? AND v.status = 'submitted' "
        "UNION SELECT point_key FROM finding_actions WHERE school_code = ? "
        "UNION SELECT point_key FROM findings WHERE school_code = ?",
        (school_code, school_code, school_code),
    ).fetchall()
    return [r[0] for r in rows]


def schools_with_points(conn: sqlite3.Connection) -> list[str]:
    """Every school with a submitted visit, an action or a cached finding: what a full rebuild goes through."""
    rows = conn.execute(
        "SELECT school_code FROM visits WHERE status = 'submitted' UNION SELECT school_code FROM finding_actions "
        "UNION SELECT school_code FROM findings ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def insert_action(conn: sqlite3.Connection, action: dict) -> None:
    conn.execute(
        "INSERT INTO finding_actions (uid, finding, school_code, point_key, kind, date, text, due, visit_id, passed, "
        "on_site, author, device, recorded_at) VALUES (:uid, :finding, :school_code, :point_key, :kind, :date, :text, "
        ":due, :visit_id, :passed, :on_site, :author, :device, :recorded_at)",
        {"due": None, "visit_id": None, "passed": None, "on_site": 0, "text": None, **action},
    )


_CACHE_COLUMNS = ("uid", "school_code", "point_key", "item_id", "checklist_id", "checklist_hash", "severity",
                  "opened", "due", "status", "derived", "escalated", "fixed_on_site", "visit_id", "note",
                  "reported_on", "measures", "resolved_on", "resolved_by_visit", "resolve_note", "resolved_by",
                  "recheck_count", "last_recheck")


def save_point(conn: sqlite3.Connection, school_code: str, point_key: str, findings: list[Any],
               now: str) -> dict[str, list[int]]:
    """Make the cached findings of one (school, point) what the engine derived.

    Rows are matched by the finding's id (`uid`) and keep their local number; a finding without a row gets
    one; a row the engine no longer gives (its visit voided, its answer amended) stays, marked withdrawn and
    `derived = 0`. Rows leaving the in-progress states are written before the one entering them, so the
    "one finding in progress per point" index holds at every statement. Returns the numbers by change."""
    rows = conn.execute("SELECT id, uid, status, derived FROM findings WHERE school_code = ? AND point_key = ?",
                        (school_code, point_key)).fetchall()
    by_uid = {r["uid"]: r for r in rows}
    produced = {f.uid for f in findings}
    changes: dict[str, list[int]] = {"opened": [], "updated": [], "gone": []}
    for r in rows:
        if r["uid"] not in produced and (r["status"] != "withdrawn" or r["derived"]):
            conn.execute("UPDATE findings SET status = 'withdrawn', derived = 0 WHERE id = ?", (r["id"],))
            changes["gone"].append(r["id"])
    for f in sorted(findings, key=lambda f: f.status in ("open", "reported")):
        values = (f.uid, school_code, point_key, f.item_id, f.checklist_id, f.checklist_hash, f.severity, f.opened,
                  f.due, f.status, 1, int(f.escalated), int(f.fixed_on_site), f.visit, f.note, f.reported_on,
                  f.measures, f.resolved_on, f.resolved_by_visit, f.resolve_note, f.resolved_by, f.recheck_count,
                  f.last_recheck)
        number = by_uid[f.uid]["id"] if f.uid in by_uid else None
        if number is None:
            cur = conn.execute(
                f"INSERT INTO findings ({', '.join(_CACHE_COLUMNS)}, created_at) "
                f"VALUES ({', '.join('?' for _ in _CACHE_COLUMNS)}, ?)", (*values, now))
            number = cur.lastrowid
            changes["opened"].append(number)
        else:
            conn.execute(f"UPDATE findings SET {', '.join(c + ' = ?' for c in _CACHE_COLUMNS)} WHERE id = ?",
                         (*values, number))
            conn.execute("DELETE FROM finding_steps WHERE finding_id = ?", (number,))
            changes["updated"].append(number)
        conn.executemany(
            "INSERT INTO finding_steps (finding_id, n, kind, date, uid, visit_id, author, text, due, applied) "
            "VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(number, n, s.kind, s.date, s.uid, s.visit, s.author, s.text, s.due, int(s.applied))
             for n, s in enumerate(f.history)],
        )
    return changes


def finding_ref(conn: sqlite3.Connection, ref: str) -> sqlite3.Row | None:
    """A finding by its number (42, #42) or its id (UUID, or a unique prefix of 8+ characters); None if none.
    Raises LookupError with the candidates when a prefix matches several."""
    text = ref.strip().lstrip("#")
    if text.isdigit():
        return conn.execute("SELECT * FROM findings WHERE id = ?", (int(text),)).fetchone()
    text = text.lower()
    row = conn.execute("SELECT * FROM findings WHERE uid = ?", (text,)).fetchone()
    if row is not None or len(text) < 8:
        return row
    rows = conn.execute("SELECT * FROM findings WHERE uid >= ? AND uid < ? ORDER BY uid LIMIT 6",
                        (text, text + "\uffff")).fetchall()
    if len(rows) > 1:
        raise LookupError([r["uid"] for r in rows])
    return rows[0] if rows else None


def steps(conn: sqlite3.Connection, finding_ids: list[int]) -> dict[int, list[sqlite3.Row]]:
    """The history of each finding, in order."""
    out: dict[int, list[sqlite3.Row]] = {fid: [] for fid in finding_ids}
    for start in range(0, len(finding_ids), 500):
        chunk = finding_ids[start:start + 500]
        for r in conn.execute(
            f"SELECT * FROM finding_steps WHERE finding_id IN ({', '.join('?' for _ in chunk)}) ORDER BY finding_id, n",
            chunk,
        ):
            out[r["finding_id"]].append(r)
    return out


def actions_of(conn: sqlite3.Connection, finding_uid: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM finding_actions WHERE finding = ? ORDER BY recorded_at, uid",
                        (finding_uid,)).fetchall()


def rebuild_flag(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'rebuild_findings'").fetchone()
    return row[0] if row else None


def clear_rebuild_flag(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM meta WHERE key = 'rebuild_findings'")
