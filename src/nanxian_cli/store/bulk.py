"""SQL for bulk imports and the demo database: connection tuning, the demo marker, totals."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nanxian_cli.store.db import Store, _create_private_file, _store_error

BULK_CACHE_KIB = 64 * 1024  # page cache while importing: the answers index is written in random order


def mark_new_database(path: Path, application_id: int) -> None:
    """Create an empty private database file whose header carries `application_id`.

    Done before the store opens it (and switches to WAL) so the mark sits in the file header from the start.
    """
    _create_private_file(path)
    try:
        conn = sqlite3.connect(str(path), isolation_level=None)
        try:
            conn.execute(f"PRAGMA application_id = {int(application_id)}")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise _store_error(path, exc) from None


@contextmanager
def bulk_session(store: Store) -> Iterator[None]:
    """A larger page cache and in-memory temp storage for the length of an import."""
    conn = store.conn
    old_cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    conn.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(old_cache)}")


def demo_totals(store: Store) -> dict:
    row = store.one(
        "SELECT (SELECT count(*) FROM findings) AS findings, "
        "(SELECT count(*) FROM findings WHERE status = 'open') AS open_findings"
    )
    return {"findings": row["findings"], "open": row["open_findings"]}


def open_findings_rows(store: Store) -> list[sqlite3.Row]:
    """Every open finding with the last day anything happened to it, in id order."""
    return store.query(
        "SELECT id, school_code, opened, due, coalesce(last_recheck, opened) AS last_seen FROM findings "
        "WHERE status = 'open' ORDER BY id"
    )
