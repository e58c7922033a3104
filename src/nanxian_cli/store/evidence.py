"""SQL of evidence: the files' rows (`evidence`) and what each shows (`evidence_links`: a point of a visit, or a
finding action). What is stored, when and in which order is decided in services/evidence.py."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

EVIDENCE_COLUMNS = ("sha256", "size", "media_type", "original_name", "caption", "taken_at", "gps_lat", "gps_lon",
                    "added_by", "device", "added_at")
# What people and bundles see of a file: everything but where it was taken.
PUBLIC_COLUMNS = ("sha256", "size", "media_type", "original_name", "caption", "taken_at", "added_by", "device",
                  "added_at")
LINK_COLUMNS = ("sha256", "visit_id", "item_id", "action_uid", "added_by", "device", "added_at")


def _public(prefix: str = "e.") -> str:
    return ", ".join(prefix + c for c in PUBLIC_COLUMNS)


# -- writing ---------------------------------------------------------------------------------------------

def insert_evidence(conn: sqlite3.Connection, row: dict) -> bool:
    """A file's row, unless one with its hash is there; True when inserted."""
    before = conn.total_changes
    conn.execute(f"INSERT INTO evidence ({', '.join(EVIDENCE_COLUMNS)}) VALUES "
                 f"({', '.join('?' for _ in EVIDENCE_COLUMNS)}) ON CONFLICT(sha256) DO NOTHING",
                 [row.get(c) for c in EVIDENCE_COLUMNS])
    return conn.total_changes != before


def replace_description(conn: sqlite3.Connection, row: dict) -> None:
    """What a file's row says about it (name, caption, time taken, who added it where and when)."""
    conn.execute("UPDATE evidence SET original_name = ?, caption = ?, taken_at = ?, added_by = ?, device = ?, "
                 "added_at = ? WHERE sha256 = ?",
                 (row["original_name"], row["caption"], row["taken_at"], row["added_by"], row["device"],
                  row["added_at"], row["sha256"]))


def insert_link(conn: sqlite3.Connection, row: dict) -> bool:
    """Tie a file to a point of a visit or to an action, unless it is tied there already; True when new."""
    before = conn.total_changes
    conn.execute(f"INSERT INTO evidence_links ({', '.join(LINK_COLUMNS)}) VALUES "
                 f"({', '.join('?' for _ in LINK_COLUMNS)}) ON CONFLICT DO NOTHING",
                 [row.get(c) for c in LINK_COLUMNS])
    return conn.total_changes != before


# -- reading ---------------------------------------------------------------------------------------------

def point_link_exists(conn: sqlite3.Connection, sha256: str, visit_id: str, item_id: str) -> bool:
    return conn.execute("SELECT 1 FROM evidence_links WHERE visit_id = ? AND item_id = ? AND sha256 = ?",
                        (visit_id, item_id, sha256)).fetchone() is not None


def evidence_row(conn: sqlite3.Connection, sha256: str) -> sqlite3.Row | None:
    return conn.execute(f"SELECT {', '.join(EVIDENCE_COLUMNS)} FROM evidence WHERE sha256 = ?", (sha256,)).fetchone()


def by_prefix(conn: sqlite3.Connection, prefix: str, limit: int = 6) -> list[str]:
    return [r[0] for r in conn.execute("SELECT sha256 FROM evidence WHERE sha256 >= ? AND sha256 < ? ORDER BY sha256 "
                                       "LIMIT ?", (prefix, prefix + "g", limit))]


def sizes(conn: sqlite3.Connection) -> dict[str, int]:
    """sha256 -> size of every file the table knows."""
    return {r[0]: r[1] for r in conn.execute("SELECT sha256, size FROM evidence")}


def any_links(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM evidence_links LIMIT 1").fetchone() is not None


_LINK_SELECT = (
    f"SELECT {_public()}, l.visit_id, l.item_id, l.action_uid, l.added_by AS linked_by, l.added_at AS linked_at, "
    "a.kind AS action_kind, a.finding AS finding_uid, f.id AS finding_id "
    "FROM evidence_links l JOIN evidence e ON e.sha256 = l.sha256 "
    "LEFT JOIN finding_actions a ON a.uid = l.action_uid LEFT JOIN findings f ON f.uid = a.finding"
)


def links(conn: sqlite3.Connection, *, visit_id: str | None = None, shas: Iterable[str] | None = None,
          action_uids: Iterable[str] | None = None) -> list[sqlite3.Row]:
    """Each link with its file's public columns: all of them, those of a visit's points, those of some files or of
    some actions; in the order they were made."""
    where: list[str] = []
    params: list[Any] = []
    if visit_id is not None:
        where.append("l.visit_id = ?")
        params.append(visit_id)
    if shas is not None:
        where.append("l.sha256 IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(set(shas))))
    if action_uids is not None:
        where.append("l.action_uid IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(set(action_uids))))
    sql = _LINK_SELECT + (" WHERE " + " AND ".join(where) if where else "")
    return conn.execute(sql + " ORDER BY l.added_at, l.rowid", params).fetchall()


def unlinked(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Files with a row but nothing they show (none are made; listed so that nothing is hidden)."""
    return conn.execute(f"SELECT {_public()} FROM evidence e WHERE NOT EXISTS "
                        "(SELECT 1 FROM evidence_links l WHERE l.sha256 = e.sha256) ORDER BY e.added_at").fetchall()


def finding_evidence(conn: sqlite3.Connection, finding_ids: list[int]) -> dict[int, list[str]]:
    """finding number -> the files of its history: those of its actions, and those attached to its point at the
    visits that found it, re-checked it or resolved it; first attached first."""
    out: dict[int, list[str]] = {}
    if not finding_ids or not any_links(conn):
        return out
    for start in range(0, len(finding_ids), 500):
        chunk = json.dumps(finding_ids[start:start + 500])
        rows = conn.execute(
            "SELECT id, sha256, min(at) FROM ("
            " SELECT f.id AS id, l.sha256 AS sha256, l.added_at AS at, l.rowid AS r FROM findings f "
            " JOIN finding_actions a ON a.finding = f.uid JOIN evidence_links l ON l.action_uid = a.uid "
            " WHERE f.id IN (SELECT value FROM json_each(?)) "
            " UNION ALL "
            " SELECT f.id, l.sha256, l.added_at, l.rowid FROM findings f "
            " JOIN (SELECT finding_id, visit_id FROM finding_steps WHERE visit_id IS NOT NULL "
            "       AND finding_id IN (SELECT value FROM json_each(?)) "
            "       UNION SELECT id, visit_id FROM findings WHERE id IN (SELECT value FROM json_each(?)) "
            "       UNION SELECT id, resolved_by_visit FROM findings WHERE resolved_by_visit IS NOT NULL "
            "       AND id IN (SELECT value FROM json_each(?))) s ON s.finding_id = f.id "
            " JOIN evidence_links l ON l.visit_id = s.visit_id "
            " JOIN visits v ON v.id = l.visit_id "
            " JOIN checklist_items ci ON ci.hash = v.checklist_hash AND ci.item_id = l.item_id "
            "   AND ci.point_key = f.point_key"
            ") GROUP BY id, sha256 ORDER BY id, min(at), min(r)", (chunk, chunk, chunk, chunk)).fetchall()
        for fid, sha, _ in rows:
            out.setdefault(fid, []).append(sha)
    return out


# -- for bundles -----------------------------------------------------------------------------------------

def links_for_export(conn: sqlite3.Connection, visit_ids: Iterable[str], action_uids: Iterable[str],
                     *, open_points_only: bool = False) -> list[sqlite3.Row]:
    """The links of these visits' points and of these actions (with `open_points_only`, a visit's links only on
    points that have a finding open or reported at its school: what a reference bundle carries)."""
    point_filter = ""
    if open_points_only:
        point_filter = (" AND EXISTS (SELECT 1 FROM visits v JOIN checklist_items ci ON ci.hash = v.checklist_hash "
                        "AND ci.item_id = l.item_id JOIN findings f ON f.school_code = v.school_code "
                        "AND f.point_key = ci.point_key AND f.status IN ('open', 'reported') WHERE v.id = l.visit_id)")
    return conn.execute(
        f"SELECT {', '.join('l.' + c for c in LINK_COLUMNS)} FROM evidence_links l "
        f"WHERE (l.visit_id IN (SELECT value FROM json_each(?)){point_filter}) "
        "OR l.action_uid IN (SELECT value FROM json_each(?)) ORDER BY l.added_at, l.rowid",
        (json.dumps(sorted(set(visit_ids))), json.dumps(sorted(set(action_uids))))).fetchall()


def public_rows(conn: sqlite3.Connection, shas: Iterable[str]) -> list[sqlite3.Row]:
    """The public columns of these files (never GPS), by hash."""
    return conn.execute(f"SELECT {_public()} FROM evidence e WHERE e.sha256 IN (SELECT value FROM json_each(?)) "
                        "ORDER BY e.sha256", (json.dumps(sorted(set(shas))),)).fetchall()


def failed_points(conn: sqlite3.Connection, limit: int) -> list[sqlite3.Row]:
    """Points that opened a finding still open or reported (visit, point, school, date, text), the latest one of
    each school, newest first: where the demo county puts its photos."""
    return conn.execute(
        "SELECT f.visit_id, f.item_id, f.school_code, f.opened, ci.text_zh FROM findings f "
        "JOIN checklist_items ci ON ci.hash = f.checklist_hash AND ci.item_id = f.item_id "
        "WHERE f.id IN (SELECT max(id) FROM findings WHERE status IN ('open', 'reported') GROUP BY school_code) "
        "ORDER BY f.opened DESC, f.id LIMIT ?", (limit,)).fetchall()
