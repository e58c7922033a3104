"""Evidence photos: decoding them whole with Pillow to check them (a decompression bomb is an error), what their
EXIF says (when taken, where), and the downscaled copies printed documents embed (upright, no metadata).

Pillow is imported only here and only when a photo is checked or downscaled (it costs start-up).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from nanxian_cli.errors import InputError, RuntimeFailure
from nanxian_cli.i18n import tr

if TYPE_CHECKING:
    from nanxian_cli.files.evidence import EvidenceFile

EMBED_MAX_SIDE = 1600
"""The long side of a downscaled copy for a document, in pixels, at most."""
THUMBNAIL_MAX_SIDE = 1024
"""The long side of the copy a printed document embeds: a thumbnail about 5 cm wide prints at over 500 dpi, and
ten of them keep a notice small (a phone's photo becomes about 100 KB) and quick to make."""
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF"}
"""Media type -> the format Pillow must find when it decodes the file."""


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
