"""Read-only commands create nothing (issue 11; DESIGN.md, interface contract version 2, General).

A read-only command never creates a database or a folder and never writes into an empty file at the database
path (no WAL switch, no schema, no `-wal`/`-shm` left beside it): exit 1, "no database yet", the disk exactly
as it was.
"""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from test_output_safety import county, disk  # noqa: F401
from visit_helpers import vdir  # noqa: F401

READ_ONLY = [
    ["school", "list"],
    ["school", "show", "NX-001"],
    ["inspector", "list"],
    ["inspect", "list"],
    ["inspect", "show", "12345678"],
    ["finding", "list"],
    ["finding", "list", "--overdue", "--format", "json"],
    ["report", "summary"],
    ["report", "matrix"],
    ["report", "school", "NX-001"],
    ["report", "item", "21"],
    ["report", "visit", "12345678"],
    ["report", "digest", "--week", "2020-W45"],
    ["evidence", "list"],
    ["evidence", "list", "--format", "json"],
    ["evidence", "verify"],
]


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_a_read_only_command_creates_no_database_and_no_folder(cli, tmp_path: Path, command):
    before = disk(tmp_path)
    missing = tmp_path / "nodir" / "x.db"
    result = cli("--db", missing, *command)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == f"Error: {missing}: no database yet (import a roster or record a visit first)"
    assert disk(tmp_path) == before  # no `nodir`, no file


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_a_read_only_command_leaves_an_empty_file_as_it_is(cli, tmp_path: Path, command, monkeypatch):
    """A 0-byte file where the database should be: no WAL switch, no schema, no -wal or -shm beside it."""
    db = tmp_path / "empty.db"
    db.write_bytes(b"")
    monkeypatch.setenv("NANXIAN_DB", str(db))
    before = disk(tmp_path)
    result = cli(*command)
    assert result.exit_code == 1, result.output
    assert f"{db}: no database yet" in result.stderr
    assert disk(tmp_path) == before and db.stat().st_size == 0


def test_a_read_only_command_leaves_an_sqlite_file_without_tables_as_it_is(cli, tmp_path: Path, monkeypatch):
    db = tmp_path / "blank.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 0")
    conn.execute("VACUUM")  # a valid SQLite header, no tables, rollback journal
    conn.close()
    monkeypatch.setenv("NANXIAN_DB", str(db))
    before = disk(tmp_path)
    for command in (["school", "list"], ["report", "summary"]):
        result = cli(*command)
        assert result.exit_code == 1 and "no database yet" in result.stderr, result.output
    assert disk(tmp_path) == before


def test_a_read_only_command_on_a_database_leaves_nothing_beside_it(cli, county, tmp_path: Path):
    before = disk(tmp_path)
    for command in READ_ONLY:
        result = cli(*[county["visit"] if a == "12345678" else a for a in command])
        assert result.exit_code in (0, 2), (command, result.output)
    assert disk(tmp_path) == before  # the database's bytes, no -wal or -shm left, nothing new


def test_a_writing_command_still_creates_the_database_and_its_folder(cli, tmp_path: Path):
    path = tmp_path / "new" / "x.db"
    result = cli("--db", path, "inspector", "add", "李明")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    result = cli("--db", path, "inspector", "list", "--format", "json")
    assert result.exit_code == 0 and [i["name"] for i in json.loads(result.stdout)] == ["李明"]
