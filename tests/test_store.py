"""The SQLite store: migrations, pragmas, file mode, and refusing files it must not touch."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nanxian_cli.errors import StoreError
from nanxian_cli.store import open_store, schema

EXPECTED_TABLES = {
    "schema_migrations", "plan_items", "checklist_versions", "checklist_items", "checklist_item_plan", "schools",
    "inspectors", "assignments", "visits", "visit_plan_counts", "answers", "findings", "finding_actions",
    "finding_steps", "digest_deliveries", "meta",
}


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))


# -- creating and migrating -----------------------------------------------------------------------

def test_new_database_has_every_table_and_the_schema_version(tmp_path: Path):
    path = tmp_path / "new.db"
    with open_store(path) as store:
        names = [r["name"] for r in store.query("SELECT name FROM schema_migrations ORDER BY rowid")]
        version = store.one("PRAGMA user_version")[0]
    assert EXPECTED_TABLES <= tables(path)
    assert version == schema.SCHEMA_VERSION == len(schema.MIGRATIONS)
    assert names == [name for name, _ in schema.MIGRATIONS]
    assert names[0] == "m001_initial"


def test_reopening_applies_nothing_twice(tmp_path: Path):
    path = tmp_path / "new.db"
    open_store(path).close()
    with open_store(path) as store:
        assert store.one("SELECT count(*) FROM schema_migrations")[0] == len(schema.MIGRATIONS)


def test_pragmas(tmp_path: Path):
    with open_store(tmp_path / "p.db") as store:
        assert store.one("PRAGMA journal_mode")[0] == "wal"
        assert store.one("PRAGMA foreign_keys")[0] == 1
        assert store.one("PRAGMA busy_timeout")[0] == 30000


def test_new_file_is_private_and_parents_are_created(tmp_path: Path):
    path = tmp_path / "a" / "b" / "c" / "nanxian.db"
    with open_store(path) as store:
        with store.transaction() as conn:
            conn.execute("INSERT INTO inspectors (name, created_at) VALUES ('李明', 'now')")
        # the write-ahead log holds the same records: it must be private too
        assert siblings(path) == ["nanxian.db", "nanxian.db-shm", "nanxian.db-wal"]
        for name in siblings(path):
            assert stat.S_IMODE((path.parent / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_cli_creates_private_database_at_db_option(cli, tmp_path: Path):
    path = tmp_path / "deep" / "dir" / "x.db"
    result = cli("--db", path, "inspector", "add", "李明")  # a command that writes: a read-only one creates nothing
    assert result.exit_code == 0, result.output
    result = cli("--db", path, "inspector", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [i["name"] for i in json.loads(result.stdout)] == ["李明"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_default_database_lives_in_the_user_data_dir(cli, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("NANXIAN_DB")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    result = cli("inspector", "add", "李明")
    assert result.exit_code == 0, result.output
    path = tmp_path / "xdg-data" / "nanxian" / "nanxian.db"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_missing_file_with_create_false_is_not_created(tmp_path: Path):
    path = tmp_path / "absent.db"
    with pytest.raises(StoreError, match="no database yet"):
        open_store(path, create=False)
    assert not path.exists()


def _fake_m002(db) -> None:
    db.execute("CREATE TABLE upgrade_marker (x INTEGER)")
    db.execute("INSERT INTO upgrade_marker VALUES (42)")


def test_older_database_is_upgraded_and_keeps_its_data(cli, tmp_path: Path, monkeypatch, schools):
    db = Path(os.environ["NANXIAN_DB"])
    before = sqlite3.connect(db)
    rows_before = before.execute("SELECT * FROM schools ORDER BY code").fetchall()
    before.close()
    assert len(rows_before) == 5

    longer = list(schema.MIGRATIONS) + [("m999_upgrade_marker", _fake_m002)]
    monkeypatch.setattr(schema, "MIGRATIONS", longer)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(longer))

    result = cli("school", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(longer)
        names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
        assert names == [name for name, _ in longer]
        assert conn.execute("SELECT x FROM upgrade_marker").fetchall() == [(42,)]
        assert conn.execute("SELECT * FROM schools ORDER BY code").fetchall() == rows_before
    finally:
        conn.close()


def test_failed_migration_leaves_the_previous_schema(tmp_path: Path, monkeypatch):
    path = tmp_path / "old.db"
    open_store(path).close()
    version = len(schema.MIGRATIONS)

    def broken(db) -> None:
        db["half_done"].create({"x": int}, pk="x")  # through sqlite-utils, which must not commit on its own
        db["half_done"].create_index(["x"])
        db["half_done"].insert({"x": 1})
        db.execute("INSERT INTO no_such_table VALUES (1)")

    longer = list(schema.MIGRATIONS) + [("m999_broken", broken)]
    monkeypatch.setattr(schema, "MIGRATIONS", longer)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(longer))
    with pytest.raises(StoreError, match="no such table"):
        open_store(path)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        assert "half_done" not in tables(path)
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == version
    finally:
        conn.close()


# -- files the store must not touch -----------------------------------------------------------------

def test_corrupt_file_exit_1_and_unchanged(cli, tmp_path: Path):
    path = tmp_path / "corrupt.db"
    path.write_bytes(os.urandom(8192))
    before = digest(path)
    result = cli("--db", path, "school", "list")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {path}: the file is not a nanxian database or is damaged (file is not a database); nothing was changed"
    )
    assert "Traceback" not in result.output
    assert digest(path) == before
    assert siblings(path) == ["corrupt.db"]


def test_damaged_pages_after_a_valid_header_exit_1_and_unchanged(cli, tmp_path: Path):
    path = tmp_path / "damaged.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    data = bytearray(path.read_bytes())
    data[100:] = os.urandom(len(data) - 100)  # keep the 100-byte header, scramble every page
    path.write_bytes(bytes(data))
    before = digest(path)
    result = cli("--db", path, "inspector", "add", "李明")
    assert result.exit_code == 1
    assert str(path) in result.stderr and "Traceback" not in result.output
    assert digest(path) == before


def test_newer_database_exit_1_and_unchanged(cli, tmp_path: Path):
    path = tmp_path / "newer.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = digest(path)
    result = cli("--db", path, "inspector", "add", "李明")
    assert result.exit_code == 1
    assert "newer" in result.stderr
    assert f"schema 99, this version knows {schema.SCHEMA_VERSION}" in result.stderr
    assert digest(path) == before


def test_other_sqlite_file_exit_1_and_unchanged(cli, tmp_path: Path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE accounts (id INTEGER, balance REAL)")
    conn.execute("INSERT INTO accounts VALUES (1, 10.5)")
    conn.commit()
    conn.close()
    before = digest(path)
    result = cli("--db", path, "school", "import", Path(__file__).parent / "conftest.py")
    assert result.exit_code == 2  # the roster is checked before the database is opened
    result = cli("--db", path, "inspector", "add", "李明")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {path}: an SQLite file that is not a nanxian database; nothing was changed"
    assert digest(path) == before
    assert tables(path) == {"accounts"}


def test_other_sqlite_file_with_user_version_exit_1(cli, tmp_path: Path):
    path = tmp_path / "versioned.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    before = digest(path)
    result = cli("--db", path, "inspector", "list")
    assert result.exit_code == 1
    assert "not a nanxian database" in result.stderr
    assert digest(path) == before


def test_empty_file_becomes_a_database(cli, tmp_path: Path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    result = cli("--db", path, "inspector", "add", "李明")
    assert result.exit_code == 0, result.output
    assert EXPECTED_TABLES <= tables(path)


def test_database_path_under_a_regular_file_exit_1(cli, tmp_path: Path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    result = cli("--db", blocker / "sub" / "x.db", "inspector", "add", "李明")  # a read-only command creates nothing
    assert result.exit_code == 1
    assert "cannot create the database" in result.stderr
    assert blocker.read_text() == "x"


def test_database_path_is_a_directory_exit_1(cli, tmp_path: Path):
    result = cli("--db", tmp_path, "inspector", "list")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {tmp_path}: is a directory, expected a database file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_folder_exit_1(cli, tmp_path: Path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = cli("--db", folder / "x.db", "inspector", "list")
        assert result.exit_code == 1
        assert "permission denied" in result.stderr
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


# -- integrity rules in the schema ------------------------------------------------------------------

def _visit(conn: sqlite3.Connection) -> str:
    conn.execute(
        "INSERT INTO schools (code, name, town, stages, initials, created_at, updated_at) "
        "VALUES ('S1', 'School', '', 'primary', '', 'now', 'now')"
    )
    conn.execute(
        "INSERT INTO checklist_versions (hash, checklist_id, version, kind, content, first_seen) "
        "VALUES ('h1', 'c1', '1', 'routine', '{}', 'now')"
    )
    conn.execute(
        "INSERT INTO visits (id, seq, school_code, checklist_id, checklist_hash, date, inspector, status, created_at) "
        "VALUES ('v1', 1, 'S1', 'c1', 'h1', '2020-11-02', 'x', 'draft', 'now')"
    )
    conn.execute(
        "INSERT INTO answers (visit_seq, item_id, revision, value, outcome, recorded_at) "
        "VALUES (1, 'i1', 1, 'true', 'pass', 'now')"
    )
    return "v1"


def test_answers_are_append_only(tmp_path: Path):
    with open_store(tmp_path / "a.db") as store:
        with store.transaction() as conn:
            _visit(conn)
        conn = store.conn
        with pytest.raises(sqlite3.IntegrityError, match="answers are append-only"):
            conn.execute("UPDATE answers SET outcome = 'fail'")
        with pytest.raises(sqlite3.IntegrityError, match="answers are append-only"):
            conn.execute("DELETE FROM answers")
        assert [tuple(r) for r in store.query("SELECT item_id, revision, outcome FROM answers")] == [("i1", 1, "pass")]
        # a correction is a new revision
        conn.execute(
            "INSERT INTO answers (visit_seq, item_id, revision, value, outcome, recorded_at) "
            "VALUES (1, 'i1', 2, 'false', 'fail', 'now')"
        )
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO answers (visit_seq, item_id, revision, value, outcome, recorded_at) "
                "VALUES (1, 'i1', 2, 'true', 'pass', 'now')"
            )


def test_foreign_keys_are_enforced(tmp_path: Path):
    with open_store(tmp_path / "fk.db") as store:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            store.conn.execute(
                "INSERT INTO visits (id, seq, school_code, checklist_id, checklist_hash, date, inspector, status, "
                "created_at) VALUES ('v1', 1, 'nosuch', 'c1', 'nohash', '2020-11-02', 'x', 'draft', 'now')"
            )
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):  # answers of a visit number nobody has
            store.conn.execute(
                "INSERT INTO answers (visit_seq, item_id, revision, value, outcome, recorded_at) "
                "VALUES (7, 'i1', 1, 'true', 'pass', 'now')"
            )


def test_visit_numbers_are_required_unique_and_fixed(tmp_path: Path):
    with open_store(tmp_path / "seq.db") as store:
        with store.transaction() as conn:
            _visit(conn)
        insert = ("INSERT INTO visits (id, seq, school_code, checklist_id, checklist_hash, date, inspector, status, "
                  "created_at) VALUES (?, ?, 'S1', 'c1', 'h1', '2020-11-02', 'x', 'draft', 'now')")
        with pytest.raises(sqlite3.IntegrityError, match="visits.seq is required"):
            store.conn.execute(insert, ("v2", None))
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            store.conn.execute(insert, ("v2", 1))
        with pytest.raises(sqlite3.IntegrityError, match="visits.seq never changes"):
            store.conn.execute("UPDATE visits SET seq = 5 WHERE id = 'v1'")
        assert [tuple(r) for r in store.query("SELECT id, seq FROM visits")] == [("v1", 1)]


def test_one_open_finding_per_school_and_point(tmp_path: Path):
    with open_store(tmp_path / "f.db") as store:
        with store.transaction() as conn:
            _visit(conn)
        insert = (
            "INSERT INTO findings (uid, school_code, point_key, item_id, checklist_id, checklist_hash, severity, "
            "opened, due, status, visit_id, created_at) "
            "VALUES (?, 'S1', 'c1/i1', 'i1', 'c1', 'h1', 'major', '2020-11-02', '2020-12-02', ?, 'v1', 'now')"
        )
        store.conn.execute(insert, ("f1", "open"))
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            store.conn.execute(insert, ("f2", "open"))
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            store.conn.execute(insert, ("f3", "reported"))  # reported is still in progress
        store.conn.execute(insert, ("f4", "resolved"))


def test_transaction_rolls_back_on_error(tmp_path: Path):
    with open_store(tmp_path / "t.db") as store:
        with pytest.raises(RuntimeError):
            with store.transaction() as conn:
                conn.execute("INSERT INTO inspectors (name, created_at) VALUES ('a', 'now')")
                raise RuntimeError("boom")
        assert store.one("SELECT count(*) FROM inspectors")[0] == 0
        assert not store.conn.in_transaction


def test_concurrent_writers_on_a_fresh_file_lose_nothing(tmp_path: Path):
    """Four processes open the same new file at once (all racing to migrate it) and each add 25 inspectors."""
    path = tmp_path / "shared.db"
    code = textwrap.dedent("""
        import sys
        from pathlib import Path
        from nanxian_cli.services.people import add_inspector
        from nanxian_cli.store import open_store
        worker = sys.argv[1]
        for i in range(25):
            with open_store(Path(sys.argv[2])) as store:
                assert add_inspector(store, f"w{worker}-{i}")
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code, str(n), str(path)], stderr=subprocess.PIPE, text=True)
             for n in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM inspectors").fetchone()[0] == 100
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(schema.MIGRATIONS)
    finally:
        conn.close()


# -- stored checklist versions ----------------------------------------------------------------------

CHECKLIST = """\
id: kept
version: 3
title: {zh: 留存, en: Kept}
kind: special
items:
  - {id: k-1, text: {zh: 一, en: one}, plan: [1, 2], type: yesno}
  - {id: k-2, text: two, plan: [21], type: number, max: 55, severity: critical, weight: 2}
"""


def test_checklist_version_is_kept_exactly_and_once(tmp_path: Path):
    from nanxian_cli.files.checklist_file import checklist_from_snapshot, load_checklist
    from nanxian_cli.files.yaml import canonical_json, content_hash
    from nanxian_cli.store.checklists import checklist_content, save_checklist_version

    path = tmp_path / "kept.yaml"
    path.write_text(CHECKLIST, encoding="utf-8")
    loaded = load_checklist(path)
    with open_store(tmp_path / "v.db") as store:
        for _ in range(2):
            with store.transaction() as conn:
                save_checklist_version(conn, loaded, "2020-11-02T00:00:00+00:00",
                                       {"k-1": "kept/k-1", "k-2": "kept/k-2"})
        assert store.one("SELECT count(*) FROM checklist_versions")[0] == 1
        row = store.one("SELECT checklist_id, version, kind, title_zh, title_en FROM checklist_versions")
        assert tuple(row) == ("kept", "3", "special", "留存", "Kept")
        items = [tuple(r) for r in store.query(
            "SELECT item_id, position, type, severity, weight FROM checklist_items ORDER BY position")]
        assert items == [("k-1", 0, "yesno", "major", 1.0), ("k-2", 1, "number", "critical", 2.0)]
        plan = [tuple(r) for r in store.query("SELECT item_id, plan_item FROM checklist_item_plan ORDER BY 1, 2")]
        assert plan == [("k-1", 1), ("k-1", 2), ("k-2", 21)]
        content = checklist_content(store, loaded.hash)

    # the file changes later; the stored version still rebuilds the exact checklist of old visits
    path.write_text(CHECKLIST.replace("max: 55", "max: 45"), encoding="utf-8")
    assert load_checklist(path).hash != loaded.hash
    assert content == loaded.canonical
    rebuilt = checklist_from_snapshot(content)
    assert rebuilt == loaded.checklist
    assert rebuilt.items[1].max == 55
    assert (content_hash(canonical_json(rebuilt.model_dump(mode="json", by_alias=True, exclude_none=True)))
            == loaded.hash)


def test_plan_items_stored_and_refreshed(tmp_path: Path):
    from nanxian_cli.files.checklist_file import load_plan
    from nanxian_cli.store.checklists import ensure_plan, plan_items_stored

    plan = load_plan()
    with open_store(tmp_path / "plan.db") as store:
        for _ in range(2):
            with store.transaction() as conn:
                ensure_plan(conn, plan)
        assert plan_items_stored(store) == 21
        numbers = [r[0] for r in store.query("SELECT number FROM plan_items ORDER BY number")]
        sections = {r[0] for r in store.query("SELECT section FROM plan_items")}
    assert numbers == list(range(1, 22))
    assert sections == {1, 2, 3, 4, 5}


def test_another_tools_schema_migrations_table_is_not_ours(cli, tmp_path: Path):
    """A Rails-style database also has `schema_migrations`; it must be left byte-for-byte alone."""
    path = tmp_path / "rails.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_migrations (version VARCHAR PRIMARY KEY)")
    conn.execute("INSERT INTO schema_migrations VALUES ('20200101000000')")
    conn.execute("CREATE TABLE users (id INTEGER)")
    conn.commit()
    conn.close()
    before = digest(path)
    result = cli("--db", path, "inspector", "add", "李明")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {path}: an SQLite file that is not a nanxian database; nothing was changed"
    assert digest(path) == before
    assert siblings(path) == ["rails.db"]


def test_store_messages_in_chinese(cli, tmp_path: Path):
    path = tmp_path / "newer.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    result = cli("--lang", "zh", "--db", path, "inspector", "list")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"错误: {path}：数据库由更新版本的 nanxian 写入（结构版本 99，本版本只认识 {schema.SCHEMA_VERSION}）；"
        "请升级 nanxian。未做任何改动。"
    )


def test_an_sqlite_too_old_for_the_schema_is_refused_before_anything_is_made(cli, tmp_path, monkeypatch):
    """Python built with an SQLite older than 3.33 (no UPDATE … FROM, which the roll-up triggers use): a clear
    message, exit 1, and no database file made."""
    import sqlite3

    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.31.1")
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "new.db"
    result = cli("--db", path, "--lang", "en", "school", "list")
    assert result.exit_code == 1
    assert "this Python's SQLite is version 3.31.1; nanxian needs 3.33.0 or newer; nothing was changed" in result.stderr
    assert list(folder.iterdir()) == []
    zh = cli("--db", path, "--lang", "zh", "inspector", "add", "李明")
    assert zh.exit_code == 1 and "此 Python 带的 SQLite 是 3.31.1 版，南县督导需要 3.33.0 或更新的版本" in zh.stderr
    assert list(folder.iterdir()) == []
