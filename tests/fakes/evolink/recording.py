"""What the fake remembers of each request, and the checks a well-behaved client must pass.

Every request is read once here, before any handler runs: its body is kept (JSON parsed,
multipart summarised), secrets are redacted, and anything the bot must never do (no bearer
key, malformed JSON, a forbidden substring such as the Telegram token) becomes a violation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .errors import family

MALFORMED = object()  # stands for a JSON body that did not parse

Scan = Callable[[str | bytes, str], None]  # (data, where) -> records violations


@dataclass
class UploadedPart:
    """A multipart file part, read once by the recorder."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Recorded:
    """One request as the fake received it. The Authorization value is never kept."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None  # parsed JSON body, if any
    form: dict[str, Any] | None = None  # multipart summary: text values, files as {filename,...}
    status: int | None = None  # None while in flight, 0 when the connection was dropped
    malformed_json: bool = False
    at: float = 0.0  # the fake's clock when the request arrived (the benchmark's timings)


@dataclass
class Incoming:
    """What was read from a request, handed on to its handler."""

    record: Recorded
    json: Any = None  # the parsed body, MALFORMED, or None when there was none
    form: dict[str, str | UploadedPart] = field(default_factory=dict)
    dropped: bool = False


def forbidden_in(data: str | bytes, secrets: list[str]) -> list[str]:
    """The masked secrets that occur in `data`: masked so that reports never leak them."""
    found = []
    for secret in secrets:
        present = secret.encode() in data if isinstance(data, bytes) else secret in data
        if secret and present:
            found.append(repr(secret[:4] + "…") if len(secret) > 4 else "'…'")
    return found


def redacted(name: str, value: str) -> str:
    if name.lower() != "authorization":
        return value
    return "Bearer <redacted>" if value.startswith("Bearer ") else "<redacted>"


async def read_request(request: web.Request, scan: Scan, violations: list[str]) -> Incoming:
    """Record `request`, reading its whole body (aiohttp caches it for the handler)."""
    record = Recorded(
        method=request.method,
        path=request.path,
        query=dict(request.query),
        headers={name: redacted(name, value) for name, value in request.headers.items()},
    )
    incoming = Incoming(record)
    where = f"{request.method} {request.path}"
    scan(request.path_qs, f"URL of {where}")
    for name, value in request.headers.items():
        scan(value, f"header {name} of {where}")
    authorization = request.headers.get("Authorization", "")
    if family(request.path) != "public" and not authorization.startswith("Bearer "):
        violations.append(f"{where}: no 'Authorization: Bearer' header")
    if request.content_type.startswith("multipart/"):
        await _read_form(request, incoming, scan, where)
    elif request.body_exists:
        await _read_body(request, incoming, scan, violations, where)
    return incoming


async def _read_form(request: web.Request, incoming: Incoming, scan: Scan, where: str) -> None:
    summary: dict[str, Any] = {}
    for name, value in (await request.post()).items():
        if isinstance(value, bytes | bytearray):
            value = bytes(value).decode("utf-8", "replace")
        if isinstance(value, str):
            incoming.form[name] = summary[name] = value
            scan(value, f"form field {name} of {where}")
            continue
        part = UploadedPart(value.filename, value.content_type, value.file.read())
        incoming.form[name] = part
        summary[name] = {
            "filename": part.filename,
            "content_type": part.content_type,
            "size": len(part.data),
        }
        scan(part.data, f"file {name} of {where}")
        scan(part.filename or "", f"file name of {where}")
    incoming.record.form = summary


async def _read_body(
    request: web.Request, incoming: Incoming, scan: Scan, violations: list[str], where: str
) -> None:
    record = incoming.record
    raw = await request.read()
    scan(raw, f"body of {where}")
    if request.method != "POST":
        return
    try:
        record.json = json.loads(raw)
    except ValueError:
        record.malformed_json = True
        violations.append(f"{where}: body is not valid JSON")
    incoming.json = MALFORMED if record.malformed_json else record.json
