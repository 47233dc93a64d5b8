"""Download and inspect a task's input images the way Evolink's workers would.

Evolink fetches `image_urls` itself, after accepting the task; a bad image therefore shows up
as a failed task, not an HTTP 400 (DIGEST Q14, §4.3): `image_processing_error` when the file
cannot be fetched or read, `invalid_parameters` when it breaks the model's limits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import httpx
from PIL import Image, UnidentifiedImageError

from bot.models import registry

from .validation import model_specs


@dataclass(frozen=True, slots=True)
class InputImage:
    """One fetched input as the fake saw it."""

    url: str
    format: str
    width: int
    height: int
    bytes: int
    has_alpha: bool


class InputRejected(Exception):
    """The task ends failed with this task error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def forbids_transparency(model: str) -> bool:
    """Read from the OpenAPI text: wan i2i and i2v say "transparent channels not supported"."""
    description = model_specs()[model].schema["properties"]["image_urls"].get("description", "")
    return "transparent" in description.lower()


async def fetch_inputs(client: httpx.AsyncClient, model: str, urls: list[str]) -> list[InputImage]:
    """Fetch and check every URL in order; the first problem raises InputRejected."""
    return [await _fetch_one(client, model, url) for url in urls]


async def _fetch_one(client: httpx.AsyncClient, model: str, url: str) -> InputImage:
    rule = registry.INPUT_LIMITS[model]
    try:
        data = await download(client, url, rule.max_bytes)
    except DownloadFailed as exc:
        raise InputRejected(
            "image_processing_error", f"Image URL is inaccessible ({exc}): {url}"
        ) from exc
    if len(data) > rule.max_bytes:
        megabytes = rule.max_bytes // (1024 * 1024)
        raise InputRejected("invalid_parameters", f"file size exceeds {megabytes}MB: {url}")
    image = _inspect(url, data)
    if image.format not in rule.formats:
        raise InputRejected("invalid_parameters", f"unsupported file type {image.format}: {url}")
    if not all(rule.min_side <= side <= rule.max_side for side in (image.width, image.height)):
        raise InputRejected(
            "invalid_parameters",
            f"image dimensions must be between {rule.min_side} and {rule.max_side}, "
            f"got {image.width}x{image.height}: {url}",
        )
    if image.has_alpha and forbids_transparency(model):
        raise InputRejected("invalid_parameters", f"transparent images are not supported: {url}")
    return image


class DownloadFailed(Exception):
    """The URL gave no body: a network error or a non-200 status."""


async def download(client: httpx.AsyncClient, url: str, max_bytes: int) -> bytes:
    """The body, cut just past `max_bytes` so a huge file costs no more than the limit."""
    chunks: list[bytes] = []
    received = 0
    try:
        async with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise DownloadFailed(f"HTTP {response.status_code}")
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                received += len(chunk)
                if received > max_bytes:
                    break
    except httpx.HTTPError as exc:
        raise DownloadFailed(type(exc).__name__) from exc
    return b"".join(chunks)


def _inspect(url: str, data: bytes) -> InputImage:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # catches truncated or corrupt files cheaply
            return InputImage(
                url=url,
                format=str(image.format),
                width=image.width,
                height=image.height,
                bytes=len(data),
                has_alpha=image.has_transparency_data,
            )
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputRejected(
            "image_processing_error",
            f"The image could not be read (corrupt or not an image): {url}",
        ) from exc
