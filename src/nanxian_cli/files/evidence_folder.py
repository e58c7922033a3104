"""The evidence folder beside the database, content-addressed (`<db>.evidence/ab/<sha256>`): the only writer of it
(folders 0700, files 0600, each written to a temporary file, synced and renamed into place), and the listing of
what it holds.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from nanxian_cli.errors import InputError, RuntimeFailure
from nanxian_cli.files.evidence import SHA256, EvidenceFile, _read
from nanxian_cli.i18n import tr


def stored_path(folder: Path, sha256: str) -> Path:
    """Where a file with this hash is kept: `ab/<sha256>` inside the evidence folder."""
    if not SHA256.match(sha256):
        raise ValueError(f"not a sha256: {sha256!r}")
    return Path(folder) / sha256[:2] / sha256


def _private_folder(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except FileExistsError:
        pass
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode):
        raise RuntimeFailure(tr(f"{folder}：应为佐证材料文件夹，却不是文件夹；未保存任何内容",
                                f"{folder}: should be the evidence folder but is not a folder; nothing was stored"))
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(folder, 0o700)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def store_file(folder: Path, checked: EvidenceFile) -> bool:
    """Put a checked file into the folder (atomically, 0600, synced); True when this call created it. A file
    already there with the right content is left alone; one whose content no longer matches its name is
    replaced."""
    from nanxian_cli.files.outputs import fsync_folder

    target = stored_path(folder, checked.sha256)
    try:
        if target.is_file() and file_sha256(target) == checked.sha256:
            return False
    except OSError:
        pass
    data = checked.data
    if data is None:
        data = _read(checked.path, checked.limit)
        if hashlib.sha256(data).hexdigest() != checked.sha256:
            raise InputError(tr(f"{checked.path}：文件在添加过程中被改动；未保存任何内容",
                                f"{checked.path}: the file changed while it was being added; nothing was stored"))
    import tempfile

    try:
        _private_folder(Path(folder))
        _private_folder(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        fsync_folder(target.parent)
        fsync_folder(Path(folder))
    except OSError as exc:
        raise RuntimeFailure(tr(f"{target}：无法写入佐证材料：{exc.strerror or exc}；未保存任何内容",
                                f"{target}: cannot write the evidence file: {exc.strerror or exc}; nothing was "
                                "stored")) from None
    return True


def remove_quietly(folder: Path, sha256: str) -> None:
    """Take back a file this process stored in a transaction that then rolled back (the caller holds the
    database's write lock, so nobody else can have come to refer to it), and its folders if that left them
    empty."""
    path = stored_path(folder, sha256)
    try:
        os.unlink(path)
    except OSError:
        return
    for empty in (path.parent, Path(folder)):
        try:
            os.rmdir(empty)  # only an empty folder goes
        except OSError:
            return


def folder_files(folder: Path) -> list[tuple[str, Path]]:
    """(name, path) of every file in the folder (`ab/<name>`), stray ones included; nothing is created."""
    out: list[tuple[str, Path]] = []
    try:
        subs = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return out
    for sub in subs:
        if not sub.is_dir(follow_symlinks=False):
            out.append((sub.name, Path(sub.path)))
            continue
        for entry in sorted(os.scandir(sub.path), key=lambda e: e.name):
            out.append((entry.name if entry.name[:2] == sub.name else f"{sub.name}/{entry.name}", Path(entry.path)))
    return out
