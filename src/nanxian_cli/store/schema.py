"""Ordered schema migrations. A shipped migration is never edited; add a new one instead.

Each migration runs in its own BEGIN IMMEDIATE transaction together with its record in
`schema_migrations` and `PRAGMA user_version`, so two processes opening a fresh file at once
cannot both apply it, and a failure leaves the previous schema intact.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

MIGRATIONS: list[tuple[str, Callable]] = []


def migration(fn: Callable) -> Callable:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


# The migrations, in order: importing these modules registers them.
from nanxian_cli.store import (  # noqa: E402, F401
    m010_school_inclusive,
    m011_evidence,
    migrations_2020,
    migrations_facts,
    migrations_notices,
    migrations_sync,
)

# Applied in the order of their names (m001, m002, …), whatever order the modules above are imported in.
MIGRATIONS.sort(key=lambda named: named[0])

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply every pending migration, each in its own immediate transaction."""
    import sqlite_utils  # only when the schema has to change

    from nanxian_cli.clock import utc_now

    db = sqlite_utils.Database(conn)
    for number, (name, fn) in enumerate(MIGRATIONS, start=1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current >= number:  # another process got here first
                conn.execute("COMMIT")
                continue
            fn(db)
            conn.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", (name, utc_now())
            )
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            from nanxian_cli.store.db import rollback_quietly

            rollback_quietly(conn)  # keep the error that stopped the migration
            raise
