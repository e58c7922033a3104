"""The database's own settings (`meta`, made by migration m006): its identity."""

from __future__ import annotations

from nanxian_cli.errors import StoreError
from nanxian_cli.i18n import tr
from nanxian_cli.store.db import Store


def device_id(store: Store) -> str:
    """The random UUID this database file was given once (m006); stable across restarts and upgrades."""
    row = store.one("SELECT value FROM meta WHERE key = 'device_id'")
    if row is None or not row[0]:
        raise StoreError(tr(f"{store.path}：数据库缺少标识（meta.device_id）", f"{store.path}: the database has no identity (meta.device_id)"))
    return row[0]
