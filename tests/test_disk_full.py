"""A full disk is named (issue 11): the first error, with its file, exit 1, nothing half written.

With the disk nearly full, SQLite fails a statement with SQLITE_FULL or SQLITE_IOERR and rolls the transaction
back itself; the COMMIT that followed then failed with "cannot commit - no transaction is active", which was
all the user saw. These tests run the real console entry in a child process whose files cannot grow past a
few bytes (RLIMIT_FSIZE: the `-shm` file, the `-wal` log or an output cannot be written) or whose database may
not grow (`PRAGMA max_page_count`: SQLITE_FULL).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from test_output_safety import county, disk  # noqa: F401
from visit_helpers import FULL, answers_file, counts, vdir  # noqa: F401

resource = pytest.importorskip("resource")


def _run_limited(tmp_path: Path, args: list, *, file_size: int | None = None, max_pages: bool = False,
                 env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real console entry in a child process whose files cannot grow past `file_size` bytes (a
    nearly full disk), or whose connections may not grow the database (`PRAGMA max_page_count`: SQLITE_FULL)."""
    import signal

    def limit() -> None:
        if file_size is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    launcher = (
        "import sqlite3, sys\n"
        "if sys.argv[1] == 'full':\n"
        "    real = sqlite3.connect\n"
        "    def connect(*a, **k):\n"
        "        conn = real(*a, **k)\n"
        "        conn.execute('PRAGMA max_page_count = ' + str(conn.execute('PRAGMA page_count').fetchone()[0]))\n"
        "        return conn\n"
        "    sqlite3.connect = connect\n"
        "sys.argv = ['nanxian'] + sys.argv[2:]\n"
        "from nanxian_cli.cli import main\n"
        "main()\n"
    )
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-c", launcher, "full" if max_pages else "-", *map(str, args)],
                          capture_output=True, text=True, cwd=tmp_path, env=full_env, preexec_fn=limit, timeout=120)


def _school_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM schools").fetchone()[0]
    finally:
        conn.close()


def _big_roster(tmp_path: Path) -> Path:
    path = tmp_path / "big.yaml"
    path.write_text("".join(f"- {{code: NX-{i}, name: 第{i}号测试学校（名字写得长一些占空间）, town: 南洲镇, "
                            f"stages: primary}}\n" for i in range(100, 700)), encoding="utf-8")
    return path


def test_no_room_for_the_shm_file_names_it_not_a_commit_error(county, tmp_path: Path):
    db = county["db"]
    assert not Path(f"{db}-shm").exists()
    kept = db.read_bytes()
    done = _run_limited(tmp_path, ["school", "list"], file_size=1000)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"Error: {db}-shm: I/O error on the database's shared-memory file "
                                  "(SQLITE_IOERR_SHMSIZE: disk I/O error); is the disk full?"), done.stderr
    assert "no transaction is active" not in done.stderr and "Traceback" not in done.stderr
    assert db.read_bytes() == kept
    done = _run_limited(tmp_path, ["school", "list", "--format", "json"])  # room again: all is there
    assert done.returncode == 0 and len(json.loads(done.stdout)) == 5


def test_a_write_that_cannot_grow_the_log_names_it_and_writes_nothing(county, tmp_path: Path):
    db = county["db"]
    rows = counts(db)
    done = _run_limited(tmp_path, ["school", "import", _big_roster(tmp_path)], file_size=40_000)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"Error: {db}: I/O error on the database or its -wal file "
                                  "(SQLITE_IOERR_WRITE: disk I/O error); is the disk full or failing?"), done.stderr
    assert "no transaction is active" not in done.stderr
    assert _school_count(db) == 5 and counts(db) == rows


def test_a_full_database_is_named_and_nothing_is_half_written(county, tmp_path: Path):
    db = county["db"]
    rows = counts(db)
    done = _run_limited(tmp_path, ["school", "import", _big_roster(tmp_path)], max_pages=True)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"Error: {db}: disk full: the database cannot be written "
                                  "(database or disk is full); nothing was changed"), done.stderr
    assert _school_count(db) == 5 and counts(db) == rows
    answers = answers_file(tmp_path, {**FULL, "t-remarks": "很长的备注" * 790}, name="long.yaml", date="2020-11-05")
    done = _run_limited(tmp_path, ["inspect", "visit", "--answers", answers], max_pages=True)
    assert done.returncode == 1 and f"Error: {db}: disk full" in done.stderr, done.stderr
    assert counts(db) == rows  # not one row of the visit


def test_an_output_that_does_not_fit_is_named_and_the_old_file_stays(tmp_path: Path):
    out = tmp_path / "checklists.json"
    out.write_text("old\n", encoding="utf-8")
    before = disk(tmp_path)
    done = _run_limited(tmp_path, ["checklist", "list", "--format", "json", "--output", out], file_size=1000)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == (f"Error: {out}: file too large for this file system or limit (File too large); "
                                   "nothing was written")
    assert disk(tmp_path) == before  # the old file as it was, no temporary file left, no database made
