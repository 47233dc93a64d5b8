"""How PTB's Bot API calls reach Telegram: PTB's own request class, sent without httpx's
client layer.

`HTTPXRequest` hands every call to an `httpx.AsyncClient`, whose cookie jar, auth and
redirect flows and URL merging cost as much CPU as sending the request (the Bot API uses
none of them). `DirectRequest` builds the same `httpx.Request` (form fields or multipart,
PTB's User-Agent, PTB's timeouts) and gives it straight to our aiohttp transport
(bot/transport.py), then maps failures to PTB's `TimedOut` / `NetworkError` exactly as
`HTTPXRequest` does. Behind a proxy there is no fast transport and PTB's own
`HTTPXRequest` is used unchanged (httpx mounts the proxy).
"""

from __future__ import annotations

from typing import Final

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.transport import AiohttpTransport, exchange, fast_transport

MEDIA_WRITE_TIMEOUT: Final = 20.0  # PTB's default for uploads
_UNSET: Final = type(BaseRequest.DEFAULT_NONE)  # PTB's "not given, use the default"


def telegram_request(connections: int) -> HTTPXRequest:
    """The request object for PTB: `connections` as its builder picks them (256 for calls,
    1 for getUpdates' long poll); PTB's own when a proxy is set."""
    transport = fast_transport(connections)
    if transport is None:
        return HTTPXRequest(connection_pool_size=connections)
    return DirectRequest(connections, transport)


class DirectRequest(HTTPXRequest):
    """PTB's request object with PTB's defaults, sending through `transport`."""

    def __init__(self, connections: int, transport: AiohttpTransport) -> None:
        self._direct = transport
        super().__init__(
            connection_pool_size=connections,
            media_write_timeout=MEDIA_WRITE_TIMEOUT,
            httpx_kwargs={"transport": transport},  # the client PTB opens and closes
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._client.is_closed:
            raise RuntimeError("This HTTPXRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        defaults = self._client.timeout
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, defaults.connect),
            read=_given(read_timeout, defaults.read),
            write=_given(write_timeout, MEDIA_WRITE_TIMEOUT if files else defaults.write),
            pool=_given(pool_timeout, defaults.pool),
        )
        request = httpx.Request(
            method,
            url,
            headers={"User-Agent": self.USER_AGENT},
            data=request_data.json_parameters if request_data else None,
            files=files,
            extensions={"timeout": timeout.as_dict()},
        )
        try:
            response = await exchange(self._direct, request)
        except httpx.TimeoutException as error:
            raise TimedOut from error
        except httpx.HTTPError as error:
            # The class name as PTB gives it: the message alone may be empty.
            raise NetworkError(f"httpx.{error.__class__.__name__}: {error}") from error
        return response.status_code, response.content


def _given(value: object, default: float | None) -> float | None:
    """A timeout the call gave (a number, or None for none), else this request's default."""
    if isinstance(value, _UNSET):
        return default
    if value is None or isinstance(value, int | float):
        return value
    raise TypeError(f"a timeout must be a number or None, not {value!r}")
