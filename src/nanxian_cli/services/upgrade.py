"""Opening a database: the store migrates its schema; what a migration leaves for the rules to do (deriving
every point's findings again with the engine, once, after m007) is done here before the command runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nanxian_cli.store import open_store
from nanxian_cli.store.db import Store


def open_database(path: Path, *, create: bool = True, on_upgrade: Callable[[int, int], None] | None = None) -> Store:
    store = open_store(path, create=create, on_upgrade=on_upgrade)
    try:
        finish_upgrade(store)
    except BaseException:
        store.close()
        raise
    return store


def finish_upgrade(store: Store) -> None:
    """Derive every point's findings with the engine if a migration asked for it (resumed if interrupted)."""
    from nanxian_cli.store.findings import rebuild_flag

    if rebuild_flag(store.conn) is not None:
        from nanxian_cli.clock import utc_now
        from nanxian_cli.services.derive import rebuild_all  # the engine: only when there is work for it

        rebuild_all(store, utc_now())
