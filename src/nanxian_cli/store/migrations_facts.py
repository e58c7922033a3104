"""Migrations m006–m007: the database's identity, and facts that can travel between databases (global ids of
answer revisions, hand actions on findings, findings as a derived cache). Shipped migrations are never edited."""

from __future__ import annotations

from nanxian_cli.store.schema import migration


@migration
def m006_database_identity(db) -> None:
    # A random id made once per database file, which survives restarts: the digest's Message-ID derives from
    # it (a resent mail is recognisably the same message), and it is the database's device id for sync.
    import uuid

    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('device_id', ?)", [str(uuid.uuid4())])


_FACT_COLUMNS = ("visit_seq", "item_id", "revision", "value", "outcome", "note", "reason", "author", "recorded_at",
                 "uid", "base", "device", "fixed_on_site")


@migration
def m007_facts(db) -> None:
    # Facts that can travel between databases (sync). Answer revisions get a global id and name the revision
    # they replace; a first revision's id is derived from its visit and point (core/ids.py), so `uid` and
    # `base` are stored only for later revisions, and `device` only when it differs from the visit's: the
    # millions of first answers cost nothing more. Hand actions on findings become facts of their own, and
    # findings become a cache derived from the facts by the findings engine (core/findings.py), keyed by the
    # id of the revision that opened them (`uid`), keeping their local numbers (#42).
    from nanxian_cli.core.ids import revision_uid

    conn = db.conn
    device = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]
    conn.create_function("nx_revision_uid", 3, revision_uid, deterministic=True)

    # -- answers ----------------------------------------------------------------------------------------
    db.execute("DROP TRIGGER answers_append_only_update")
    for column, kind in (("uid", "TEXT"), ("base", "TEXT"), ("device", "TEXT"),
                         ("fixed_on_site", "INTEGER NOT NULL DEFAULT 0"), ("is_current", "INTEGER NOT NULL DEFAULT 1")):
        db.execute(f"ALTER TABLE answers ADD COLUMN {column} {kind}")
    # Only amended points have later revisions (a few in a thousand): the rest of the table is not rewritten.
    db.execute(
        "UPDATE answers SET uid = nx_revision_uid(v.id, answers.item_id, answers.revision), "
        "base = nx_revision_uid(v.id, answers.item_id, answers.revision - 1) "
        "FROM visits v WHERE v.seq = answers.visit_seq AND answers.revision > 1"
    )
    db.execute(
        "UPDATE answers SET is_current = 0 WHERE EXISTS (SELECT 1 FROM answers b WHERE b.visit_seq = answers.visit_seq "
        "AND b.item_id = answers.item_id AND b.revision > answers.revision)"
    )
    # Facts never change; only `is_current` (the revision reports use) is kept up to date by the store.
    db.execute(
        f"""CREATE TRIGGER answers_append_only_update BEFORE UPDATE OF {', '.join(_FACT_COLUMNS)} ON answers
           BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END"""
    )

    # -- visits: the device they were recorded on ------------------------------------------------------
    db.execute("ALTER TABLE visits ADD COLUMN device TEXT")
    db.execute("UPDATE visits SET device = ?", (device,))

    # -- checklist versions: days to fix by severity; points: the key findings are kept under ----------
    for severity in ("critical", "major", "minor"):
        db.execute(f"ALTER TABLE checklist_versions ADD COLUMN rectify_{severity} INTEGER")
        db.execute(f"UPDATE checklist_versions SET rectify_{severity} = "
                   f"json_extract(content, '$.rectify_days.{severity}')")
    db.execute("ALTER TABLE checklist_items ADD COLUMN point_key TEXT")
    db.execute(
        "UPDATE checklist_items SET point_key = "
        "(SELECT cv.checklist_id FROM checklist_versions cv WHERE cv.hash = checklist_items.hash) || '/' || item_id"
    )

    # -- hand actions on findings (and re-checks recorded during a visit of another checklist) -----------
    db.execute(
        """CREATE TABLE finding_actions (
            uid TEXT PRIMARY KEY,
            finding TEXT NOT NULL,
            school_code TEXT NOT NULL,
            point_key TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('report','resolve','extend','escalate','withdraw','reopen','recheck')),
            date TEXT NOT NULL,
            text TEXT,
            due TEXT,
            visit_id TEXT,
            passed INTEGER,
            on_site INTEGER NOT NULL DEFAULT 0,
            author TEXT,
            device TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX finding_actions_point ON finding_actions(school_code, point_key)")
    db.execute("CREATE INDEX finding_actions_visit ON finding_actions(visit_id)")
    db.execute(
        """CREATE TRIGGER finding_actions_append_only_update BEFORE UPDATE ON finding_actions
           BEGIN SELECT RAISE(ABORT, 'finding actions are append-only'); END"""
    )
    db.execute(
        """CREATE TRIGGER finding_actions_append_only_delete BEFORE DELETE ON finding_actions
           BEGIN SELECT RAISE(ABORT, 'finding actions are append-only'); END"""
    )

    # -- the findings cache ---------------------------------------------------------------------------------
    db.execute(
        """CREATE TABLE findings_cache (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            school_code TEXT NOT NULL REFERENCES schools(code),
            point_key TEXT NOT NULL,
            item_id TEXT NOT NULL,
            checklist_id TEXT NOT NULL,
            checklist_hash TEXT NOT NULL REFERENCES checklist_versions(hash),
            severity TEXT NOT NULL CHECK (severity IN ('critical','major','minor')),
            opened TEXT NOT NULL,
            due TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open','reported','resolved','withdrawn')),
            derived INTEGER NOT NULL DEFAULT 1,
            escalated INTEGER NOT NULL DEFAULT 0,
            fixed_on_site INTEGER NOT NULL DEFAULT 0,
            visit_id TEXT NOT NULL REFERENCES visits(id),
            note TEXT,
            reported_on TEXT,
            measures TEXT,
            resolved_on TEXT,
            resolved_by_visit TEXT REFERENCES visits(id),
            resolve_note TEXT,
            resolved_by TEXT,
            recheck_count INTEGER NOT NULL DEFAULT 0,
            last_recheck TEXT,
            steps_sig TEXT,
            created_at TEXT NOT NULL
        )"""
    )
    # Old rows keep their number; their id is the first failing revision of the point in the opening visit.
    db.execute(
        "INSERT INTO findings_cache (id, uid, school_code, point_key, item_id, checklist_id, checklist_hash, severity, "
        "opened, due, status, derived, visit_id, note, resolved_on, resolved_by_visit, resolve_note, resolved_by, "
        "recheck_count, last_recheck, created_at) "
        "SELECT f.id, nx_revision_uid(f.visit_id, f.item_id, coalesce((SELECT min(a.revision) FROM answers a "
        "  JOIN visits v ON v.seq = a.visit_seq WHERE v.id = f.visit_id AND a.item_id = f.item_id "
        "  AND a.outcome = 'fail'), 1)), "
        "f.school_code, f.checklist_id || '/' || f.item_id, f.item_id, f.checklist_id, f.checklist_hash, f.severity, "
        "f.opened, f.due, f.status, f.status != 'withdrawn', f.visit_id, f.note, f.resolved_on, f.resolved_by_visit, "
        "f.resolve_note, f.resolved_by, f.recheck_count, f.last_recheck, f.created_at FROM findings f ORDER BY f.id"
    )
    # Hand resolutions and the re-checks answered during visits of other checklists become facts.
    db.execute(
        "INSERT INTO finding_actions (uid, finding, school_code, point_key, kind, date, text, visit_id, passed, "
        "author, device, recorded_at) "
        "SELECT nx_revision_uid('finding-event', f.id, e.id), fc.uid, f.school_code, fc.point_key, "
        "CASE e.event WHEN 'resolved' THEN 'resolve' ELSE 'recheck' END, e.date, e.note, e.visit_id, "
        "CASE e.event WHEN 'recheck_passed' THEN 1 WHEN 'recheck_failed' THEN 0 END, e.author, ?, e.recorded_at "
        "FROM finding_events e JOIN findings f ON f.id = e.finding_id JOIN findings_cache fc ON fc.id = f.id "
        "WHERE (e.event = 'resolved' AND e.visit_id IS NULL) "
        "   OR (e.event IN ('recheck_passed', 'recheck_failed') AND e.visit_id IS NOT NULL) ORDER BY e.id",
        (device,),
    )
    db.execute("DROP TABLE finding_events")
    db.execute("DROP TABLE findings")
    db.execute("ALTER TABLE findings_cache RENAME TO findings")
    db.execute("CREATE UNIQUE INDEX findings_one_in_progress ON findings(school_code, point_key) "
               "WHERE status IN ('open', 'reported')")
    db.execute("CREATE INDEX findings_status_due ON findings(status, due)")
    db.execute("CREATE INDEX findings_school ON findings(school_code, status)")
    db.execute("CREATE INDEX findings_point ON findings(school_code, point_key, opened)")
    db.execute("CREATE INDEX findings_visit ON findings(visit_id)")
    db.execute("CREATE INDEX findings_resolved ON findings(resolved_on)")
    db.execute("CREATE INDEX findings_status_resolved ON findings(status, resolved_on)")
    db.execute("CREATE INDEX findings_resolved_by_visit ON findings(resolved_by_visit)")
    # What happened to each finding, one line per step (derived with it).
    db.execute(
        """CREATE TABLE finding_steps (
            finding_id INTEGER NOT NULL REFERENCES findings(id),
            n INTEGER NOT NULL,
            kind TEXT NOT NULL,
            date TEXT NOT NULL,
            uid TEXT NOT NULL,
            visit_id TEXT,
            author TEXT,
            text TEXT,
            due TEXT,
            applied INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (finding_id, n)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX finding_steps_visit ON finding_steps(visit_id)")
    # The steps (and any state the old rules stored differently) are filled by rebuilding every point's findings
    # with the engine the first time the database is opened by this version (services, not SQL).
    db.execute("INSERT INTO meta (key, value) SELECT 'rebuild_findings', 'all' WHERE EXISTS (SELECT 1 FROM visits)")
