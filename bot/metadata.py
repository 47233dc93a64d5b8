"""Remove metadata from JPEG and PNG files without touching their pixels.

Uploaded inputs become public URLs at Evolink, so nothing but the picture may go with them:
no EXIF (GPS, camera serials), XMP (which can carry GPS too), IPTC, comments or PNG text
chunks. What shapes how the picture looks stays: JPEG's JFIF, ICC profile and Adobe (colour
transform) segments, and PNG's colour chunks. Both functions raise ValueError on a file they
cannot walk; the caller then re-encodes it instead.
"""

from __future__ import annotations

import struct
from typing import Final

_SOI: Final = b"\xff\xd8"
_EOI: Final = 0xD9
_SOS: Final = 0xDA
_APP0, _APP2, _APP14 = 0xE0, 0xE2, 0xEE
_APPS: Final = range(0xE0, 0xF0)
_COMMENT: Final = 0xFE
_STANDALONE: Final = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0-7: no length
_ICC: Final = b"ICC_PROFILE\x00"

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
# Kept: what decoding and colour need. Everything else goes: text (tEXt, zTXt, iTXt), EXIF
# (eXIf), times, and private chunks (C2PA's caBX names people and devices).
_PNG_KEPT: Final = frozenset(
    {
        *(b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"bKGD", b"pHYs", b"sBIT"),
        *(b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP", b"mDCV", b"cLLI"),
        *(b"acTL", b"fcTL", b"fdAT"),
    }
)


def strip_jpeg(data: bytes) -> bytes:
    """`data` without APPn segments other than JFIF, ICC and Adobe, without comments, and
    without anything after the end of the image (where MPF and appended files hide)."""
    if not data.startswith(_SOI):
        raise ValueError("not a JPEG")
    out = bytearray(_SOI)
    pos = 2
    while True:
        pos, marker = _next_marker(data, pos)
        if marker == _EOI:
            out += b"\xff\xd9"
            return bytes(out)
        if marker in _STANDALONE:
            out += bytes((0xFF, marker))
            pos += 2
            continue
        end = pos + 2 + _u16(data, pos + 2)
        if end > len(data):
            raise ValueError("segment past the end")
        if _kept(marker, data[pos + 4 : end]):
            out += data[pos:end]
        pos = end
        if marker == _SOS:  # entropy-coded data follows, up to the next real marker
            scan_end = _scan_end(data, pos)
            out += data[pos:scan_end]
            pos = scan_end


def _kept(marker: int, body: bytes) -> bool:
    if marker == _COMMENT:
        return False
    if marker not in _APPS:
        return True
    return marker in (_APP0, _APP14) or (marker == _APP2 and body.startswith(_ICC))


def _next_marker(data: bytes, pos: int) -> tuple[int, int]:
    """(position of the 0xFF, marker byte) at `pos`, skipping fill bytes."""
    if pos >= len(data) or data[pos] != 0xFF:
        raise ValueError("expected a marker")
    while pos + 1 < len(data) and data[pos + 1] == 0xFF:
        pos += 1
    if pos + 1 >= len(data):
        raise ValueError("truncated marker")
    return pos, data[pos + 1]


def _scan_end(data: bytes, pos: int) -> int:
    """Where the entropy-coded data starting at `pos` ends: at the first 0xFF that is
    neither a stuffed zero nor a restart marker."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise ValueError("scan without an end")
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos += 2
        elif following == 0xFF:
            pos += 1
        else:
            return pos


def _u16(data: bytes, pos: int) -> int:
    if pos + 2 > len(data):
        raise ValueError("truncated length")
    value: int = struct.unpack_from(">H", data, pos)[0]
    if value < 2:
        raise ValueError("bad segment length")
    return value


def strip_png(data: bytes) -> bytes:
    """`data` with only the chunks that shape the picture, and nothing after IEND."""
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG")
    out = bytearray(_PNG_SIGNATURE)
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if end > len(data):
            raise ValueError("chunk past the end")
        if kind in _PNG_KEPT:
            out += data[pos:end]
        if kind == b"IEND":
            return bytes(out)
        pos = end
    raise ValueError("no IEND")


def strip_metadata(data: bytes, mime_type: str) -> bytes:
    """The metadata-free form of a JPEG or PNG (ValueError for anything else)."""
    if mime_type == "image/jpeg":
        return strip_jpeg(data)
    if mime_type == "image/png":
        return strip_png(data)
    raise ValueError(f"no metadata stripping for {mime_type}")
