"""Evidence files (photos and documents): the only reader that decides what a file is, and the only writer of the
evidence folder beside the database.

What a file is comes from its content, never its name: JPEG, PNG, WEBP and HEIC photos (decoded whole with Pillow,
whose decompression-bomb limit is an error here), PDF, and DOCX (a zip holding `word/document.xml`, looked into
without extracting anything, every size bounded). The bytes are read through the bounded reader (files/inputs.py),
so a device or a pipe cannot fill memory. The folder is content-addressed: `<db>.evidence/ab/<sha256>`, folders
0700, files 0600, each written to a temporary file, synced and renamed into place.

Pillow is imported only here and only when a file is checked or downscaled (it costs start-up).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nanxian_cli.errors import InputError, RuntimeFailure
from nanxian_cli.i18n import tr

DEFAULT_MAX_MB = 20
"""The largest evidence file accepted, in MB (config `[evidence] max_mb`)."""
EMBED_MAX_SIDE = 1600
"""The long side of a downscaled copy for a document, in pixels, at most."""
THUMBNAIL_MAX_SIDE = 1024
"""The long side of the copy a printed document embeds: a thumbnail about 5 cm wide prints at over 500 dpi, and
ten of them keep a notice small (a phone's photo becomes about 100 KB) and quick to make."""
MEDIA_TYPES = {
    "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic", "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
"""Every kind of file kept, and the extension an exported copy gets."""
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF"}
"""Media type -> the format Pillow must find when it decodes the file."""
SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NAME_MAX = 255
_DOCX_MAX_MEMBERS = 10_000
_DOCX_MAX_RATIO = 200
_DOCX_MAX_XML = 64 * 1024 * 1024
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


@dataclass
class EvidenceFile:
    """A file checked and ready to store: what it is, its hash, and what its EXIF says."""

    path: Path
    name: str
    """The original file name (its last part only), shown to people; never used as a path."""
    sha256: str
    size: int
    media_type: str
    taken_at: str | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    data: bytes | None = None
    """The bytes, while they are kept in memory (None: read again, and the hash checked, when stored)."""
    limit: int = DEFAULT_MAX_MB * 1024 * 1024
    """The size limit it was read under (and is read again under)."""

    @property
    def extension(self) -> str:
        return MEDIA_TYPES[self.media_type]


def max_bytes(max_mb: Any) -> int:
    """The size limit from config `[evidence] max_mb` (None: the default)."""
    if max_mb is None:
        return DEFAULT_MAX_MB * 1024 * 1024
    if isinstance(max_mb, bool) or not isinstance(max_mb, (int, float)) or not 0 < max_mb <= 1024:
        raise InputError(tr(f"配置文件：[evidence] max_mb 应为 1 到 1024 之间的数（MB），而不是 {max_mb!r}",
                            f"config.toml: [evidence] max_mb must be a number of MB from 1 to 1024, not {max_mb!r}"))
    return int(max_mb * 1024 * 1024)


def display_name(path: Path) -> str:
    """The last part of a file's name, as kept in the table: control characters and names that are not text are
    refused (exit 2), so a name can be printed anywhere as it is."""
    name = Path(path).name
    if not name or name in (".", ".."):
        raise InputError(tr(f"{path}：不是文件名", f"{path}: not a file name"))
    for ch in name:
        o = ord(ch)
        if o < 32 or 127 <= o < 160 or 0xD800 <= o <= 0xDFFF:
            raise InputError(tr(f"{path}：文件名含有控制字符或非 UTF-8 字节 (U+{o:04X})；请先改名",
                                f"{path}: the file name holds a control character or bytes that are not UTF-8 "
                                f"(U+{o:04X}); rename the file first"))
    if len(name) > _NAME_MAX:
        raise InputError(tr(f"{path}：文件名太长（最多 {_NAME_MAX} 个字符）",
                            f"{path}: the file name is too long (at most {_NAME_MAX} characters)"))
    return name


def check_file(path: Path, limit: int, keep: bool = True) -> EvidenceFile:
    """Read and check one file given by a person (InputError, exit 2, naming the file and why, when it is not a
    photo or document nanxian keeps); `keep` False drops the bytes once checked."""
    if Path(path).is_dir():
        raise InputError(tr(f"{path}：是文件夹，应为文件", f"{path}: is a directory, expected a file"))
    name = display_name(path)
    data = _read(path, limit)
    checked = check_bytes(data, str(path), name)
    checked.path, checked.limit = Path(path), limit
    if not keep:
        checked.data = None
    return checked


def _read(path: Path, limit: int) -> bytes:
    from nanxian_cli.errors import ValidationFailed
    from nanxian_cli.files.inputs import read_bytes

    try:
        return read_bytes(Path(path), limit)
    except ValidationFailed as exc:  # too large: one line, naming the limit and the setting that raises it
        raise InputError(tr(f"{exc.message}；上限可在配置文件 [evidence] max_mb 中调整",
                            f"{exc.message}; the limit is config [evidence] max_mb")) from None


def check_bytes(data: bytes, where: str, name: str) -> EvidenceFile:
    """What the bytes are (by content), checked whole; InputError naming `where` otherwise."""
    media = sniff(data)
    if media is None:
        raise InputError(tr(f"{where}：不是 nanxian 保存的照片或文档（JPEG、PNG、WEBP、HEIC、PDF、DOCX）；"
                            f"{_looks_like(data, name)[0]}；未保存任何内容",
                            f"{where}: not a photo or document nanxian keeps (JPEG, PNG, WEBP, HEIC, PDF, DOCX); "
                            f"{_looks_like(data, name)[1]}; nothing was stored"))
    found = EvidenceFile(path=Path(where), name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                         media_type=media, data=data)
    if media in IMAGE_TYPES:
        _check_image(data, media, where, found)
    elif media == "application/pdf":
        _check_pdf(data, where)
    else:
        _check_docx(data, where)
    return found


def sniff(data: bytes) -> str | None:
    """The media type the content says (magic bytes), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIC_BRANDS:
        return "image/heic"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"PK\x03\x04"):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"  # checked as a docx
    return None


def _looks_like(data: bytes, name: str) -> tuple[str, str]:
    """Why a file is refused, in words (zh, en)."""
    if not data:
        return "文件是空的", "the file is empty"
    if data.startswith(b"\x7fELF") or data.startswith(b"MZ") or data[:4] in (b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "内容是可执行程序", "its content is an executable program"
    if data[4:8] == b"ftyp":
        return "内容是视频或其他 ISO 媒体格式", "its content is a video or another ISO media format"
    if data.startswith(b"GIF8"):
        return "内容是 GIF 图片；请另存为 PNG 或 JPEG", "its content is a GIF image; save it as PNG or JPEG"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "内容是旧版 Office 文档（.doc）；请另存为 .docx 或 PDF", \
            "its content is an old Office document (.doc); save it as .docx or PDF"
    head = data[:512]
    try:
        head.decode("utf-8")
        text = True
    except UnicodeDecodeError:
        text = False
    suffix = Path(name).suffix.lower()
    shown = f"（文件名是 {suffix}）" if suffix else ""
    shown_en = f" (it is named {suffix})" if suffix else ""
    if text:
        return f"内容是文本{shown}", f"its content is text{shown_en}"
    return f"无法识别其内容{shown}", f"its content is not one of these{shown_en}"


# -- checking each kind --------------------------------------------------------------------------------------

def _pillow(media: str, where: str) -> Any:
    try:
        from PIL import Image
    except ImportError:  # a broken installation: Pillow is a dependency
        raise RuntimeFailure(tr("缺少 Pillow（图像库）；请重新安装 nanxian",
                                "Pillow is missing; reinstall nanxian")) from None
    if media == "image/heic":
        try:
            import pillow_heif
        except ImportError:
            raise InputError(tr(f"{where}：HEIC 照片需要 HEIC 解码器（pillow-heif），本机没有；"
                                "请在手机或电脑上把照片导出为 JPEG 后再添加；未保存任何内容",
                                f"{where}: a HEIC photo needs the HEIC decoder (pillow-heif), which is not installed "
                                "here; export the photo as JPEG on the phone or computer and add that; nothing was "
                                "stored")) from None
        pillow_heif.register_heif_opener()
    return Image


def _open_image(data: bytes, media: str, where: str, reduced: bool = False) -> Any:
    """The image decoded whole: a broken or truncated file, a decompression bomb (judged by the size its header
    declares, before any decoding), or a content that is not the format its magic bytes say, is refused.

    `reduced`: a JPEG is decoded at 1/8 scale. Every byte of its compressed data is still read and decoded (the
    scale only spares the inverse transform of the pixels), so a cut or damaged photo is refused all the same, in
    about half the time of a full decode."""
    import warnings

    Image = _pillow(media, where)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=[IMAGE_TYPES[media]])
            if reduced and im.format == "JPEG":
                im.draft(None, (max(1, im.size[0] // 8), max(1, im.size[1] // 8)))
            im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError(tr(f"{where}：图片像素过多（超过 {Image.MAX_IMAGE_PIXELS:,} 像素，可能是解压炸弹）；"
                            "未保存任何内容",
                            f"{where}: the image has too many pixels (over {Image.MAX_IMAGE_PIXELS:,}: a "
                            "decompression bomb?); nothing was stored")) from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a broken file; each one is a refusal
        zh, en = _image_problem(exc, IMAGE_TYPES[media], Image)
        raise InputError(tr(f"{where}：图片已损坏或不完整（{zh}）；未保存任何内容",
                            f"{where}: the image is damaged or cut short ({en}); nothing was stored")) from None
    return im


def _image_problem(exc: BaseException, kind: str, Image: Any) -> tuple[str, str]:
    """What Pillow found wrong, in our words (zh, en): its own messages are English only."""
    said = str(exc).lower()
    if isinstance(exc, EOFError) or "truncated" in said or "end of file" in said:
        return f"{kind} 文件不完整，结尾缺失", f"the {kind} file ends too early"
    if isinstance(exc, Image.UnidentifiedImageError) or "cannot identify" in said:
        return f"无法作为 {kind} 图片读取", f"it cannot be read as a {kind} image"
    return f"{kind} 图像数据无法解码", f"its {kind} image data cannot be decoded"


def _check_image(data: bytes, media: str, where: str, found: EvidenceFile) -> None:
    im = _open_image(data, media, where, reduced=True)
    try:
        exif = im.getexif()
    except Exception:  # noqa: BLE001 - unreadable EXIF: the photo is kept without what it would have said
        return
    found.taken_at = _taken_at(exif)
    found.gps_lat, found.gps_lon = _gps(exif)


def _taken_at(exif: Any) -> str | None:
    """When a photo was taken (EXIF DateTimeOriginal, else DateTime) as `YYYY-MM-DDTHH:MM:SS`, camera time."""
    try:
        text = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)
    except Exception:  # noqa: BLE001
        return None
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    found = re.match(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})", str(text or "").strip())
    if found is None:
        return None
    y, mo, d, h, mi, s = found.groups()
    import datetime as dt

    try:
        return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s)).isoformat()
    except ValueError:
        return None


def _gps(exif: Any) -> tuple[float | None, float | None]:
    """Latitude and longitude in degrees from the EXIF GPS block; (None, None) when absent or unreadable."""
    try:
        gps = exif.get_ifd(0x8825)
        if not gps:
            return None, None

        def degrees(value: Any, ref: Any, negative: str) -> float | None:
            if value is None:
                return None
            d, m, s = (float(part) for part in value)
            out = d + m / 60 + s / 3600
            if isinstance(ref, bytes):
                ref = ref.decode("ascii", "replace")
            if str(ref or "").strip().upper() == negative:
                out = -out
            return round(out, 7) if out == out and abs(out) <= 180 else None

        return degrees(gps.get(2), gps.get(1), "S"), degrees(gps.get(4), gps.get(3), "W")
    except Exception:  # noqa: BLE001
        return None, None


def _check_pdf(data: bytes, where: str) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise InputError(tr(f"{where}：PDF 不完整（没有结尾标记 %%EOF）；未保存任何内容",
                            f"{where}: the PDF is cut short (no %%EOF at its end); nothing was stored"))


def _check_docx(data: bytes, where: str) -> None:
    """A Word document: a zip with `[Content_Types].xml` and `word/document.xml`, no macros, no member
    encrypted or expanding far beyond its compressed size; `word/document.xml` read whole (its CRC checked) in
    memory, bounded."""
    import zipfile

    def refuse(zh: str, en: str) -> InputError:
        return InputError(tr(f"{where}：不是完好的 Word 文档（.docx）：{zh}；未保存任何内容",
                             f"{where}: not an intact Word document (.docx): {en}; nothing was stored"))

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise refuse("无法作为 zip 读取", f"it cannot be read as a zip ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > _DOCX_MAX_MEMBERS:
            raise refuse("成员过多", "too many members")
        names = {i.filename for i in infos}
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise refuse("缺少 word/document.xml", "word/document.xml is missing (a zip, but not a Word document)")
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise refuse("含有宏", "it holds macros")
        for info in infos:
            if info.flag_bits & 0x1:
                raise refuse(f"{info.filename} 已加密", f"{info.filename} is encrypted")
            if info.file_size > _DOCX_MAX_RATIO * max(info.compress_size, 1) + 4096:
                raise refuse(f"{info.filename} 压缩比异常（可能是压缩炸弹）",
                             f"{info.filename} expands too much (a zip bomb?)")
        if zf.getinfo("word/document.xml").file_size > _DOCX_MAX_XML:
            raise refuse("word/document.xml 太大", "word/document.xml is too large")
        try:
            with zf.open("word/document.xml") as fh:
                xml = fh.read(_DOCX_MAX_XML + 1)
            with zf.open("[Content_Types].xml") as fh:
                types = fh.read(1024 * 1024)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise refuse("其中的文件无法读取（已损坏）", f"it cannot be read ({exc})") from None
        if len(xml) > _DOCX_MAX_XML:
            raise refuse("word/document.xml 太大", "word/document.xml is too large")
        if b"<w:document" not in xml[:65536] and b":document" not in xml[:65536]:
            raise refuse("word/document.xml 不是 Word 文档正文", "word/document.xml is not a Word document body")
        if b"wordprocessingml.document.main+xml" not in types:
            raise refuse("内容类型不是 Word 文档", "its content types are not those of a Word document")


# -- copies for documents ------------------------------------------------------------------------------------

def downscaled(data: bytes, media: str, max_side: int = EMBED_MAX_SIDE, quality: int = 82) -> bytes:
    """A JPEG copy of a photo for a printed document: turned upright as the camera said, at most `max_side`
    pixels on its long side, and carrying no metadata at all (no EXIF, so no GPS, no camera, no time).

    A JPEG is decoded at the smallest of its built-in scales (1/2, 1/4, 1/8) that still covers the copy's size,
    then resized: a 12-megapixel photo costs a quarter of a full decode."""
    import warnings

    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        im = Image.open(io.BytesIO(data), formats=[IMAGE_TYPES[media]]) if media != "image/heic" else \
            _open_image(data, media, "evidence")
        width, height = im.size
        scale = min(1.0, max_side / max(width, height, 1))
        target = (max(1, round(width * scale)), max(1, round(height * scale)))
        if im.format == "JPEG":
            im.draft("RGB", target)
        im.load()
    if im.size != target:  # bicubic with antialiasing: as good as Lanczos at a thumbnail's size, in half the time
        im = im.resize(target, Image.Resampling.BICUBIC, reducing_gap=2.0)
    try:
        im = ImageOps.exif_transpose(im)
    except Exception:  # noqa: BLE001 - a broken orientation tag: keep the pixels as they are
        pass
    if im.mode in ("RGBA", "LA", "P", "PA"):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.split()[-1])
        im = flat
    elif im.mode != "RGB":
        im = im.convert("RGB")
    clean = Image.frombytes("RGB", im.size, im.tobytes())  # pixels only: nothing of the original's info
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


# -- the folder ----------------------------------------------------------------------------------------------

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
