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
    m012_rollups,
    m013_visit_order,
    m014_fixed_on_site,
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
            # The log of applied migrations decides, by name (another process may have got here first; and a
            # database can hold migrations in another order than this release lists them, when it was made
            # between releases): only a migration not in the log is applied.
            logged = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").fetchone()
            done = logged is not None and conn.execute(
                "SELECT 1 FROM schema_migrations WHERE name = ?", (name,)).fetchone() is not None
            if not done:
                fn(db)
                conn.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", (name, utc_now())
                )
            if conn.execute("PRAGMA user_version").fetchone()[0] < number:
                conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            from nanxian_cli.store.db import rollback_quietly

            rollback_quietly(conn)  # keep the error that stopped the migration
            raise
