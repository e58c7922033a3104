"""Sync bundles on disk: a zip holding `manifest.json`, `records.ndjson` (one fact per line) and the evidence files
those facts refer to (`evidence/<sha256>`, each named by the hash of its content).

The bundle format and the only reader of bundle files (the writer is files/bundle_writer.py: a bundle is whole
or absent). Reading trusts nothing: only the expected members, by exact name (no paths, so nothing is ever
extracted anywhere); the manifest's hash is in the zip comment and every member's hash is in the manifest, all
checked before a single record is handed out; sizes are bounded (a member larger than declared, or expanding more
than `MAX_RATIO` times, is refused: no zip bomb fills memory or disk); every record is checked field by field,
with its line number.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from nanxian_cli.errors import InputError
from nanxian_cli.files.bundle_records import RECORD_FIELDS, REVISION_HEAD, check_record
from nanxian_cli.i18n import tr

FORMAT = "nanxian-bundle"
VERSION = 1
"""The bundle format version this nanxian writes and the newest it reads."""
MANIFEST = "manifest.json"
RECORDS = "records.ndjson"
MEMBERS = (MANIFEST, RECORDS)
EVIDENCE_MEMBER = re.compile(r"^evidence/([0-9a-f]{64})$")
"""An evidence file in a bundle: exactly 64 lowercase hex digits (its sha256) after `evidence/`."""
MAX_BUNDLE_BYTES = 4 * 1024 ** 3
"""The largest bundle file read (a county decade is well below 1 GB)."""
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_LINE_BYTES = 1024 * 1024
"""One record: an answer note is at most a few thousand characters."""
MAX_RATIO = 200
"""How many times larger than its compressed size a member may be (records compress about 10-20 times)."""
_COMMENT = re.compile(rb"^nanxian-bundle sha256=([0-9a-f]{64})$")

# -- reading -------------------------------------------------------------------------------------------------

@dataclass
class Bundle:
    path: Path
    manifest: dict
    sha256: str
    _zip: zipfile.ZipFile
    _records_sha256: str | None = None
    """Set when records.ndjson was not hashed on opening: `records()` checks it as it reads."""

    def __post_init__(self) -> None:
        self.name = self.path.name  # in the place of every message, computed once

    def records(self, check: bool = True) -> Iterator[tuple[int, dict]]:
        """(line number, record) for every line of records.ndjson, each record checked (`check_record`) unless
        `check` is False: then only that it is an object of a known kind (the reader checks the rest).
        A bundle opened with `defer_records` is hashed as it is read: a records member that does not match the
        manifest raises when its last line has been read (the caller's transaction is not committed yet)."""
        for number, line in self.lines():
            yield number, self.record(number, line, check)

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """(line number, raw line) of records.ndjson; `record()` parses one (a reader that skips the revisions it
        holds unparsed takes `heads()`). Hashed as read when the bundle was opened with `defer_records`."""
        number = 0
        for chunk in self.line_chunks():
            yield from enumerate(chunk, start=number + 1)
            number += len(chunk)

    def line_chunks(self) -> Iterator[list[bytes]]:
        """The raw lines of records.ndjson, a list for each piece read (about a megabyte), in order; hashed as
        read when the bundle was opened with `defer_records` (a mismatch raises after the last line)."""
        if RECORDS not in self._zip.NameToInfo:
            return
        expected = self._records_sha256
        try:
            fh = self._zip.open(RECORDS)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise _damaged(self.path, f"{RECORDS} 无法读取（已损坏或不完整）",
                           f"{RECORDS} cannot be read: {exc}") from None
        with fh:
            digest = hashlib.sha256() if expected is not None else None
            yield from _chunks(fh, f"{self.path.name}: {RECORDS}", self.path, digest)
            if digest is not None and digest.hexdigest() != expected:
                raise _damaged(self.path, f"{RECORDS} 的校验值不符（内容被改动或损坏）",
                               f"{RECORDS} does not match its sha256 (altered or damaged)")

    def heads(self) -> RecordLines:
        """(line number, raw line, (visit, uid) of a revision line or None) of records.ndjson, for a reader that
        skips the revisions it holds unparsed; `RecordLines.record()` parses the line last given."""
        return RecordLines(self)

    def record(self, number: int, line: bytes, check: bool = True) -> dict:
        """One line parsed (and checked, as `records()` says)."""
        where = f"{self.name}: {RECORDS}:{number}"
        try:
            record = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            raise InputError(tr(f"{where}：不是 UTF-8 文本", f"{where}: not UTF-8 text")) from None
        except ValueError as exc:
            column = f"第 {exc.colno} 列" if isinstance(exc, json.JSONDecodeError) else "无法解析"
            raise InputError(tr(f"{where}：不是 JSON（{column}）", f"{where}: not JSON ({exc})")) from None
        if not check and type(record) is dict and record.get("kind") in RECORD_FIELDS:
            return record
        return check_record(record, where)  # says what is wrong

    def confirm_intact(self) -> None:
        """After a record was refused while reading a bundle opened with `defer_records`: a damaged or altered
        records member is reported as that (InputError), not as the first bad line it led to."""
        expected = self._records_sha256
        if expected is None or RECORDS not in self._zip.NameToInfo:
            return
        digest = hashlib.sha256()
        try:
            with self._zip.open(RECORDS) as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise _damaged(self.path, f"{RECORDS} 无法读取（已损坏或不完整）",
                           f"{RECORDS} cannot be read: {exc}") from None
        if digest.hexdigest() != expected:
            raise _damaged(self.path, f"{RECORDS} 的校验值不符（内容被改动或损坏）",
                           f"{RECORDS} does not match its sha256 (altered or damaged)")

    def evidence_names(self) -> set[str]:
        """The sha256 of every evidence file the bundle carries."""
        return {m.group(1) for n in self._zip.namelist() if (m := EVIDENCE_MEMBER.match(n))}

    def evidence_bytes(self, sha256: str, limit: int) -> bytes:
        """The content of the member `evidence/<sha256>` (checked whole when the bundle was opened), at most
        `limit` bytes (InputError otherwise)."""
        name = f"evidence/{sha256}"
        if self._zip.getinfo(name).file_size > limit:
            raise InputError(tr(f"{self.path}：{name} 超过本机佐证材料的大小上限（{limit // (1024 * 1024)} MB，"
                                "配置 [evidence] max_mb）；未写入任何内容",
                                f"{self.path}: {name} is larger than the evidence limit here "
                                f"({limit // (1024 * 1024)} MB, config [evidence] max_mb); nothing was written"))
        return _read_member(self._zip, name, self.path, limit)

    def close(self) -> None:
        self._zip.close()


RUN_MAX = 1000
"""The most revision lines of one visit parsed in one pass (a visit has a few dozen)."""
_DECODE = json.JSONDecoder().raw_decode


class RecordLines:
    """The lines of records.ndjson, each revision line with the (visit, uid) its head names (`REVISION_HEAD`),
    parsed only when the reader asks for the record (a bundle sent again is mostly revisions held already).

    When a revision line is asked for, the revision lines of the same visit that follow it are parsed with it, in
    one pass over their joined text (a new visit's answers are all wanted; reading and parsing a county year's
    502,095 revision lines: 3.4 -> 2.9 s of CPU). A run is parsed that way only when every line of it is exactly
    one JSON value; otherwise each of its lines is parsed alone when asked for, which is what names the line that
    is wrong."""

    def __init__(self, bundle: Bundle) -> None:
        self._bundle = bundle
        self._chunk: list[bytes] = []
        self._at = 0  # the index in `_chunk` of the line given last
        self._parsed: dict[int, Any] = {}  # index in `_chunk` -> its value, parsed with an earlier line's run

    def __iter__(self) -> Iterator[tuple[int, bytes, tuple[str, str] | None]]:
        match = REVISION_HEAD.match
        number = 0
        for chunk in self._bundle.line_chunks():
            self._chunk, self._parsed = chunk, {}
            for at, line in enumerate(chunk):
                self._at = at
                found = match(line)
                yield (number + at + 1, line,
                       None if found is None else (found.group(2).decode("ascii"), found.group(1).decode("ascii")))
            number += len(chunk)

    def record(self, number: int, line: bytes, head: tuple[str, str] | None) -> dict:
        """The record of the line the iterator gave last: a dict of a known kind, its fields not checked yet
        (InputError, naming the line, when it is not JSON or not a record)."""
        at, parsed = self._at, self._parsed
        value = parsed.pop(at, None)
        if value is None and head is not None:
            chunk, visit = self._chunk, head[0].encode("ascii")
            end = at + 1
            while end < len(chunk) and end - at < RUN_MAX:
                found = REVISION_HEAD.match(chunk[end])
                if found is None or found.group(2) != visit:
                    break
                end += 1
            if end > at + 1:
                values = parse_lines(chunk[at:end])
                if values is not None:
                    value = values[0]
                    parsed.update(zip(range(at + 1, end), values[1:], strict=True))
        if type(value) is dict and value.get("kind") in RECORD_FIELDS:
            return value
        return self._bundle.record(number, line, check=False)


def parse_lines(lines: list[bytes]) -> list | None:
    """The JSON value of each line, or None unless every line is UTF-8 and exactly one JSON value (nothing
    before or after it): then each line must be parsed alone, which says what is wrong."""
    try:
        text = b"\n".join(lines).decode("utf-8")
    except UnicodeDecodeError:
        return None
    values, at, end = [], 0, len(text)
    try:
        for _ in lines:
            value, at = _DECODE(text, at)
            if at != end and text[at] != "\n":
                return None
            values.append(value)
            at += 1
    except ValueError:  # not JSON from `at` on (including `at` past the end: a value took two lines)
        return None
    return values if at == end + 1 else None


def _chunks(fh: IO[bytes], where: str, path: Path, digest: Any = None) -> Iterator[list[bytes]]:
    rest = b""
    number = 0
    while True:
        try:
            chunk = fh.read(1 << 20)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, zipfile.LargeZipFile) as exc:
            raise _damaged(path, f"{RECORDS} 无法读取（已损坏或不完整）", f"{RECORDS} cannot be read: {exc}") from None
        if not chunk:
            break
        if digest is not None:
            digest.update(chunk)
        rest += chunk
        *whole, rest = rest.split(b"\n")
        if whole and max(map(len, whole)) > MAX_LINE_BYTES:
            raise _too_long(where, number + next(i for i, line in enumerate(whole, 1) if len(line) > MAX_LINE_BYTES))
        number += len(whole)
        if whole:
            yield whole
        if len(rest) > MAX_LINE_BYTES:
            raise _too_long(where, number + 1)
    if rest.strip():
        yield [rest]


def _too_long(where: str, number: int) -> InputError:
    return InputError(tr(f"{where}:{number}：一行超过 {MAX_LINE_BYTES} 字节", f"{where}:{number}: a line longer than "
                                                                          f"{MAX_LINE_BYTES} bytes"))


def _damaged(path: Path, why_zh: str, why_en: str) -> InputError:
    return InputError(tr(f"{path}：不是完好的 nanxian 数据包（{why_zh}）；未写入任何内容",
                         f"{path}: not an intact nanxian bundle ({why_en}); nothing was written"))


def open_bundle(path: Path, progress: Callable[[int], None] | None = None, defer_records: bool = False) -> Bundle:
    """Open a bundle and check it whole before anything is read from it (InputError, exit 2, otherwise).
    With `defer_records`, records.ndjson is hashed while `Bundle.records()` reads it instead (one pass over the
    largest member; for a reader that writes nothing it cannot take back before the last line is checked)."""
    from nanxian_cli.files.outputs import protect_input

    protect_input(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(tr(f"{path}：文件不存在", f"{path}: file not found")) from None
    except OSError as exc:
        why = "没有读取权限" if isinstance(exc, PermissionError) else "无法读取"
        raise InputError(tr(f"{path}：{why}", f"{path}: {exc.strerror or exc}")) from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(tr(f"{path}：不是普通文件（数据包应为 .nxb 文件）",
                            f"{path}: not a regular file (a bundle is a .nxb file)"))
    if st.st_size > MAX_BUNDLE_BYTES:
        raise InputError(tr(f"{path}：文件太大（最多 {MAX_BUNDLE_BYTES // 1024 ** 3} GB）",
                            f"{path}: file too large (at most {MAX_BUNDLE_BYTES // 1024 ** 3} GB)"))
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise _damaged(path, "不是 zip 文件，或 zip 已损坏", f"cannot read it as a zip: {exc}") from None
    try:
        manifest, digest = _check(zf, path, progress, RECORDS if defer_records else None)
    except BaseException:
        zf.close()
        raise
    return Bundle(path, manifest, digest, zf, manifest["members"].get(RECORDS) if defer_records else None)


def _check(zf: zipfile.ZipFile, path: Path, progress: Callable[[int], None] | None,
           deferred: str | None = None) -> tuple[dict, str]:
    infos = zf.infolist()
    names = [i.filename for i in infos]
    for name in names:
        if name not in MEMBERS and not EVIDENCE_MEMBER.match(name):
            raise _damaged(path, f"意外的成员 {name!r}", f"unexpected member {name!r}")
    if len(set(names)) != len(names):
        raise _damaged(path, "成员重复", "a member appears twice")
    if MANIFEST not in names:
        raise _damaged(path, "缺少 manifest.json", "manifest.json is missing")
    for info in infos:
        if info.flag_bits & 0x1:
            raise _damaged(path, f"{info.filename} 已加密", f"{info.filename} is encrypted")
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) + 4096:
            raise _damaged(path, f"{info.filename} 压缩比异常（可能是压缩炸弹）",
                           f"{info.filename} expands too much (a zip bomb?)")
    manifest_info = zf.getinfo(MANIFEST)
    if manifest_info.file_size > MAX_MANIFEST_BYTES:
        raise _damaged(path, "manifest.json 太大", "manifest.json is too large")
    text = _read_member(zf, MANIFEST, path, MAX_MANIFEST_BYTES)
    found = _COMMENT.match(zf.comment or b"")
    if found is None:
        raise _damaged(path, "缺少数据包标记", "the bundle's seal (zip comment) is missing")
    if hashlib.sha256(text).hexdigest() != found.group(1).decode():
        raise _damaged(path, "manifest.json 已被改动", "manifest.json was altered")
    try:
        manifest = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _damaged(path, "manifest.json 不是 JSON", "manifest.json is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged(path, "不是 nanxian 数据包格式", "its format is not nanxian-bundle")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _damaged(path, "manifest 的 version 无效", "the manifest's version is not valid")
    if version > VERSION:
        raise InputError(tr(f"{path}：数据包格式版本 {version} 比本程序支持的 {VERSION} 新；"
                            "请先升级 nanxian；未写入任何内容",
                            f"{path}: bundle format version {version} is newer than this nanxian reads ({VERSION}); "
                            "upgrade nanxian first; nothing was written"))
    for key, kind in (("bundle", str), ("device", dict), ("created_at", str), ("since", str), ("counts", dict),
                      ("members", dict), ("reference", bool)):
        if not isinstance(manifest.get(key), kind):
            raise _damaged(path, f"manifest 缺少或错误的 {key}", f"the manifest's {key} is missing or wrong")
    device = manifest["device"]
    if not isinstance(device.get("id"), str) or not isinstance(device.get("name"), str):
        raise _damaged(path, "manifest 的 device 无效", "the manifest's device is not valid")
    members = manifest["members"]
    if set(members) != set(names) - {MANIFEST}:
        raise _damaged(path, "manifest 列出的成员与数据包内容不符",
                       "the members listed in the manifest are not those in the zip")
    for name, expected in members.items():
        if not isinstance(expected, str):
            raise _damaged(path, f"manifest 中 {name} 的校验值无效", f"the manifest's sha256 of {name} is not valid")
        if name == deferred:
            continue
        digest = hashlib.sha256()
        limit = MAX_BUNDLE_BYTES * MAX_RATIO
        try:
            with zf.open(name) as fh:
                read = 0
                while chunk := fh.read(1 << 20):
                    read += len(chunk)
                    if read > limit:
                        raise _damaged(path, f"{name} 太大", f"{name} is too large")
                    digest.update(chunk)
                    if progress is not None:
                        progress(len(chunk))
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, zipfile.LargeZipFile) as exc:
            raise _damaged(path, f"{name} 无法读取（已损坏或不完整）", f"{name} cannot be read: {exc}") from None
        if digest.hexdigest() != expected:
            raise _damaged(path, f"{name} 的校验值不符（内容被改动或损坏）",
                           f"{name} does not match its sha256 (altered or damaged)")
        found = EVIDENCE_MEMBER.match(name)
        if found is not None and digest.hexdigest() != found.group(1):
            raise _damaged(path, f"{name} 的内容与其名称（校验值）不符",
                           f"the content of {name} does not match its name (its sha256)")
    file_hash = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            file_hash.update(chunk)
    return manifest, file_hash.hexdigest()


def _read_member(zf: zipfile.ZipFile, name: str, path: Path, limit: int) -> bytes:
    try:
        with zf.open(name) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise _damaged(path, f"{name} 无法读取（已损坏或不完整）", f"{name} cannot be read: {exc}") from None
    if len(data) > limit:
        raise _damaged(path, f"{name} 太大", f"{name} is too large")
    return data
