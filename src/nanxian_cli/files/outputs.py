"""Where an output file may never go (DESIGN.md, invariant 8).

An output (`--output`, a digest file, later bundles and exported evidence) must not replace the database,
the files SQLite and nanxian keep beside it (`-wal`, `-shm`, `-journal`, the digest's lock), the database's
evidence folder or anything in it, or a file the same command reads (an answers file, a roster, a checklist,
the config file). Such a path is refused (exit 2) before anything is written.

The paths are collected as a run goes, so no command has to list them: the global options name the
database (`cli.runtime.apply_global_options` starts each run with `reset(db)`), the store adds every database
it opens, and the file readers add every file they read. Every writer of an output file asks
`check_output` (`write_output` does, always; a command that writes to the database before its
output asks once more up front). Paths are compared as real paths (symlinks and `..` resolved) and, for
files that exist, as the same file on disk (hard links).

Stdlib only, nothing heavy: the digest's fast path uses it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from nanxian_cli.errors import InputError, RuntimeFailure
from nanxian_cli.i18n import tr

# Files kept beside a database `x.db`: SQLite's write-ahead log, its shared-memory index and its rollback
# journal (`x.db-wal`, `x.db-shm`, `x.db-journal`), and the digest's delivery lock (`x.db.digest-lock`,
# store/digest.py).
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
DIGEST_LOCK_SUFFIX = ".digest-lock"
DEMO_LOCK_SUFFIX = ".demo-lock"
DRAFT_LOCK_PREFIX, DRAFT_LOCK_SUFFIX = ".draft-", ".lock"  # `x.db.draft-<visit UUID>.lock` (store/locks.py)
EVIDENCE_SUFFIX = ".evidence"


def evidence_dir(db_path: Path) -> Path:
    """The evidence folder of a database: `<db file name>.evidence/` beside it."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + EVIDENCE_SUFFIX)


def digest_lock_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + DIGEST_LOCK_SUFFIX)


class _Protected(NamedTuple):  # immutable; a NamedTuple is cheaper to define than a frozen dataclass
    real: str  # the real path
    kind: str  # database | wal | shm | journal | lock | evidence | input
    shown: str  # the path as given, for the message
    tree: bool = False  # a folder: everything inside it is refused too
    family: bool = False  # `real` is a prefix: every file of the folder whose name starts with it and ends
    # with DRAFT_LOCK_SUFFIX (the per-draft lock files)


_protected: list[_Protected] = []


def reset(db_path: Path | None = None) -> None:
    """Forget the paths of an earlier run (one process may run several commands: tests, the demo)."""
    _protected.clear()
    if db_path is not None:
        protect_database(db_path)


def _real(path: Path | str) -> str:
    return os.path.realpath(os.path.abspath(os.path.expanduser(os.fspath(path))))


def _add(path: Path | str, kind: str, tree: bool = False, family: bool = False) -> None:
    entry = _Protected(_real(path), kind, os.fspath(path), tree, family)
    if entry not in _protected:
        _protected.append(entry)


def protect_database(db_path: Path) -> None:
    """The database and everything kept beside it: beside the path as given and beside its real path
    (SQLite follows a symlinked database and keeps its `-wal`/`-shm` beside the real file)."""
    given = Path(os.path.expanduser(os.fspath(db_path)))
    for base in dict.fromkeys([given, Path(_real(given))]):
        _add(base, "database")
        for suffix in SQLITE_COMPANIONS:
            _add(base.with_name(base.name + suffix), suffix.lstrip("-"))
        _add(digest_lock_path(base), "lock")
        _add(base.with_name(base.name + DEMO_LOCK_SUFFIX), "lock")
        _add(base.with_name(base.name + DRAFT_LOCK_PREFIX), "lock", family=True)
        _add(evidence_dir(base), "evidence", tree=True)
        # `x.evidence/` beside `x.db` as well: nothing else should ever be written there either
        if base.suffix:
            _add(base.with_name(base.stem + EVIDENCE_SUFFIX), "evidence", tree=True)


def protect_input(path: Path) -> None:
    """A file this command reads: its output must not replace it."""
    _add(path, "input")


def check_output(output: Path | str, option: str = "--output") -> Path:
    """Refuse (InputError, exit 2) an output path that is, or leads to, a protected path; return its real path
    (the file a writer should replace: a symlink is written through, never turned into a copy)."""
    real = _real(output)
    try:
        out_stat = os.stat(real)
    except OSError:
        out_stat = None
    for entry in _protected:
        hit = real == entry.real or (entry.tree and real.startswith(entry.real.rstrip(os.sep) + os.sep))
        if entry.family:
            hit = (real.startswith(entry.real) and real.endswith(DRAFT_LOCK_SUFFIX)
                   and os.sep not in real[len(entry.real):])
        if not hit and out_stat is not None and not entry.tree:
            try:
                other = os.stat(entry.real)
            except OSError:
                other = None
            hit = other is not None and (other.st_dev, other.st_ino) == (out_stat.st_dev, out_stat.st_ino)
        if hit:
            raise InputError(_refusal(option, os.fspath(output), entry))
    return Path(real)


def _refusal(option: str, output: str, entry: _Protected) -> str:
    where = "" if entry.shown == output else tr(f"（即 {entry.shown}）", f" ({entry.shown})")
    tail_zh, tail_en = "；拒绝写入，未做任何改动", "; refusing to write there, nothing was changed"
    if entry.kind == "database":
        zh, en = f"是数据库{where}", f"is the database{where}"
    elif entry.kind in ("wal", "shm", "journal"):
        zh, en = f"是数据库的 -{entry.kind} 文件{where}", f"is the database's -{entry.kind} file{where}"
    elif entry.kind == "lock":
        zh, en = f"是数据库的锁文件{where}", f"is one of the database's lock files{where}"
    elif entry.kind == "evidence":
        zh, en = f"在数据库的佐证材料文件夹 {entry.shown} 中", f"is in the database's evidence folder {entry.shown}"
    else:
        zh, en = f"是本命令读取的文件{where}", f"is a file this command reads{where}"
    return tr(f"{option}：{output} {zh}{tail_zh}", f"{option}: {output} {en}{tail_en}")


def write_output(content: str | bytes | Iterable[str], output: Path, option: str = "--output") -> None:
    """Write an output file atomically: a temporary file in the same folder, fsync, rename, fsync the folder.

    Every output file goes through here. First the path is checked (`check_output`): the
    database, the files beside it, its evidence folder and the command's own inputs are refused (exit 2)
    before anything is written. A new file is made readable by its owner only (0600: reports name schools,
    supervisors and their findings); writing over an existing file keeps that file's mode. A symlink is
    written through to the file it points at.
    """
    import errno
    import stat
    import tempfile  # here, not at the top: it costs start-up on every read path that renders

    shown = Path(output)
    target = check_output(shown, option)
    parent = target.parent
    if not parent.is_dir():
        raise InputError(tr(f"{shown}：文件夹 {shown.parent} 不存在", f"{shown}: folder {shown.parent} does not exist"))
    if target.is_dir():
        raise InputError(tr(f"{shown}：是文件夹；请给出文件名", f"{shown}: is a folder; give a file name"))
    pieces = [content] if isinstance(content, (str, bytes)) else content  # pieces: written as they are made
    try:
        try:
            kept_mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            kept_mode = None  # mkstemp's 0600 stays
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                for piece in pieces:
                    fh.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
                fh.flush()
                os.fsync(fh.fileno())
            if kept_mode is not None:
                os.chmod(tmp, kept_mode)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        fsync_folder(parent)
    except PermissionError:
        raise RuntimeFailure(tr(f"{shown}：无权写入", f"{shown}: permission denied")) from None
    except OSError as exc:
        why = exc.strerror or str(exc)
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise RuntimeFailure(tr(f"{shown}：磁盘已满（{why}）；未写入",
                                    f"{shown}: disk full ({why}); nothing was written")) from None
        if exc.errno == errno.EFBIG:
            raise RuntimeFailure(tr(f"{shown}：文件超出允许的大小（{why}）；未写入",
                                    f"{shown}: file too large for this file system or limit ({why}); "
                                    "nothing was written")) from None
        raise RuntimeFailure(tr(f"{shown}：无法写入：{why}", f"{shown}: cannot write: {why}")) from None


def fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; a file system that cannot sync a folder is left as it is."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
