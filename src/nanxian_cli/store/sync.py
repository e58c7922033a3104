"""SQL of sync: what an export reads, what an import writes, the bundles ledger, conflicts and held facts.

No rules here: services/sync.py decides what is new, what conflicts and what waits.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from nanxian_cli.store.schools import SCHOOL_COLUMNS

# -- the change counter --------------------------------------------------------------------------------------


def change_mark(conn: sqlite3.Connection) -> int:
    """The number of the last change written to this database (m008: every fact a bundle carries bumps it)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'change_seq'").fetchone()
    return int(row[0]) if row else 0


# -- reading for an export -------------------------------------------------------------------------------------

_VISIT_FIELDS = ("v.seq, v.id, v.school_code, v.checklist_id, v.checklist_hash, v.date, v.inspector, v.status, "
                 "v.source, v.created_at, v.submitted_at, v.void_reason, v.voided_at, v.voided_by, v.device, "
                 "v.void_device")


def visits_changed(conn: sqlite3.Connection, *, above: int | None = None, since_day: str | None = None,
                   ids: Iterable[str] | None = None) -> list[int]:
    """The local numbers (seq) of the submitted and void visits changed after mark `above`, dated or changed
    on/after `since_day`, the visits `ids`, or (none given) all of them; in the order they were made here. Only
    the numbers: an export of a city year reads the rows back a chunk at a time (`visits_by_seq`), so its memory
    does not grow with the visits it sends."""
    where = ["v.status != 'draft'", "v.submitted_at IS NOT NULL"]  # a discarded draft is no fact
    params: list[Any] = []
    if above is not None:
        where.append("coalesce(v.changed, 0) > ?")
        params.append(above)
    if since_day is not None:
        where.append("(v.date >= ? OR substr(coalesce(v.submitted_at, v.created_at), 1, 10) >= ? "
                     "OR substr(coalesce(v.voided_at, ''), 1, 10) >= ? OR EXISTS (SELECT 1 FROM answers a "
                     "WHERE a.visit_seq = v.seq AND a.revision > 1 AND substr(a.recorded_at, 1, 10) >= ?) "
                     "OR EXISTS (SELECT 1 FROM evidence_links l WHERE l.visit_id = v.id "
                     "AND substr(l.added_at, 1, 10) >= ?))")
        params += [since_day] * 5
    if ids is not None:
        where.append("v.id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(set(ids))))
    cur = conn.cursor()
    cur.row_factory = None
    return [r[0] for r in cur.execute(f"SELECT v.seq FROM visits v WHERE {' AND '.join(where)} ORDER BY v.seq",
                                      params)]


_CHUNK = 500  # visit numbers per statement, as explicit parameters: the primary key serves each (json_each does not)


def _chunks(seqs: list[int]) -> Iterator[tuple[list[int], str]]:
    """The numbers a chunk at a time, each with its `?, ?, …` placeholders."""
    for start in range(0, len(seqs), _CHUNK):
        part = seqs[start:start + _CHUNK]
        yield part, ", ".join("?" for _ in part)


def visits_by_seq(conn: sqlite3.Connection, seqs: list[int]) -> Iterator[list[sqlite3.Row]]:
    """The rows of these visits (in `seqs` order, which is ascending), a chunk at a time."""
    for part, marks in _chunks(seqs):
        yield conn.execute(f"SELECT {_VISIT_FIELDS} FROM visits v WHERE v.seq IN ({marks}) ORDER BY v.seq",
                           part).fetchall()


def visit_references(conn: sqlite3.Connection, seqs: list[int]) -> tuple[set[str], set[str], set[str]]:
    """The checklist versions, schools and supervisors these visits name (what a bundle carries before them)."""
    hashes: set[str] = set()
    codes: set[str] = set()
    names: set[str] = set()
    cur = conn.cursor()
    cur.row_factory = None
    for part, marks in _chunks(seqs):
        for checklist_hash, code, name in cur.execute(
                f"SELECT DISTINCT checklist_hash, school_code, inspector FROM visits WHERE seq IN ({marks})", part):
            hashes.add(checklist_hash)
            codes.add(code)
            names.add(name)
    return hashes, codes, names


def revisions_of_visits(conn: sqlite3.Connection, seqs: list[int]) -> Iterator[tuple]:
    """(visit_seq, item_id, revision, value, outcome, note, reason, author, recorded_at, uid, base, device,
    fixed_on_site) of these visits, by visit, point and revision: each revision after the one it replaces."""
    cur = conn.cursor()
    cur.row_factory = None
    for part, marks in _chunks(seqs):
        yield from cur.execute(
            "SELECT visit_seq, item_id, revision, value, outcome, note, reason, author, recorded_at, uid, base, "
            f"device, fixed_on_site FROM answers WHERE visit_seq IN ({marks}) ORDER BY visit_seq, item_id, revision",
            part)


def authors_of(conn: sqlite3.Connection, seqs: list[int]) -> set[str]:
    """The names that wrote answer revisions of these visits."""
    names: set[str] = set()
    for part, marks in _chunks(seqs):
        names.update(r[0] for r in conn.execute(
            f"SELECT DISTINCT author FROM answers WHERE visit_seq IN ({marks}) AND author IS NOT NULL", part))
    return names


def actions_changed(conn: sqlite3.Connection, *, above: int | None = None, since_day: str | None = None,
                    findings: Iterable[str] | None = None) -> list[sqlite3.Row]:
    """Hand actions (and re-checks) with the visit and point of the answer that opened their finding."""
    where: list[str] = []
    params: list[Any] = []
    if above is not None:
        where.append("coalesce(a.changed, 0) > ?")
        params.append(above)
    if since_day is not None:
        where.append("(a.date >= ? OR substr(a.recorded_at, 1, 10) >= ?)")
        params += [since_day, since_day]
    if findings is not None:
        where.append("a.finding IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(set(findings))))
    sql = ("SELECT a.*, f.visit_id AS opened_by_visit, f.item_id AS opened_by_item FROM finding_actions a "
           "LEFT JOIN findings f ON f.uid = a.finding")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return conn.execute(sql + " ORDER BY a.recorded_at, a.uid", params).fetchall()


def notices_to_send(conn: sqlite3.Connection, visit_ids: Iterable[str], issued_since: str | None) -> list[sqlite3.Row]:
    """The 整改通知书 of these visits, and (unless `issued_since` is None: then none more) every notice issued on or
    after that time."""
    return conn.execute(
        "SELECT * FROM notices WHERE visit_id IN (SELECT value FROM json_each(?)) "
        "OR (? IS NOT NULL AND issued_at >= ?) ORDER BY issued_at, uid",
        (json.dumps(sorted(set(visit_ids))), issued_since, issued_since)).fetchall()


def notice_exists(conn: sqlite3.Connection, uid: str) -> bool:
    return conn.execute("SELECT 1 FROM notices WHERE uid = ?", (uid,)).fetchone() is not None


def checklist_versions(conn: sqlite3.Connection, hashes: Iterable[str]) -> list[sqlite3.Row]:
    return conn.execute("SELECT hash, content FROM checklist_versions WHERE hash IN (SELECT value FROM json_each(?)) "
                        "ORDER BY first_seen, hash", (json.dumps(sorted(set(hashes))),)).fetchall()


def schools(conn: sqlite3.Connection, codes: Iterable[str] | None = None) -> list[sqlite3.Row]:
    if codes is None:
        return conn.execute(f"SELECT {SCHOOL_COLUMNS} FROM schools ORDER BY code").fetchall()
    return conn.execute(f"SELECT {SCHOOL_COLUMNS} FROM schools WHERE code IN (SELECT value FROM json_each(?)) "
                        "ORDER BY code", (json.dumps(sorted(set(codes))),)).fetchall()


def inspectors(conn: sqlite3.Connection, names: Iterable[str] | None = None) -> list[sqlite3.Row]:
    if names is None:
        return conn.execute("SELECT name, phone FROM inspectors ORDER BY name").fetchall()
    return conn.execute("SELECT name, phone FROM inspectors WHERE name IN (SELECT value FROM json_each(?)) "
                        "ORDER BY name", (json.dumps(sorted(set(names))),)).fetchall()


def assignments(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT a.school_code, i.name, a.since FROM assignments a JOIN inspectors i "
                        "ON i.id = a.inspector_id ORDER BY a.school_code").fetchall()


def findings_of_schools_with_open(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every finding (uid, opened, status, resolved_on) of each school that has an open or reported one."""
    return conn.execute(
        "SELECT school_code, uid, opened, status, resolved_on FROM findings WHERE school_code IN "
        "(SELECT school_code FROM findings WHERE status IN ('open', 'reported')) ORDER BY school_code, opened"
    ).fetchall()


def visits_from(conn: sqlite3.Connection, first_day: dict[str, str], findings: list[str]) -> list[str]:
    """Submitted visits of each school dated on or after its day, and the visits re-checks of `findings` were
    recorded in."""
    if not first_day:
        return []
    rows = conn.execute(
        "SELECT v.id FROM json_each(?) d JOIN visits v ON v.school_code = d.key AND v.date >= d.value "
        "AND v.status = 'submitted' "
        "UNION SELECT a.visit_id FROM finding_actions a WHERE a.finding IN (SELECT value FROM json_each(?)) "
        "AND a.visit_id IS NOT NULL", (json.dumps(first_day), json.dumps(findings))).fetchall()
    return [r[0] for r in rows]


# -- writing an import ---------------------------------------------------------------------------------------

def visit_by_id(conn: sqlite3.Connection, visit_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM visits WHERE id = ?", (visit_id,)).fetchone()


def revisions_here(conn: sqlite3.Connection, seq: int) -> list[tuple]:
    """(item_id, revision, uid, base, recorded_at) of every answer revision of a visit, by item and revision."""
    cur = conn.execute("SELECT item_id, revision, uid, base, recorded_at FROM answers "
                       "WHERE visit_seq = ? ORDER BY item_id, revision", (seq,))
    cur.row_factory = None
    return cur.fetchall()


def set_current(conn: sqlite3.Connection, seq: int, item_id: str, revision: int) -> None:
    conn.execute("UPDATE answers SET is_current = (revision = ?) WHERE visit_seq = ? AND item_id = ? "
                 "AND is_current != (revision = ?)", (revision, seq, item_id, revision))


def action_exists(conn: sqlite3.Connection, uid: str) -> bool:
    return conn.execute("SELECT 1 FROM finding_actions WHERE uid = ?", (uid,)).fetchone() is not None


def school_row(conn: sqlite3.Connection, code: str) -> sqlite3.Row | None:
    return conn.execute(f"SELECT {SCHOOL_COLUMNS} FROM schools WHERE code = ?", (code,)).fetchone()


def insert_school(conn: sqlite3.Connection, values: dict, now: str) -> None:
    """A school new here; `values` has the keys of SCHOOL_COLUMNS."""
    columns = [c.strip() for c in SCHOOL_COLUMNS.split(",")]
    conn.execute(f"INSERT INTO schools ({SCHOOL_COLUMNS}, created_at, updated_at) "
                 f"VALUES ({', '.join('?' for _ in columns)}, ?, ?)", (*(values[c] for c in columns), now, now))


def inspector_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM inspectors WHERE name = ?", (name,)).fetchone() is not None


def insert_inspector(conn: sqlite3.Connection, name: str, phone: str | None, now: str) -> None:
    conn.execute("INSERT INTO inspectors (name, phone, created_at) VALUES (?, ?, ?)", (name, phone, now))


def set_assignment(conn: sqlite3.Connection, school: str, inspector: str, since: str) -> bool:
    """Make `inspector` the school's responsible supervisor; True when that changed anything."""
    before = conn.total_changes
    conn.execute(
        "INSERT INTO assignments (school_code, inspector_id, since) SELECT ?, id, ? FROM inspectors WHERE name = ? "
        "ON CONFLICT(school_code) DO UPDATE SET inspector_id = excluded.inspector_id, since = excluded.since "
        "WHERE assignments.inspector_id != excluded.inspector_id", (school, since, inspector))
    return conn.total_changes != before


# -- the ledger -------------------------------------------------------------------------------------------

def last_export(conn: sqlite3.Connection) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM sync_bundles WHERE direction = 'export' AND reference = 0 "
                        "ORDER BY at DESC, rowid DESC LIMIT 1").fetchone()


def previous_bundle(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT uid FROM sync_bundles WHERE direction = 'export' ORDER BY at DESC, rowid DESC "
                       "LIMIT 1").fetchone()
    return row[0] if row else None


def imported(conn: sqlite3.Connection, uid: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM sync_bundles WHERE uid = ?", (uid,)).fetchone()


def record_bundle(conn: sqlite3.Connection, row: dict) -> None:
    cols = ("uid", "direction", "reference", "device", "device_name", "created_at", "since", "watermark",
            "previous", "counts", "file_sha256", "file_name", "at")
    values = {**row, "counts": json.dumps(row.get("counts", {}), ensure_ascii=False, sort_keys=True)}
    conn.execute(f"INSERT INTO sync_bundles ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                 [values.get(c) for c in cols])


def bundles(conn: sqlite3.Connection, direction: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM sync_bundles WHERE direction = ? ORDER BY at, rowid", (direction,)).fetchall()


# -- conflicts and held facts ------------------------------------------------------------------------------

def add_conflict(conn: sqlite3.Connection, *, kind: str, subject: str, visit_id: str | None, item_id: str | None,
                 detail: dict, bundle: str | None, device: str | None, now: str,
                 settled: str | None = None) -> bool:
    """Keep a conflict (once per kind and subject); True when it is new."""
    before = conn.total_changes
    conn.execute(
        "INSERT INTO sync_conflicts (kind, subject, visit_id, item_id, detail, bundle, device, found_at, settled_at, "
        "settlement) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(kind, subject) DO NOTHING",
        (kind, subject, visit_id, item_id, json.dumps(detail, ensure_ascii=False, sort_keys=True), bundle, device,
         now, now if settled else None, settled))
    return conn.total_changes != before


def conflicts(conn: sqlite3.Connection, *, open_only: bool = False) -> list[sqlite3.Row]:
    where = " WHERE settled_at IS NULL" if open_only else ""
    return conn.execute(f"SELECT * FROM sync_conflicts{where} ORDER BY id").fetchall()


def conflict(conn: sqlite3.Connection, conflict_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM sync_conflicts WHERE id = ?", (conflict_id,)).fetchone()


def settle_conflict(conn: sqlite3.Connection, conflict_id: int, *, by: str | None, how: str, now: str) -> None:
    conn.execute("UPDATE sync_conflicts SET settled_at = ?, settled_by = ?, settlement = ? WHERE id = ?",
                 (now, by, how, conflict_id))


def settle_by_subject(conn: sqlite3.Connection, kind: str, subject: str, how: str, now: str) -> None:
    conn.execute("UPDATE sync_conflicts SET settled_at = ?, settlement = ? WHERE kind = ? AND subject = ? "
                 "AND settled_at IS NULL", (now, how, kind, subject))


def hold(conn: sqlite3.Connection, uid: str, kind: str, waits_for: str, record: dict, bundle: str, now: str) -> bool:
    before = conn.total_changes
    conn.execute("INSERT INTO sync_held (uid, kind, waits_for, record, bundle, held_at) VALUES (?,?,?,?,?,?) "
                 "ON CONFLICT(uid) DO NOTHING",
                 (uid, kind, waits_for, json.dumps(record, ensure_ascii=False, sort_keys=True), bundle, now))
    return conn.total_changes != before


def held(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM sync_held ORDER BY held_at, uid").fetchall()


def release(conn: sqlite3.Connection, uid: str) -> None:
    conn.execute("DELETE FROM sync_held WHERE uid = ?", (uid,))
