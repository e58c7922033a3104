"""Migrations m004 and m005: answers and per-plan-item counts move from the visit's UUID to its local number;
per-plan-item counts gain critical fails.

A database written before m004 (built here by turning a real demo county back into the m003 shape)
must come out of the upgrade with every answer, count, finding and report number unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from nanxian_cli.config import bundled_checklists_dir
from nanxian_cli.services import demo as core
from nanxian_cli.services.corrections import amend_answer, void_visit
from nanxian_cli.store import open_store, schema

# What a visit's records are, independent of how they are keyed.
LOGICAL = {
    "visits": "SELECT id, school_code, checklist_id, checklist_hash, date, inspector, status, n_pass, n_fail, n_na, "
              "n_info, w_pass, w_fail, n_critical_fail, n_items, void_reason FROM visits ORDER BY id",
    "answers": "SELECT v.id, a.item_id, a.revision, a.value, a.outcome, a.note, a.reason, a.author, a.recorded_at "
               "FROM answers a JOIN visits v ON v.{key} = a.{ref} ORDER BY v.id, a.item_id, a.revision",
    "plan": "SELECT v.id, c.plan_item, c.n_pass, c.n_fail, c.n_na, c.n_info, c.w_pass, c.w_fail "
            "FROM visit_plan_counts c JOIN visits v ON v.{key} = c.{ref} ORDER BY v.id, c.plan_item",
    # the columns findings had before m007 (which keeps every row and number; the engine derives them again)
    "findings": "SELECT id, school_code, item_id, checklist_id, checklist_hash, severity, opened, due, status, "
                "visit_id, note, resolved_on, resolved_by_visit, resolve_note, resolved_by, recheck_count, "
                "last_recheck FROM findings ORDER BY id",
}

OLD_FINDINGS = """CREATE TABLE findings (
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
OLD_EVENTS = """CREATE TABLE finding_events (
    id INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES findings(id),
    event TEXT NOT NULL,
    visit_id TEXT REFERENCES visits(id),
    date TEXT NOT NULL,
    note TEXT,
    author TEXT,
    recorded_at TEXT NOT NULL
)"""
_OLD_FINDING_COLUMNS = ("id, school_code, item_id, checklist_id, checklist_hash, severity, opened, due, status, "
                        "visit_id, note, resolved_on, resolved_by_visit, resolve_note, resolved_by, recheck_count, "
                        "last_recheck, created_at")


def _undo_m008(conn: sqlite3.Connection) -> None:
    """Take back what m008 (sync) added."""
    for trigger in ("sync_visit_inserted", "sync_visit_changed", "sync_answer_amended", "sync_action_added",
                    "finding_actions_append_only_update"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("CREATE TRIGGER finding_actions_append_only_update BEFORE UPDATE ON finding_actions "
                 "BEGIN SELECT RAISE(ABORT, 'finding actions are append-only'); END")
    for index in ("visits_changed", "finding_actions_changed", "answers_uid"):
        conn.execute(f"DROP INDEX {index}")
    for table in ("sync_bundles", "sync_conflicts", "sync_held"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("ALTER TABLE visits DROP COLUMN changed")
    conn.execute("ALTER TABLE visits DROP COLUMN void_device")
    conn.execute("ALTER TABLE finding_actions DROP COLUMN changed")
    conn.execute("DELETE FROM meta WHERE key = 'change_seq'")
    conn.execute("DELETE FROM schema_migrations WHERE name = 'm008_sync'")


def _undo_m007(conn: sqlite3.Connection) -> None:
    """The m006 shape: answers and visits without fact ids, findings with their event log, no actions or steps.
    The old event log held what m007 reads back: hand resolutions and re-checks (the rest was derived)."""
    conn.execute(OLD_FINDINGS.replace("CREATE TABLE findings", "CREATE TABLE findings_old"))
    conn.execute(f"INSERT INTO findings_old ({_OLD_FINDING_COLUMNS}) SELECT {_OLD_FINDING_COLUMNS} FROM findings")
    conn.execute(OLD_EVENTS)
    conn.execute(
        "INSERT INTO finding_events (finding_id, event, visit_id, date, note, author, recorded_at) "
        "SELECT f.id, CASE a.kind WHEN 'resolve' THEN 'resolved' WHEN 'recheck' THEN "
        "CASE a.passed WHEN 1 THEN 'recheck_passed' ELSE 'recheck_failed' END END, a.visit_id, a.date, a.text, "
        "a.author, a.recorded_at FROM finding_actions a JOIN findings f ON f.uid = a.finding ORDER BY a.recorded_at")
    for table in ("finding_steps", "finding_actions", "findings"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("ALTER TABLE findings_old RENAME TO findings")
    conn.execute("DROP TRIGGER answers_append_only_update")
    for column in ("uid", "base", "device", "fixed_on_site", "is_current"):
        conn.execute(f"ALTER TABLE answers DROP COLUMN {column}")
    conn.execute("ALTER TABLE visits DROP COLUMN device")
    for column in ("rectify_critical", "rectify_major", "rectify_minor"):
        conn.execute(f"ALTER TABLE checklist_versions DROP COLUMN {column}")
    conn.execute("ALTER TABLE checklist_items DROP COLUMN point_key")
    conn.execute("DELETE FROM schema_migrations WHERE name = 'm007_facts'")

OLD_ANSWERS = """CREATE TABLE answers (
    visit_id TEXT NOT NULL REFERENCES visits(id),
    item_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    value TEXT,
    outcome TEXT NOT NULL CHECK (outcome = 'pass' OR outcome = 'fail' OR outcome = 'na' OR outcome = 'info'),
    note TEXT,
    reason TEXT,
    author TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (visit_id, item_id, revision)
) WITHOUT ROWID"""
OLD_PLAN = """CREATE TABLE visit_plan_counts (
    visit_id TEXT NOT NULL REFERENCES visits(id),
    plan_item INTEGER NOT NULL,
    n_pass INTEGER NOT NULL DEFAULT 0, n_fail INTEGER NOT NULL DEFAULT 0,
    n_na INTEGER NOT NULL DEFAULT 0, n_info INTEGER NOT NULL DEFAULT 0,
    w_pass REAL NOT NULL DEFAULT 0, w_fail REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (visit_id, plan_item)
) WITHOUT ROWID"""


def _read(path: Path, key: str, ref: str) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {name: [tuple(r) for r in conn.execute(sql.format(key=key, ref=ref))] for name, sql in LOGICAL.items()}
    finally:
        conn.close()


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple]:
    return [tuple(r) for r in conn.execute(f"PRAGMA table_info({table})")]


def _without_evidence(path: Path) -> None:
    """The demo county's photos (m011) cannot be in a database of the m003 shape: the copy starts without them."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("DELETE FROM evidence_links")
        conn.execute("DELETE FROM evidence")
        conn.commit()
    finally:
        conn.close()


def _to_m003(path: Path) -> None:
    """Rewrite a current database into the m003 shape (answers and counts keyed by the visit UUID)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        from test_rollups import undo_m012

        undo_m012(conn)  # the roll-ups of m012 and their triggers
        conn.execute("DROP TABLE evidence_links")  # added by m011, with its trigger
        conn.execute("DROP TABLE evidence")
        conn.execute("DELETE FROM schema_migrations WHERE name = 'm011_evidence'")
        conn.execute("ALTER TABLE schools DROP COLUMN inclusive")  # added by m010
        conn.execute("DELETE FROM schema_migrations WHERE name = 'm010_school_inclusive'")
        _undo_m008(conn)
        conn.execute("DROP TABLE notices")  # added by m009 (its triggers go with it)
        conn.execute("DELETE FROM schema_migrations WHERE name = 'm009_notices'")
        _undo_m007(conn)
        conn.execute("ALTER TABLE visit_plan_counts DROP COLUMN n_critical_fail")  # added by m005
        for table, ddl in (("answers", OLD_ANSWERS), ("visit_plan_counts", OLD_PLAN)):
            conn.execute(ddl.replace(f"CREATE TABLE {table}", f"CREATE TABLE {table}_old"))
            columns = [c[1] for c in _columns(conn, table) if c[1] != "visit_seq"]
            conn.execute(
                f"INSERT INTO {table}_old (visit_id, {', '.join(columns)}) "
                f"SELECT v.id, {', '.join('t.' + c for c in columns)} FROM {table} t "
                "JOIN visits v ON v.seq = t.visit_seq"
            )
            conn.execute(f"DROP TABLE {table}")
            conn.execute(f"ALTER TABLE {table}_old RENAME TO {table}")
        conn.execute("CREATE TRIGGER answers_append_only_update BEFORE UPDATE ON answers "
                     "BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END")
        conn.execute("CREATE TRIGGER answers_append_only_delete BEFORE DELETE ON answers "
                     "BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END")
        conn.execute("DROP TRIGGER visits_seq_required")
        conn.execute("DROP TRIGGER visits_seq_fixed")
        conn.execute("DROP INDEX visits_seq")
        conn.execute("ALTER TABLE visits DROP COLUMN seq")
        conn.execute("DROP TABLE meta")  # added by m006, after m003
        conn.execute("DELETE FROM schema_migrations WHERE name IN "
                     "('m004_integer_visit_key', 'm005_plan_critical_fails', 'm006_database_identity')")
        conn.execute("PRAGMA user_version = 3")
        conn.execute("COMMIT")
    finally:
        conn.close()


def _critical_by_plan(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(r) for r in conn.execute(
            "SELECT v.id, c.plan_item, c.n_critical_fail FROM visit_plan_counts c JOIN visits v ON v.seq = c.visit_seq "
            "ORDER BY v.id, c.plan_item")]
    finally:
        conn.close()


def _reference_m003(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple]]:
    """Column lists of a database made by m001-m003 alone."""
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])
        m.setattr(schema, "SCHEMA_VERSION", 3)
        path = tmp_path / "m003.db"
        open_store(path).close()
    conn = sqlite3.connect(path)
    try:
        return {t: _columns(conn, t) for t in ("visits", "answers", "visit_plan_counts")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    """A demo county with an amendment and a void (so revisions and void visits are migrated too)."""
    path = tmp_path_factory.mktemp("m004") / "county.db"
    core.prepare_target(path, None)
    with open_store(path) as store:
        core.build_demo(store, bundled_checklists_dir(), core.DemoOptions(schools=12, years=2, visits_per_year=8))
        vid, item = store.one(
            "SELECT v.id, a.item_id FROM visits v JOIN answers a ON a.visit_seq = v.seq "
            "WHERE a.outcome = 'fail' AND a.value IN ('true', 'false') ORDER BY v.date LIMIT 1"
        )
        amend_answer(store, vid, item, "yes", "checked again", "测试")
        other = store.one("SELECT id FROM visits WHERE status = 'submitted' ORDER BY date DESC LIMIT 1")[0]
        void_visit(store, other, "entered twice", "测试")
    return path


REPORTS = [
    ["report", "summary", "--from", "2019-01-01", "--to", "2020-12-31"],
    ["report", "matrix", "--from", "2020-01-01", "--to", "2020-12-31"],
    ["report", "item", "21", "--from", "2019-01-01", "--to", "2020-12-31"],
    ["finding", "list", "--as-of", "2020-12-31"],
    ["report", "digest", "--week", "2020-W50", "--as-of", "2020-12-31"],
]


def _reports(cli, path: Path) -> list[str]:
    outputs = []
    for args in REPORTS:
        result = cli("--db", path, *args, "--format", "json")
        assert result.exit_code == 0, (args, result.output)
        data = json.loads(result.stdout)
        outputs.append(_same_actions(data) if args[0] == "finding" else data)
    return outputs


def _same_actions(findings: list[dict]) -> list[dict]:
    """A hand action had no id before m007, which gives it one: the same action, another id."""
    for finding in findings:
        for event in finding["events"]:
            if event["visit"] is None:
                event["uid"] = "(hand action)"
    return findings


def _shows(cli, path: Path, ids: list[str]) -> list[dict]:
    shown = []
    for vid in ids:
        data = json.loads(cli("--db", path, "inspect", "show", vid, "--format", "json").stdout)
        _same_actions(data["findings"])
        shown.append(data)
    return shown


def test_m003_database_is_upgraded_with_every_record_and_number_unchanged(cli, county: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "old.db"
    path.write_bytes(county.read_bytes())
    _without_evidence(path)
    before = _read(path, "seq", "visit_seq")
    reports_before = _reports(cli, path)
    shown = sorted(r[0] for r in before["visits"])[:3]
    critical = _critical_by_plan(path)
    assert sum(n for _, _, n in critical) > 10  # m005 has real work to redo
    shows_before = _shows(cli, path, shown)
    assert len(before["answers"]) > 1000 and any(r[2] == 2 for r in before["answers"])  # a revision is there

    _to_m003(path)
    conn = sqlite3.connect(path)
    try:
        reference = _reference_m003(tmp_path, monkeypatch)
        assert {t: _columns(conn, t) for t in reference} == reference  # really the old shape
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    finally:
        conn.close()
    assert _read(path, "id", "visit_id") == before

    # opening the file runs m004
    with open_store(path) as store:
        assert store.one("PRAGMA user_version")[0] == schema.SCHEMA_VERSION
        assert store.query("PRAGMA foreign_key_check") == []
        assert store.one("PRAGMA integrity_check")[0] == "ok"
        # every visit numbered, in the order the visits were written
        numbers = [r[0] for r in store.query("SELECT seq FROM visits ORDER BY rowid")]
        assert numbers == sorted(numbers) and None not in numbers and len(set(numbers)) == len(numbers)
    assert _read(path, "seq", "visit_seq") == before
    assert _critical_by_plan(path) == critical  # recounted by m005
    assert _reports(cli, path) == reports_before
    assert _shows(cli, path, shown) == shows_before

    # and the upgraded file keeps working: append-only answers, a new visit gets the next number
    conn = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM answers")
        top = conn.execute("SELECT max(seq) FROM visits").fetchone()[0]
    finally:
        conn.close()
    with open_store(path) as store:
        vid, item = store.one("SELECT v.id, a.item_id FROM visits v JOIN answers a ON a.visit_seq = v.seq "
                              "WHERE v.status = 'submitted' AND a.outcome = 'pass' AND a.value = 'true' LIMIT 1")
        amend_answer(store, vid, item, "no", "looked again", "测试")
        assert store.one("SELECT max(revision) FROM answers a JOIN visits v ON v.seq = a.visit_seq "
                         "WHERE v.id = ? AND a.item_id = ?", (vid, item))[0] >= 2
    from nanxian_cli.files.checklist_folder import find_checklist
    from nanxian_cli.services.recording import school_of as _school_of
    from nanxian_cli.services.recording import start_draft

    loaded = find_checklist(bundled_checklists_dir(), "routine-monthly", dt.date(2020, 12, 30))  # the 2020 version
    with open_store(path) as store:
        school = _school_of(store.conn, store.one("SELECT code FROM schools ORDER BY code LIMIT 1")[0])
        new_id = start_draft(store, school, loaded, dt.date(2020, 12, 30), "测试")
        assert store.one("SELECT seq FROM visits WHERE id = ?", (new_id,))[0] == top + 1


def test_the_command_that_upgrades_says_so_once_and_its_output_is_unchanged(cli, county: Path, tmp_path: Path):
    path = tmp_path / "old.db"
    path.write_bytes(county.read_bytes())
    _without_evidence(path)
    args = ["--db", str(path), "--lang", "en", "report", "summary", "--from", "2019-01-01", "--to", "2020-12-31",
            "--format", "json"]
    expected = cli(*args).stdout
    _to_m003(path)
    first = cli(*args)
    assert first.exit_code == 0, first.output
    assert first.stderr == f"Upgrading the database {path} to the new schema (3 -> {schema.SCHEMA_VERSION}, once; " \
                           "a large one can take a minute) …\n"
    assert first.stdout == expected
    again = cli(*args)
    assert again.exit_code == 0 and again.stderr == "" and again.stdout == expected
    # a new database is created without the notice
    fresh = cli("--db", str(tmp_path / "new.db"), "inspector", "add", "李明")  # a read-only command creates none
    assert fresh.exit_code == 0 and "Upgrading" not in fresh.stderr
