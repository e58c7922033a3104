"""Stored checklist versions (content hash -> canonical JSON) and the plan's items."""

from __future__ import annotations

from typing import Any

from nanxian_cli.store.db import Store, utc_now


def save_checklist_version(conn: Any, loaded: Any) -> None:
    """Keep the exact content of a checklist version (idempotent; call inside a transaction)."""
    if conn.execute("SELECT 1 FROM checklist_versions WHERE hash = ?", (loaded.hash,)).fetchone():
        return
    ensure_plan_stored(conn)  # every write path saves a checklist version first
    cl = loaded.checklist
    conn.execute(
        "INSERT INTO checklist_versions (hash, checklist_id, version, kind, title_zh, title_en, content, first_seen) "
        "VALUES (?,?,?,?,?,?,?,?)",
        (loaded.hash, cl.id, str(cl.version), cl.kind, cl.title.zh, cl.title.en, loaded.canonical, utc_now()),
    )
    conn.executemany(
        "INSERT INTO checklist_items (hash, item_id, position, type, severity, weight, text_zh, text_en) "
        "VALUES (?,?,?,?,?,?,?,?)",
        [(loaded.hash, it.id, i, it.type, it.severity, float(it.weight), it.text.zh, it.text.en)
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
        "ON CONFLICT(number) DO UPDATE SET section=excluded.section, title_zh=excluded.title_zh, title_en=excluded.title_en",
        rows,
    )


def ensure_plan_stored(conn: Any) -> None:
    """Fill plan_items from the bundled plan the first time a visit is written, so reports can
    show the 21 titles without loading YAML or pydantic. A missing or broken plan file is skipped:
    reports then fall back to the item numbers."""
    if conn.execute("SELECT 1 FROM plan_items LIMIT 1").fetchone() is not None:
        return
    from nanxian_cli.files.checklists import load_plan
    from nanxian_cli.errors import NanxianError

    try:
        plan = load_plan()
    except NanxianError:
        return
    ensure_plan(conn, plan)


def plan_items_stored(store: Store) -> int:
    return store.one("SELECT count(*) FROM plan_items")[0]
