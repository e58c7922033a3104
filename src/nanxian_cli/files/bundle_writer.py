"""Writing a sync bundle (files/bundles.py says the format): the records streamed into a temporary file beside the
output, then the evidence files as members of their own, the manifest and the zip comment that seals it; the
temporary file is synced and renamed into place (0600), so a bundle is whole or absent.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from nanxian_cli.errors import InputError
from nanxian_cli.files.bundle_records import ENCODER
from nanxian_cli.files.bundles import FORMAT, MANIFEST, RECORDS, VERSION
from nanxian_cli.i18n import tr


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
        self.write_line(ENCODER.encode(record), record["kind"])

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
