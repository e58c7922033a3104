"""Evidence (photos and documents) as use cases: check the files a person gives, store them beside the database
and tie them to a point of a visit or to a finding action; list, export and verify them; a downscaled copy for a
printed document.

Order of writes (a crash leaves at most a file nobody refers to, never a row without its file): every file is
checked before anything is written; then, inside the database's write transaction, each file is written (a
temporary file, synced, renamed into place) before its row and its links; the transaction commits last. Should
the transaction fail, the files this call created are taken back while the write lock is still held, so no other
writer can have come to refer to them.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nanxian_cli.clock import utc_now
from nanxian_cli.core.words import Words
from nanxian_cli.errors import Ambiguous, InputError, NotFound, ValidationFailed
from nanxian_cli.store import evidence as sql
from nanxian_cli.store import meta
from nanxian_cli.store.db import Store

KEEP_IN_MEMORY = 64 * 1024 * 1024
"""Checked files keep their bytes up to this total; the rest are read again (hash checked) when stored."""


def folder_of(store: Any) -> Path:
    from nanxian_cli.files.outputs import evidence_dir

    return evidence_dir(store.path)


# -- checking what a person gives ----------------------------------------------------------------------------

def check_files(paths: list[tuple[Path, str | None]], limit: int) -> list[Any]:
    """Check every file ((path, where it was named: `answers.yaml:7` or None)) before anything is written;
    ValidationFailed listing each one refused (exit 2)."""
    from nanxian_cli.files.evidence import check_file

    problems: list[Any] = []
    checked: list[Any] = []
    kept = 0
    for path, where in paths:
        try:
            found = check_file(path, limit, keep=kept < KEEP_IN_MEMORY)
        except InputError as exc:
            problems.append(f"{where}: {exc.message}" if where else exc.message)
            problems.extend(exc.details)
            continue
        kept += found.size if found.data is not None else 0
        checked.append(found)
    if problems:
        if len(paths) == 1 and len(problems) == 1:
            raise InputError(problems[0])
        raise ValidationFailed(Words(f"{len(problems)} 个佐证材料文件不能保存；未写入任何内容",
                                     f"{len(problems)} evidence file(s) cannot be kept; nothing was written"),
                               problems)
    return checked


# -- storing -------------------------------------------------------------------------------------------------

@contextmanager
def taking_back(folder: Path) -> Iterator[list[str]]:
    """Inside a write transaction: the hashes of the files stored in it; should it fail, they are removed before
    the transaction rolls back (the write lock still held)."""
    from nanxian_cli.files.evidence_folder import remove_quietly

    created: list[str] = []
    try:
        yield created
    except BaseException:
        for sha in created:
            remove_quietly(folder, sha)
        raise


@dataclass
class Attached:
    sha256: str
    name: str
    media_type: str
    size: int
    stored: bool
    """The file was new to this database."""
    linked: bool
    """It was not attached there before."""
    caption: str | None = None


def keep_files(conn: sqlite3.Connection, folder: Path, files: list[Any], *, author: str | None, caption: str | None,
               now: str, created: list[str], device: str | None = None) -> list[bool]:
    """Inside a write transaction: each file written (file first), then its row; True for each that is new here.
    A file already here keeps its row as it is (its first name and caption)."""
    from nanxian_cli.files.evidence_folder import store_file

    device = device or meta.device_id(conn)
    out = []
    for f in files:
        if store_file(folder, f):
            created.append(f.sha256)
        out.append(sql.insert_evidence(conn, {
            "sha256": f.sha256, "size": f.size, "media_type": f.media_type, "original_name": f.name,
            "caption": caption, "taken_at": f.taken_at, "gps_lat": f.gps_lat, "gps_lon": f.gps_lon,
            "added_by": author, "device": device, "added_at": now}))
    return out


def attach(conn: sqlite3.Connection, folder: Path, files: list[Any], *, visit_id: str | None = None,
           item_id: str | None = None, action_uid: str | None = None, author: str | None, caption: str | None = None,
           now: str | None = None, created: list[str]) -> list[Attached]:
    """Inside a write transaction: store the files and tie each to a point of a visit or to an action."""
    now = now or utc_now()
    device = meta.device_id(conn)
    new = keep_files(conn, folder, files, author=author, caption=caption, now=now, created=created, device=device)
    out = []
    for f, fresh in zip(files, new, strict=True):
        linked = sql.insert_link(conn, {"sha256": f.sha256, "visit_id": visit_id, "item_id": item_id,
                                        "action_uid": action_uid, "added_by": author, "device": device,
                                        "added_at": now})
        row = sql.evidence_row(conn, f.sha256)
        out.append(Attached(f.sha256, f.name, f.media_type, f.size, fresh, linked, row["caption"]))
    return out


def point_of_visit(conn: sqlite3.Connection, visit: sqlite3.Row, item_id: str) -> None:
    """Evidence goes on a point of the visit's own checklist version, of a visit that is not void."""
    from nanxian_cli.store.visits import point_keys

    if visit["status"] == "void":
        raise InputError(Words(f"督导记录 {visit['id'][:8]} 已作废，不能再添加佐证材料",
                               f"visit {visit['id'][:8]} is void; no evidence can be added to it"))
    ids = list(point_keys(conn, visit["checklist_hash"]))  # the stored version's points (no checklist parsing)
    if item_id not in ids:
        from difflib import get_close_matches

        close = get_close_matches(item_id, ids, n=3)
        hint = Words(f"；相近的要点：{', '.join(close)}", f"; close ones: {', '.join(close)}") if close else \
            Words("", "")
        raise NotFound(Words(f"{item_id!r} 不是检查表 {visit['checklist_id']} 的要点{hint.zh}",
                             f"{item_id!r} is not a point of checklist {visit['checklist_id']!r}{hint.en}"))


def find_visit(store: Store, ref: str) -> sqlite3.Row:
    """A visit by its id or a unique prefix of 8+ characters, as services.recording.find_visit finds it, without
    importing the recording path (adding a photo is meant to start fast)."""
    from nanxian_cli.store import visits as visit_sql

    text = (ref or "").strip().lower()
    row = visit_sql.visit_row(store.conn, text)
    if row is not None:
        return row
    if len(text) >= 8 and all(c in "0123456789abcdef-" for c in text):
        found = visit_sql.visits_by_prefix(store.conn, text)
        if len(found) == 1:
            return found[0]
    from nanxian_cli.services.recording import find_visit as full

    return full(store, ref)  # the same refusals, worded once


def add_to_point(store: Store, visit_ref: str, item_id: str, files: list[Any], *, caption: str | None,
                 author: str | None) -> dict:
    """`evidence add VISIT POINT FILE…`: the files (checked already) attached to a point of a visit."""
    visit = find_visit(store, visit_ref)
    folder = folder_of(store)
    with store.transaction() as conn, taking_back(folder) as created:
        visit = conn.execute("SELECT * FROM visits WHERE id = ?", (visit["id"],)).fetchone()
        point_of_visit(conn, visit, item_id)
        done = attach(conn, folder, files, visit_id=visit["id"], item_id=item_id, author=author, caption=caption,
                      created=created)
    return {"visit": visit["id"], "item": item_id, "files": [a.__dict__ for a in done]}


def add_to_draft_point(store: Store, visit_id: str, item_id: str, path: Path, limit: int,
                       author: str | None) -> Attached:
    """`p PATH` at a point of an interactive visit: one file checked and attached at once."""
    files = check_files([(path, None)], limit)
    folder = folder_of(store)
    with store.transaction() as conn, taking_back(folder) as created:
        visit = conn.execute("SELECT * FROM visits WHERE id = ?", (visit_id,)).fetchone()
        point_of_visit(conn, visit, item_id)
        return attach(conn, folder, files, visit_id=visit_id, item_id=item_id, author=author, created=created)[0]


# -- finding things ------------------------------------------------------------------------------------------

def find_evidence(store: Store, ref: str) -> str:
    """A file by its sha256 or a unique prefix of 8+ of its characters."""
    text = (ref or "").strip().lower()
    if len(text) < 8 or any(c not in "0123456789abcdef" for c in text):
        raise InputError(Words(f"{ref!r} 不是佐证材料的编号（sha256 或其前 8 位以上）",
                               f"{ref!r} is not an evidence id (its sha256, or 8 or more of its first characters)"))
    found = sql.by_prefix(store.conn, text)
    if not found:
        raise NotFound(Words(f"没有佐证材料 {text}", f"no evidence {text}"))
    if len(found) > 1 and text not in found:
        raise Ambiguous(Words(f"{text!r} 匹配多个佐证材料；请多给几位",
                              f"{text!r} matches several evidence files; give more characters"), found)
    return text if text in found else found[0]


# -- export and verify ---------------------------------------------------------------------------------------

def export(store: Store, out_dir: Path, *, sha: str | None = None, visit_id: str | None = None) -> list[dict]:
    """Copy files out to `out_dir`, each named by its hash and kind (`<sha256>.jpg`), never by a name a person
    gave; the folder is made (0700) if missing, its parent must exist."""
    import hashlib

    from nanxian_cli.files.evidence import MEDIA_TYPES
    from nanxian_cli.files.evidence_folder import stored_path
    from nanxian_cli.files.outputs import check_output, write_output
    from nanxian_cli.reports.evidence import file_dict

    check_output(out_dir)
    target = Path(out_dir)
    if sha is not None:
        rows = sql.public_rows(store.conn, [sha])
    else:
        rows = sql.public_rows(store.conn, {r["sha256"] for r in sql.links(store.conn, visit_id=visit_id)})
    if not rows:
        raise NotFound(Words("没有可导出的佐证材料", "no evidence to export"))
    if target.exists() and not target.is_dir():
        raise InputError(Words(f"--output：{target} 不是文件夹", f"--output: {target} is not a folder"))
    folder = folder_of(store)
    for r in rows:  # every file whole and as recorded before any is copied
        source = stored_path(folder, r["sha256"])
        if not source.is_file():
            raise _broken(source, r["sha256"], "missing")
    if not target.exists():
        if not target.parent.is_dir():
            raise InputError(Words(f"--output：文件夹 {target.parent} 不存在",
                                   f"--output: the folder {target.parent} does not exist"))
        target.mkdir(mode=0o700)
    written = []
    for r in rows:
        source = stored_path(folder, r["sha256"])
        data = source.read_bytes()
        if hashlib.sha256(data).hexdigest() != r["sha256"]:
            raise _broken(source, r["sha256"], "changed")
        name = f"{r['sha256']}.{MEDIA_TYPES.get(r['media_type'], 'bin')}"
        write_output(data, target / name)
        written.append({**file_dict(r), "file": str(target / name)})
    return written


def _broken(path: Path, sha: str, how: str) -> Any:
    from nanxian_cli.errors import RuntimeFailure

    if how == "missing":
        return RuntimeFailure(Words(f"{path}：佐证材料 {sha[:12]} 的文件不见了（nanxian evidence verify 可查全部）",
                                    f"{path}: the file of evidence {sha[:12]} is missing "
                                    "(see nanxian evidence verify)"))
    return RuntimeFailure(Words(f"{path}：佐证材料 {sha[:12]} 的文件已被改动或损坏（nanxian evidence verify 可查全部）",
                                f"{path}: the file of evidence {sha[:12]} was changed or damaged "
                                "(see nanxian evidence verify)"))


@dataclass
class Verified:
    files: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unreferenced: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.changed

    def as_json(self) -> dict:
        return {"files": self.files, "bytes": self.bytes, "ok": self.ok, "missing": self.missing,
                "changed": self.changed, "unreferenced": self.unreferenced}


def verify(store: Store) -> Verified:
    """Hash every file of the folder again: rows whose file is missing, files whose content no longer matches
    their name, and files no row refers to. Reads only."""
    from nanxian_cli.files.evidence import SHA256
    from nanxian_cli.files.evidence_folder import file_sha256, folder_files

    known = sql.sizes(store.conn)
    seen: set[str] = set()
    result = Verified()
    for name, path in folder_files(folder_of(store)):
        if not SHA256.match(name) or name not in known or not path.is_file() or path.is_symlink():
            result.unreferenced.append(name)
            continue
        seen.add(name)
        result.files += 1
        try:
            digest = file_sha256(path)
            result.bytes += path.stat().st_size
        except OSError:
            digest = ""
        if digest != name:
            result.changed.append(name)
    result.missing = sorted(set(known) - seen)
    return result


# -- a copy for a printed document ---------------------------------------------------------------------------

@dataclass
class DocumentFile:
    """A file as a printed document can show it: `ok`, or why not (`missing`, `changed`: its content no longer
    matches its hash, `unreadable`: a photo this machine cannot decode, e.g. HEIC without its decoder); for a photo
    being embedded, its downscaled EXIF-free copy and that copy's size in pixels."""

    state: str
    image: bytes | None = None
    size: tuple[int, int] | None = None


def document_files(store: Store, shas: list[str], *, embed: bool) -> dict[str, DocumentFile]:
    """The files a document shows, each checked against its hash (a missing or changed one is named, never
    printed: the document still prints, with its caption and hash); with `embed`, each photo's copy to embed.

    The copies are made on a few threads: Pillow decodes and resizes without holding the interpreter, so on two
    or more processors the photos are made side by side."""
    from concurrent.futures import ThreadPoolExecutor

    rows = {sha: sql.evidence_row(store.conn, sha) for sha in dict.fromkeys(shas)}
    folder = folder_of(store)
    workers = max(1, min(4, os.cpu_count() or 1, len(rows)))
    if workers == 1 or not embed:
        return {sha: _document_file(folder, sha, row, embed) for sha, row in rows.items()}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = {sha: pool.submit(_document_file, folder, sha, row, embed) for sha, row in rows.items()}
        return {sha: future.result() for sha, future in done.items()}


def _document_file(folder: Path, sha: str, row: Any, embed: bool) -> DocumentFile:
    import hashlib
    import io

    from nanxian_cli.files.evidence_folder import stored_path
    from nanxian_cli.files.evidence_images import IMAGE_TYPES, THUMBNAIL_MAX_SIDE, downscaled

    try:
        data = stored_path(folder, sha).read_bytes()
    except OSError:
        return DocumentFile("missing")
    if hashlib.sha256(data).hexdigest() != sha:
        return DocumentFile("changed")
    if not embed or row is None or row["media_type"] not in IMAGE_TYPES:
        return DocumentFile("ok")
    try:
        copy = downscaled(data, row["media_type"], THUMBNAIL_MAX_SIDE)
    except Exception:  # noqa: BLE001 - decodable where it was added, not here (HEIC without its decoder)
        return DocumentFile("unreadable")
    from PIL import Image

    with Image.open(io.BytesIO(copy)) as im:
        return DocumentFile("ok", copy, im.size)


def embeddable_image(store: Store, sha256: str, max_side: int = 1600) -> bytes | None:
    """A photo's downscaled JPEG copy (long side at most `max_side` px, a few hundred KB) with no EXIF at all (no
    GPS of a school in a printed notice); None for a document (PDF, DOCX). The stored file is checked against
    its hash first."""
    import hashlib

    from nanxian_cli.files.evidence_folder import stored_path
    from nanxian_cli.files.evidence_images import IMAGE_TYPES, downscaled

    row = sql.evidence_row(store.conn, sha256)
    if row is None:
        raise NotFound(Words(f"没有佐证材料 {sha256}", f"no evidence {sha256}"))
    if row["media_type"] not in IMAGE_TYPES:
        return None
    path = stored_path(folder_of(store), sha256)
    try:
        data = path.read_bytes()
    except OSError:
        raise _broken(path, sha256, "missing") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _broken(path, sha256, "changed")
    return downscaled(data, row["media_type"], max_side)
