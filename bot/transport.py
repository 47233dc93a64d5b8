"""An httpx transport that sends through aiohttp: the same httpx API, a third of the CPU.

Every HTTP request the bot makes (Bot API calls through PTB's HTTPXRequest, Evolink's API,
file service and result downloads) goes through httpx. httpx's own transport (httpcore on
anyio) costs about 1.4 ms of CPU per request on this machine; aiohttp, which the bot
already runs for its listener, does the socket work in about 0.1 ms, and httpx on top of
it in 0.4 ms (`make bench` measures the whole bot). Keeping httpx above it keeps PTB's
request class, our Evolink client, its error tree and every MockTransport test unchanged.

The exceptions are the contract: callers decide from httpx's exception classes whether a
request may have reached the server (bot/evolink/errors.py `_NOT_SENT`; a paid task must
never be created twice), so each aiohttp failure is mapped to the httpx class that says
the same about what was sent. The public `httpx-aiohttp` package maps a dropped connection
to `ConnectTimeout` ("never sent"), which would retry a create that may have happened;
hence our own small mapping.

Timeouts follow httpx's meaning: `pool` + `connect` bound getting a connection, `read`
bounds each wait for response bytes (aiohttp starts it once the body is written). aiohttp
has no write timeout, so sending and waiting for the headers is bounded as a whole by
connect + read + `write` per MiB of body (a stalled upload fails; a slow one that keeps
moving at 50 kB/s with PTB's 20 s media write timeout still goes through).
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Final

import aiohttp
import httpx
from yarl import URL

_CHUNK: Final = 64 * 1024
_SMALL_BODY: Final = 64 * 1024  # read at once (API answers); larger bodies stream
_WRITE_UNIT: Final = 1024 * 1024  # one `write` timeout allowed per MiB of request body
# httpx's default: an idle connection is reused for up to 5 s.
_KEEPALIVE_SECONDS: Final = 5.0
# httpx adds these itself; aiohttp must not add its own or the request differs by client.
_SKIP_AUTO: Final = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")


def fast_transport(max_connections: int = 100) -> AiohttpTransport | None:
    """Our transport, or None (httpx's own) when the environment names a proxy: httpx
    honours HTTPS_PROXY, ALL_PROXY (SOCKS too) and NO_PROXY only with its own transport, and
    a bot behind a proxy must still reach Telegram (README, troubleshooting)."""
    if urllib.request.getproxies():
        return None
    return AiohttpTransport(max_connections=max_connections)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """httpx's default verification (certifi's CAs), built once for every transport."""
    return httpx.create_ssl_context()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session with at most `max_connections` connections, opened on first use.

    httpx still builds the request (headers, JSON, multipart), follows redirects, decodes
    the body and keeps cookies; this only moves bytes. Closed by the owning
    `httpx.AsyncClient`; a closed transport opens a new session when used again (PTB
    re-initialises its request objects).
    """

    def __init__(self, *, max_connections: int = 100) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._max_connections,
                    limit_per_host=0,
                    keepalive_timeout=_KEEPALIVE_SECONDS,
                    ssl=_ssl_context(),
                ),
                cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies
                auto_decompress=False,  # httpx decodes Content-Encoding
                skip_auto_headers=_SKIP_AUTO,
                trust_env=False,  # httpx mounts proxies from the environment itself
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._open()
        timeouts = request.extensions.get("timeout", {})
        body = request.content if _is_read(request) else await request.aread()
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        if any(name.lower() == "transfer-encoding" for name, _ in headers):
            # The body is in memory now, so its length is known: send it plainly.
            headers = [(n, v) for n, v in headers if n.lower() != "transfer-encoding"]
            headers.append(("Content-Length", str(len(body))))
        url = str(request.url)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_sum(timeouts.get("pool"), timeouts.get("connect")),
            sock_connect=timeouts.get("connect"),
            sock_read=timeouts.get("read"),
        )
        with _mapped(request, url):
            async with asyncio.timeout(_sending_bound(timeouts, len(body))):
                response = await session.request(
                    request.method,
                    URL(url, encoded=True),  # httpx has already percent-encoded it
                    headers=headers,
                    data=body or None,
                    allow_redirects=False,  # httpx follows redirects when asked to
                    timeout=timeout,
                )
            stream: httpx.AsyncByteStream
            size = response.content_length
            if size is not None and size <= _SMALL_BODY:
                # A small body (every API answer) is read at once: no stream to drive.
                stream = httpx.ByteStream(await response.read())
                response.release()
            else:
                stream = _Body(response, request, url)
        return httpx.Response(
            response.status,
            headers=list(response.raw_headers),
            stream=stream,
            extensions={
                "http_version": _version(response),
                "reason_phrase": (response.reason or "").encode("latin-1", "replace"),
            },
        )

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()


async def exchange(transport: httpx.AsyncBaseTransport, request: httpx.Request) -> httpx.Response:
    """`request` straight to `transport`, the answer read whole: what httpx's client does
    for a request, minus its cookie jar, auth and redirect flows (the Bot API and Evolink's
    API need none of them, and they cost as much CPU as sending)."""
    try:
        response = await transport.handle_async_request(request)
        response.request = request
        try:
            await response.aread()
        finally:
            await response.aclose()
    except httpx.RequestError as exc:
        exc.request = request  # as httpx's client does: errors name what failed
        raise
    return response


class _Body(httpx.AsyncByteStream):
    """The response body as aiohttp reads it; closing gives the connection back."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request, url: str):
        self._response = response
        self._request = request
        self._url = url

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped(self._request, self._url):
            async for chunk in self._response.content.iter_chunked(_CHUNK):
                yield chunk

    async def aclose(self) -> None:
        if self._response.content.at_eof():
            self._response.release()  # fully read: the connection can be reused
        else:
            self._response.close()  # unread bytes would confuse the next request


def _version(response: aiohttp.ClientResponse) -> bytes:
    version = response.version
    return b"HTTP/1.1" if version is None else f"HTTP/{version.major}.{version.minor}".encode()


def _is_read(request: httpx.Request) -> bool:
    try:
        request.content  # noqa: B018 - raises until a streamed body has been read
    except httpx.RequestNotRead:
        return False
    return True


def _sum(*parts: float | None) -> float | None:
    """None (no limit) if any part is unlimited, else the total."""
    total = 0.0
    for part in parts:
        if part is None:
            return None
        total += part
    return total


def _sending_bound(timeouts: dict[str, float | None], size: int) -> float | None:
    write = timeouts.get("write")
    units = 1 + size // _WRITE_UNIT
    return _sum(
        timeouts.get("pool"),
        timeouts.get("connect"),
        None if write is None else write * units,
        timeouts.get("read"),
    )


@contextmanager
def _mapped(request: httpx.Request, url: str) -> Iterator[None]:
    """Re-raise aiohttp's failures as the httpx exception that says what was sent."""
    try:
        yield
    except (aiohttp.ClientError, TimeoutError) as exc:
        kind = _httpx_class(exc)
        # aiohttp puts the full URL in some messages; Telegram's carries the bot token.
        detail = str(exc).replace(url, request.url.host or "<url>")
        raise kind(
            f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__, request=request
        ) from exc


def _httpx_class(exc: BaseException) -> type[httpx.RequestError]:
    # Order matters: the first match wins, and aiohttp's classes inherit from each other
    # (ConnectionTimeoutError is a ServerTimeoutError is a ClientConnectionError).
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout  # no connection yet: nothing was sent
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError  # refused, unreachable, DNS or TLS: nothing was sent
    if isinstance(exc, (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError)):
        return httpx.UnsupportedProtocol
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout  # sent, and the answer did not come in time
    if isinstance(exc, TimeoutError):
        return httpx.WriteTimeout  # the whole send-and-wait bound above
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx.ReadError
    if isinstance(exc, aiohttp.ClientResponseError):
        return httpx.RemoteProtocolError  # a malformed answer
    if isinstance(exc, aiohttp.ClientConnectionError):
        return httpx.ReadError  # reset or broken mid-request: it may have been sent
    return httpx.TransportError
