"""EvolinkClient against httpx.MockTransport: error mapping, retries, secrecy, payloads, files."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from bot.evolink import (
    DEFAULT_TIMEOUT,
    AuthenticationError,
    BadRequestError,
    EvolinkClient,
    EvolinkConnectionError,
    EvolinkError,
    EvolinkResponseError,
    EvolinkStatusError,
    EvolinkTimeoutError,
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResultTooLargeError,
    RetryPolicy,
    ServerError,
    error_from_response,
    parse_retry_after,
)
from bot.models.qwen_image_edit import QwenEditRequest
from bot.models.wan25_image_to_image import ImageToImageRequest
from bot.models.wan25_image_to_video import ImageToVideoRequest
from bot.models.wan25_text_to_image import TextToImageRequest

KEY = "sk-evo-TEST-0123456789abcdef"
API = "https://api.evolink.test"
FILES = "https://files-api.evolink.test"
RESULT = "https://cdn.results.test/out/1.png"
TASK_ID = "task-unified-1757156493-imcg5zqt"
TASK = {"id": TASK_ID, "status": "pending", "model": "wan2.5-text-to-image", "progress": 0}
UPLOAD = {
    "success": True,
    "code": 200,
    "msg": "File uploaded successfully",
    "data": {"file_id": "file_1", "file_url": "https://files.evolink.test/p/a.png"},
}
I2V = ImageToVideoRequest(prompt="cat", image_urls=["https://files.evolink.test/p/a.png"])

Step = Callable[[httpx.Request], httpx.Response]


# --- helpers --------------------------------------------------------------------------------


class Server:
    """A scripted MockTransport handler: one step per call, the last step repeats."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        return step(request)

    @property
    def calls(self) -> int:
        return len(self.requests)


class Sleeps:
    """Stands in for asyncio.sleep: records the delay, returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def reply(status: int = 200, body: Any = None, **kwargs: Any) -> Step:
    def step(request: httpx.Request) -> httpx.Response:
        kwargs["request"] = request
        if body is None:
            return httpx.Response(status, **kwargs)
        if isinstance(body, str | bytes):
            return httpx.Response(status, content=body, **kwargs)
        return httpx.Response(status, json=body, **kwargs)

    return step


def fail(exc_type: type[httpx.RequestError], text: str = "boom") -> Step:
    def step(request: httpx.Request) -> httpx.Response:
        raise exc_type(text, request=request)

    return step


def gen_error(code: Any, message: str, error_type: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "type": error_type}}


def client(server: Server, sleeps: Sleeps | None = None, **kwargs: Any) -> EvolinkClient:
    kwargs.setdefault(
        "retry", RetryPolicy(base_delay=0.0, sleep=sleeps or Sleeps(), rand=lambda: 0.0)
    )
    return EvolinkClient(
        KEY, api_url=API, files_url=FILES, transport=httpx.MockTransport(server), **kwargs
    )


def response(status: int, body: Any = None, **kwargs: Any) -> httpx.Response:
    request = httpx.Request("POST", f"{API}/v1/images/generations")
    return reply(status, body, **kwargs)(request)


def sent_json(request: httpx.Request) -> Any:
    return json.loads(request.content)


# --- error_from_response: every status and body format --------------------------------------


@pytest.mark.parametrize(
    "status,body,cls,code,error_type",
    [
        (400, gen_error("invalid_request", "bad", "invalid_request_error"), BadRequestError,
         "invalid_request", "invalid_request_error"),
        (401, gen_error("unauthorized", "no key", "authentication_error"), AuthenticationError,
         "unauthorized", "authentication_error"),
        (402, gen_error("insufficient_quota", "top up", "insufficient_quota"),
         InsufficientCreditsError, "insufficient_quota", "insufficient_quota"),
        (403, gen_error("model_access_denied", "no access", "invalid_request_error"),
         PermissionDeniedError, "model_access_denied", "invalid_request_error"),
        (404, gen_error("task_not_found", "gone", "invalid_request_error"), NotFoundError,
         "task_not_found", "invalid_request_error"),
        (429, gen_error("rate_limit_exceeded", "slow", "rate_limit_error"), RateLimitError,
         "rate_limit_exceeded", "rate_limit_error"),
        (500, gen_error("internal_error", "oops", "api_error"), ServerError,
         "internal_error", "api_error"),
        (502, gen_error(502, "upstream", "upstream_error"), ServerError, "502", "upstream_error"),
        (503, gen_error(503, "later", "service_unavailable_error"), ServerError, "503",
         "service_unavailable_error"),
        (418, gen_error("teapot", "short and stout"), EvolinkStatusError, "teapot", None),
        (413, gen_error("too_large", "big"), EvolinkStatusError, "too_large", None),
        # /v1/credits still uses integer codes (DIGEST D6)
        (401, gen_error(401, "bad key", "authentication_error"), AuthenticationError, "401",
         "authentication_error"),
        (429, gen_error(429, "slow", "rate_limit_error"), RateLimitError, "429",
         "rate_limit_error"),
        # file-service envelope with an error status
        (400, {"success": False, "code": 400, "msg": "bad file"}, BadRequestError, "400", None),
        (401, {"success": False, "code": 401, "msg": "no key"}, AuthenticationError, "401", None),
        (500, {"success": False, "code": 50001, "msg": "storage"}, ServerError, "50001", None),
    ],
)  # fmt: skip
def test_status_and_json_body_mapping(
    status: int, body: Any, cls: type[EvolinkStatusError], code: str, error_type: str | None
) -> None:
    error = error_from_response(response(status, body))
    assert type(error) is cls
    assert isinstance(error, EvolinkStatusError)
    assert (error.status_code, error.code, error.error_type) == (status, code, error_type)
    message = body["error"]["message"] if "error" in body else body["msg"]
    assert message in str(error) and f"HTTP {status}" in str(error)
    assert "POST /v1/images/generations" in str(error)


STATUS_CLASSES = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (402, InsufficientCreditsError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (429, RateLimitError),
    (500, ServerError),
    (502, ServerError),
    (503, ServerError),
    (504, ServerError),
    (418, EvolinkStatusError),
]


@pytest.mark.parametrize("status,cls", STATUS_CLASSES)
def test_html_body_maps_by_status(status: int, cls: type[EvolinkStatusError]) -> None:
    html = f"<html><body><h1>{status} Gateway trouble</h1>\n\n</body></html>"
    error = error_from_response(response(status, html, headers={"content-type": "text/html"}))
    assert type(error) is cls and isinstance(error, EvolinkStatusError)
    assert error.code is None and error.status_code == status
    assert "Gateway trouble" in str(error)


@pytest.mark.parametrize("status,cls", STATUS_CLASSES)
def test_empty_body_maps_by_status(status: int, cls: type[EvolinkStatusError]) -> None:
    error = error_from_response(response(status))
    assert type(error) is cls and isinstance(error, EvolinkStatusError)
    assert error.code is None and "no error message" in str(error)


@pytest.mark.parametrize("body", [[1, 2], "null", {"unexpected": True}, {"error": "plain"}])
def test_odd_json_bodies(body: Any) -> None:
    raw = body if isinstance(body, str) else json.dumps(body)
    error = error_from_response(response(400, raw))
    assert type(error) is BadRequestError


def test_huge_error_message_is_trimmed() -> None:
    error = error_from_response(response(500, gen_error("internal_error", "x" * 10_000)))
    assert len(str(error)) < 400


@pytest.mark.parametrize(
    "code,cls,status",
    [
        (40001, BadRequestError, 400),  # file too large
        (40002, BadRequestError, 400),  # type not allowed
        (40003, InsufficientCreditsError, 402),  # file quota: the operator must act
        (40004, BadRequestError, 400),  # URL download failed
        (40099, BadRequestError, 400),  # unknown 4xxxx: by its first three digits
        (50001, ServerError, 500),  # storage error
        (403, PermissionDeniedError, 403),
        (500, ServerError, 500),
    ],
)
def test_file_failure_envelope_in_a_200(
    code: int, cls: type[EvolinkStatusError], status: int
) -> None:
    error = error_from_response(response(200, {"success": False, "code": code, "msg": "nope"}))
    assert type(error) is cls and isinstance(error, EvolinkStatusError)
    assert (error.status_code, error.code) == (status, str(code))
    assert "HTTP 200" in str(error) and "nope" in str(error)


@pytest.mark.parametrize("code", [200, None, "weird", 7])
def test_file_failure_envelope_without_usable_code(code: Any) -> None:
    error = error_from_response(response(200, {"success": False, "code": code, "msg": "nope"}))
    assert type(error) is EvolinkResponseError
    assert error.status_code == 200


def test_file_code_beats_a_generic_http_status() -> None:
    error = error_from_response(response(400, {"success": False, "code": 40003, "msg": "full"}))
    assert type(error) is InsufficientCreditsError


# --- Retry-After --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        ("3", 3.0),
        ("0", 0.0),
        ("2.5", 2.5),
        ("60", 60.0),
        ("120", 60.0),
        ("-5", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("inf", None),
        ("nan", None),
    ],
)
def test_parse_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date() -> None:
    now = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
    at = now.timestamp()
    assert parse_retry_after("Sat, 21 Nov 2026 12:00:30 GMT", now=at) == 30.0
    assert parse_retry_after("Sat, 21 Nov 2026 13:00:00 GMT", now=at) == 60.0
    assert parse_retry_after("Sat, 21 Nov 2026 11:00:00 GMT", now=at) == 0.0
    assert parse_retry_after("Sat, 21 Nov 2026 12:00:10 -0000", now=at) == 10.0


def test_status_error_carries_retry_after() -> None:
    error = error_from_response(response(429, gen_error("x", "y"), headers={"Retry-After": "7"}))
    assert isinstance(error, RateLimitError) and error.retry_after == 7.0
    error = error_from_response(response(503, headers={"Retry-After": "600"}))
    assert isinstance(error, ServerError) and error.retry_after == 60.0


# --- transport failures ---------------------------------------------------------------------

TRANSPORT_FAILURES = [
    (httpx.ConnectError, EvolinkConnectionError, False),
    (httpx.ConnectTimeout, EvolinkTimeoutError, False),
    (httpx.PoolTimeout, EvolinkTimeoutError, False),
    (httpx.ProxyError, EvolinkConnectionError, False),
    (httpx.UnsupportedProtocol, EvolinkConnectionError, False),
    (httpx.ReadTimeout, EvolinkTimeoutError, True),
    (httpx.WriteTimeout, EvolinkTimeoutError, True),
    (httpx.ReadError, EvolinkConnectionError, True),
    (httpx.WriteError, EvolinkConnectionError, True),
    (httpx.RemoteProtocolError, EvolinkConnectionError, True),
    (httpx.LocalProtocolError, EvolinkConnectionError, True),
]


@pytest.mark.parametrize("exc_type,cls,maybe_sent", TRANSPORT_FAILURES)
async def test_transport_failure_mapping(
    exc_type: type[httpx.RequestError], cls: type[EvolinkConnectionError], maybe_sent: bool
) -> None:
    server = Server(fail(exc_type, "link down"))
    async with client(server, retry=RetryPolicy(max_retries=0)) as api:
        with pytest.raises(EvolinkConnectionError) as caught:
            await api.get_task(TASK_ID)
    assert type(caught.value) is cls
    assert caught.value.maybe_sent is maybe_sent
    assert isinstance(caught.value.__cause__, exc_type)
    assert f"GET /v1/tasks/{TASK_ID} failed: {exc_type.__name__}: link down" == str(caught.value)


@pytest.mark.parametrize("exc_type,cls,maybe_sent", TRANSPORT_FAILURES)
async def test_create_retries_only_failures_before_sending(
    exc_type: type[httpx.RequestError], cls: type[EvolinkConnectionError], maybe_sent: bool
) -> None:
    server = Server(fail(exc_type))
    async with client(server) as api:
        with pytest.raises(cls) as caught:
            await api.create_task(TextToImageRequest(prompt="p"))
    assert caught.value.maybe_sent is maybe_sent
    assert server.calls == (1 if maybe_sent else 5)


# --- retry counts ---------------------------------------------------------------------------


async def test_get_retries_429_then_succeeds() -> None:
    server = Server(reply(429), reply(429), reply(200, TASK))
    sleeps = Sleeps()
    async with client(server, sleeps) as api:
        task = await api.get_task(TASK_ID)
    assert task.id == TASK_ID and server.calls == 3 and len(sleeps.delays) == 2


async def test_get_gives_up_after_max_retries() -> None:
    server = Server(reply(500, gen_error("internal_error", "oops")))
    sleeps = Sleeps()
    async with client(server, sleeps) as api:
        with pytest.raises(ServerError):
            await api.get_task(TASK_ID)
    assert server.calls == 1 + 4 and len(sleeps.delays) == 4


@pytest.mark.parametrize("exc_type", [httpx.ReadTimeout, httpx.RemoteProtocolError])
async def test_get_retries_after_timeouts_and_drops(exc_type: type[httpx.RequestError]) -> None:
    server = Server(fail(exc_type), reply(200, TASK))
    async with client(server) as api:
        assert (await api.get_task(TASK_ID)).id == TASK_ID
    assert server.calls == 2


@pytest.mark.parametrize("status", [429, 500, 502, 503])
async def test_create_retries_429_and_5xx(status: int) -> None:
    server = Server(reply(status), reply(200, TASK))
    async with client(server) as api:
        task = await api.create_task(TextToImageRequest(prompt="p"))
    assert task.id == TASK_ID and server.calls == 2


async def test_create_read_timeout_is_never_repeated() -> None:
    server = Server(fail(httpx.ReadTimeout), reply(200, TASK))
    sleeps = Sleeps()
    async with client(server, sleeps) as api:
        with pytest.raises(EvolinkConnectionError) as caught:
            await api.create_task(I2V)
    assert caught.value.maybe_sent is True and isinstance(caught.value, EvolinkTimeoutError)
    assert server.calls == 1 and sleeps.delays == []


async def test_create_connect_error_then_success() -> None:
    server = Server(fail(httpx.ConnectError), reply(200, TASK))
    async with client(server) as api:
        task = await api.create_task(TextToImageRequest(prompt="p"))
    assert task.id == TASK_ID and server.calls == 2


async def test_create_gateway_timeout_is_not_repeated() -> None:
    # A 504 means the gateway gave up waiting: Evolink may have created the task.
    server = Server(reply(504), reply(200, TASK))
    async with client(server) as api:
        with pytest.raises(ServerError):
            await api.create_task(TextToImageRequest(prompt="p"))
    assert server.calls == 1


@pytest.mark.parametrize("status,cls", [*STATUS_CLASSES[:5], (418, EvolinkStatusError)])
async def test_client_errors_are_never_retried(status: int, cls: type[EvolinkStatusError]) -> None:
    for call in ("create", "get"):
        server = Server(reply(status, gen_error("x", "no")), reply(200, TASK))
        async with client(server) as api:
            with pytest.raises(cls):
                if call == "create":
                    await api.create_task(TextToImageRequest(prompt="p"))
                else:
                    await api.get_task(TASK_ID)
        assert server.calls == 1


@pytest.mark.parametrize("body", ["<html>ok?</html>", b"\xff\xfe", "", {"id": TASK_ID}, [TASK]])
async def test_unreadable_2xx_is_a_response_error(body: Any) -> None:
    server = Server(reply(200, body))
    async with client(server) as api:
        with pytest.raises(EvolinkResponseError):
            await api.create_task(TextToImageRequest(prompt="p"))
        with pytest.raises(EvolinkResponseError):
            await api.get_task(TASK_ID)
    assert server.calls == 2


# --- backoff --------------------------------------------------------------------------------


async def test_retry_after_is_honoured() -> None:
    server = Server(reply(429, headers={"Retry-After": "3"}), reply(200, TASK))
    sleeps = Sleeps()
    async with client(server, sleeps) as api:
        await api.create_task(TextToImageRequest(prompt="p"))
    assert sleeps.delays == [3.0]


async def test_retry_after_is_capped() -> None:
    server = Server(reply(503, headers={"Retry-After": "3600"}), reply(200, TASK))
    sleeps = Sleeps()
    async with client(server, sleeps) as api:
        await api.get_task(TASK_ID)
    assert sleeps.delays == [60.0]


async def test_retry_after_http_date() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    server = Server(reply(429, headers={"Retry-After": when}), reply(200, TASK))
    sleeps = Sleeps()
    async with client(server, sleeps) as api:
        await api.get_task(TASK_ID)
    assert len(sleeps.delays) == 1 and 17.0 <= sleeps.delays[0] <= 20.0


async def test_backoff_grows_to_max_delay() -> None:
    server = Server(reply(500))
    sleeps = Sleeps()
    policy = RetryPolicy(max_retries=6, sleep=sleeps, rand=lambda: 0.0)
    async with client(server, retry=policy) as api:
        with pytest.raises(ServerError):
            await api.get_credits()
    assert sleeps.delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_jitter_only_shortens_the_wait() -> None:
    assert RetryPolicy(rand=lambda: 1.0).delay(1, None) == 0.375
    policy = RetryPolicy(rand=random.Random(7).random)
    for attempt in range(1, 12):
        ceiling = min(0.5 * 2 ** (attempt - 1), 8.0)
        for _ in range(50):
            assert 0.75 * ceiling <= policy.delay(attempt, None) <= ceiling <= 8.0


def test_policy_retry_after_bounds() -> None:
    policy = RetryPolicy(max_retry_after=60.0)
    assert policy.delay(1, 0.0) == 0.0
    assert policy.delay(3, 12.5) == 12.5
    assert policy.delay(1, 90.0) == 60.0
    assert policy.delay(1, -3.0) == 0.0


async def test_retries_are_logged_without_query_or_key(caplog: pytest.LogCaptureFixture) -> None:
    server = Server(reply(503), reply(200, content=b"img"))
    caplog.set_level(logging.WARNING, logger="bot.evolink")
    async with client(server) as api:
        await api.download(f"{RESULT}?sig=secret-signature", max_bytes=100)
    [record] = [r for r in caplog.records if r.name == "bot.evolink"]
    text = record.getMessage()
    assert record.levelno == logging.WARNING
    assert "GET /out/1.png" in text and "retry 1 of 4" in text and "HTTP 503" in text
    assert "sig=" not in text and KEY not in text


# --- the key stays home ---------------------------------------------------------------------


async def test_auth_header_only_goes_to_api_and_files() -> None:
    def route(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith("/api/v1/files/upload"):
            return httpx.Response(200, json=UPLOAD)
        if path == "/v1/credits":
            return httpx.Response(200, json={"data": {"token": {}, "user": {}}})
        if path.startswith("/v1/"):
            return httpx.Response(200, json=TASK)
        return httpx.Response(200, content=b"png", headers={"Content-Length": "3"})

    server = Server(route)
    async with client(server) as api:
        await api.create_task(TextToImageRequest(prompt="p"))
        await api.create_task(I2V)
        await api.get_task(TASK_ID)
        await api.get_credits()
        await api.upload_file(b"png", filename="a.png", mime_type="image/png")
        assert await api.download(RESULT, max_bytes=10) == b"png"
        # even a result that happens to live on the API host gets no key
        assert await api.download(f"{API}/results/1.png", max_bytes=10) == b"png"

    def is_api_call(request: httpx.Request) -> bool:
        on_api_host = request.url.host in {"api.evolink.test", "files-api.evolink.test"}
        return on_api_host and request.url.path.startswith(("/v1/", "/api/v1/"))

    authed = [r for r in server.requests if is_api_call(r)]
    anonymous = [r for r in server.requests if not is_api_call(r)]
    assert len(authed) == 5 and len(anonymous) == 2
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in authed)
    assert all("authorization" not in r.headers for r in anonymous)
    assert all(KEY not in str(r.headers) for r in anonymous)


async def test_key_echoed_by_the_server_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    echo = gen_error("unauthorized", f"Invalid API key {KEY}", "authentication_error")
    server = Server(reply(429, gen_error("x", f"slow down {KEY}")), reply(401, echo))
    caplog.set_level(logging.DEBUG, logger="bot.evolink")
    async with client(server) as api:
        with pytest.raises(AuthenticationError) as caught:
            await api.get_task(TASK_ID)
    assert KEY not in str(caught.value) and KEY not in caught.value.message
    assert "[redacted]" in str(caught.value)
    assert caplog.records
    for record in caplog.records:
        assert KEY not in record.getMessage()


async def test_key_in_a_transport_error_is_redacted() -> None:
    server = Server(fail(httpx.ConnectError, f"proxy refused Bearer {KEY}"))
    async with client(server, retry=RetryPolicy(max_retries=0)) as api:
        with pytest.raises(EvolinkConnectionError) as caught:
            await api.get_credits()
    assert KEY not in str(caught.value)


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 429, 500, 502, 503, 418])
async def test_no_error_message_contains_the_key(status: int) -> None:
    server = Server(reply(status, f"<pre>Authorization: Bearer {KEY}</pre>"))
    async with client(server, retry=RetryPolicy(max_retries=0)) as api:
        with pytest.raises(EvolinkError) as caught:
            await api.create_task(TextToImageRequest(prompt="p"))
    assert KEY not in str(caught.value) and KEY not in repr(caught.value.args)


def test_empty_key_is_refused() -> None:
    with pytest.raises(ValueError):
        EvolinkClient("  ")


# --- request bodies -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "req,path",
    [
        (TextToImageRequest(prompt="a lake"), "/v1/images/generations"),
        (TextToImageRequest(prompt="a lake", size="1024x1024", n=4), "/v1/images/generations"),
        (ImageToImageRequest(prompt="p", image_urls=[RESULT]), "/v1/images/generations"),
        (QwenEditRequest(prompt="p", image_urls=[RESULT, RESULT]), "/v1/images/generations"),
        (I2V, "/v1/videos/generations"),
    ],
)
async def test_request_body_is_exactly_the_payload(req: Any, path: str) -> None:
    server = Server(reply(200, TASK))
    async with client(server) as api:
        await api.create_task(req)
    [request] = server.requests
    assert request.method == "POST" and str(request.url) == f"{API}{path}"
    assert request.headers["content-type"] == "application/json"
    assert sent_json(request) == req.to_payload()


async def test_default_payload_fields() -> None:
    server = Server(reply(200, TASK))
    async with client(server) as api:
        await api.create_task(TextToImageRequest(prompt="p"))
        await api.create_task(I2V)
    t2i, i2v = (sent_json(r) for r in server.requests)
    assert t2i["n"] == 1 and "size" not in t2i and "callback_url" not in t2i
    assert (i2v["duration"], i2v["quality"]) == (5, "720p")


async def test_client_callback_url_is_the_default() -> None:
    server = Server(reply(200, TASK))
    own = "https://bot.example.com/cb/own"
    async with client(server, callback_url="https://bot.example.com/cb/any") as api:
        await api.create_task(TextToImageRequest(prompt="p"))
        await api.create_task(TextToImageRequest(prompt="p", callback_url=own))
    first, second = (sent_json(r) for r in server.requests)
    assert first["callback_url"] == "https://bot.example.com/cb/any"
    assert second["callback_url"] == own


def test_client_refuses_a_bad_callback_url() -> None:
    with pytest.raises(ValueError):
        EvolinkClient(KEY, callback_url="http://insecure.example.com/cb")


async def test_get_task_quotes_the_id() -> None:
    server = Server(reply(200, TASK))
    async with client(server) as api:
        await api.get_task("../v1/credits?x=1")
    assert server.requests[0].url.raw_path == b"/v1/tasks/..%2Fv1%2Fcredits%3Fx%3D1"


async def test_task_and_credits_are_parsed() -> None:
    done = {**TASK, "status": "completed", "progress": 100, "results": [RESULT]}
    credits = {"data": {"token": {"remaining_credits": 5}, "user": {"remaining_credits": 9}}}
    server = Server(reply(200, done), reply(200, credits))
    async with client(server) as api:
        task = await api.get_task(TASK_ID)
        balance = await api.get_credits()
    assert task.is_completed and task.results == [RESULT]
    assert (balance.token_remaining, balance.user_remaining) == (5.0, 9.0)
    assert [r.url.path for r in server.requests] == [f"/v1/tasks/{TASK_ID}", "/v1/credits"]


# --- file service ---------------------------------------------------------------------------


async def test_upload_stream_is_multipart() -> None:
    server = Server(reply(200, UPLOAD))
    async with client(server) as api:
        uploaded = await api.upload_file(b"\x89PNGdata", filename="a.png", mime_type="image/png")
    [request] = server.requests
    assert str(request.url) == f"{FILES}/api/v1/files/upload/stream"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="a.png"' in request.content
    assert b"Content-Type: image/png" in request.content and b"\x89PNGdata" in request.content
    assert uploaded.file_url == "https://files.evolink.test/p/a.png"


async def test_upload_retries_server_faults_even_inside_a_200() -> None:
    storage_fault = {"success": False, "code": 50001, "msg": "storage"}
    server = Server(fail(httpx.ReadTimeout), reply(200, storage_fault), reply(200, UPLOAD))
    async with client(server) as api:
        uploaded = await api.upload_file(b"x", filename="a.png", mime_type="image/png")
    assert uploaded.file_id == "file_1" and server.calls == 3


@pytest.mark.parametrize("code,cls", [(40001, BadRequestError), (40003, InsufficientCreditsError)])
async def test_upload_rejections_are_not_retried(code: int, cls: type[EvolinkStatusError]) -> None:
    server = Server(reply(200, {"success": False, "code": code, "msg": "no"}))
    async with client(server) as api:
        with pytest.raises(cls):
            await api.upload_file(b"x", filename="a.png", mime_type="image/png")
    assert server.calls == 1


async def test_upload_without_data_is_a_response_error() -> None:
    server = Server(reply(200, {"success": True, "code": 200, "msg": "ok"}))
    async with client(server) as api:
        with pytest.raises(EvolinkResponseError, match="upload"):
            await api.upload_file(b"x", filename="a.png", mime_type="image/png")


# --- downloads ------------------------------------------------------------------------------


class TrackedStream(httpx.AsyncByteStream):
    """A response body that remembers whether anyone read it."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks
        self.read = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.read = True
        for chunk in self.chunks:
            yield chunk


async def test_download_returns_the_bytes() -> None:
    server = Server(reply(200, b"x" * 100))
    async with client(server) as api:
        assert await api.download(RESULT, max_bytes=100) == b"x" * 100
    assert server.requests[0].method == "GET"


async def test_download_refuses_a_declared_size_without_reading() -> None:
    stream = TrackedStream(b"x" * 10)
    server = Server(
        lambda r: httpx.Response(200, headers={"Content-Length": "5000"}, stream=stream)
    )
    async with client(server) as api:
        with pytest.raises(ResultTooLargeError) as caught:
            await api.download(RESULT, max_bytes=1000)
    assert (caught.value.size, caught.value.max_bytes) == (5000, 1000)
    assert stream.read is False and server.calls == 1


async def test_download_counts_a_chunked_body() -> None:
    stream = TrackedStream(*[b"y" * 50] * 10)
    server = Server(lambda r: httpx.Response(200, stream=stream))
    async with client(server) as api:
        with pytest.raises(ResultTooLargeError) as caught:
            await api.download(RESULT, max_bytes=120)
    assert caught.value.size == 150 and caught.value.max_bytes == 120


async def test_download_retries_transient_failures() -> None:
    server = Server(
        fail(httpx.ReadError), reply(502, "<html>bad gateway</html>"), reply(200, b"ok")
    )
    async with client(server) as api:
        assert await api.download(RESULT, max_bytes=10) == b"ok"
    assert server.calls == 3


async def test_download_of_an_expired_link() -> None:
    huge_error = TrackedStream(*[b"<p>expired</p>" * 1000] * 100)
    server = Server(lambda r: httpx.Response(404, stream=huge_error))
    async with client(server) as api:
        with pytest.raises(NotFoundError, match="expired"):
            await api.download(RESULT, max_bytes=10)
    assert server.calls == 1


async def test_download_needs_an_http_url() -> None:
    async with client(Server(reply(200, b""))) as api:
        with pytest.raises(ValueError):
            await api.download("file:///etc/passwd", max_bytes=10)


# --- lifecycle ------------------------------------------------------------------------------


async def test_context_manager_closes_both_clients() -> None:
    api = client(Server(reply(200, TASK)))
    async with api:
        assert api._http.timeout == DEFAULT_TIMEOUT
    assert api._http.is_closed and api._downloads.is_closed
