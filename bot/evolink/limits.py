"""Evolink's published limits shared by several models (PRODUCT.md §2, DIGEST §2-§3).

Each model's own limits (input photos, flags) are in its spec module under `bot/models/`;
the numbers here are the ones those specs, the request models and the fake Evolink share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

PROMPT_MAX_CHARS: Final = 2000  # schema maxLength (DIGEST D1/D2): characters, not tokens
N_MIN: Final = 1
N_MAX: Final = 4
SIZE_MIN_PIXELS: Final = 768 * 768  # 589,824
SIZE_MAX_PIXELS: Final = 1440 * 1440  # 2,073,600
SIZE_MIN_RATIO: Final = 0.25
SIZE_MAX_RATIO: Final = 4.0
AR_TARGET_PIXELS: Final = 1280 * 1280
VIDEO_DURATIONS: Final = (5, 10)
VIDEO_QUALITIES: Final = ("480p", "720p", "1080p")
DEFAULT_DURATION: Final = 5
DEFAULT_QUALITY: Final = "720p"

Quality = Literal["480p", "720p", "1080p"]
Duration = Literal[5, 10]


@dataclass(frozen=True, slots=True)
class ImageInputLimits:
    """What one model accepts as input images."""

    min_images: int
    max_images: int
    min_side: int
    max_side: int
    max_bytes: int
    formats: frozenset[str]  # Pillow format names
    allows_transparency: bool


_MB = 1024 * 1024
# Formats are Pillow's names. TIFF is listed for qwen by its page, but neither the error page
# nor the files service accepts it (DIGEST D11b), so no model gets it here.
IMAGE_FORMATS: Final = frozenset({"JPEG", "PNG", "BMP", "WEBP"})
INPUT_MAX_BYTES: Final = 10 * _MB


def size_problem(width: int, height: int) -> str | None:
    """Why `WxH` is not an allowed wan2.5 text-to-image size, or None when it is."""
    if width <= 0 or height <= 0:
        return "width and height must be positive"
    pixels = width * height
    if not SIZE_MIN_PIXELS <= pixels <= SIZE_MAX_PIXELS:
        return "total pixels out of range"
    if not SIZE_MIN_RATIO <= width / height <= SIZE_MAX_RATIO:
        return "aspect ratio out of range"
    return None
