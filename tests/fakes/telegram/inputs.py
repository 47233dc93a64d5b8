"""Turning a file parameter (upload, attach://, URL or file_id) into message content."""

from __future__ import annotations

import asyncio
import posixpath
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .media import (
    PHOTO_URL_MAX,
    URL_MAX,
    FileStore,
    MediaError,
    StoredFile,
    guess_mime,
)
from .spec import ATTACH_PREFIX, Upload
from .wire import bad_request

JsonDict = dict[str, Any]
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_KIND_NAMES = {
    "photo": "Photo",
    "video": "Video",
    "animation": "Animation",
    "document": "Document",
    "audio": "Audio",
    "voice": "Voice",
}


class MediaResolver:
    """Stores new media like Telegram would and builds the message fields for it."""

    def __init__(self, files: FileStore) -> None:
        self.files = files

    async def content(
        self, kind: str, value: Upload | str, opts: Mapping[str, Any], parts: Mapping[str, Upload]
    ) -> JsonDict:
        """Message fields ({"photo": [...]}, {"video": {...}}, ...) for one media parameter.

        ``opts`` carries width/height/duration for videos (method params or InputMedia item).
        """
        if isinstance(value, str) and value.startswith(ATTACH_PREFIX):
            value = parts[value[len(ATTACH_PREFIX) :]]
        if isinstance(value, str) and urlsplit(value).scheme in ("http", "https"):
            value = await self._fetch(value, kind)
        if isinstance(value, str):
            return self._reuse(kind, value)
        return await self._store(kind, value, opts)

    def _reuse(self, kind: str, file_id: str) -> JsonDict:
        stored = self.files.get(file_id)
        if stored is None:
            raise bad_request(
                "wrong file identifier/HTTP URL specified",
                reason=f"unknown file_id {file_id!r:.80}",
            )
        # Telegram refuses to turn a photo into a document or the other way round.
        if (stored.kind == "photo") != (kind == "photo"):
            raise bad_request(
                f"can't use file of type {_KIND_NAMES.get(stored.kind, stored.kind)} "
                f"as {_KIND_NAMES.get(kind, kind)}"
            )
        if kind == "photo":
            return {"photo": [s.as_photo_size() for s in self.files.photo_sizes(file_id)]}
        return media_fields(kind, stored)

    async def _store(self, kind: str, upload: Upload, opts: Mapping[str, Any]) -> JsonDict:
        if kind == "photo":
            try:
                # Pillow work off the event loop: a big photo takes tens of milliseconds.
                sizes = await asyncio.to_thread(self.files.add_photo, upload.data)
            except MediaError as exc:
                raise bad_request(str(exc), reason=f"photo {upload.filename!r}: {exc}") from None
            return {"photo": [s.as_photo_size() for s in sizes]}
        stored = self.files.add(
            upload.data,
            kind=kind,
            mime_type=guess_mime(upload.filename, upload.content_type),
            file_name=upload.filename,
            width=_int(opts.get("width")),
            height=_int(opts.get("height")),
            duration=_int(opts.get("duration")),
        )
        return media_fields(kind, stored)

    async def _fetch(self, url: str, kind: str) -> Upload:
        parsed = urlsplit(url)
        if parsed.scheme != "http" or parsed.hostname not in _LOCAL_HOSTS:
            raise bad_request(
                "failed to get HTTP URL content",
                reason=f"the fake only fetches http:// URLs on 127.0.0.1/localhost, got {url}",
            )
        cap = PHOTO_URL_MAX if kind == "photo" else URL_MAX
        try:
            data, content_type = await _download(url, cap)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise bad_request("failed to get HTTP URL content", reason=f"{url}: {exc!r}") from None
        if data is None:
            limit = cap >> 20
            raise bad_request(
                "failed to get HTTP URL content",
                reason=f"{kind} by URL larger than {limit} MB: {url}",
            )
        name = posixpath.basename(parsed.path) or "file"
        return Upload("url", name, content_type, data)


async def _download(url: str, cap: int) -> tuple[bytes | None, str]:
    """The body (None if larger than ``cap``) and its Content-Type."""
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as resp:
        resp.raise_for_status()
        chunks: list[bytes] = []
        total = 0
        async for chunk in resp.content.iter_chunked(1 << 16):
            total += len(chunk)
            if total > cap:
                return None, resp.content_type
            chunks.append(chunk)
        return b"".join(chunks), resp.content_type


def media_fields(kind: str, stored: StoredFile) -> JsonDict:
    if kind == "animation":
        # Like Telegram, animations are also exposed as a document for older clients.
        return {"animation": stored.as_media(kind), "document": stored.as_media("document")}
    return {kind: stored.as_media(kind)}


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
