"""Schools, inspectors and 责任督学 assignments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nanxian_cli.errors import Ambiguous, InputError, NotFound
from nanxian_cli.i18n import tr
from nanxian_cli.store.db import Store, utc_now

SCHOOL_COLUMNS = "code, name, town, stages, boarding, canteen, school_bus, ownership, grp, initials"


@dataclass
class ImportCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def import_schools(store: Store, rows: list[Any], initials: dict[str, str]) -> ImportCounts:
    """Upsert validated rows by code in one transaction: all rows or none."""
    counts = ImportCounts()
    now = utc_now()
    with store.transaction() as conn:
        for row in rows:
            values = (
                row.name, row.town, " ".join(row.stages), int(row.boarding), int(row.canteen),
                int(row.school_bus), row.ownership, row.group, initials.get(row.code, ""),
            )
            old = conn.execute(
                "SELECT name, town, stages, boarding, canteen, school_bus, ownership, grp, initials FROM schools WHERE code = ?",
                (row.code,),
            ).fetchone()
            if old is None:
                conn.execute(
                    f"INSERT INTO schools ({SCHOOL_COLUMNS}, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (row.code, *values, now, now),
                )
                counts.added += 1
            elif tuple(old) != values:
                conn.execute(
                    "UPDATE schools SET name=?, town=?, stages=?, boarding=?, canteen=?, school_bus=?, ownership=?, "
                    "grp=?, initials=?, updated_at=? WHERE code=?",
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
        "group": row["grp"],
        "inspector": row["inspector"] if "inspector" in row.keys() else None,
    }


_SCHOOL_SELECT = (
    f"SELECT s.code, s.name, s.town, s.stages, s.boarding, s.canteen, s.school_bus, s.ownership, s.grp, s.initials, "
    f"i.name AS inspector FROM schools s LEFT JOIN assignments a ON a.school_code = s.code "
    f"LEFT JOIN inspectors i ON i.id = a.inspector_id"
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


def find_school(store: Store, query: str) -> dict:
    """A school by code, exact name, unique part of the name, or pinyin initials (`nzsyxx`)."""
    text = (query or "").strip()
    if not text:
        raise InputError(tr("学校：名称为空", "school: empty name"))
    for sql, arg in (
        (_SCHOOL_SELECT + " WHERE s.code = ? COLLATE NOCASE", text),
        (_SCHOOL_SELECT + " WHERE s.name = ?", text),
    ):
        rows = store.query(sql, (arg,))
        if len(rows) == 1:
            return school_dict(rows[0])
        if len(rows) > 1:
            raise _ambiguous(text, rows)
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = store.query(_SCHOOL_SELECT + " WHERE s.name LIKE ? ESCAPE '\\' ORDER BY s.code", (like,))
    if not rows and text.isascii() and text.isalpha():
        rows = store.query(_SCHOOL_SELECT + " WHERE s.initials = ? ORDER BY s.code", (text.lower(),))
        if not rows:
            rows = store.query(_SCHOOL_SELECT + " WHERE s.initials LIKE ? ORDER BY s.code", (text.lower() + "%",))
    if len(rows) == 1:
        return school_dict(rows[0])
    if not rows:
        raise NotFound(tr(f"没有与 {text!r} 匹配的学校（可用 `nanxian school list` 查看）", f"no school matches {text!r} (try `nanxian school list`)"))
    raise _ambiguous(text, rows)


def _ambiguous(text: str, rows: list) -> Ambiguous:
    shown = [f"{r['code']}  {r['name']}  ({r['town']})" for r in rows[:20]]
    if len(rows) > 20:
        shown.append(tr(f"……另有 {len(rows) - 20} 所", f"… and {len(rows) - 20} more"))
    return Ambiguous(tr(f"{text!r} 匹配到 {len(rows)} 所学校；请给出代码或全称", f"{text!r} matches {len(rows)} schools; give the code or the full name"), shown)


# -- inspectors ------------------------------------------------------------------------------------

def add_inspector(store: Store, name: str, phone: str | None = None) -> str:
    """Add a supervisor, or update the details of the one of that name.

    Returns "added", "updated" (a detail given differs from the stored one) or "unchanged". A detail that
    is not given (None) keeps its stored value.
    """
    name = name.strip()
    if not name:
        raise InputError(tr("督学姓名为空", "inspector name is empty"))
    if len(name) > 100:
        raise InputError(tr("督学姓名超过100个字符", "inspector name is longer than 100 characters"))
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name + (phone or "")):
        raise InputError(tr("督学姓名或电话含有控制字符", "inspector name or phone contains a control character"))
    with store.transaction() as conn:
        row = conn.execute("SELECT id, phone FROM inspectors WHERE name = ?", (name,)).fetchone()
        if row is None:
            conn.execute("INSERT INTO inspectors (name, phone, created_at) VALUES (?, ?, ?)", (name, phone, utc_now()))
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


def inspector_id(store: Store, name: str) -> int:
    row = store.one("SELECT id FROM inspectors WHERE name = ?", (name.strip(),))
    if row is None:
        raise NotFound(tr(f"没有名为 {name!r} 的督学（用 `nanxian inspector add 姓名` 添加）", f"no inspector named {name!r} (add one with `nanxian inspector add NAME`)"))
    return row[0]


def registered_inspector(store: Store, name: str, source: str) -> str:
    """`name` (stripped) if a supervisor of that name is registered; else NotFound naming `source` (the option,
    file or setting the name came from), the closest registered names and how to register it."""
    text = name.strip()
    if store.one("SELECT 1 FROM inspectors WHERE name = ?", (text,)) is None:
        raise unknown_inspector(store, text, source)
    return text


def unknown_inspector(store: Store, name: str, source: str | None = None) -> NotFound:
    from nanxian_cli.files.roster import closest_names

    text = name.strip()
    registered = [r[0] for r in store.query("SELECT name FROM inspectors ORDER BY name")]
    where = f"{source}: " if source else ""
    details = []
    close = closest_names(text, registered) if registered else []
    if close:
        details.append(tr(f"最接近的已登记督学：{'、'.join(close)}", f"closest registered names: {', '.join(close)}"))
    elif registered:
        details.append(tr(f"没有相近的已登记督学（共 {len(registered)} 名，见 `nanxian inspector list`）",
                          f"no registered name is close ({len(registered)} registered; see `nanxian inspector list`)"))
    else:
        details.append(tr("尚未登记任何督学", "no supervisor is registered yet"))
    details.append(tr(f"新督学请先登记：nanxian inspector add {text}", f"to register a new one first: nanxian inspector add {text}"))
    return NotFound(tr(f"{where}没有登记名为 {text!r} 的督学；未做任何改动", f"{where}no supervisor named {text!r} is registered; nothing was changed"), details)


def assign(store: Store, name: str, school_codes: list[str]) -> list[tuple[str, str | None]]:
    """Make `name` the responsible supervisor of the schools; returns (code, previous inspector) pairs."""
    iid = inspector_id(store, name)
    changes = []
    now = utc_now()[:10]
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
