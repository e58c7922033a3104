"""Evidence files (photos and documents): the only reader that decides what a file is.

What a file is comes from its content, never its name: JPEG, PNG, WEBP and HEIC photos (decoded whole with Pillow,
whose decompression-bomb limit is an error here: files/evidence_images.py), PDF, and DOCX (a zip holding
`word/document.xml`, looked into without extracting anything, every size bounded). The bytes are read through the
bounded reader (files/inputs.py), so a device or a pipe cannot fill memory. The folder the checked files are kept in
is written by files/evidence_folder.py.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nanxian_cli.errors import InputError
from nanxian_cli.files.evidence_images import IMAGE_TYPES, _check_image
from nanxian_cli.i18n import tr

DEFAULT_MAX_MB = 20
"""The largest evidence file accepted, in MB (config `[evidence] max_mb`)."""
MEDIA_TYPES = {
    "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic", "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
"""Every kind of file kept, and the extension an exported copy gets."""
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
