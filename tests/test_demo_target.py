"""`demo` builds where the global --db says, refuses a file it did not make, validates everything before
it deletes anything, and two runs on one path are serialised by a lock beside the database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from nanxian_cli.services import demo as core

SMALL = ["--schools", "6", "--visits-per-year", "4"]


def scalar(db: Path, sql: str):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def files_beside(path: Path) -> dict[str, bytes]:
    """The database and every file next to it whose name starts with it (-wal, -shm, locks), and every file in
    a folder so named (the evidence folder, the demo's photos)."""
    found = {}
    for p in sorted(path.parent.iterdir()):
        if not p.name.startswith(path.name):
            continue
        if p.is_dir():
            found.update({str(f.relative_to(path.parent)): f.read_bytes() for f in sorted(p.rglob("*")) if f.is_file()})
        else:
            found[p.name] = p.read_bytes()
    return found


@pytest.fixture(autouse=True)
def xdg(tmp_path: Path, monkeypatch) -> Path:
    """The default demo file, inside the test's folder (never the user's data directory)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "nanxian" / "demo.db"


def test_global_db_names_the_demo_target(cli, tmp_path: Path, db_path: Path, xdg: Path):
    target = tmp_path / "county" / "demo.db"
    result = cli("--db", target, "demo", *SMALL)
    assert result.exit_code == 0, result.output
    assert core.is_demo_database(target)
    assert scalar(target, "SELECT count(*) FROM visits") == 24
    assert f"Demo database: {target}" in result.stdout
    assert not xdg.exists()  # not the default demo file
    assert not db_path.exists()  # nor the database NANXIAN_DB names
    # and again: the global option's file is rebuilt, not doubled
    result = cli("--db", target, "demo", *SMALL)
    assert result.exit_code == 0, result.output
    assert "Rebuilding the demo database from scratch" in result.stderr
    assert scalar(target, "SELECT count(*) FROM visits") == 24


def test_both_db_options_must_agree(cli, tmp_path: Path, xdg: Path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    result = cli("--db", a, "demo", "--db", b, *SMALL)
    assert result.exit_code == 2
    assert f"--db names two different files: {a} and {b}; give one" in result.stderr
    assert not a.exists() and not b.exists() and not xdg.exists()
    result = cli("--db", a, "demo", "--db", a, *SMALL)
    assert result.exit_code == 0, result.output
    assert core.is_demo_database(a)


def test_global_db_holding_real_data_is_refused(cli, schools, db_path: Path, tmp_path: Path, xdg: Path):
    copy = tmp_path / "office" / "nanxian.db"
    copy.parent.mkdir()
    copy.write_bytes(db_path.read_bytes())
    before = files_beside(copy)
    result = cli("--db", copy, "demo", *SMALL)
    assert result.exit_code == 2
    assert (f"Error: {copy}: exists and is not a demo database; nothing was changed (choose another file)"
            in result.stderr)
    assert files_beside(copy) == before  # not even a lock file beside it
    assert scalar(copy, "SELECT count(*) FROM schools") == 5
    assert not xdg.exists()


def test_global_db_that_is_the_real_database_is_refused(cli, db_path: Path, xdg: Path):
    # NANXIAN_DB names the real database (nothing in it yet): `--db` naming the same file is not a demo target
    result = cli("--db", db_path, "demo", *SMALL)
    assert result.exit_code == 2
    assert "this is the real database" in result.stderr
    assert not db_path.exists()
    assert not xdg.exists()
    # NANXIAN_DB alone is not a demo target either: without --db the demo goes to its own default file
    result = cli("demo", *SMALL)
    assert result.exit_code == 0, result.output
    assert core.is_demo_database(xdg)
    assert not db_path.exists()


def _old_demo(cli, target: Path) -> dict[str, bytes]:
    assert cli("demo", "--db", target, *SMALL).exit_code == 0
    return files_beside(target)


@pytest.mark.parametrize("problem", ["missing", "invalid", "empty"])
def test_bad_checklists_are_found_before_the_old_demo_is_deleted(cli, tmp_path: Path, problem: str):
    target = tmp_path / "demo.db"
    before = _old_demo(cli, target)
    folder = tmp_path / "cl"
    if problem != "missing":
        folder.mkdir()
    if problem == "invalid":
        (folder / "bad.yaml").write_text("id: bad\nversion: 1\ntitle: Bad\nkind: routine\nitems: [{id: x}]\n",
                                         encoding="utf-8")
    result = cli("--checklists", folder, "demo", "--db", target, *SMALL)
    assert result.exit_code == 2, result.output
    message = {"missing": "checklist folder not found", "invalid": "invalid checklists",
               "empty": "no checklist files (*.yaml, *.yml) in this folder"}[problem]
    assert message in result.stderr
    assert files_beside(target) == before  # the old demo untouched, nothing half-built
    assert scalar(target, "SELECT count(*) FROM visits") == 24


def test_two_demos_at_once_on_one_path_are_serialised(tmp_path: Path):
    import fcntl
    import time

    target = tmp_path / "shared" / "demo.db"
    target.parent.mkdir()
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg"))  # never a default file outside the test
    args = [sys.executable, "-m", "nanxian_cli", "demo", "--db", str(target), "--schools", "40",
            "--visits-per-year", "12"]
    # Hold the demo's lock while both start, so they certainly meet at it; then let them go.
    lock = os.open(str(target) + ".demo-lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)]
        time.sleep(3)
        assert not target.exists()  # neither has touched the target while the lock is held
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        results.append((p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")))
    assert [r[0] for r in results] == [0, 0], results
    for _, _, err in results:
        assert "Traceback" not in err
    # they waited, said so, and ran one after the other: the second rebuilt what the first had made
    assert any(f"Another demo run is building {target}; waiting for it" in err for _, _, err in results), results
    assert sum("Rebuilding the demo database from scratch" in err for _, _, err in results) == 1, results
    assert core.is_demo_database(target)
    assert scalar(target, "PRAGMA integrity_check") == "ok"
    assert scalar(target, "SELECT count(*) FROM schools") == 40
    assert scalar(target, "SELECT count(*) FROM inspectors") == 8
    assert scalar(target, "SELECT count(*) FROM visits") == 480
    assert scalar(target, "SELECT count(DISTINCT id) FROM visits") == 480
    assert not (tmp_path / "xdg").exists()
