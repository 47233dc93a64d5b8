"""Make a user's photo acceptable to an Evolink model (PRODUCT.md §2, DIGEST §2.2, §2.3, §3, §7).

Pure: bytes in, bytes out. A photo too large is scaled down (aspect kept) and transparency is
flattened onto white without asking; a photo too small or too thin is refused with an
`ImageRejected` that carries a `bot.messages` key and its parameters. The output is always a
JPEG or PNG, the two types every model and the files service accept.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps

from bot.models.registry import INPUT_LIMITS

# Decoding is the expensive part, so refuse absurd pixel counts from the header alone (a tiny
# PNG can claim 40000x40000). 60 MP is well above any phone camera.
MAX_PIXELS: Final = 60_000_000
# What we try to decode; everything else (HEIC, AVIF, PPM, ...) is "unreadable". GIF and TIFF
# are accepted as input but always re-encoded, since the models don't list them.
_READABLE: Final = ("JPEG", "PNG", "BMP", "WEBP", "GIF", "TIFF")
_JPEG_QUALITIES: Final = (92, 85, 75, 65)
_SHRINK_STEP: Final = 0.85
# PNG keeps screenshots crisp, but encoding a big photo as PNG is slow (~2 s for 16 MP) and
# rarely fits in 10 MB, so it's only tried for modest sizes.
_PNG_MAX_PIXELS: Final = 2048 * 2048
_ORIENTATION: Final = 0x0112
_GPS_IFD: Final = 0x8825
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
            width, height = img.size
            # PNG may keep EXIF after the pixels, so reading it could mean a full decode.
            if img.format != "PNG" and img.getexif().get(_ORIENTATION) in (5, 6, 7, 8):
                width, height = height, width
            return width, height
    except Exception:
        return None


def prepare_image(
    data: bytes, model: str, *, index: int = 1, model_label: str | None = None
) -> PreparedImage:
    """Check, orient, scale, flatten and encode `data` for `model` (a key of INPUT_LIMITS)."""
    limits = INPUT_LIMITS[model]
    min_side, max_side = limits.min_side, limits.max_side
    src = _open(data, index)
    exif = src.getexif()
    rotated = exif.get(_ORIENTATION, 1) in range(2, 9)
    img = ImageOps.exif_transpose(src) if rotated else src
    width, height = img.size
    long, short = max(width, height), min(width, height)
    # Too thin for any scale first: "send a larger photo" would not help with a 10000x300 strip.
    if long * min_side > short * max_side:
        raise ImageRejected("photo_shape", {"index": index, "width": width, "height": height})
    if short < min_side:
        label = model_label or model
        params = {"index": index, "width": width, "height": height, "model": label}
        raise ImageRejected("photo_too_small", {**params, "min": min_side})

    has_alpha = img.mode in _ALPHA_MODES or "transparency" in img.info
    # The cheapest, loss-free path: the user's own bytes. GPS data is not passed on, because
    # uploads become public URLs; Telegram strips EXIF from "photos", so this is rare.
    if (
        src.format in ("JPEG", "PNG")
        and long <= max_side
        and len(data) <= limits.max_bytes
        and not rotated
        and not has_alpha
        and img.mode in (("RGB", "L") if src.format == "JPEG" else ("RGB", "L", "P"))
        and not getattr(src, "is_animated", False)
        and not exif.get_ifd(_GPS_IFD)
    ):
        ext = "jpg" if src.format == "JPEG" else "png"
        return PreparedImage(
            data, _MIME[ext], f"input-{index}.{ext}", width, height, width, height, False, False
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
            blob = _encode(out, ext, quality)
            if len(blob) <= limits.max_bytes:
                scaled = out.size != (width, height)
                name = f"input-{index}.{ext}"
                return PreparedImage(
                    blob, _MIME[ext], name, *out.size, width, height, scaled, flattened
                )
        if scale <= floor:
            # Unreachable with the real limits: min_side x max_side at q65 is far below 10 MB.
            raise ImageRejected("photo_unreadable", {"index": index})
        scale = max(scale * _SHRINK_STEP, floor)
        qualities, try_png = _JPEG_QUALITIES[-1:], False


def _open(data: bytes, index: int) -> Image.Image:
    """Decode fully (so a truncated file fails here, not at Evolink) or raise unreadable."""
    try:
        img = Image.open(io.BytesIO(data), formats=_READABLE)
        if img.width * img.height > MAX_PIXELS:
            raise ValueError("too many pixels")
        img.load()  # GIF/WebP/APNG: the first frame
        return img
    except Exception as exc:  # Pillow raises many types for bad input (OSError, SyntaxError...)
        raise ImageRejected("photo_unreadable", {"index": index}) from exc


def _encode(img: Image.Image, ext: str, quality: int) -> bytes:
    buf = io.BytesIO()
    if ext == "png":
        img.save(buf, "PNG")
    else:
        img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()
