"""Evolink's published limits per model (PRODUCT.md §2, reference/evolink/DIGEST.md §2-§3).

One table used by the command parser, the image preparation step, the request models and the
fake Evolink server, so a limit is never written twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

TEXT_TO_IMAGE: Final = "wan2.5-text-to-image"
IMAGE_TO_IMAGE: Final = "wan2.5-image-to-image"
QWEN_EDIT: Final = "qwen-image-edit"
IMAGE_TO_VIDEO: Final = "wan2.5-image-to-video"

ModelName = Literal[
    "wan2.5-text-to-image", "wan2.5-image-to-image", "qwen-image-edit", "wan2.5-image-to-video"
]
ALL_MODELS: Final[tuple[ModelName, ...]] = (
    TEXT_TO_IMAGE,
    IMAGE_TO_IMAGE,
    QWEN_EDIT,
    IMAGE_TO_VIDEO,
)

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


# The short names users see for each model in messages ("Photo 1 is too small for wan").
MODEL_LABELS: Final[dict[str, str]] = {
    TEXT_TO_IMAGE: "imagine",
    IMAGE_TO_IMAGE: "wan",
    QWEN_EDIT: "qwen",
    IMAGE_TO_VIDEO: "animate",
}

_MB = 1024 * 1024
# Formats are Pillow's names. TIFF is listed for qwen by its page, but neither the error page
# nor the files service accepts it (DIGEST D11b), so no model gets it here.
_FORMATS = frozenset({"JPEG", "PNG", "BMP", "WEBP"})

INPUT_LIMITS: Final[dict[str, ImageInputLimits]] = {
    IMAGE_TO_IMAGE: ImageInputLimits(1, 2, 384, 5000, 10 * _MB, _FORMATS, False),
    # qwen states no byte limit (DIGEST §2.3); 10 MB keeps us inside every other model's rule.
    QWEN_EDIT: ImageInputLimits(1, 3, 384, 3072, 10 * _MB, _FORMATS, False),
    IMAGE_TO_VIDEO: ImageInputLimits(1, 1, 360, 2000, 10 * _MB, _FORMATS, False),
}


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
