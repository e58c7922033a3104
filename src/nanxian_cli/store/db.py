"""Opening the database: file mode 0600, WAL, busy timeout, foreign keys, ordered migrations.

Read paths use the stdlib `sqlite3` only; `sqlite_utils` is imported when a migration has to run
(it costs ~100 ms of start-up).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nanxian_cli.core.words import Words
from nanxian_cli.errors import StoreError

BUSY_TIMEOUT_MS = 30_000


def _create_private_file(path: Path) -> None:
    """Create an empty database file readable by its owner only (it holds named people's records)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except FileExistsError:
        return
    except PermissionError:
        raise StoreError(Words(f"{path}：无权在此创建数据库",
                               f"{path}: cannot create the database here: permission denied")) from None
    except OSError as exc:
        raise StoreError(Words(f"{path}：无法创建数据库：{exc.strerror or exc}",
                               f"{path}: cannot create the database: {exc.strerror or exc}")) from None


class Store:
    """A connection to the nanxian database with explicit, short transactions."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    # -- transactions ---------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with BEGIN IMMEDIATE so writers queue instead of failing."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None
        try:
            yield self.conn
        except sqlite3.Error as exc:
            # The first error is the one to report: a ROLLBACK failing too (the disk that failed the
            # statement) must not replace it. A full disk or an I/O error is named with its file.
            rollback_quietly(self.conn)
            named = disk_error(self.path, exc)
            if named is None:
                raise
            raise named from None
        except BaseException:
            rollback_quietly(self.conn)
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                rollback_quietly(self.conn)
                raise _store_error(self.path, exc) from None

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        try:
            return self.conn.execute(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def rollback_quietly(conn: sqlite3.Connection) -> None:
    """End a transaction after a failure. SQLite may already have rolled it back itself (a full disk or
    an I/O error does that), and a ROLLBACK that fails as well must not hide the error that caused it."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


# Extended result codes that name the shared-memory index (`-shm`) rather than the database or its log.
_SHM_ERRORS = ("SQLITE_IOERR_SHMOPEN", "SQLITE_IOERR_SHMSIZE", "SQLITE_IOERR_SHMMAP", "SQLITE_IOERR_SHMLOCK")


def disk_error(path: Path, exc: Exception) -> StoreError | None:
    """A full disk or an I/O error, named with the file it concerns; None for any other error."""
    text = str(exc)
    name = getattr(exc, "sqlite_errorname", None) or ""
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return StoreError(Words(f"{path}：磁盘已满，数据库无法写入（{text}）；未做任何改动",
                             f"{path}: disk full: the database cannot be written ({text}); nothing was changed"))
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        code = f"{name}: " if name else ""
        if name in _SHM_ERRORS:
            shm = Path(f"{path}-shm")
            return StoreError(Words(f"{shm}：数据库共享内存文件读写错误（{code}{text}）；磁盘是否已满？未做任何改动",
                                 f"{shm}: I/O error on the database's shared-memory file ({code}{text}); "
                                 f"is the disk full? Nothing was changed"))
        return StoreError(Words(f"{path}：数据库或其 -wal 文件读写错误（{code}{text}）；"
                                "磁盘是否已满或损坏？未做任何改动",
                             f"{path}: I/O error on the database or its -wal file ({code}{text}); is the disk "
                             f"full or failing? Nothing was changed"))
    return None


def _store_error(path: Path, exc: Exception) -> StoreError:
    text = str(exc)
    named = disk_error(path, exc)
    if named is not None:
        return named
    if "not a database" in text or "malformed" in text:
        return StoreError(Words(f"{path}：不是南县督导数据库或文件已损坏（{text}）；未做任何改动",
                                f"{path}: the file is not a nanxian database or is damaged ({text}); "
                                "nothing was changed"))
    if "readonly" in text or "read-only" in text:
        return StoreError(Words(f"{path}：数据库只读（{text}）", f"{path}: the database is read-only ({text})"))
    if "locked" in text or "busy" in text:
        return StoreError(Words(f"{path}：数据库忙碌超过 {BUSY_TIMEOUT_MS // 1000} 秒（{text}）；请重试",
                                f"{path}: the database stayed busy for {BUSY_TIMEOUT_MS // 1000} s ({text}); "
                                "try again"))
    if "unable to open" in text:
        return StoreError(Words(f"{path}：无法打开数据库（{text}）", f"{path}: cannot open the database ({text})"))
    return StoreError(Words(f"{path}：数据库错误：{text}", f"{path}: database error: {text}"))


MIN_SQLITE = (3, 33, 0)
"""The oldest SQLite the schema works with: the roll-up triggers of m012 use UPDATE … FROM (SQLite 3.33)."""


def open_store(path: Path, *, create: bool = True, on_upgrade: Callable[[int, int], None] | None = None) -> Store:
    """Open (and if needed create and migrate) the database at `path`.

    `create=False` is for read-only commands: a missing file is reported instead of created.
    `on_upgrade(old, new)` is called before an existing database is migrated from schema `old` to `new`
    (some migrations rebuild tables: seconds on a large file), so the caller can say why it waits.
    """
    from nanxian_cli.files.outputs import protect_database
    from nanxian_cli.store.schema import SCHEMA_VERSION, migrate

    path = Path(path)
    if sqlite3.sqlite_version_info < MIN_SQLITE:  # before anything is made or changed
        need = ".".join(map(str, MIN_SQLITE))
        raise StoreError(Words(f"此 Python 带的 SQLite 是 {sqlite3.sqlite_version} 版，南县督导需要 {need} 或更新的"
                               "版本；未做任何改动（较新的 Python 3.11 安装包带有更新的 SQLite）",
                               f"this Python's SQLite is version {sqlite3.sqlite_version}; nanxian needs {need} or "
                               "newer; nothing was changed (a newer Python 3.11 build bundles a newer SQLite)"))
    protect_database(path)  # no output of this run may replace it or the files beside it
    if path.is_dir():
        raise StoreError(Words(f"{path}：是文件夹，应为数据库文件",
                               f"{path}: is a directory, expected a database file"))
    existed = path.exists()
    if not create and (not existed or _zero_length(path)):
        # A read-only command never creates a database or a folder, nor turns an empty file into one.
        raise _no_database_yet(path)
    if not existed:
        _create_private_file(path)
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise _store_error(path, exc) from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        # One read transaction, so a process migrating the same new file cannot change the answers midway.
        conn.execute("BEGIN")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            empty = _is_empty(conn)
            ours = not empty and _looks_like_ours(conn)
        except BaseException:
            # e.g. no room for the `-shm` file: SQLite ended the transaction already, and a COMMIT here
            # would fail with "no transaction is active" in place of the real cause
            rollback_quietly(conn)
            raise
        conn.execute("COMMIT")
        if empty and not create:  # an SQLite file with nothing in it yet: read-only commands leave it as it is
            conn.close()
            raise _no_database_yet(path)
        # A nanxian file is either empty or at user_version >= 1 with our migration log (m001 sets both at once).
        if not empty and (version == 0 or not ours):
            conn.close()
            raise StoreError(Words(f"{path}：这是一个 SQLite 文件，但不是南县督导数据库；未做任何改动",
                                   f"{path}: an SQLite file that is not a nanxian database; nothing was changed"))
        if version > SCHEMA_VERSION:
            conn.close()
            raise StoreError(Words(
                f"{path}：数据库由更新版本的 nanxian 写入（结构版本 {version}，本版本只认识 {SCHEMA_VERSION}）；"
                "请升级 nanxian。未做任何改动。",
                f"{path}: the database was written by a newer nanxian (schema {version}, this version knows "
                f"{SCHEMA_VERSION}); upgrade nanxian. Nothing was changed.",
            ))
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        if version < SCHEMA_VERSION:
            if version >= 1 and on_upgrade is not None:
                on_upgrade(version, SCHEMA_VERSION)
            migrate(conn, path)
    except StoreError:
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise _store_error(path, exc) from None
    return Store(conn, path)


def _zero_length(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _no_database_yet(path: Path) -> StoreError:
    return StoreError(Words(f"{path}：尚无数据库（请先导入学校名册或记录一次督导）",
                         f"{path}: no database yet (import a roster or record a visit first)"))


def _is_empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def _looks_like_ours(conn: sqlite3.Connection) -> bool:
    """Our migration log with our first migration in it (other tools have `schema_migrations` tables too)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'").fetchone() is None:
        return False
    try:
        return conn.execute("SELECT 1 FROM schema_migrations WHERE name = 'm001_initial'").fetchone() is not None
    except sqlite3.OperationalError:  # a `schema_migrations` table without our columns
        return False
