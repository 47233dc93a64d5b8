"""Stored files and photo processing (what Telegram does to an uploaded photo)."""

from __future__ import annotations

import io
import itertools
import mimetypes
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

MB = 1 << 20
PHOTO_UPLOAD_MAX = 10 * MB
UPLOAD_MAX = 50 * MB
PHOTO_URL_MAX = 5 * MB
URL_MAX = 20 * MB
DOWNLOAD_MAX = 20 * MB
PHOTO_SIDES_SUM_MAX = 10000
PHOTO_RATIO_MAX = 20
# Telegram's 's', 'm', 'x', 'y' thumbnails plus the largest size capped at 2560 ('w').
THUMBNAIL_SIDES = (90, 320, 800, 1280)
PHOTO_MAX_SIDE = 2560
JPEG_QUALITY = 87

_EXTENSIONS = {"photo": "jpg", "video": "mp4", "animation": "mp4", "audio": "mp3", "voice": "oga"}
_FOLDERS = {
    "photo": "photos",
    "video": "videos",
    "animation": "animations",
    "document": "documents",
    "audio": "music",
    "voice": "voice",
}


class MediaError(ValueError):
    """A file Telegram would refuse; str() is the Bot API description without the prefix."""


@dataclass
class StoredFile:
    """One file on the fake's servers; ``size`` may exceed len(data) for synthetic files."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    size: int
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None
    width: int = 0
    height: int = 0
    duration: int = 0
    # For photos: the file_ids of every size of the same photo, smallest first.
    photo_set: list[str] = field(default_factory=list)

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }

    def as_photo_size(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "width": self.width,
            "height": self.height,
        }

    def as_media(self, kind: str | None = None) -> dict[str, Any]:
        """The Video/Animation/Document/Audio object of a message (as ``kind``)."""
        kind = kind or self.kind
        out: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if kind in ("video", "animation"):
            out.update(width=self.width, height=self.height, duration=self.duration)
        if kind in ("audio", "voice"):
            out["duration"] = self.duration
        if self.file_name and kind != "voice":
            out["file_name"] = self.file_name
        if self.mime_type:
            out["mime_type"] = self.mime_type
        out["file_size"] = self.size
        return out


class FileStore:
    """All files by file_id and by file_path (for the download route)."""

    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def add(
        self,
        data: bytes,
        *,
        kind: str,
        mime_type: str | None = None,
        file_name: str | None = None,
        size: int | None = None,
        **attrs: Any,
    ) -> StoredFile:
        n = next(self._counter)
        ext = _extension(kind, file_name, mime_type)
        stored = StoredFile(
            # Real ids are opaque base64 strings; the prefix hints at the kind for debugging.
            file_id=f"{_ID_PREFIX.get(kind, 'BQAC')}AgADfake{n:06d}{kind[:3]}",
            file_unique_id=f"AQAD{n:06d}",
            kind=kind,
            data=data,
            size=len(data) if size is None else size,
            file_path=f"{_FOLDERS.get(kind, 'documents')}/file_{n}.{ext}",
            mime_type=mime_type,
            file_name=file_name,
            **attrs,
        )
        self.by_id[stored.file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self.by_id.get(file_id)

    def photo_sizes(self, file_id: str) -> list[StoredFile]:
        stored = self.by_id[file_id]
        return [self.by_id[i] for i in stored.photo_set] or [stored]

    def add_photo(self, data: bytes) -> list[StoredFile]:
        """Process a photo like Telegram and store every size (raises MediaError)."""
        sizes = [
            self.add(jpeg, kind="photo", mime_type="image/jpeg", width=w, height=h)
            for jpeg, w, h in photo_sizes(data)
        ]
        ids = [s.file_id for s in sizes]
        for stored in sizes:
            stored.photo_set = ids
        return sizes


_ID_PREFIX = {"photo": "AgAC", "video": "BAAC", "animation": "CgAC", "audio": "CQAC"}


def _extension(kind: str, file_name: str | None, mime_type: str | None) -> str:
    if file_name and "." in file_name:
        return file_name.rsplit(".", 1)[1].lower()
    if kind in _EXTENSIONS:
        return _EXTENSIONS[kind]
    guessed = mimetypes.guess_extension(mime_type or "") if mime_type else None
    return guessed.lstrip(".") if guessed else "bin"


def open_image(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise MediaError("IMAGE_PROCESS_FAILED") from None
    return image


def check_photo_dimensions(width: int, height: int) -> None:
    if width <= 0 or height <= 0 or width + height > PHOTO_SIDES_SUM_MAX:
        raise MediaError("PHOTO_INVALID_DIMENSIONS")
    if max(width, height) / min(width, height) > PHOTO_RATIO_MAX:
        raise MediaError("PHOTO_INVALID_DIMENSIONS")


def photo_sizes(data: bytes) -> list[tuple[bytes, int, int]]:
    """JPEG renditions of an image, smallest first: thumbnails + the largest (<= 2560 px)."""
    if len(data) > PHOTO_UPLOAD_MAX:
        raise MediaError("PHOTO_SAVE_FILE_INVALID")
    # Dimensions come from the header, before decoding, so huge images are refused cheaply.
    check_photo_dimensions(*_probe_size(data))
    image = _flatten(ImageOps.exif_transpose(open_image(data)))
    longest = max(image.size)
    sides = [s for s in THUMBNAIL_SIDES if s < longest] + [min(longest, PHOTO_MAX_SIDE)]
    return [_jpeg(image, side) for side in sides]


def _probe_size(data: bytes) -> tuple[int, int]:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            return probe.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise MediaError("IMAGE_PROCESS_FAILED") from None


def _flatten(image: Image.Image) -> Image.Image:
    # Transparent pixels become white, as in Telegram's JPEG re-encoding.
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, side: int) -> tuple[bytes, int, int]:
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    resized = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    resized.save(buf, "JPEG", quality=JPEG_QUALITY)
    return buf.getvalue(), size[0], size[1]


def guess_mime(filename: str | None, content_type: str | None) -> str | None:
    """MIME from the part's Content-Type unless it is the generic octet-stream."""
    if content_type and content_type != "application/octet-stream":
        return content_type
    guessed = mimetypes.guess_type(filename or "")[0]
    return guessed or content_type
