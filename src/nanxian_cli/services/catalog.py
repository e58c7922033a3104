"""The checklist versions and the plan kept in the database: saved once before a visit is written against them,
and read back (never from the YAML) for every later amendment, void or report of that visit."""

from __future__ import annotations

import sqlite3
from typing import Any

from nanxian_cli.core.findings import point_key
from nanxian_cli.store import checklists as sql

_SNAPSHOTS: dict[str, Any] = {}


def save_checklist(conn: sqlite3.Connection, loaded: Any, now: str) -> None:
    """Keep a checklist version (idempotent) and, the first time anything is written, the plan's titles."""
    if sql.has_checklist_version(conn, loaded.hash):
        return
    ensure_plan(conn)
    cl = loaded.checklist
    sql.save_checklist_version(conn, loaded, now, {item.id: point_key(cl.id, item) for item in cl.items})


def ensure_plan(conn: sqlite3.Connection, plan: Any = None) -> None:
    """Fill the plan's 21 titles (from the bundled plan unless given) the first time, so reports can show them
    without loading YAML; a missing or broken plan file is skipped (reports fall back to the numbers)."""
    if plan is None:
        if sql.plan_stored(conn):
            return
        from nanxian_cli.errors import NanxianError
        from nanxian_cli.files.checklist_file import load_plan

        try:
            plan = load_plan()
        except NanxianError:
            return
    sql.ensure_plan(conn, plan)


def snapshot(conn: sqlite3.Connection, checklist_hash: str) -> Any:
    """The checklist version a visit was recorded against (cached per process: a stored version never changes)."""
    loaded = _SNAPSHOTS.get(checklist_hash)
    if loaded is None:
        from nanxian_cli.files.checklist_file import LoadedChecklist, checklist_from_snapshot
        from nanxian_cli.store.visits import checklist_content

        content = checklist_content(conn, checklist_hash)
        loaded = _SNAPSHOTS[checklist_hash] = LoadedChecklist(
            checklist=checklist_from_snapshot(content), path=None, canonical=content, hash=checklist_hash)
    return loaded
