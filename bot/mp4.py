"""Duration and frame size of an MP4, read from its `mvhd` and `tkhd` boxes.

Telegram does not read them from the file a bot uploads: a video sent without them shows as
0x0 and 0 s until played. Delivery states them when the file does.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

_CONTAINERS = {b"moov", b"trak"}


def _boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, bytes]]:
    """(type, payload) of each box between `start` and `end`, descending into containers."""
    end = len(data) if end is None else end
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1 and offset + 16 <= end:
            size, header = struct.unpack_from(">Q", data, offset + 8)[0], 16
        elif size == 0:
            size = end - offset
        if size < header:
            return
        if kind in _CONTAINERS:
            yield from _boxes(data, offset + header, min(offset + size, end))
        else:
            yield kind, data[offset + header : offset + size]
        offset += size


def _duration(mvhd: bytes) -> float:
    if mvhd[0] == 1:
        timescale, duration = struct.unpack_from(">IQ", mvhd, 20)
    else:
        timescale, duration = struct.unpack_from(">II", mvhd, 12)
    return duration / timescale if timescale else 0.0


def probe(data: bytes) -> tuple[int, int, int] | None:
    """(seconds, width, height), or None when the file is not an MP4 we can read."""
    seconds: float | None = None
    size: tuple[int, int] | None = None
    try:
        for kind, payload in _boxes(data):
            if kind == b"mvhd":
                seconds = _duration(payload)
            elif kind == b"tkhd" and size is None and len(payload) >= 8:
                width, height = struct.unpack_from(">II", payload, len(payload) - 8)
                if width and height:
                    size = (width >> 16, height >> 16)  # 16.16 fixed point
    except (struct.error, IndexError):  # a truncated or foreign file: say nothing about it
        return None
    if seconds is None or size is None:
        return None
    return round(seconds), size[0], size[1]
