"""Migration m008: what sync between databases needs (bundles ledger, conflicts, held facts, change marks).
Shipped migrations are never edited."""

from __future__ import annotations

from nanxian_cli.store.schema import migration

# Every write that a bundle must carry takes the next number of one counter (meta `change_seq`) inside its
# transaction: a submitted or voided visit, an amendment of a submitted visit, a hand action, an imported
# fact. Writers are serialised (BEGIN IMMEDIATE), so the numbers follow the order of the commits and an
# export that saw number N has seen every change up to N: `sync export --since last` takes what is above the
# number the previous export saw. Local numbers, never sent.
_BUMP = ("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'change_seq'; ")
_SEQ = "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'change_seq')"


@migration
def m008_sync(db) -> None:
    db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('change_seq', '0')")
    db.execute("ALTER TABLE visits ADD COLUMN changed INTEGER")
    db.execute("ALTER TABLE finding_actions ADD COLUMN changed INTEGER")
    # The device a visit was voided on (a void is a fact too); NULL for voids made before sync existed.
    db.execute("ALTER TABLE visits ADD COLUMN void_device TEXT")
    db.execute("CREATE INDEX visits_changed ON visits(changed)")
    db.execute("CREATE INDEX finding_actions_changed ON finding_actions(changed)")
    db.execute(
        f"""CREATE TRIGGER sync_visit_inserted AFTER INSERT ON visits WHEN NEW.status != 'draft'
           BEGIN {_BUMP} UPDATE visits SET changed = {_SEQ} WHERE seq = NEW.seq; END"""
    )
    db.execute(
        f"""CREATE TRIGGER sync_visit_changed AFTER UPDATE OF status, void_reason ON visits
           WHEN NEW.status != 'draft'
           BEGIN {_BUMP} UPDATE visits SET changed = {_SEQ} WHERE seq = NEW.seq; END"""
    )
    db.execute(
        f"""CREATE TRIGGER sync_answer_amended AFTER INSERT ON answers WHEN NEW.revision > 1
           BEGIN {_BUMP} UPDATE visits SET changed = {_SEQ} WHERE seq = NEW.visit_seq AND status != 'draft'; END"""
    )
    # The actions stay append-only in every fact column; `changed` is the local mark beside them.
    db.execute("DROP TRIGGER finding_actions_append_only_update")
    db.execute(
        """CREATE TRIGGER finding_actions_append_only_update BEFORE UPDATE OF uid, finding, school_code, point_key,
           kind, date, text, due, visit_id, passed, on_site, author, device, recorded_at ON finding_actions
           BEGIN SELECT RAISE(ABORT, 'finding actions are append-only'); END"""
    )
    db.execute(
        f"""CREATE TRIGGER sync_action_added AFTER INSERT ON finding_actions
           BEGIN {_BUMP} UPDATE finding_actions SET changed = {_SEQ} WHERE uid = NEW.uid; END"""
    )
    # Index of revision ids: imported revisions are looked up by id (first revisions made here have none).
    db.execute("CREATE INDEX answers_uid ON answers(uid) WHERE uid IS NOT NULL")

    # The bundles this database wrote or read, newest last.
    db.execute(
        """CREATE TABLE sync_bundles (
            uid TEXT PRIMARY KEY,
            direction TEXT NOT NULL CHECK (direction IN ('export', 'import')),
            reference INTEGER NOT NULL DEFAULT 0,
            device TEXT NOT NULL,
            device_name TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            since TEXT NOT NULL DEFAULT '',
            watermark INTEGER,
            previous TEXT,
            counts TEXT NOT NULL DEFAULT '{}',
            file_sha256 TEXT NOT NULL DEFAULT '',
            file_name TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX sync_bundles_direction ON sync_bundles(direction, at)")
    # Conflicts found while importing: kept until someone resolves them (or, for a void against an
    # amendment, recorded as settled: the void stands).
    db.execute(
        """CREATE TABLE sync_conflicts (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('visit-header', 'parallel-edit', 'held', 'void-amend')),
            visit_id TEXT,
            item_id TEXT,
            subject TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}',
            bundle TEXT,
            device TEXT,
            found_at TEXT NOT NULL,
            settled_at TEXT,
            settled_by TEXT,
            settlement TEXT,
            UNIQUE (kind, subject)
        )"""
    )
    # Facts whose base has not arrived: the record as it came, applied when what it waits for arrives.
    db.execute(
        """CREATE TABLE sync_held (
            uid TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            waits_for TEXT NOT NULL,
            record TEXT NOT NULL,
            bundle TEXT,
            held_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX sync_held_waits ON sync_held(waits_for)")
