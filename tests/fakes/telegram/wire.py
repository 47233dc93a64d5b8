"""HTTP wire format: reading parameters from any encoding, writing Bot API answers."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, web

from .media import UPLOAD_MAX
from .spec import Upload

_CHUNK = 1 << 16


class ApiError(Exception):
    """An error answer. ``violation`` marks calls a real bot must never make (spec or limits);
    the rest (flood, not modified, injected failures, ...) are realistic runtime errors."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        parameters: dict[str, Any] | None = None,
        violation: bool = False,
        reason: str | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
        self.violation = violation
        self.reason = reason or description


def bad_request(detail: str, *, violation: bool = True, reason: str | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}", violation=violation, reason=reason or detail)


def runtime_error(detail: str) -> ApiError:
    """A 400 that a correct bot can still get (state-dependent), not a violation."""
    return bad_request(detail, violation=False)


def ok_response(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result}, dumps=_dumps)


def error_response(error: ApiError) -> web.Response:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": error.status,
        "description": error.description,
    }
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.status, dumps=_dumps)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parameters from the query string plus a urlencoded, JSON or multipart body."""
    fields: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.method != "POST" or not request.can_read_body:
        return fields, files
    content_type = request.content_type
    if content_type == "multipart/form-data":
        await _read_multipart(request, fields, files)
    elif content_type == "application/json":
        fields.update(await _read_json(request))
    else:
        # urlencoded, or a body without Content-Type (read as urlencoded, like the server).
        form = await request.post()
        fields.update({key: value for key, value in form.items() if isinstance(value, str)})
    return fields, files


async def _read_json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("can't parse JSON object", reason="body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("can't parse JSON object", reason="JSON body is not an object")
    return body


async def _read_multipart(
    request: web.Request, fields: dict[str, Any], files: dict[str, Upload]
) -> None:
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or not part.name:
            raise bad_request("can't parse multipart part", reason="nested or unnamed part")
        if part.filename is None:
            fields[part.name] = await part.text()
            continue
        data = await _read_capped(part)
        content_type = part.headers.get("Content-Type", "application/octet-stream")
        files[part.name] = Upload(part.name, part.filename, content_type, data)


async def _read_capped(part: BodyPartReader) -> bytes:
    # Stop reading past the upload limit: the real front-end refuses such bodies with 413.
    chunks: list[bytes] = []
    total = 0
    while chunk := await part.read_chunk(_CHUNK):
        total += len(chunk)
        if total > UPLOAD_MAX:
            raise ApiError(
                413,
                "Request Entity Too Large",
                violation=True,
                reason=f"upload {part.name!r} is larger than 50 MB",
            )
        chunks.append(chunk)
    return b"".join(chunks)
