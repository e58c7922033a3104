"""Migrations m001–m005: the schema of the first version (visits, answers, counts, findings, deliveries) and
its later indexes and keys. Shipped migrations are never edited."""

from __future__ import annotations

from nanxian_cli.store.schema import migration


@migration
def m001_initial(db) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    db["plan_items"].create(
        {"number": int, "section": int, "title_zh": str, "title_en": str},
        pk="number", not_null={"section", "title_zh", "title_en"},
    )
    db["checklist_versions"].create(
        {"hash": str, "checklist_id": str, "version": str, "kind": str, "title_zh": str, "title_en": str,
         "content": str, "first_seen": str},
        pk="hash", not_null={"checklist_id", "version", "kind", "content", "first_seen"},
    )
    db["checklist_versions"].create_index(["checklist_id"])
    # One row per point of each stored checklist version, so reports can join answers to plan items in SQL.
    db["checklist_items"].create(
        {"hash": str, "item_id": str, "position": int, "type": str, "severity": str, "weight": float,
         "text_zh": str, "text_en": str},
        pk=("hash", "item_id"), foreign_keys=[("hash", "checklist_versions", "hash")],
        not_null={"position", "type", "severity", "weight", "text_zh", "text_en"},
    )
    db["checklist_item_plan"].create(
        {"hash": str, "item_id": str, "plan_item": int},
        pk=("hash", "item_id", "plan_item"), foreign_keys=[("hash", "checklist_versions", "hash")],
    )
    db["checklist_item_plan"].create_index(["plan_item"])
    db["schools"].create(
        {"code": str, "name": str, "town": str, "stages": str, "boarding": int, "canteen": int,
         "school_bus": int, "ownership": str, "grp": str, "initials": str, "created_at": str, "updated_at": str},
        pk="code", not_null={"name", "town", "stages", "boarding", "canteen", "school_bus", "ownership", "grp",
                             "initials", "created_at", "updated_at"},
        defaults={"town": "", "boarding": 0, "canteen": 0, "school_bus": 0, "ownership": "public", "grp": "",
                  "initials": ""},
    )
    db["schools"].create_index(["town"])
    db["schools"].create_index(["name"])
    db["inspectors"].create(
        {"id": int, "name": str, "phone": str, "created_at": str},
        pk="id", not_null={"name", "created_at"},
    )
    db["inspectors"].create_index(["name"], unique=True)
    # 责任督学挂牌: each school has one responsible supervisor at a time.
    db["assignments"].create(
        {"school_code": str, "inspector_id": int, "since": str},
        pk="school_code", not_null={"inspector_id", "since"},
        foreign_keys=[("school_code", "schools", "code"), ("inspector_id", "inspectors", "id")],
    )
    db["assignments"].create_index(["inspector_id"])
    # Counts (n_*, w_*) mirror the latest answer revision of each point and are rewritten in the
    # same transaction as every answer, amendment and void, so reports never scan answers for totals.
    db["visits"].create(
        {"id": str, "school_code": str, "checklist_id": str, "checklist_hash": str, "date": str,
         "inspector": str, "status": str, "source": str, "created_at": str, "submitted_at": str,
         "void_reason": str, "voided_at": str, "voided_by": str,
         "n_pass": int, "n_fail": int, "n_na": int, "n_info": int, "w_pass": float, "w_fail": float,
         "n_critical_fail": int, "n_items": int},
        pk="id",
        not_null={"school_code", "checklist_id", "checklist_hash", "date", "inspector", "status", "source",
                  "created_at", "n_pass", "n_fail", "n_na", "n_info", "w_pass", "w_fail", "n_critical_fail",
                  "n_items"},
        defaults={"n_pass": 0, "n_fail": 0, "n_na": 0, "n_info": 0, "w_pass": 0, "w_fail": 0,
                  "n_critical_fail": 0, "n_items": 0, "source": "interactive"},
        foreign_keys=[("school_code", "schools", "code"), ("checklist_hash", "checklist_versions", "hash")],
    )
    db["visits"].create_index(["status", "date"])
    db["visits"].create_index(["school_code", "date"])
    db["visits"].create_index(["inspector", "date"])
    db.execute(
        """CREATE TABLE visit_plan_counts (
            visit_id TEXT NOT NULL REFERENCES visits(id),
            plan_item INTEGER NOT NULL,
            n_pass INTEGER NOT NULL DEFAULT 0, n_fail INTEGER NOT NULL DEFAULT 0,
            n_na INTEGER NOT NULL DEFAULT 0, n_info INTEGER NOT NULL DEFAULT 0,
            w_pass REAL NOT NULL DEFAULT 0, w_fail REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (visit_id, plan_item)
        ) WITHOUT ROWID"""
    )
    # Append-only: a correction is a new row with a higher revision; nothing is updated or deleted.
    # Keyed by (visit, point, revision) WITHOUT ROWID: one B-tree instead of a table plus a unique
    # index, which is a quarter of the cost of a bulk import of answers.
    db.execute(
        """CREATE TABLE answers (
            visit_id TEXT NOT NULL REFERENCES visits(id),
            item_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            value TEXT,
            -- Spelled as ORs: SQLite 3.40 rebuilds an IN list for every inserted row (~30% of a bulk insert).
            outcome TEXT NOT NULL CHECK (outcome = 'pass' OR outcome = 'fail' OR outcome = 'na' OR outcome = 'info'),
            note TEXT,
            reason TEXT,
            author TEXT,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (visit_id, item_id, revision)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TRIGGER answers_append_only_update BEFORE UPDATE ON answers
           BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END"""
    )
    db.execute(
        """CREATE TRIGGER answers_append_only_delete BEFORE DELETE ON answers
           BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END"""
    )
    db.execute(
        """CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            school_code TEXT NOT NULL REFERENCES schools(code),
            item_id TEXT NOT NULL,
            checklist_id TEXT NOT NULL,
            checklist_hash TEXT NOT NULL REFERENCES checklist_versions(hash),
            severity TEXT NOT NULL CHECK (severity IN ('critical','major','minor')),
            opened TEXT NOT NULL,
            due TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open','resolved','withdrawn')),
            visit_id TEXT NOT NULL REFERENCES visits(id),
            note TEXT,
            resolved_on TEXT,
            resolved_by_visit TEXT REFERENCES visits(id),
            resolve_note TEXT,
            resolved_by TEXT,
            recheck_count INTEGER NOT NULL DEFAULT 0,
            last_recheck TEXT,
            created_at TEXT NOT NULL
        )"""
    )
    # At most one open finding per school and point: a repeated failure is a re-check, not a new finding.
    db.execute("CREATE UNIQUE INDEX findings_one_open ON findings(school_code, item_id) WHERE status = 'open'")
    db.execute("CREATE INDEX findings_status_due ON findings(status, due)")
    db.execute("CREATE INDEX findings_school ON findings(school_code, status)")
    db.execute("CREATE INDEX findings_visit ON findings(visit_id)")
    db.execute("CREATE INDEX findings_resolved ON findings(resolved_on)")
    db.execute(
        """CREATE TABLE finding_events (
            id INTEGER PRIMARY KEY,
            finding_id INTEGER NOT NULL REFERENCES findings(id),
            event TEXT NOT NULL,
            visit_id TEXT REFERENCES visits(id),
            date TEXT NOT NULL,
            note TEXT,
            author TEXT,
            recorded_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX finding_events_finding ON finding_events(finding_id)")
    db.execute(
        """CREATE TABLE digest_deliveries (
            id INTEGER PRIMARY KEY,
            week TEXT NOT NULL,
            channel TEXT NOT NULL,
            target TEXT NOT NULL,
            delivered_at TEXT NOT NULL,
            UNIQUE (week, channel, target)
        )"""
    )



@migration
def m002_report_indexes(db) -> None:
    # Chosen from EXPLAIN QUERY PLAN of the report queries (never ANALYZE). A finding is open at the end
    # of a period when it is open now or was resolved after that day: with (status, resolved_on) the
    # second half is a range search instead of a walk over every resolved finding of every year.
    db.execute("CREATE INDEX IF NOT EXISTS findings_status_resolved ON findings(status, resolved_on)")


@migration
def m003_visit_lookup_indexes(db) -> None:
    # EXPLAIN QUERY PLAN of one visit's findings (inspect visit/show, report visit, amend, void): "opened,
    # resolved or re-checked by this visit" scanned every finding and every finding event (55 ms on a
    # county decade, on each recorded visit). These make each branch of the OR an index search.
    db.execute("CREATE INDEX IF NOT EXISTS finding_events_visit ON finding_events(visit_id)")
    db.execute("CREATE INDEX IF NOT EXISTS findings_resolved_by_visit ON findings(resolved_by_visit)")

_ANSWER_COLUMNS = "item_id, revision, value, outcome, note, reason, author, recorded_at"
_PLAN_COUNT_COLUMNS = "plan_item, n_pass, n_fail, n_na, n_info, w_pass, w_fail"


@migration
def m004_integer_visit_key(db) -> None:
    # Answers and per-plan-item counts are keyed by a local integer visit number instead of the visit's
    # UUID. The UUID stays the visit's identity (shown, typed, exported); `visits.seq` never leaves this
    # file. New visits get the next number, so a batch of visits appends at the right-hand end of both
    # B-trees instead of splitting pages all over them, and every key is 8 bytes instead of 37: a bulk
    # import writes ~20% faster and the answers table is smaller. `seq` is an explicit column because
    # VACUUM may renumber an implicit rowid.
    db.execute("ALTER TABLE visits ADD COLUMN seq INTEGER")
    db.execute("UPDATE visits SET seq = rowid")
    db.execute("CREATE UNIQUE INDEX visits_seq ON visits(seq)")
    db.execute(
        """CREATE TRIGGER visits_seq_required BEFORE INSERT ON visits WHEN NEW.seq IS NULL
           BEGIN SELECT RAISE(ABORT, 'visits.seq is required'); END"""
    )
    db.execute(
        """CREATE TRIGGER visits_seq_fixed BEFORE UPDATE OF seq ON visits
           BEGIN SELECT RAISE(ABORT, 'visits.seq never changes'); END"""
    )
    db.execute(
        """CREATE TABLE answers_by_seq (
            visit_seq INTEGER NOT NULL REFERENCES visits(seq),
            item_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            value TEXT,
            -- Spelled as ORs: SQLite 3.40 rebuilds an IN list for every inserted row (~30% of a bulk insert).
            outcome TEXT NOT NULL CHECK (outcome = 'pass' OR outcome = 'fail' OR outcome = 'na' OR outcome = 'info'),
            note TEXT,
            reason TEXT,
            author TEXT,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (visit_seq, item_id, revision)
        ) WITHOUT ROWID"""
    )
    db.execute(
        f"INSERT INTO answers_by_seq (visit_seq, {_ANSWER_COLUMNS}) "
        f"SELECT v.seq, {', '.join('a.' + c for c in _ANSWER_COLUMNS.split(', '))} "
        "FROM answers a JOIN visits v ON v.id = a.visit_id ORDER BY v.seq, a.item_id, a.revision"
    )
    db.execute("DROP TABLE answers")  # its append-only triggers go with it; DROP fires no trigger
    db.execute("ALTER TABLE answers_by_seq RENAME TO answers")
    db.execute(
        """CREATE TRIGGER answers_append_only_update BEFORE UPDATE ON answers
           BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END"""
    )
    db.execute(
        """CREATE TRIGGER answers_append_only_delete BEFORE DELETE ON answers
           BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END"""
    )
    db.execute(
        """CREATE TABLE visit_plan_counts_by_seq (
            visit_seq INTEGER NOT NULL REFERENCES visits(seq),
            plan_item INTEGER NOT NULL,
            n_pass INTEGER NOT NULL DEFAULT 0, n_fail INTEGER NOT NULL DEFAULT 0,
            n_na INTEGER NOT NULL DEFAULT 0, n_info INTEGER NOT NULL DEFAULT 0,
            w_pass REAL NOT NULL DEFAULT 0, w_fail REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (visit_seq, plan_item)
        ) WITHOUT ROWID"""
    )
    db.execute(
        f"INSERT INTO visit_plan_counts_by_seq (visit_seq, {_PLAN_COUNT_COLUMNS}) "
        f"SELECT v.seq, {', '.join('c.' + c for c in _PLAN_COUNT_COLUMNS.split(', '))} "
        "FROM visit_plan_counts c JOIN visits v ON v.id = c.visit_id ORDER BY v.seq, c.plan_item"
    )
    db.execute("DROP TABLE visit_plan_counts")
    db.execute("ALTER TABLE visit_plan_counts_by_seq RENAME TO visit_plan_counts")


@migration
def m005_plan_critical_fails(db) -> None:
    # Critical fails per visit and plan item, so `report summary --by plan-item` counts them like every
    # other grouping (it showed none). Existing rows are recounted from the latest answer revisions; only
    # visits with a critical fail can have any.
    db.execute("ALTER TABLE visit_plan_counts ADD COLUMN n_critical_fail INTEGER NOT NULL DEFAULT 0")
    db.execute(
        """UPDATE visit_plan_counts SET n_critical_fail = (
               SELECT count(*) FROM visits v
               JOIN answers a ON a.visit_seq = v.seq
               JOIN checklist_items ci ON ci.hash = v.checklist_hash AND ci.item_id = a.item_id
               JOIN checklist_item_plan p ON p.hash = v.checklist_hash AND p.item_id = a.item_id
               WHERE v.seq = visit_plan_counts.visit_seq AND p.plan_item = visit_plan_counts.plan_item
                 AND ci.severity = 'critical' AND a.outcome = 'fail'
                 AND a.revision = (SELECT max(b.revision) FROM answers b
                                   WHERE b.visit_seq = a.visit_seq AND b.item_id = a.item_id))
           WHERE visit_seq IN (SELECT seq FROM visits WHERE n_critical_fail > 0)"""
    )
