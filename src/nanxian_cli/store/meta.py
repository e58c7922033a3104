"""The database's own settings: its device id (made once, when the database is created)."""

from __future__ import annotations

import sqlite3
from typing import Any

from nanxian_cli.core.words import Words
from nanxian_cli.errors import StoreError


def device_id(store_or_conn: Any) -> str:
    """The random UUID this database file was given once (m006); stable across restarts and upgrades."""
    conn = getattr(store_or_conn, "conn", store_or_conn)
    row = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    if row is None or not row[0]:
        path = getattr(store_or_conn, "path", "")
        raise StoreError(Words(f"{path}：数据库缺少标识（meta.device_id）",
                               f"{path}: the database has no identity (meta.device_id)"))
    return row[0]


def get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def put(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                 (key, value))


def delete(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("DELETE FROM meta WHERE key = ?", (key,))
