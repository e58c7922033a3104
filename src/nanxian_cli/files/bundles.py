"""Sync bundles on disk: a zip holding `manifest.json`, `records.ndjson` (one fact per line) and the evidence files
those facts refer to (`evidence/<sha256>`, each named by the hash of its content).

The only reader and writer of bundle files. Writing streams the records into a temporary file beside the
output and renames it into place (0600), so a bundle is whole or absent. Reading trusts nothing: only the
expected members, by exact name (no paths, so nothing is ever extracted anywhere); the manifest's hash is
in the zip comment and every member's hash is in the manifest, all checked before a single record is
handed out; sizes are bounded (a member larger than declared, or expanding more than `MAX_RATIO` times, is
refused: no zip bomb fills memory or disk); every record is checked field by field, with its line number.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from nanxian_cli.errors import InputError
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

# -- the records ---------------------------------------------------------------------------------------------

_STR, _OPT_STR, _INT, _OPT_INT, _BOOL, _ANY, _OPT_BOOL = "str", "str?", "int", "int?", "bool", "any", "bool?"
RECORD_FIELDS: dict[str, dict[str, str]] = {
    "checklist": {"hash": _STR, "content": _STR},
    "school": {"code": _STR, "name": _STR, "town": _STR, "stages": _ANY, "boarding": _BOOL, "canteen": _BOOL,
               "school_bus": _BOOL, "ownership": _STR, "group": _STR, "inclusive": _BOOL},
    "inspector": {"name": _STR, "phone": _OPT_STR},
    "assignment": {"school": _STR, "inspector": _STR, "since": _STR},
    "visit": {"id": _STR, "school": _STR, "checklist": _STR, "checklist_hash": _STR, "date": _STR,
              "inspector": _STR, "source": _STR, "created_at": _STR, "submitted_at": _STR, "device": _STR},
    "revision": {"uid": _STR, "base": _OPT_STR, "visit": _STR, "item": _STR, "value": _ANY, "outcome": _STR,
                 "note": _OPT_STR, "reason": _OPT_STR, "author": _OPT_STR, "device": _STR, "recorded_at": _STR,
                 "fixed_on_site": _BOOL},
    "void": {"visit": _STR, "reason": _STR, "at": _STR, "by": _OPT_STR, "device": _STR},
    "notice": {"uid": _STR, "visit": _STR, "year": _INT, "n": _INT, "number": _STR, "issued_on": _STR,
               "issued_by": _OPT_STR, "device": _STR, "issued_at": _STR},
    "action": {"uid": _STR, "finding": _STR, "opened_by_visit": _OPT_STR, "opened_by_item": _OPT_STR,
               "school": _STR, "point_key": _STR, "action": _STR, "date": _STR, "text": _OPT_STR, "due": _OPT_STR,
               "visit": _OPT_STR, "passed": _OPT_BOOL, "on_site": _BOOL, "author": _OPT_STR, "device": _STR,
               "recorded_at": _STR},
    # A file's description (never where it was taken); the file itself is the member `evidence/<sha256>`.
    "evidence": {"sha256": _STR, "size": _INT, "media_type": _STR, "name": _OPT_STR, "caption": _OPT_STR,
                 "taken_at": _OPT_STR, "added_by": _OPT_STR, "device": _STR, "added_at": _STR},
    # What a file shows: a point of a visit, or a finding action (and the finding it is on).
    "evidence_link": {"sha256": _STR, "visit": _OPT_STR, "item": _OPT_STR, "action": _OPT_STR, "finding": _OPT_STR,
                      "added_by": _OPT_STR, "device": _STR, "added_at": _STR},
}
MAX_TEXT = 20000
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
encode = _ENCODER.encode
"""One JSON value as bundle text (compact, UTF-8 kept)."""
_CONTENT_MAX = 900_000


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "bool": (bool,), "any": (object,)}
_SPECS = {kind: [(name, _TYPES[t.rstrip("?")], t.endswith("?"), t.rstrip("?")) for name, t in fields.items()]
          for kind, fields in RECORD_FIELDS.items()}
_NAMES = {kind: set(fields) | {"kind"} for kind, fields in RECORD_FIELDS.items()}


def _check_text(value: str, where: str, limit: int) -> None:
    if len(value) > limit:
        raise InputError(tr(f"{where}：文本过长（最多 {limit} 个字符）",
                            f"{where}: text too long (at most {limit} characters)"))
    found = _CONTROL.search(value)
    if found is not None:
        o = ord(found.group())
        raise InputError(tr(f"{where}：含有控制字符 U+{o:04X}", f"{where}: contains the control character U+{o:04X}"))


_REVISION_KEYS = _NAMES["revision"]
_REVISION_TEXT = ("uid", "visit", "item", "outcome", "device", "recorded_at")
_REVISION_OPTIONAL = ("base", "note", "reason", "author")


def check_record(record: Any, where: str) -> dict:
    """A record's shape: an object with a known `kind`, exactly the fields of that kind, each of its type."""
    if type(record) is dict and record.get("kind") == "revision" and record.keys() == _REVISION_KEYS:
        # the common case (nearly every line of a bundle), checked without the general loop
        if (all(type(record[k]) is str and len(record[k]) <= 200 and not _CONTROL.search(record[k])
                for k in _REVISION_TEXT)
                and all(record[k] is None or (type(record[k]) is str and len(record[k]) <= 200
                                              and not _CONTROL.search(record[k])) for k in _REVISION_OPTIONAL)
                and type(record["fixed_on_site"]) is bool):
            return record
    if not isinstance(record, dict):
        raise InputError(tr(f"{where}：每行应为一个 JSON 对象", f"{where}: each line must be a JSON object"))
    kind = record.get("kind")
    spec = _SPECS.get(kind) if isinstance(kind, str) else None
    if spec is None:
        raise InputError(tr(f"{where}：未知的记录类型 {kind!r}", f"{where}: unknown record kind {kind!r}"))
    if record.keys() != _NAMES[kind]:
        extra = sorted(set(record) - _NAMES[kind])
        if extra:
            raise InputError(tr(f"{where}：{kind} 记录不应有字段 {', '.join(extra)}",
                                f"{where}: a {kind} record has no field {', '.join(extra)}"))
    for name, types, optional, shown in spec:
        if name not in record:
            raise InputError(tr(f"{where}：{kind} 记录缺少字段 {name}",
                                f"{where}: {kind} record: field {name} is missing"))
        value = record[name]
        if value is None and optional:
            continue
        if not isinstance(value, types) or (shown == "int" and isinstance(value, bool)):
            at = f"{where}: {kind}.{name}"
            raise InputError(tr(f"{at}：类型不对（应为 {shown}）", f"{at}: wrong type (expected {shown})"))
        if type(value) is str and (len(value) > 200 or _CONTROL.search(value)):
            _check_text(value, f"{where}: {kind}.{name}", _CONTENT_MAX if name == "content" else MAX_TEXT)
    return record


# -- writing -------------------------------------------------------------------------------------------------

@dataclass
class BundleWriter:
    """Write records one by one, then the manifest; `close()` puts the bundle in place, `abort()` leaves nothing."""

    output: Path
    counts: dict[str, int] = field(default_factory=dict)
    _zip: zipfile.ZipFile | None = None
    _records: IO[bytes] | None = None
    _hash: Any = None
    _tmp: str | None = None
    _target: Path | None = None
    _buffer: list[str] = field(default_factory=list)
    _buffered: int = 0
    members: dict[str, str] = field(default_factory=dict)
    """Members beside the records (evidence files): name -> sha256."""
    _files: list[tuple[str, Path, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        import tempfile

        from nanxian_cli.files.outputs import check_output

        self._target = check_output(self.output)
        parent = self._target.parent
        if not parent.is_dir():
            raise InputError(tr(f"{self.output}：文件夹 {self.output.parent} 不存在",
                                f"{self.output}: folder {self.output.parent} does not exist"))
        if self._target.is_dir():
            raise InputError(tr(f"{self.output}：是文件夹；请给出文件名",
                                f"{self.output}: is a folder; give a file name"))
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self._target.name}.", suffix=".tmp", dir=parent)
        os.close(fd)
        # Level 1: several times faster than the default, and records still shrink about tenfold.
        self._zip = zipfile.ZipFile(self._tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._records = self._zip.open(RECORDS, "w", force_zip64=True)
        self._hash = hashlib.sha256()

    def write(self, record: dict) -> None:
        self.write_line(_ENCODER.encode(record), record["kind"])

    def write_line(self, line: str, kind: str) -> None:
        """One record already encoded as a JSON object on one line (the export's fast path for answers)."""
        self._buffer.append(line)
        self._buffered += len(line)
        if self._buffered > 1 << 20:
            self._flush()
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def add_file(self, name: str, path: Path, expected: str) -> None:
        """A file as a member of its own, written when the records are complete (`close`)."""
        self._files.append((name, path, expected))

    def _write_file(self, name: str, path: Path, expected: str) -> None:
        """A file member, stored as it is (photos and documents are compressed already) and streamed from disk;
        its content must hash to `expected` (else RuntimeFailure: the bundle is abandoned)."""
        from nanxian_cli.errors import RuntimeFailure

        digest = hashlib.sha256()
        try:
            with open(path, "rb") as src, self._zip.open(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)),
                                                         "w", force_zip64=True) as dst:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    dst.write(chunk)
        except FileNotFoundError:
            raise RuntimeFailure(tr(f"{path}：佐证材料文件不见了，数据包未写出（nanxian evidence verify 可查全部）",
                                    f"{path}: an evidence file is missing; no bundle was written "
                                    "(see nanxian evidence verify)")) from None
        if digest.hexdigest() != expected:
            raise RuntimeFailure(tr(f"{path}：佐证材料文件已被改动或损坏，数据包未写出"
                                    "（nanxian evidence verify 可查全部）",
                                    f"{path}: an evidence file was changed or damaged; no bundle was written "
                                    "(see nanxian evidence verify)"))
        self.members[name] = expected

    def _flush(self) -> None:
        if self._buffer:
            data = ("\n".join(self._buffer) + "\n").encode("utf-8")
            self._hash.update(data)
            self._records.write(data)
            self._buffer.clear()
            self._buffered = 0

    def close(self, manifest: dict) -> dict:
        """Finish the bundle: the manifest names the records' hash; the zip comment names the manifest's."""
        from nanxian_cli.files.outputs import fsync_folder

        self._flush()
        self._records.close()
        for name, path, expected in self._files:
            self._write_file(name, path, expected)
        manifest = {**manifest, "format": FORMAT, "version": VERSION, "counts": dict(sorted(self.counts.items())),
                    "members": {RECORDS: self._hash.hexdigest(), **self.members}}
        text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
        self._zip.writestr(MANIFEST, text)
        self._zip.comment = b"nanxian-bundle sha256=" + hashlib.sha256(text).hexdigest().encode()
        self._zip.close()
        with open(self._tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(self._tmp, 0o600)
        os.replace(self._tmp, self._target)
        self._tmp = None
        fsync_folder(self._target.parent)
        return manifest

    def abort(self) -> None:
        try:
            if self._zip is not None:
                self._zip.close()
        except Exception:  # noqa: BLE001 - the bundle is being thrown away
            pass
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except OSError:
                pass
            self._tmp = None


# -- reading -------------------------------------------------------------------------------------------------

@dataclass
class Bundle:
    path: Path
    manifest: dict
    sha256: str
    _zip: zipfile.ZipFile

    def records(self, check: bool = True) -> Iterator[tuple[int, dict]]:
        """(line number, record) for every line of records.ndjson, each record checked (`check_record`) unless
        `check` is False: then only that it is an object of a known kind (the reader checks the rest)."""
        where = f"{self.path.name}: {RECORDS}"
        with self._zip.open(RECORDS) as fh:
            for number, line in enumerate(_lines(fh, where), start=1):
                try:
                    record = json.loads(line.decode("utf-8"))
                except UnicodeDecodeError:
                    raise InputError(tr(f"{where}:{number}：不是 UTF-8 文本",
                                        f"{where}:{number}: not UTF-8 text")) from None
                except ValueError as exc:
                    column = f"第 {exc.colno} 列" if isinstance(exc, json.JSONDecodeError) else "无法解析"
                    raise InputError(tr(f"{where}:{number}：不是 JSON（{column}）",
                                        f"{where}:{number}: not JSON ({exc})")) from None
                if check:
                    yield number, check_record(record, f"{where}:{number}")
                elif type(record) is dict and record.get("kind") in RECORD_FIELDS:
                    yield number, record
                else:
                    yield number, check_record(record, f"{where}:{number}")  # says what is wrong

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


def _lines(fh: IO[bytes], where: str) -> Iterator[bytes]:
    rest = b""
    number = 0
    while chunk := fh.read(1 << 20):
        rest += chunk
        *whole, rest = rest.split(b"\n")
        for line in whole:
            number += 1
            if len(line) > MAX_LINE_BYTES:
                raise _too_long(where, number)
            yield line
        if len(rest) > MAX_LINE_BYTES:
            raise _too_long(where, number + 1)
    if rest.strip():
        yield rest


def _too_long(where: str, number: int) -> InputError:
    return InputError(tr(f"{where}:{number}：一行超过 {MAX_LINE_BYTES} 字节", f"{where}:{number}: a line longer than "
                                                                          f"{MAX_LINE_BYTES} bytes"))


def _damaged(path: Path, why_zh: str, why_en: str) -> InputError:
    return InputError(tr(f"{path}：不是完好的 nanxian 数据包（{why_zh}）；未写入任何内容",
                         f"{path}: not an intact nanxian bundle ({why_en}); nothing was written"))


def open_bundle(path: Path, progress: Callable[[int], None] | None = None) -> Bundle:
    """Open a bundle and check it whole before anything is read from it (InputError, exit 2, otherwise)."""
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
        manifest, digest = _check(zf, path, progress)
    except BaseException:
        zf.close()
        raise
    return Bundle(path, manifest, digest, zf)


def _check(zf: zipfile.ZipFile, path: Path, progress: Callable[[int], None] | None) -> tuple[dict, str]:
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
