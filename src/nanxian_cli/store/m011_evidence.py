"""Migration m011: evidence (photos and documents) kept beside the database, and what each one shows.

`evidence` holds one row per file (content-addressed by its sha256; the file itself is
`<db>.evidence/ab/<sha256>`); `evidence_links` ties a file to a point of a visit or to a finding action. A link
is a fact that travels (its identity is what it ties together), so inserting one takes the next change number
like the other facts (m008) and marks the visit as changed: `sync export --since last` sends the visit whole,
with its evidence. Shipped migrations are never edited."""

from __future__ import annotations

from nanxian_cli.store.schema import migration

_BUMP = "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'change_seq'; "
_SEQ = "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'change_seq')"


@migration
def m011_evidence(db) -> None:
    db.execute(
        """CREATE TABLE evidence (
            sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
            size INTEGER NOT NULL CHECK (size >= 0),
            media_type TEXT NOT NULL,
            original_name TEXT,
            caption TEXT,
            taken_at TEXT,
            gps_lat REAL,
            gps_lon REAL,
            added_by TEXT,
            device TEXT NOT NULL,
            added_at TEXT NOT NULL
        )"""
    )
    # GPS (where a photo of a school was taken) stays in this table: it is never printed, exported or sent.
    db.execute(
        """CREATE TABLE evidence_links (
            sha256 TEXT NOT NULL REFERENCES evidence(sha256),
            visit_id TEXT REFERENCES visits(id),
            item_id TEXT,
            action_uid TEXT REFERENCES finding_actions(uid),
            added_by TEXT,
            device TEXT NOT NULL,
            added_at TEXT NOT NULL,
            changed INTEGER,
            CHECK ((visit_id IS NOT NULL AND item_id IS NOT NULL AND action_uid IS NULL)
                OR (visit_id IS NULL AND item_id IS NULL AND action_uid IS NOT NULL))
        )"""
    )
    db.execute("CREATE UNIQUE INDEX evidence_links_point ON evidence_links(visit_id, item_id, sha256) "
               "WHERE visit_id IS NOT NULL")
    db.execute("CREATE UNIQUE INDEX evidence_links_action ON evidence_links(action_uid, sha256) "
               "WHERE action_uid IS NOT NULL")
    db.execute("CREATE INDEX evidence_links_sha ON evidence_links(sha256)")
    db.execute("CREATE INDEX evidence_links_changed ON evidence_links(changed)")
    db.execute(
        f"""CREATE TRIGGER sync_evidence_linked AFTER INSERT ON evidence_links
           BEGIN {_BUMP}
             UPDATE evidence_links SET changed = {_SEQ} WHERE rowid = NEW.rowid;
             UPDATE visits SET changed = {_SEQ} WHERE id = NEW.visit_id AND status != 'draft';
             UPDATE finding_actions SET changed = {_SEQ} WHERE uid = NEW.action_uid;
           END"""
    )
