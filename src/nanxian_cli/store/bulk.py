"""SQL for bulk imports and the demo database: connection tuning, the demo marker, totals."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nanxian_cli.store.db import Store, _create_private_file, _store_error

BULK_CACHE_KIB = 64 * 1024  # page cache while importing
# WAL pages between automatic checkpoints while importing (SQLite's default is 1000, ~4 MB): each
# checkpoint copies the log into the database file and syncs it, and at the default a bulk import
# checkpointed after nearly every batch. The log is checkpointed once more when the import ends.
BULK_WAL_PAGES = 10_000


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
def bulk_session(store: Store, cache_kib: int = BULK_CACHE_KIB) -> Iterator[None]:
    """A larger page cache, in-memory temp storage and fewer checkpoints for the length of an import."""
    conn = store.conn
    old_cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    old_wal_pages = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-int(cache_kib)}")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(f"PRAGMA wal_autocheckpoint = {BULK_WAL_PAGES}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(old_cache)}")
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(old_wal_pages)}")
        if not conn.in_transaction:
            # Copy what the import logged into the database file now rather than leave a large log
            # for the next writer. PASSIVE never waits: readers still on an old snapshot just keep
            # their pages in the log until a later checkpoint.
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


def demo_totals(store: Store) -> dict:
    row = store.one(
        "SELECT (SELECT count(*) FROM findings) AS findings, "
        "(SELECT count(*) FROM findings WHERE status IN ('open', 'reported')) AS open_findings"
    )
    return {"findings": row["findings"], "open": row["open_findings"]}


def open_findings_rows(store: Store) -> list[sqlite3.Row]:
    """Every open finding with the last day anything happened to it, in id order."""
    return store.query(
        "SELECT id, school_code, opened, due, coalesce(last_recheck, opened) AS last_seen FROM findings "
        "WHERE status IN ('open', 'reported') ORDER BY id"
    )
