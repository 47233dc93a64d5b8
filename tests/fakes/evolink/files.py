"""The file service's rules, free of HTTP: what may be stored, under which name, and the JSON.

DIGEST §7: images only (jpeg, png, gif, webp), one per request, kept 72 hours, `file_url` is the
link to pass in `image_urls`. The size cap (100 MB) and the 4000x codes come from Evolink's MCP
client, not the docs; the quota (2000 files) from the quota page (§6.3, D12).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image, UnidentifiedImageError

from .errors import FILE_TOO_LARGE, FILE_TYPE_NOT_ALLOWED

LIFETIME = timedelta(hours=72)
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_QUOTA = 2000
# Pillow format -> (MIME type, extension) for the four types the service takes.
ALLOWED = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class UploadRejected(Exception):
    """Answer `{"success": false, "code": code, "msg": message}` with HTTP `status`."""

    def __init__(self, code: int, message: str | None = None, status: int = 400) -> None:
        super().__init__(message or str(code))
        self.code = code
        self.message = message
        self.status = status


@dataclass
class FakeUpload:
    """One stored file."""

    file_id: str
    file_name: str
    original_name: str
    upload_path: str
    mime_type: str
    data: bytes
    file_url: str
    download_url: str
    uploaded_at: datetime
    via: str  # "stream", "base64" or "url"

    @property
    def public_path(self) -> str:
        """Where it is served, below /files/."""
        return f"{self.upload_path}/{self.file_name}"

    def to_json(self) -> dict[str, Any]:
        """The `data` object of the upload response (files-upload-*.openapi.json FileData)."""
        return {
            "file_id": self.file_id,
            "file_name": self.file_name,
            "original_name": self.original_name,
            "file_size": len(self.data),
            "mime_type": self.mime_type,
            "upload_path": self.upload_path,
            "file_url": self.file_url,
            "download_url": self.download_url,
            "upload_time": self.uploaded_at.isoformat(),
            "expires_at": (self.uploaded_at + LIFETIME).isoformat(),
        }


def sniff(data: bytes) -> tuple[str, str]:
    """(MIME type, extension) from the bytes themselves; the client's claim is not trusted."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
    except (UnidentifiedImageError, OSError):
        kind = ""
    if kind not in ALLOWED:
        raise UploadRejected(FILE_TYPE_NOT_ALLOWED)
    return ALLOWED[kind]


def check_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise UploadRejected(FILE_TOO_LARGE, f"File too large (max {max_bytes} bytes)")
    if not data:
        raise UploadRejected(400, "Empty file")


def decode_base64(value: Any) -> bytes:
    """A data URL (`data:image/png;base64,...`) or bare base64 (files-upload-base64 doc)."""
    if not isinstance(value, str) or not value:
        raise UploadRejected(400, "base64_data is required")
    if value.startswith("data:"):
        header, _, value = value.partition(",")
        if not header.endswith(";base64"):
            raise UploadRejected(400, "base64_data: data URL must be base64 encoded")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UploadRejected(400, "base64_data: invalid base64") from exc


def clean_upload_path(value: str | None) -> str:
    """A folder below /files/; automatic ("images") when absent, like the real service."""
    if not value:
        return "images"
    parts = value.strip("/").split("/")
    if not all(_SAFE_PART.fullmatch(part) for part in parts):
        raise UploadRejected(400, f"Invalid upload_path: {value!r}")
    return "/".join(parts)


def clean_file_name(value: str | None, extension: str) -> str:
    if not value:
        return f"{secrets.token_hex(8)}.{extension}"
    if not _SAFE_PART.fullmatch(value):
        raise UploadRejected(400, f"Invalid file_name: {value!r}")
    return value


def new_upload(
    base_url: str,
    data: bytes,
    *,
    upload_path: str | None,
    file_name: str | None,
    original_name: str | None,
    via: str,
) -> FakeUpload:
    """Build the record for bytes already checked for size; the type is checked here."""
    mime_type, extension = sniff(data)
    folder = clean_upload_path(upload_path)
    name = clean_file_name(file_name, extension)
    file_id = f"file_{secrets.token_hex(6)}"
    return FakeUpload(
        file_id=file_id,
        file_name=name,
        original_name=original_name or name,
        upload_path=folder,
        mime_type=mime_type,
        data=data,
        file_url=f"{base_url}/files/{folder}/{name}",
        download_url=f"{base_url}/files/download/{file_id}",
        uploaded_at=datetime.now(UTC).replace(microsecond=0),
        via=via,
    )


class FileStore:
    """Stored uploads, by public path and by id. A same-name upload replaces the old one (§7)."""

    def __init__(self) -> None:
        self.uploads: list[FakeUpload] = []  # every upload, replaced ones included
        self._by_path: dict[str, FakeUpload] = {}
        self._by_id: dict[str, FakeUpload] = {}

    @property
    def count(self) -> int:
        """Files held now: what the quota counts."""
        return len(self._by_path)

    def add(self, upload: FakeUpload) -> None:
        self.uploads.append(upload)
        self._by_path[upload.public_path] = upload
        self._by_id[upload.file_id] = upload

    def find(self, path: str) -> FakeUpload | None:
        """The file at /files/<path>: its file_url path or `download/<file_id>`."""
        upload = self._by_path.get(path)
        if upload is None and path.startswith("download/"):
            upload = self._by_id.get(path.removeprefix("download/"))
        return upload

    def quota_json(self, max_files: int) -> dict[str, Any]:
        """The quota response (files-quota.openapi.json, DIGEST §6.3)."""
        data = {
            "user_group": "default",
            "used_files": self.count,
            "max_files": max_files,
            "remain_files": max(0, max_files - self.count),
            "is_custom": False,
            "quota_reason": "",
        }
        return {"success": True, "code": 200, "data": data}
