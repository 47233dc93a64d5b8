"""Everything the Evolink client raises, and the one place HTTP outcomes become exceptions.

    EvolinkError                      base; `message` never holds the API key
    ├── EvolinkConnectionError        no usable response; `maybe_sent` says whether the
    │   └── EvolinkTimeoutError       server may have received the request
    ├── EvolinkStatusError            the server answered with an error (`status_code`, `code`,
    │   │                             `error_type`, `retry_after`); used as is for statuses
    │   │                             we do not act on (e.g. 409, 413, 418)
    │   ├── BadRequestError           400
    │   ├── AuthenticationError       401
    │   ├── InsufficientCreditsError  402
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404
    │   ├── RateLimitError            429
    │   └── ServerError               5xx
    ├── EvolinkResponseError          a 2xx whose body is not what we expect
    └── ResultTooLargeError           a download bigger than the caller's `max_bytes`

`error_from_response` is the only status-to-class map and `error_from_transport` the only
httpx-exception map; the client calls nothing else to build an error.

Three error bodies exist (DIGEST §7-§8, D6): generation `{"error": {"code": "<str>", "message",
"type"}}`, credits `{"error": {"code": <int>, ...}}` and the file service's envelope
`{"success": false, "code": <int>, "msg"}`, which may arrive with HTTP 200. For that envelope
the body's code decides the class: the file service's own five-digit codes are mapped by
`_FILE_CODE_STATUS` (an unknown 4xxxx/5xxxx code by its first three digits), a three-digit code
stands for itself when the HTTP status is 2xx, and an envelope failure with no usable code in a
2xx is an `EvolinkResponseError`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any, Final

import httpx

MAX_RETRY_AFTER: Final = 60.0
_SNIPPET_CHARS: Final = 300

# The file service's business codes (observed by Evolink's own client, DIGEST §7). 40003 is
# the per-account file quota: like an empty credit balance it needs the operator and does not
# heal on retry, so it is reported as 402 (InsufficientCreditsError) rather than as a bad
# request the user could fix. 50001 is a storage fault and is retried like any 5xx.
_FILE_CODE_STATUS: Final[dict[int, int]] = {
    40001: 400,  # file too large
    40002: 400,  # file type not allowed
    40003: 402,  # file quota exceeded
    40004: 400,  # URL download failed
    50001: 500,  # storage service error
}


class EvolinkError(Exception):
    """Base of every error the Evolink client raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class EvolinkConnectionError(EvolinkError):
    """No usable response came back.

    `maybe_sent` is True when the request may have reached the server (it was written, or
    partly written, before the failure), so a non-idempotent call must not be repeated.
    """

    def __init__(self, message: str, *, maybe_sent: bool) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


class EvolinkTimeoutError(EvolinkConnectionError):
    """A connect, write, read or pool timeout."""


class EvolinkStatusError(EvolinkError):
    """The server answered with an error status (or a failure envelope)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        error_type: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.error_type = error_type
        self.retry_after = retry_after


class BadRequestError(EvolinkStatusError):
    """400: the request was refused as invalid; do not retry."""


class AuthenticationError(EvolinkStatusError):
    """401: the API key is missing, wrong or expired; the operator must act."""


class InsufficientCreditsError(EvolinkStatusError):
    """402 (or the file quota): the account cannot pay; the operator must act."""


class PermissionDeniedError(EvolinkStatusError):
    """403: the key may not use this model or task."""


class NotFoundError(EvolinkStatusError):
    """404: no such task (or file)."""


class RateLimitError(EvolinkStatusError):
    """429: too many requests; retried with backoff."""


class ServerError(EvolinkStatusError):
    """Any 5xx; retried with backoff."""


class EvolinkResponseError(EvolinkError):
    """A 2xx whose body we cannot use (not JSON, wrong shape, or a failure envelope)."""

    def __init__(
        self, message: str, *, status_code: int | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code


class ResultTooLargeError(EvolinkError):
    """A download exceeded `max_bytes`; deliver a link instead.

    `size` is the declared Content-Length, or, when the server streamed without one, the
    number of bytes read before giving up (a lower bound).
    """

    def __init__(self, message: str, *, size: int, max_bytes: int) -> None:
        super().__init__(message)
        self.size = size
        self.max_bytes = max_bytes


# Failures that happen before any byte of the request leaves this process.
_NOT_SENT: Final = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)

_STATUS_CLASSES: Final[dict[int, type[EvolinkStatusError]]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[EvolinkStatusError]:
    """The exception class for an HTTP status (the generic class when we do not act on it)."""
    if 500 <= status_code <= 599:
        return ServerError
    return _STATUS_CLASSES.get(status_code, EvolinkStatusError)


@dataclass(frozen=True, slots=True)
class _ErrorBody:
    code: str | None = None
    message: str | None = None
    error_type: str | None = None
    envelope_failed: bool = False
    envelope_code: int | None = None


def error_from_response(response: httpx.Response) -> EvolinkStatusError | EvolinkResponseError:
    """Build the exception for an error response (read the body first).

    The class follows the HTTP status, except for a file-service failure envelope, whose
    code takes precedence (see the module docstring). A 2xx with nothing to map becomes an
    `EvolinkResponseError`.
    """
    body = _read_error_body(response)
    status = _effective_status(response.status_code, body)
    message = _redact(_describe(response, status, body), _bearer_secret(_request_of(response)))
    if 200 <= status <= 299:
        return EvolinkResponseError(message, status_code=status, code=body.code)
    return status_error_class(status)(
        message,
        status_code=status,
        code=body.code,
        error_type=body.error_type,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )


def error_from_transport(exc: httpx.RequestError) -> EvolinkConnectionError:
    """Map an httpx request failure to our connection error, deciding `maybe_sent`.

    Connect failures and pool timeouts happen before a byte leaves this process. Anything
    later (read/write timeouts, dropped connections, protocol errors, unknown cases) may
    have reached Evolink, so it is reported as possibly sent: a duplicate paid task costs
    more than asking the user to resend.
    """
    request = _request_of(exc)
    where = f"{request.method} {request.url.path}" if request is not None else "request"
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    message = _redact(f"{where} failed: {detail}", _bearer_secret(request))
    maybe_sent = not isinstance(exc, _NOT_SENT)
    if isinstance(exc, httpx.TimeoutException):
        return EvolinkTimeoutError(message, maybe_sent=maybe_sent)
    return EvolinkConnectionError(message, maybe_sent=maybe_sent)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), capped at 60."""
    if value is None or not value.strip():
        return None
    seconds = _retry_after_seconds(value.strip(), time.time() if now is None else now)
    if seconds is None:
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _retry_after_seconds(value: str, now: float) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" parses naive; HTTP dates are GMT anyway
        when = when.replace(tzinfo=UTC)
    return when.timestamp() - now


def _read_error_body(response: httpx.Response) -> _ErrorBody:
    try:
        data: Any = response.json()
    except (ValueError, UnicodeDecodeError):
        return _ErrorBody(message=_snippet(response.text) or None)
    if not isinstance(data, dict):
        return _ErrorBody()
    error = data.get("error")
    if isinstance(error, dict):
        # Generation endpoints send a string code, /v1/credits still an integer (DIGEST D6).
        return _ErrorBody(
            code=_text(error.get("code")),
            message=_text(error.get("message")),
            error_type=_text(error.get("type")),
        )
    if isinstance(error, str):
        return _ErrorBody(message=error)
    raw_code = data.get("code")
    return _ErrorBody(
        code=_text(raw_code),
        message=_text(data.get("msg")) or _text(data.get("message")),
        envelope_failed=data.get("success") is False,
        envelope_code=raw_code if type(raw_code) is int else None,
    )


def _effective_status(http_status: int, body: _ErrorBody) -> int:
    code = body.envelope_code
    if code is None or not (body.envelope_failed or http_status >= 400):
        return http_status
    if code in _FILE_CODE_STATUS:
        return _FILE_CODE_STATUS[code]
    if 40000 <= code <= 59999:
        return code // 100
    if 400 <= code <= 599 and http_status < 400:
        return code
    return http_status


def _describe(response: httpx.Response, status: int, body: _ErrorBody) -> str:
    request = _request_of(response)
    where = f"{request.method} {request.url.path}: " if request is not None else ""
    shown = f"HTTP {response.status_code}"
    if status != response.status_code:
        shown += f" (treated as {status})"
    if body.code:
        shown += f" [{body.code}]"
    return f"{where}{shown}: {body.message or 'no error message'}"


def _request_of(source: httpx.Response | httpx.RequestError) -> httpx.Request | None:
    try:
        return source.request
    except RuntimeError:  # built without a request (tests, hand-made responses)
        return None


def _bearer_secret(request: httpx.Request | None) -> str | None:
    # The key travels only in the request that failed; a server may echo it back in its
    # error message, so whatever it is gets scrubbed from ours.
    if request is None:
        return None
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _redact(text: str, secret: str | None) -> str:
    if secret:
        text = text.replace(secret, "[redacted]")
    return text


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return _snippet(text) or None


def _snippet(text: str) -> str:
    collapsed = " ".join(text.split())
    if len(collapsed) <= _SNIPPET_CHARS:
        return collapsed
    return collapsed[: _SNIPPET_CHARS - 1] + "…"
