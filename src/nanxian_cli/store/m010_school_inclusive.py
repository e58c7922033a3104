"""Migration m010: the roster's `inclusive` (普惠) flag on schools, false for every school already there (re-import
the roster with a 普惠 column to set it). Shipped migrations are never edited."""

from __future__ import annotations

from nanxian_cli.store.schema import migration


@migration
def m010_school_inclusive(db) -> None:
    db.execute("ALTER TABLE schools ADD COLUMN inclusive INTEGER NOT NULL DEFAULT 0 CHECK (inclusive IN (0, 1))")
