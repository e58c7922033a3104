"""SQL of the findings: the facts a point's timeline is made of, the hand actions, and the findings cache.

The findings themselves are decided by the engine (core/findings.py); this module reads the rows it needs and
writes what it decided. Every function that writes takes the connection of an open transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

_DAYS = ("CASE ci.severity WHEN 'critical' THEN cv.rectify_critical WHEN 'major' THEN cv.rectify_major "
         "ELSE cv.rectify_minor END")


REVISION_FIELDS = ("point_key", "visit_seq", "item_id", "revision", "uid", "base", "outcome", "note", "author",
                   "recorded_at", "fixed_on_site")
"""The columns of each tuple `point_revisions` returns, in order."""


def point_revisions(conn: sqlite3.Connection, school_code: str, keys: Iterable[str] | None = None) -> list[tuple]:
    """Every answer revision of the points `keys` (all points when None) in the submitted visits of a school, as
    plain tuples (REVISION_FIELDS; a rebuild reads a million of them), ordered by visit, point and revision."""
    cur = conn.cursor()
    cur.row_factory = None
    columns = ("v.seq, a.item_id, a.revision, a.uid, a.base, a.outcome, a.note, a.author, a.recorded_at, "
               "a.fixed_on_site")
    order = "ORDER BY v.seq, a.item_id, a.revision"
    if keys is None:
        return cur.execute(
            f"SELECT ci.point_key, {columns} FROM visits v JOIN answers a ON a.visit_seq = v.seq "
            "JOIN checklist_items ci ON ci.hash = v.checklist_hash AND ci.item_id = a.item_id "
            f"WHERE v.school_code = ? AND v.status = 'submitted' {order}", (school_code,)).fetchall()
    keys = sorted(set(keys))
    if not keys:
        return []
    # The (checklist version, item) pairs of the points first (DISTINCT keeps SQLite from flattening them into the
    # join), then each visit's answers to those items by the answers' primary key: not every answer of the
    # school's visits (one point: 4 ms instead of 16 on a county decade's school of 470 visits).
    return cur.execute(
        f"SELECT p.point_key, {columns} FROM visits v CROSS JOIN (SELECT DISTINCT hash, item_id, point_key "
        "FROM checklist_items WHERE point_key IN (SELECT value FROM json_each(?))) p "
        "CROSS JOIN answers a ON a.visit_seq = v.seq AND a.item_id = p.item_id "
        f"WHERE p.hash = v.checklist_hash AND v.school_code = ? AND v.status = 'submitted' {order}",
        (json.dumps(keys), school_code),
    ).fetchall()


def latest_passes(conn: sqlite3.Connection, school_code: str) -> dict[str, tuple[str, str]]:
    """point key -> (date, submission time) of the latest submitted visit of a school whose current answer to the
    point passed: where a point that never failed stands in its timeline."""
    cur = conn.cursor()
    cur.row_factory = None
    return {r[0]: (r[1][:10], r[1][11:]) for r in cur.execute(
        "SELECT ci.point_key, max(v.date || ' ' || coalesce(v.submitted_at, v.created_at)) FROM visits v "
        "JOIN answers a ON a.visit_seq = v.seq AND a.is_current = 1 AND a.outcome = 'pass' "
        "JOIN checklist_items ci ON ci.hash = v.checklist_hash AND ci.item_id = a.item_id "
        "WHERE v.school_code = ? AND v.status = 'submitted' GROUP BY ci.point_key", (school_code,))}


def submitted_visits(conn: sqlite3.Connection, school_code: str) -> dict[int, tuple]:
    """local number -> (UUID, date, submission time, checklist id, checklist hash) of a school's submitted visits."""
    cur = conn.cursor()
    cur.row_factory = None
    return {r[0]: r[1:] for r in cur.execute(
        "SELECT seq, id, date, coalesce(submitted_at, created_at), checklist_id, checklist_hash FROM visits "
        "WHERE school_code = ? AND status = 'submitted'", (school_code,))}


def point_rules(conn: sqlite3.Connection, hashes: Iterable[str]) -> dict[tuple[str, str], tuple]:
    """(checklist hash, item id) -> (severity, days to fix, position) of the points of these checklist versions."""
    hashes = sorted(set(hashes))
    if not hashes:
        return {}
    cur = conn.cursor()
    cur.row_factory = None
    return {(r[0], r[1]): r[2:] for r in cur.execute(
        f"SELECT ci.hash, ci.item_id, ci.severity, {_DAYS}, ci.position FROM checklist_items ci "
        f"JOIN checklist_versions cv ON cv.hash = ci.hash WHERE ci.hash IN ({', '.join('?' for _ in hashes)})",
        hashes)}


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


def keys_with_findings(conn: sqlite3.Connection, school_code: str) -> set[str]:
    """The point keys of a school that have a finding (in any state) or a hand action."""
    return {r[0] for r in conn.execute(
        "SELECT point_key FROM findings WHERE school_code = ? UNION SELECT point_key FROM finding_actions "
        "WHERE school_code = ?", (school_code, school_code))}


def keys_in_progress(conn: sqlite3.Connection, school_code: str) -> set[str]:
    """The point keys of a school with a finding open or reported."""
    return {r[0] for r in conn.execute("SELECT point_key FROM findings WHERE school_code = ? "
                                       "AND status IN ('open', 'reported')", (school_code,))}


def keys_rechecked_in(conn: sqlite3.Connection, visit_id: str) -> set[str]:
    """The point keys a visit recorded re-checks of (findings of other checklists)."""
    return {r[0] for r in conn.execute("SELECT point_key FROM finding_actions WHERE visit_id = ?", (visit_id,))}


def after_everything(conn: sqlite3.Connection, school_code: str, visit_id: str) -> bool:
    """Whether a submitted visit comes after every other fact of its school's timelines: its (date, submission
    time) after every other submitted visit's and after every hand action's (date, time recorded)."""
    row = conn.execute(
        "SELECT v.date, coalesce(v.submitted_at, v.created_at), "
        "(SELECT max(o.date || ' ' || coalesce(o.submitted_at, o.created_at)) FROM visits o "
        " WHERE o.school_code = v.school_code AND o.status = 'submitted' AND o.id != v.id), "
        "(SELECT max(fa.date || ' ' || fa.recorded_at) FROM finding_actions fa WHERE fa.school_code = v.school_code "
        " AND coalesce(fa.visit_id, '') != v.id) "
        "FROM visits v WHERE v.id = ? AND v.school_code = ?", (visit_id, school_code)).fetchone()
    if row is None:
        return False
    mine = f"{row[0]} {row[1]}"
    return all(other is None or mine > other for other in (row[2], row[3]))


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
    """Every point key of a school that can have findings: one with a failing answer revision in a submitted
    visit, an action or a cached finding (a point that only ever passed has none)."""
    rows = conn.execute(
        "SELECT DISTINCT ci.point_key FROM visits v JOIN answers a ON a.visit_seq = v.seq "
        "JOIN checklist_items ci ON ci.hash = v.checklist_hash AND ci.item_id = a.item_id "
        "WHERE v.school_code = ? AND v.status = 'submitted' AND a.outcome = 'fail' "
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


def save_points(conn: sqlite3.Connection, derived: dict[tuple[str, str], list[Any]], now: str, *,
                add_only: bool = False) -> dict[str, list[int]]:
    """Make the cached findings of some points what the engine derived (`derived`: (school code, point key) ->
    findings). `add_only`: the findings given are new ones beside those kept (the rows of the points that are
    not given are left as they are).

    Rows are matched by the finding's id (`uid`) and keep their local number; a row that is already what the
    engine gives is not written again; a row the engine no longer gives (its visit voided, its answer amended)
    stays, marked withdrawn and `derived = 0`. Rows leaving the in-progress states are written before those
    entering them, so the "one finding in progress per point" index holds at every statement. New findings get
    their numbers in the order they were opened (`rank`: the visit's local number, then the point's place in its
    checklist). Returns the numbers by change."""
    changes: dict[str, list[int]] = {"opened": [], "updated": [], "gone": []}
    new: list[tuple[str, str, Any]] = []
    by_school: dict[str, dict[str, list[tuple]]] = {}
    keys_of: dict[str, list[str]] = {}
    for school_code, key in derived:
        keys_of.setdefault(school_code, []).append(key)
    cur = conn.cursor()
    cur.row_factory = None
    for school_code in sorted(keys_of):
        # the rows of these points only (index findings_point): a school's whole history of findings grows with
        # every year, and reading it for each batch made a bulk import slow down as the database grew
        rows_of: dict[str, list[tuple]] = {}
        for r in cur.execute(f"SELECT id, {', '.join(_CACHE_COLUMNS)}, steps_sig FROM findings WHERE school_code = ? "
                             "AND point_key IN (SELECT value FROM json_each(?))",
                             (school_code, json.dumps(sorted(keys_of[school_code])))):
            rows_of.setdefault(r[_KEY_AT], []).append(r)
        by_school[school_code] = rows_of
    # The writes, batched by kind and kept in the order they are decided: rows leaving the in-progress states are
    # written before those entering them, point by point, so the index holds at every statement.
    gone: list[tuple] = []
    updated: list[tuple] = []
    sigs: list[tuple] = []
    steps_gone: list[tuple] = []
    steps: list[tuple] = []
    for (school_code, key), findings in derived.items():
        rows = by_school[school_code].get(key, [])
        by_uid = {r[_UID_AT]: r for r in rows}
        produced = {f.uid for f in findings}
        for r in () if add_only else rows:
            if r[_UID_AT] not in produced and (r[_STATUS_AT] != "withdrawn" or r[_DERIVED_AT]):
                gone.append((r[0],))
                changes["gone"].append(r[0])
        for f in sorted(findings, key=lambda f: f.status in ("open", "reported")):
            row = by_uid.get(f.uid)
            if row is None:
                new.append((school_code, key, f))
                continue
            values, sig = _values(f, school_code, key), _signature(f)
            same_values = values == row[1:-1]
            if sig == row[-1] and same_values:
                continue
            if same_values:  # the history only (an upgraded database's first derivation, a changed note)
                sigs.append((sig, row[0]))
            else:
                updated.append((*values, sig, row[0]))
                changes["updated"].append(row[0])
            if row[-1] is not None:
                steps_gone.append((row[0],))
            steps += _steps(row[0], f)
    conn.executemany("UPDATE findings SET status = 'withdrawn', derived = 0 WHERE id = ?", gone)
    conn.executemany("UPDATE findings SET steps_sig = ? WHERE id = ?", sigs)
    conn.executemany(f"UPDATE findings SET {', '.join(c + ' = ?' for c in _CACHE_COLUMNS)}, steps_sig = ? "
                     "WHERE id = ?", updated)
    conn.executemany("DELETE FROM finding_steps WHERE finding_id = ?", steps_gone)
    if new:
        # numbers as SQLite would give them one by one (the largest so far plus one), in the order they were opened
        number = conn.execute("SELECT coalesce(max(id), 0) FROM findings").fetchone()[0]
        inserted = []
        for school_code, key, f in sorted(new, key=lambda n: (n[2].opened, n[2].rank,
                                                              n[2].status in ("open", "reported"))):
            number += 1
            inserted.append((number, *_values(f, school_code, key), _signature(f), now))
            steps += _steps(number, f)
            changes["opened"].append(number)
        conn.executemany(f"INSERT INTO findings (id, {', '.join(_CACHE_COLUMNS)}, steps_sig, created_at) "
                         f"VALUES (?, {', '.join('?' for _ in _CACHE_COLUMNS)}, ?, ?)", inserted)
    conn.executemany("INSERT INTO finding_steps (finding_id, n, kind, date, uid, visit_id, author, text, due, applied) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?)", steps)
    return changes


_KEY_AT = 1 + _CACHE_COLUMNS.index("point_key")  # places in the rows save_points reads (id first)
_UID_AT = 1 + _CACHE_COLUMNS.index("uid")
_STATUS_AT = 1 + _CACHE_COLUMNS.index("status")
_DERIVED_AT = 1 + _CACHE_COLUMNS.index("derived")


def _signature(f: Any) -> str:
    """A digest of a finding's history, to tell whether its steps must be written again."""
    import hashlib

    text = "\x1e".join(f"{s.kind}\x1f{s.date}\x1f{s.uid}\x1f{'' if s.visit is None else s.visit}\x1f"
                       f"{'' if s.author is None else s.author}\x1f{'' if s.text is None else s.text}\x1f"
                       f"{'' if s.due is None else s.due}\x1f{s.applied}" for s in f.history)
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _values(f: Any, school_code: str, key: str) -> tuple:
    return (f.uid, school_code, key, f.item_id, f.checklist_id, f.checklist_hash, f.severity, f.opened, f.due,
            f.status, 1, int(f.escalated), int(f.fixed_on_site), f.visit, f.note, f.reported_on, f.measures,
            f.resolved_on, f.resolved_by_visit, f.resolve_note, f.resolved_by, f.recheck_count, f.last_recheck)


def _steps(number: int, f: Any) -> list[tuple]:
    return [(number, n, s.kind, s.date, s.uid, s.visit, s.author, s.text, s.due, int(s.applied))
            for n, s in enumerate(f.history)]


def finding_ref(conn: sqlite3.Connection, ref: str) -> sqlite3.Row | None:
    """A finding by its number (42, #42) or its id (UUID, or a unique prefix of 8+ characters); None if none.
    Raises LookupError with the candidates when a prefix matches several."""
    text = ref.strip().lstrip("#")
    if text.isdigit() and (len(text) < 8 or ref.strip().startswith("#")):
        return conn.execute("SELECT * FROM findings WHERE id = ?", (int(text),)).fetchone()
    text = text.lower()
    row = conn.execute("SELECT * FROM findings WHERE uid = ?", (text,)).fetchone()
    if row is not None or len(text) < 8:
        return row
    rows = conn.execute("SELECT * FROM findings WHERE uid >= ? AND uid < ? ORDER BY uid LIMIT 6",
                        (text, text + "\uffff")).fetchall()
    if len(rows) > 1:
        raise LookupError([r["uid"] for r in rows])
    if not rows and text.isdigit():  # 8 digits or more and no id starts so: a (large) number after all
        return conn.execute("SELECT * FROM findings WHERE id = ?", (int(text),)).fetchone()
    return rows[0] if rows else None


def last_hand_step(conn: sqlite3.Connection, finding_id: int) -> sqlite3.Row | None:
    """The latest applied step of a finding's history made by a hand action (not by a visit): kind, date."""
    return conn.execute("SELECT kind, date FROM finding_steps WHERE finding_id = ? AND applied = 1 "
                        "AND visit_id IS NULL ORDER BY n DESC LIMIT 1", (finding_id,)).fetchone()


def last_failed_visit(conn: sqlite3.Connection, finding_id: int) -> sqlite3.Row | None:
    """The latest visit that found the finding's point failing (the one that opened it or a failed re-check)."""
    return conn.execute("SELECT date, visit_id FROM finding_steps WHERE finding_id = ? AND applied = 1 "
                        "AND kind IN ('opened', 'recheck_failed') AND visit_id IS NOT NULL ORDER BY n DESC LIMIT 1",
                        (finding_id,)).fetchone()


def step_of_action(conn: sqlite3.Connection, finding_id: int, action_uid: str) -> sqlite3.Row | None:
    """The step an action made in its finding's history (`applied` 0 when it did not fit), None if none."""
    return conn.execute("SELECT kind, applied FROM finding_steps WHERE finding_id = ? AND uid = ? ORDER BY n DESC "
                        "LIMIT 1", (finding_id, action_uid)).fetchone()


def other_in_progress(conn: sqlite3.Connection, school_code: str, point_key: str, finding_id: int) -> int | None:
    """The number of another finding of the point at the school that is open or reported, if any."""
    row = conn.execute("SELECT id FROM findings WHERE school_code = ? AND point_key = ? AND status IN "
                       "('open', 'reported') AND id != ?", (school_code, point_key, finding_id)).fetchone()
    return row[0] if row else None


def later_finding(conn: sqlite3.Connection, school_code: str, point_key: str, finding_id: int,
                  opened: str) -> int | None:
    """The number of a finding of the same point at the school opened after this one (not withdrawn), if any."""
    row = conn.execute("SELECT id FROM findings WHERE school_code = ? AND point_key = ? AND id != ? AND "
                       "status != 'withdrawn' AND (opened > ? OR (opened = ? AND id > ?)) "
                       "ORDER BY opened DESC, id DESC LIMIT 1",
                       (school_code, point_key, finding_id, opened, opened, finding_id)).fetchone()
    return row[0] if row else None


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
