"""Migration m009: the 整改通知书 issued, as facts (numbered once, never changed). Shipped migrations are never
edited."""

from __future__ import annotations

from nanxian_cli.store.schema import migration


@migration
def m009_notices(db) -> None:
    # One row per notice issued: its number is given once, when it is first printed, and every reprint shows it.
    # `n` counts per calendar year inside the range this database was given ([documents] notice_first/last), so
    # databases that are merged at the bureau never hand out the same number; a number held by two notices all
    # the same (two databases given overlapping ranges) is kept as it is and reported, never renumbered: the paper
    # is already at the school. No foreign key to visits: a notice may arrive from another database (sync).
    db.execute(
        """CREATE TABLE notices (
            uid TEXT PRIMARY KEY,
            visit_id TEXT NOT NULL,
            year INTEGER NOT NULL,
            n INTEGER NOT NULL CHECK (n >= 1),
            number TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            issued_by TEXT,
            device TEXT NOT NULL,
            issued_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX notices_visit ON notices(visit_id, issued_at)")
    db.execute("CREATE INDEX notices_number ON notices(year, n)")
    db.execute(
        """CREATE TRIGGER notices_append_only_update BEFORE UPDATE ON notices
           BEGIN SELECT RAISE(ABORT, 'notices are append-only'); END"""
    )
    db.execute(
        """CREATE TRIGGER notices_append_only_delete BEFORE DELETE ON notices
           BEGIN SELECT RAISE(ABORT, 'notices are append-only'); END"""
    )
