"""Schools, inspectors and 责任督学 assignments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nanxian_cli.store.db import Store

SCHOOL_COLUMNS = "code, name, town, stages, boarding, canteen, school_bus, ownership, grp, initials, inclusive"


@dataclass
class ImportCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def import_schools(store: Store, rows: list[Any], initials: dict[str, str], now: str) -> ImportCounts:
    """Upsert validated rows by code in one transaction: all rows or none."""
    counts = ImportCounts()
    with store.transaction() as conn:
        for row in rows:
            values = (
                row.name, row.town, " ".join(row.stages), int(row.boarding), int(row.canteen),
                int(row.school_bus), row.ownership, row.group, initials.get(row.code, ""), int(row.inclusive),
            )
            old = conn.execute(
                "SELECT name, town, stages, boarding, canteen, school_bus, ownership, grp, initials, inclusive "
                "FROM schools WHERE code = ?",
                (row.code,),
            ).fetchone()
            if old is None:
                conn.execute(
                    f"INSERT INTO schools ({SCHOOL_COLUMNS}, created_at, updated_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (row.code, *values, now, now),
                )
                counts.added += 1
            elif tuple(old) != values:
                conn.execute(
                    "UPDATE schools SET name=?, town=?, stages=?, boarding=?, canteen=?, school_bus=?, ownership=?, "
                    "grp=?, initials=?, inclusive=?, updated_at=? WHERE code=?",
                    (*values, now, row.code),
                )
                counts.updated += 1
            else:
                counts.unchanged += 1
    return counts


def school_dict(row: Any) -> dict:
    return {
        "code": row["code"],
        "name": row["name"],
        "town": row["town"],
        "stages": row["stages"].split(),
        "boarding": bool(row["boarding"]),
        "canteen": bool(row["canteen"]),
        "school_bus": bool(row["school_bus"]),
        "ownership": row["ownership"],
        "inclusive": bool(row["inclusive"]) if "inclusive" in row.keys() else False,
        "group": row["grp"],
        "inspector": row["inspector"] if "inspector" in row.keys() else None,
    }


_SCHOOL_SELECT = (
    "SELECT s.code, s.name, s.town, s.stages, s.boarding, s.canteen, s.school_bus, s.ownership, s.grp, s.initials, "
    "s.inclusive, i.name AS inspector FROM schools s LEFT JOIN assignments a ON a.school_code = s.code "
    "LEFT JOIN inspectors i ON i.id = a.inspector_id"
)


def list_schools(store: Store, town: str | None = None, stage: str | None = None) -> list[dict]:
    where, params = [], []
    if town:
        where.append("s.town = ?")
        params.append(town)
    if stage:
        where.append("(' ' || s.stages || ' ') LIKE ?")
        params.append(f"% {stage} %")
    sql = _SCHOOL_SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY s.town, s.code"
    return [school_dict(r) for r in store.query(sql, params)]


def schools_matching(store: Store, text: str) -> list[dict]:
    """The schools a user's text names, trying in turn: the code (any case), the exact name, a part of the name,
    the pinyin initials, the start of the initials. The first way that finds any school decides."""
    for sql, arg in (
        (_SCHOOL_SELECT + " WHERE s.code = ? COLLATE NOCASE", text),
        (_SCHOOL_SELECT + " WHERE s.name = ?", text),
    ):
        rows = store.query(sql, (arg,))
        if rows:
            return [school_dict(r) for r in rows]
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = store.query(_SCHOOL_SELECT + " WHERE s.name LIKE ? ESCAPE '\\' ORDER BY s.code", (like,))
    if not rows and text.isascii() and text.isalpha():
        rows = store.query(_SCHOOL_SELECT + " WHERE s.initials = ? ORDER BY s.code", (text.lower(),))
        if not rows:
            rows = store.query(_SCHOOL_SELECT + " WHERE s.initials LIKE ? ORDER BY s.code", (text.lower() + "%",))
    return [school_dict(r) for r in rows]


def school_names(store: Store) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in store.query("SELECT code, name FROM schools ORDER BY code")]


# -- inspectors ------------------------------------------------------------------------------------

def save_inspector(store: Store, name: str, phone: str | None, now: str) -> str:
    """Add a supervisor, or update the details of the one of that name (a detail given as None is kept).
    Returns "added", "updated" or "unchanged"."""
    with store.transaction() as conn:
        row = conn.execute("SELECT id, phone FROM inspectors WHERE name = ?", (name,)).fetchone()
        if row is None:
            conn.execute("INSERT INTO inspectors (name, phone, created_at) VALUES (?, ?, ?)", (name, phone, now))
            return "added"
        if phone is None or phone == row["phone"]:
            return "unchanged"
        conn.execute("UPDATE inspectors SET phone = ? WHERE id = ?", (phone, row["id"]))
    return "updated"


def list_inspectors(store: Store) -> list[dict]:
    rows = store.query(
        "SELECT i.id, i.name, i.phone, count(a.school_code) AS schools "
        "FROM inspectors i LEFT JOIN assignments a ON a.inspector_id = i.id GROUP BY i.id ORDER BY i.name"
    )
    # names fetched as rows, not joined into one string: a school name may itself contain the separator
    names: dict[int, list[str]] = {}
    for r in store.query(
        "SELECT a.inspector_id, s.name FROM assignments a JOIN schools s ON s.code = a.school_code ORDER BY s.code"
    ):
        names.setdefault(r[0], []).append(r[1])
    return [
        {"name": r["name"], "phone": r["phone"], "schools": r["schools"], "school_names": names.get(r["id"], [])}
        for r in rows
    ]


def inspector_id(store: Store, name: str) -> int | None:
    row = store.one("SELECT id FROM inspectors WHERE name = ?", (name.strip(),))
    return row[0] if row else None


def inspector_names(store: Store) -> list[str]:
    return [r[0] for r in store.query("SELECT name FROM inspectors ORDER BY name")]


def assign(store: Store, iid: int, school_codes: list[str], since: str) -> list[tuple[str, str | None]]:
    """Make supervisor `iid` the responsible one of the schools from day `since`; returns (code, previous) pairs."""
    changes = []
    now = since
    with store.transaction() as conn:
        for code in school_codes:
            prev = conn.execute(
                "SELECT i.name FROM assignments a JOIN inspectors i ON i.id = a.inspector_id WHERE a.school_code = ?",
                (code,),
            ).fetchone()
            conn.execute(
                "INSERT INTO assignments (school_code, inspector_id, since) VALUES (?, ?, ?) "
                "ON CONFLICT(school_code) DO UPDATE SET inspector_id = excluded.inspector_id, since = excluded.since "
                "WHERE assignments.inspector_id != excluded.inspector_id",
                (code, iid, now),
            )
            changes.append((code, prev[0] if prev else None))
    return changes


def responsible_inspector(store: Store, school_code: str) -> str | None:
    row = store.one(
        "SELECT i.name FROM assignments a JOIN inspectors i ON i.id = a.inspector_id WHERE a.school_code = ?",
        (school_code,),
    )
    return row[0] if row else None


def towns(store: Store) -> list[str]:
    """Every town a school of the roster is in."""
    return [r[0] for r in store.query("SELECT DISTINCT town FROM schools WHERE town IS NOT NULL ORDER BY town")]


def rename_inspector(store: Store, iid: int, new_name: str) -> None:
    """Give supervisor `iid` a new name; the assignments follow (they hang on the id)."""
    with store.transaction() as conn:
        conn.execute("UPDATE inspectors SET name = ? WHERE id = ?", (new_name, iid))


def assigned_schools(store: Store, iid: int) -> list[dict]:
    """The schools supervisor `iid` answers for (code, name), by code."""
    rows = store.query("SELECT s.code, s.name FROM assignments a JOIN schools s ON s.code = a.school_code "
                       "WHERE a.inspector_id = ? ORDER BY s.code", (iid,))
    return [{"code": r[0], "name": r[1]} for r in rows]


def unassign(store: Store, iid: int, school_codes: list[str]) -> int:
    """End supervisor `iid`'s responsibility for the schools; the number of assignments removed."""
    removed = 0
    with store.transaction() as conn:
        for code in school_codes:
            removed += conn.execute("DELETE FROM assignments WHERE school_code = ? AND inspector_id = ?",
                                    (code, iid)).rowcount
    return removed


def remove_inspector(store: Store, iid: int) -> int:
    """Take supervisor `iid` off the register with their assignments, in one transaction; the number of schools
    that had them as responsible supervisor. Visits and finding events keep the name they were recorded under."""
    with store.transaction() as conn:
        unassigned = conn.execute("DELETE FROM assignments WHERE inspector_id = ?", (iid,)).rowcount
        conn.execute("DELETE FROM inspectors WHERE id = ?", (iid,))
    return unassigned


def visit_count_by(store: Store, name: str) -> int:
    """How many visits (any status) were recorded under this supervisor's name."""
    row = store.one("SELECT count(*) FROM visits WHERE inspector = ?", (name,))
    return int(row[0]) if row else 0


def visit_inspector_names(store: Store) -> list[str]:
    """Every name visits were recorded under (a removed or renamed supervisor's past visits included)."""
    return [r[0] for r in store.query("SELECT DISTINCT inspector FROM visits ORDER BY inspector")]
