"""Make a user's photo acceptable to an Evolink model (PRODUCT.md §2, DIGEST §2.2, §2.3, §3, §7).

Pure: bytes in, bytes out. A photo too large is scaled down (aspect kept) and transparency is
flattened onto white without asking; a photo too small or too thin is refused with an
`ImageRejected` that carries a `bot.messages` key and its parameters. The output is always a
JPEG or PNG, the two types every model and the files service accept.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps

from bot.evolink.limits import ImageInputLimits
from bot.metadata import strip_metadata
from bot.models.registry import INPUT_LIMITS

# Decoding is the expensive part, so pixel counts are checked from the header alone (a tiny
# PNG can claim 40000x40000). 60 MP is the largest camera photo; a JPEG that large is decoded
# reduced (`Image.draft`) when the model wants it smaller anyway.
MAX_PIXELS: Final = 60_000_000
# Other formats decode at full size whatever the model needs: 4096x4096 is above any screen
# capture, and below it one decode costs well under a second and ~70 MB.
MAX_UNDRAFTED_PIXELS: Final = 4096 * 4096
# A JPEG still decoding above 24 MP must look like a photo: real ones take a byte per few
# pixels, while a flat picture (cheap to send, costly to decode) takes one per hundreds.
_PLAIN_PIXELS: Final = 24_000_000
_MAX_PIXELS_PER_BYTE: Final = 50
# What we try to decode; everything else (HEIC, AVIF, PPM, ...) is "unreadable". GIF and TIFF
# are accepted as input but always re-encoded, since the models don't list them.
_READABLE: Final = ("JPEG", "PNG", "BMP", "WEBP", "GIF", "TIFF")
_JPEG_QUALITIES: Final = (92, 85, 75, 65)
_SHRINK_STEP: Final = 0.85
# PNG keeps screenshots crisp, but encoding a big photo as PNG is slow (~2 s for 16 MP) and
# rarely fits in 10 MB, so it's only tried for modest sizes.
_PNG_MAX_PIXELS: Final = 2048 * 2048
_ORIENTATION: Final = 0x0112
_ALPHA_MODES: Final = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_MIME: Final = {"jpg": "image/jpeg", "png": "image/png"}
_LANCZOS: Final = Image.Resampling.LANCZOS


@dataclass(frozen=True)
class PreparedImage:
    """An image ready to upload. Sizes are as displayed (after EXIF orientation)."""

    data: bytes
    mime_type: str  # "image/jpeg" or "image/png"
    filename: str  # "input-1.jpg"
    width: int
    height: int
    original_width: int
    original_height: int
    scaled: bool
    flattened: bool


class ImageRejected(Exception):
    """The photo can't be used; `t(key, **params)` tells the user why."""

    def __init__(self, key: str, params: dict[str, object]) -> None:
        super().__init__(f"{key} {params}")
        self.key = key
        self.params = params


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) as displayed, from the header only; None if not a readable image."""
    try:
        with Image.open(io.BytesIO(data), formats=_READABLE) as img:
            return _displayed_size(img)
    except Exception:
        return None


def _displayed_size(img: Image.Image) -> tuple[int, int]:
    width, height = img.size
    # PNG may keep EXIF after the pixels, so reading it could mean a full decode.
    if img.format != "PNG" and img.getexif().get(_ORIENTATION) in (5, 6, 7, 8):
        width, height = height, width
    return width, height


def prepare_image(
    data: bytes, model: str, *, index: int = 1, model_label: str | None = None
) -> PreparedImage:
    """Check, orient, scale, flatten and encode `data` for `model` (a key of INPUT_LIMITS).

    Everything that can be refused from the header is refused before any pixel is decoded;
    the output never carries the input's metadata (EXIF, XMP, IPTC, comments, PNG text).
    """
    limits = INPUT_LIMITS[model]
    min_side, max_side = limits.min_side, limits.max_side
    src = _open(data, index)
    original = _displayed_size(src)
    _check_header(src, original, len(data), limits, index, model_label or model)
    _decode(src, data, limits, index, original)
    rotated = src.getexif().get(_ORIENTATION, 1) in range(2, 9)
    img = ImageOps.exif_transpose(src) if rotated else src
    width, height = img.size  # smaller than `original` when a JPEG was decoded reduced
    long, short = max(width, height), min(width, height)

    has_alpha = img.mode in _ALPHA_MODES or "transparency" in img.info
    # The cheapest, loss-free path: the user's own bytes with their metadata cut out.
    if (
        src.format in ("JPEG", "PNG")
        and (width, height) == original  # not decoded reduced
        and long <= max_side
        and len(data) <= limits.max_bytes
        and not rotated
        and not has_alpha
        and img.mode in (("RGB", "L") if src.format == "JPEG" else ("RGB", "L", "P"))
        and not getattr(src, "is_animated", False)
    ):
        ext = "jpg" if src.format == "JPEG" else "png"
        kept = _stripped(data, ext)
        if kept is not None:
            return PreparedImage(
                kept, _MIME[ext], f"input-{index}.{ext}", width, height, *original, False, False
            )

    flattened = False
    if has_alpha:
        rgba = img.convert("RGBA")
        alpha = rgba.getchannel("A")
        flattened = alpha.getextrema()[0] != 255  # any pixel not fully opaque
        img = Image.new("RGB", rgba.size, "white")
        img.paste(rgba, mask=alpha)
    elif img.mode == "F" or img.mode.startswith("I"):
        # 16-bit grey would saturate to white in a plain convert; bring it to 8 bits.
        img = img.convert("I")
        top = img.getextrema()[1]
        if isinstance(top, int | float) and top > 255:
            img = img.point(lambda v: v / 257)
        img = img.convert("L")
    elif img.mode not in ("RGB", "L"):  # CMYK, YCbCr, P, 1, ...; grey stays grey (smaller)
        img = img.convert("RGB")

    # Scale the long side to max_side, then shrink in steps if the encoding is still too big,
    # never taking the short side below min_side (the shape check made that possible).
    scale = min(1.0, max_side / long)
    floor = min_side / short
    qualities: tuple[int, ...] = _JPEG_QUALITIES
    try_png = src.format == "PNG"
    while True:
        size = (width, height)
        if scale < 1.0:  # max() only guards against float rounding at the floor
            size = (max(round(width * scale), min_side), max(round(height * scale), min_side))
        out = img if size == img.size else img.resize(size, _LANCZOS, reducing_gap=3.0)
        png = [("png", 0)] if try_png and size[0] * size[1] <= _PNG_MAX_PIXELS else []
        for ext, quality in png + [("jpg", q) for q in qualities]:
            blob = _stripped(_encode(out, ext, quality), ext)
            if blob is not None and len(blob) <= limits.max_bytes:
                scaled = out.size != original
                name = f"input-{index}.{ext}"
                return PreparedImage(
                    blob, _MIME[ext], name, *out.size, *original, scaled, flattened
                )
        if scale <= floor:
            # Unreachable with the real limits: min_side x max_side at q65 is far below 10 MB.
            raise ImageRejected("photo_unreadable", {"index": index})
        scale = max(scale * _SHRINK_STEP, floor)
        qualities, try_png = _JPEG_QUALITIES[-1:], False


def _open(data: bytes, index: int) -> Image.Image:
    """The header, read lazily (nothing decoded yet), or raise unreadable."""
    try:
        return Image.open(io.BytesIO(data), formats=_READABLE)
    except Exception as exc:  # Pillow raises many types for bad input (OSError, SyntaxError...)
        raise ImageRejected("photo_unreadable", {"index": index}) from exc


def _check_header(
    img: Image.Image,
    size: tuple[int, int],
    length: int,
    limits: ImageInputLimits,
    index: int,
    label: str,
) -> None:
    """Refuse by the header alone: too many pixels, a shape no scale fixes, too small."""
    width, height = size
    params: dict[str, object] = {"index": index, "width": width, "height": height}
    cap = MAX_PIXELS if img.format == "JPEG" else MAX_UNDRAFTED_PIXELS
    if width * height > cap:
        raise ImageRejected("photo_too_many_pixels", {**params, "max_mp": cap // 1_000_000})
    long, short = max(width, height), min(width, height)
    # Too thin for any scale first: "send a larger photo" would not help with a 10000x300 strip.
    if long * limits.min_side > short * limits.max_side:
        raise ImageRejected("photo_shape", params)
    if short < limits.min_side:
        raise ImageRejected("photo_too_small", {**params, "model": label, "min": limits.min_side})


def _decode(
    img: Image.Image, data: bytes, limits: ImageInputLimits, index: int, shown: tuple[int, int]
) -> None:
    """Decode fully (so a truncated file fails here, not at Evolink), a large JPEG at the
    smallest scale still at least the model's maximum; or raise (`shown`: the size to name)."""
    width, height = img.size
    long = max(width, height)
    if img.format == "JPEG" and long > limits.max_side:
        ratio = limits.max_side / long
        img.draft(img.mode, (math.ceil(width * ratio), math.ceil(height * ratio)))
    pixels = img.width * img.height
    if pixels > _PLAIN_PIXELS and pixels > len(data) * _MAX_PIXELS_PER_BYTE:
        params = {"index": index, "width": shown[0], "height": shown[1]}
        raise ImageRejected("photo_too_many_pixels", {**params, "max_mp": _PLAIN_PIXELS // 10**6})
    try:
        img.load()  # GIF/WebP/APNG: the first frame
    except Exception as exc:
        raise ImageRejected("photo_unreadable", {"index": index}) from exc


def _stripped(blob: bytes, ext: str) -> bytes | None:
    """`blob` without metadata, or None when it can't be walked (then it is re-encoded)."""
    try:
        return strip_metadata(blob, _MIME[ext])
    except ValueError:
        return None


def _encode(img: Image.Image, ext: str, quality: int) -> bytes:
    buf = io.BytesIO()
    if ext == "png":
        img.save(buf, "PNG")
    else:
        img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()
