"""Stored checklist versions (content hash -> canonical JSON, their points) and the plan's items."""

from __future__ import annotations

from typing import Any

from nanxian_cli.store.db import Store


def has_checklist_version(conn: Any, hash_: str) -> bool:
    return conn.execute("SELECT 1 FROM checklist_versions WHERE hash = ?", (hash_,)).fetchone() is not None


def save_checklist_version(conn: Any, loaded: Any, now: str, point_keys: dict[str, str]) -> None:
    """Keep the exact content of a checklist version and one row per point (idempotent; inside a transaction).
    `point_keys`: item id -> the key its findings are kept under (core.findings.point_key)."""
    if has_checklist_version(conn, loaded.hash):
        return
    cl = loaded.checklist
    days = cl.rectify_days
    conn.execute(
        "INSERT INTO checklist_versions (hash, checklist_id, version, kind, title_zh, title_en, content, first_seen, "
        "rectify_critical, rectify_major, rectify_minor) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (loaded.hash, cl.id, str(cl.version), cl.kind, cl.title.zh, cl.title.en, loaded.canonical, now,
         days.critical, days.major, days.minor),
    )
    conn.executemany(
        "INSERT INTO checklist_items (hash, item_id, position, type, severity, weight, text_zh, text_en, point_key) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        [(loaded.hash, it.id, i, it.type, it.severity, float(it.weight), it.text.zh, it.text.en, point_keys[it.id])
         for i, it in enumerate(cl.items)],
    )
    conn.executemany(
        "INSERT INTO checklist_item_plan (hash, item_id, plan_item) VALUES (?,?,?)",
        [(loaded.hash, it.id, n) for it in cl.items for n in it.plan],
    )


def checklist_content(store: Store, hash_: str) -> str | None:
    row = store.one("SELECT content FROM checklist_versions WHERE hash = ?", (hash_,))
    return row[0] if row else None


def ensure_plan(conn: Any, plan: Any) -> None:
    """Store the plan's 21 items (titles for reports); refreshed when the plan file changes."""
    rows = [(item.number, section.number, item.title.zh, item.title.en)
            for section in plan.sections for item in section.items]
    conn.executemany(
        "INSERT INTO plan_items (number, section, title_zh, title_en) VALUES (?,?,?,?) "
        "ON CONFLICT(number) DO UPDATE SET "
        "section=excluded.section, title_zh=excluded.title_zh, title_en=excluded.title_en",
        rows,
    )


def plan_stored(conn: Any) -> bool:
    return conn.execute("SELECT 1 FROM plan_items LIMIT 1").fetchone() is not None


def plan_items_stored(store: Store) -> int:
    return store.one("SELECT count(*) FROM plan_items")[0]
