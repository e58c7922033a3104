"""Real evidence files made in the tests (Pillow images with EXIF and GPS, a PDF, a Word document, broken and
hostile files) and the state of a database's evidence, to compare before and after a command."""

from __future__ import annotations

import io
import random
import stat
import struct
import zlib
from pathlib import Path

LAT, LON = (29, 22, 12.5), (112, 24, 1.0)  # 29.3701389 N, 112.4002778 E
GPS_TEXT = ("29.37", "112.40", "29.3701", "112.4002")


def exif(taken: str = "2020:11:02 10:11:12", gps: bool = True, orientation: int | None = None):
    from PIL import Image

    found = Image.Exif()
    found[0x0132] = taken
    found.get_ifd(0x8769)[0x9003] = taken
    if gps:
        found[0x8825] = {1: "N", 2: LAT, 3: "E", 4: LON}
    if orientation is not None:
        found[0x0112] = orientation
    return found


def jpeg(path: Path, size: tuple[int, int] = (800, 600), colour=(200, 40, 40), noise: bool = False,
         **exif_args) -> Path:
    """A JPEG photo with EXIF time and GPS (noise: a photo that does not compress, for size; the same noise on
    every run, so a test's bytes do not change from one run to the next)."""
    from PIL import Image

    if noise:
        im = Image.frombytes("RGB", size, random.Random(f"{size}").randbytes(size[0] * size[1] * 3))
    else:
        im = Image.new("RGB", size, colour)
        im.paste((20, 20, 200), (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2))
    im.save(path, format="JPEG", quality=95 if noise else 85, exif=exif(**exif_args))
    return path


def jpeg_metadata(data: bytes) -> list[tuple[int, bytes]]:
    """The segments of a JPEG before its image data that can carry metadata: APP1..APP15 (EXIF, XMP, ICC, maker
    notes) and COM, as (marker, payload). APP0 (JFIF: the pixel density) is not metadata. A search of the whole file
    for b"GPS" would be wrong: compressed pixels hold any three bytes by chance (one copy in twenty)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    found, at = [], 2
    while at + 4 <= len(data):
        assert data[at] == 0xFF, f"a JPEG segment expected at byte {at}"
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: the image data follows, no more header segments
            return found
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if 0xE1 <= marker <= 0xEF or marker == 0xFE:
            found.append((marker, data[at + 4:at + 2 + length]))
        at += 2 + length
    raise AssertionError("a JPEG with no image data")


def png(path: Path, size=(320, 200), alpha: bool = False) -> Path:
    from PIL import Image

    Image.new("RGBA" if alpha else "RGB", size, (10, 160, 60, 128) if alpha else (10, 160, 60)).save(path, "PNG")
    return path


def webp(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (300, 200), (90, 90, 200)).save(path, "WEBP")
    return path


def heic(path: Path) -> Path:
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    Image.new("RGB", (320, 240), (220, 120, 20)).save(path, format="HEIF", exif=exif().tobytes())
    return path


def pdf(path: Path) -> Path:
    """A real PDF (Pillow writes one page holding an image)."""
    from PIL import Image

    Image.new("RGB", (200, 280), (250, 250, 250)).save(path, "PDF")
    return path


def docx(path: Path, text: str = "整改报告：已配备专职门卫") -> Path:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph(text)
    document.save(str(path))
    return path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(path: Path, side: int = 30000) -> Path:
    """A tiny PNG that says it is side x side pixels (a decompression bomb: its pixels would fill memory)."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024, 9)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))
    return path


def truncated_jpeg(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def evidence_folder(db: Path) -> Path:
    return db.with_name(db.name + ".evidence")


def folder_state(db: Path) -> dict:
    """Every file and folder of the evidence folder: names, modes and bytes (empty when there is none)."""
    root = evidence_folder(db)
    found: dict = {}
    if not root.exists():
        return found
    for p in sorted(root.rglob("*")):
        found[str(p.relative_to(root))] = (stat.S_IMODE(p.stat().st_mode), None if p.is_dir() else p.read_bytes())
    return found


def db_state(db: Path) -> dict:
    """The rows evidence touches (nothing of this when the tables or the database are missing)."""
    import sqlite3

    if not db.exists():
        return {}
    conn = sqlite3.connect(db)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        out = {}
        for table, order in (("evidence", "sha256"), ("evidence_links", "rowid"), ("visits", "seq"),
                             ("answers", "visit_seq, item_id, revision"), ("finding_actions", "uid"),
                             ("findings", "id")):
            if table in tables:
                out[table] = conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
        out["meta"] = conn.execute("SELECT * FROM meta ORDER BY key").fetchall() if "meta" in tables else []
        return out
    finally:
        conn.close()


def image_of(data: bytes):
    from PIL import Image

    im = Image.open(io.BytesIO(data))
    im.load()
    return im
