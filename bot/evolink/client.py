"""The async Evolink client: one authenticated httpx client, one anonymous one for results.

Every call goes through `_retrying`, which applies `RetryPolicy` and `should_retry`; every
failure leaves as an `EvolinkError` (see errors.py), never as an httpx or pydantic exception.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Final, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from bot import metrics
from bot.evolink.errors import (
    EvolinkError,
    EvolinkResponseError,
    ResultTooLargeError,
    error_from_response,
    error_from_transport,
)
from bot.evolink.models import (
    Credits,
    GenerationRequest,
    Task,
    UploadedFile,
    check_callback_url,
)
from bot.evolink.retry import RetryPolicy, retry_after_of, should_retry
from bot.transport import exchange, fast_transport

DEFAULT_API_URL: Final = "https://api.evolink.ai"
DEFAULT_FILES_URL: Final = "https://files-api.evolink.ai"
DEFAULT_TIMEOUT: Final = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=10.0)
_ERROR_BODY_MAX_BYTES: Final = 64 * 1024
_USER_AGENT: Final = "evolink-telegram-bot/0.1"
# Checks and submissions are bounded by the engine (CHECK_CONCURRENCY, SUBMIT_CONCURRENCY);
# keeping every connection alive avoids a new TCP (and TLS) handshake per call under load.
POOL_SIZE: Final = 32

logger = logging.getLogger("bot.evolink")

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class EvolinkClient:
    """Evolink's generation API, task API, credits and file service.

    Result URLs live on another host and need no auth, so they are fetched with a second
    client that never carries our key. Use as `async with EvolinkClient(key) as api:` or
    call `aclose()`. Both send through aiohttp (bot/transport.py) unless a proxy is set;
    `transport` (tests) replaces that for both clients.
    """

    def __init__(
        self,
        api_key: str,
        *,
        api_url: str = DEFAULT_API_URL,
        files_url: str = DEFAULT_FILES_URL,
        timeout: httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        callback_url: str | None = None,
    ) -> None:
        if not api_key.strip():
            raise ValueError("api_key is empty")
        self._api_url = api_url.rstrip("/")
        self._files_url = files_url.rstrip("/")
        self._retry = retry or RetryPolicy()
        self._callback_url = check_callback_url(callback_url) if callback_url else None
        timeout = timeout or DEFAULT_TIMEOUT
        self._headers = httpx.Headers(
            {
                "Authorization": f"Bearer {api_key.strip()}",
                "Accept": "application/json",
                "User-Agent": _USER_AGENT,
            }
        )
        self._timeouts = {"timeout": timeout.as_dict()}
        # API calls go straight to the transport: httpx's client layer (cookies, auth and
        # redirect flows, URL merging) cost as much CPU as sending, and the API needs none of
        # it. Behind a proxy (no fast transport) they go through the client, which mounts it.
        self._direct = transport or fast_transport(POOL_SIZE)
        self._http = httpx.AsyncClient(
            headers=self._headers,
            timeout=timeout,
            transport=self._direct,
            limits=httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE),
        )
        self._downloads = httpx.AsyncClient(
            headers={"User-Agent": _USER_AGENT},
            timeout=timeout,
            transport=transport or fast_transport(),
            follow_redirects=True,  # CDNs redirect; safe because this client has no secret
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close both HTTP clients."""
        await self._http.aclose()
        await self._downloads.aclose()

    # --- generation and tasks -----------------------------------------------------------

    async def create_task(self, req: GenerationRequest) -> Task:
        """POST a paid task to its model's endpoint; the one call that must never run twice.

        Retried only when nothing can have been created (429, 5xx but 504, a connection
        that failed before sending). `EvolinkConnectionError(maybe_sent=True)` and
        `EvolinkResponseError` (a 2xx we could not read) both mean the task may exist.
        """
        payload = req.to_payload()
        if self._callback_url is not None:
            payload.setdefault("callback_url", self._callback_url)
        body = await self._request(
            "POST", f"{self._api_url}{req.ENDPOINT}", idempotent=False, json=payload
        )
        return _parse(Task, body, "task")

    async def get_task(self, task_id: str) -> Task:
        """GET /v1/tasks/{task_id}."""
        url = f"{self._api_url}/v1/tasks/{quote(task_id, safe='')}"
        return _parse(Task, await self._request("GET", url, idempotent=True), "task")

    async def get_credits(self) -> Credits:
        """GET /v1/credits: the key's and the account's balance."""
        body = await self._request("GET", f"{self._api_url}/v1/credits", idempotent=True)
        return _parse_with(Credits.from_body, body, "credits")

    # --- file service -------------------------------------------------------------------

    async def upload_file(self, data: bytes, *, filename: str, mime_type: str) -> UploadedFile:
        """Multipart upload to the file service; use the result's `file_url` as an input.

        Retried like a GET: a duplicate upload only costs a second temporary file.
        """
        body = await self._request(
            "POST",
            f"{self._files_url}/api/v1/files/upload/stream",
            idempotent=True,
            files={"file": (filename, data, mime_type)},
        )
        return _parse_with(UploadedFile.from_envelope, body, "upload")

    # --- results ------------------------------------------------------------------------

    async def download(self, url: str, *, max_bytes: int) -> bytes:
        """Fetch a result URL without our key, retrying transient failures.

        Raises `ResultTooLargeError` past `max_bytes` (Content-Length first, then counted
        while streaming) so the caller can send a link instead. A status error here comes
        from the result host, not from the API: a 403/404 means an expired link, not an
        account problem. A URL that is not http(s) raises ValueError.
        """
        _require_http_url(url)

        async def once() -> bytes:
            return await self._download_once(url, max_bytes)

        return await self._retrying("GET", url, idempotent=True, send=once)

    async def _download_once(self, url: str, max_bytes: int) -> bytes:
        try:
            async with self._downloads.stream("GET", url) as response:
                if not response.is_success:
                    raise error_from_response(await _capped_copy(response))
                return await _read_limited(response, max_bytes)
        except httpx.RequestError as exc:
            raise error_from_transport(exc) from exc

    # --- plumbing -----------------------------------------------------------------------

    async def _request(self, method: str, url: str, *, idempotent: bool, **kwargs: Any) -> Any:
        """Send an API/file-service request with retries; return the decoded JSON body."""

        async def once() -> Any:
            return await self._send_json(method, url, **kwargs)

        return await self._retrying(method, url, idempotent=idempotent, send=once)

    async def _exchange(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One API request, its body read."""
        if self._direct is None:
            return await self._http.request(method, url, **kwargs)
        request = httpx.Request(
            method, url, headers=self._headers, extensions=self._timeouts, **kwargs
        )
        return await exchange(self._direct, request)

    async def _send_json(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            response = await self._exchange(method, url, **kwargs)
        except httpx.RequestError as exc:
            metrics.evolink_call(url, "network")
            raise error_from_transport(exc) from exc
        metrics.evolink_call(url, response.status_code)
        try:
            body: Any = response.json()
        except (ValueError, UnicodeDecodeError):
            body = None
        # The file service can say success:false inside a 200 (DIGEST §7).
        if not response.is_success or (isinstance(body, dict) and body.get("success") is False):
            raise error_from_response(response)
        if body is None:
            raise EvolinkResponseError(
                f"{method} {httpx.URL(url).path}: HTTP {response.status_code} body is not JSON",
                status_code=response.status_code,
            )
        return body

    async def _retrying(
        self, method: str, url: str, *, idempotent: bool, send: Callable[[], Awaitable[T]]
    ) -> T:
        policy = self._retry

        def worth_retrying(error: Exception) -> bool:
            return isinstance(error, EvolinkError) and should_retry(error, idempotent=idempotent)

        def server_wait(error: Exception) -> float | None:
            return retry_after_of(error) if isinstance(error, EvolinkError) else None

        def note(error: Exception, retry: int, delay: float) -> None:
            # Path only: result URLs may carry signed query strings; the key never
            # appears because error messages are already redacted.
            logger.warning(
                "Evolink %s %s failed (retry %d of %d in %.2f s): %s",
                method,
                httpx.URL(url).path,
                retry,
                policy.max_retries,
                delay,
                error,
            )

        return await policy.run(
            send, retry_on=worth_retrying, retry_after=server_wait, on_retry=note
        )


def _parse(model: type[M], body: Any, what: str) -> M:
    return _parse_with(model.model_validate, body, what)


def _parse_with(parse: Callable[[Any], T], body: Any, what: str) -> T:
    try:
        return parse(body)
    except ValidationError as exc:
        first = exc.errors()[0] if exc.error_count() else None
        where = ".".join(str(part) for part in first["loc"]) if first else "?"
        detail = f"{where}: {first['msg']}" if first else "invalid"
        raise EvolinkResponseError(f"unexpected {what} body ({detail})") from exc


def _require_http_url(url: str) -> None:
    try:
        scheme = httpx.URL(url).scheme
    except httpx.InvalidURL as exc:
        raise ValueError("not a valid URL") from exc
    if scheme not in ("http", "https"):
        raise ValueError("only http(s) URLs can be downloaded")


def _content_length(headers: httpx.Headers) -> int | None:
    try:
        value = int(headers.get("content-length", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


async def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    declared = _content_length(response.headers)
    if declared is not None and declared > max_bytes:
        raise _too_large(declared, max_bytes)
    buffer = bytearray()
    async for chunk in response.aiter_bytes():
        buffer += chunk
        if len(buffer) > max_bytes:
            raise _too_large(len(buffer), max_bytes)
    return bytes(buffer)


def _too_large(size: int, max_bytes: int) -> ResultTooLargeError:
    return ResultTooLargeError(
        f"result is over the {max_bytes}-byte limit ({size} bytes)", size=size, max_bytes=max_bytes
    )


async def _capped_copy(response: httpx.Response) -> httpx.Response:
    """A fully read copy of an error response holding at most 64 KiB of its body."""
    head = bytearray()
    async for chunk in response.aiter_bytes():
        head += chunk
        if len(head) >= _ERROR_BODY_MAX_BYTES:
            break
    # The copy holds decoded, truncated bytes, so the original length/encoding no longer apply.
    dropped = ("content-encoding", "content-length", "transfer-encoding")
    headers = {k: v for k, v in response.headers.items() if k.lower() not in dropped}
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=bytes(head[:_ERROR_BODY_MAX_BYTES]),
        request=response.request,
    )
