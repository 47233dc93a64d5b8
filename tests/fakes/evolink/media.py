"""Real result files: PNG images rendered on demand, MP4 videos from committed fixtures.

Results must be genuine files so the bot's delivery path (Pillow, Telegram uploads, size
limits) is exercised for real, yet cheap: a gradient whose colours come from the prompt's hash
renders a 1440x1440 PNG in about 10 ms. Padding makes a file arbitrarily large without holding
it in memory: a private ancillary PNG chunk or a top-level MP4 `free` box, both of which every
decoder skips, so the file stays valid.
"""

from __future__ import annotations

import functools
import hashlib
import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from PIL import Image

ASSETS = Path(__file__).resolve().parent / "assets"
Kind = Literal["png", "mp4"]

_ZEROS = bytes(1 << 20)
# Lowercase 1st letter: ancillary; lowercase 2nd: private; uppercase 3rd: reserved bit clear.
PADDING_CHUNK = b"fkPd"
_PNG_IEND = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
PNG_PADDING_MIN = 12  # length + type + CRC
MP4_PADDING_MIN = 8  # size + type


def _ramp(start: int, end: int) -> list[int]:
    return [start + (end - start) * value // 255 for value in range(256)]


def render_png(width: int, height: int, prompt: str, index: int = 0) -> bytes:
    """A `width`x`height` RGB PNG, coloured by the prompt and the image's index."""
    digest = hashlib.sha256(f"{index}:{prompt}".encode()).digest()
    gradient = Image.linear_gradient("L").resize((width, height), Image.Resampling.NEAREST)
    red = gradient.point(_ramp(digest[0], digest[3]))
    green = Image.new("L", (width, height), digest[1])
    blue = gradient.point(_ramp(digest[2], 255 - digest[2]))
    out = io.BytesIO()
    Image.merge("RGB", (red, green, blue)).save(out, "PNG", compress_level=6)
    return out.getvalue()


@functools.cache
def video_bytes(duration: int) -> bytes:
    """The committed H.264 MP4 of `duration` seconds (see make_assets.py)."""
    return (ASSETS / f"video-{duration}s.mp4").read_bytes()


def _zeros(count: int) -> Iterator[bytes]:
    while count > 0:
        piece = _ZEROS[: min(count, len(_ZEROS))]
        count -= len(piece)
        yield piece


@functools.lru_cache(maxsize=16)
def _padding_crc(data_length: int) -> int:
    crc = zlib.crc32(PADDING_CHUNK)
    for piece in _zeros(data_length):
        crc = zlib.crc32(piece, crc)
    return crc


def padded_size(kind: Kind, size: int, padding: int) -> int:
    """Final size of a file of `size` bytes once `padding` is added (tiny paddings round up)."""
    if padding <= 0:
        return size
    return size + max(padding, PNG_PADDING_MIN if kind == "png" else MP4_PADDING_MIN)


def padded(kind: Kind, data: bytes, padding: int) -> Iterator[bytes]:
    """`data` with `padding` extra bytes, generated piece by piece."""
    if padding <= 0:
        yield data
        return
    if kind == "mp4":
        total = max(padding, MP4_PADDING_MIN)
        yield data
        yield struct.pack(">I", total) + b"free"
        yield from _zeros(total - MP4_PADDING_MIN)
        return
    if not data.endswith(_PNG_IEND):
        raise ValueError("not a PNG ending in IEND")
    length = max(padding, PNG_PADDING_MIN) - PNG_PADDING_MIN
    # The chunk goes just before IEND: after IDAT, where private chunks are allowed.
    yield data[: -len(_PNG_IEND)]
    yield struct.pack(">I", length) + PADDING_CHUNK
    yield from _zeros(length)
    yield struct.pack(">I", _padding_crc(length))
    yield _PNG_IEND
