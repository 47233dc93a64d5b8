"""bot/transport.py against a real local HTTP server: httpx's requests go out unchanged, and
every aiohttp failure comes back as the httpx exception that says whether it was sent."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.evolink.client import EvolinkClient
from bot.evolink.errors import error_from_transport
from bot.telegram_http import DirectRequest, telegram_request
from bot.transport import AiohttpTransport, fast_transport
from tests.fakes.evolink import FakeEvolink

SECRET_PATH = "/bot123456:SECRET-TOKEN/sendMessage"


class Server:
    """A local aiohttp server whose routes the tests add; records what arrived."""

    def __init__(self) -> None:
        self.app = web.Application()
        self.seen: list[tuple[str, dict[str, str], bytes]] = []
        self.runner: web.AppRunner | None = None
        self.url = ""
        self.release = asyncio.Event()  # lets handlers that hold on finish at teardown

    async def start(self) -> None:
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def record(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.seen.append((request.path_qs, dict(request.headers), body))
        return web.json_response({"ok": True, "path": request.path_qs})


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    s = Server()
    s.app.router.add_route("*", "/echo/{tail:.*}", s.record)

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("/echo/landed")

    async def gzipped(request: web.Request) -> web.Response:
        return web.Response(
            body=gzip.compress(b'{"packed": true}'),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    async def big(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for _ in range(64):
            await response.write(b"x" * 65536)
        return response

    async def silent(request: web.Request) -> web.Response:
        await s.release.wait()
        return web.Response()

    async def hang_up(request: web.Request) -> web.Response:
        await request.read()
        assert request.transport is not None
        request.transport.close()
        await s.release.wait()
        return web.Response()

    async def cookie(request: web.Request) -> web.Response:
        response = web.json_response({"cookie": request.headers.get("Cookie")})
        response.set_cookie("session", "abc")
        return response

    s.app.router.add_get("/redirect", redirect)
    s.app.router.add_get("/gzip", gzipped)
    s.app.router.add_get("/big", big)
    s.app.router.add_route("*", "/silent", silent)
    s.app.router.add_route("*", "/hang-up/{tail:.*}", hang_up)
    s.app.router.add_get("/cookie", cookie)
    await s.start()
    yield s
    s.release.set()
    assert s.runner is not None
    await s.runner.cleanup()


def client(
    *, headers: dict[str, str] | None = None, timeout: httpx.Timeout | None = None
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=AiohttpTransport(max_connections=4),
        headers=headers,
        timeout=timeout or httpx.Timeout(5.0),
    )


async def test_a_json_post_arrives_as_httpx_built_it(server: Server) -> None:
    async with client(headers={"Authorization": "Bearer k", "User-Agent": "ours/1"}) as http:
        response = await http.post(f"{server.url}/echo/a?x=%2F", json={"prompt": "猫"})
    assert response.status_code == 200
    assert response.json() == {"ok": True, "path": "/echo/a?x=%2F"}
    assert response.http_version == "HTTP/1.1"
    _, headers, body = server.seen[0]
    assert json.loads(body) == {"prompt": "猫"}
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Length"] == str(len(body))
    assert headers["User-Agent"] == "ours/1"  # not aiohttp's
    assert headers["Authorization"] == "Bearer k"


async def test_a_multipart_upload_and_a_streamed_body_arrive_whole(server: Server) -> None:
    picture = bytes(range(256)) * 400

    async def chunks() -> AsyncIterator[bytes]:
        yield b"part one, "
        yield b"part two"

    async with client() as http:
        await http.post(f"{server.url}/echo/up", files={"file": ("a.png", picture, "image/png")})
        await http.post(f"{server.url}/echo/stream", content=chunks())
    _, headers, body = server.seen[0]
    assert headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert picture in body
    _, headers, body = server.seen[1]
    assert body == b"part one, part two"
    assert headers["Content-Length"] == "18"
    assert "Transfer-Encoding" not in headers


async def test_redirects_cookies_and_encodings_stay_httpx_s(server: Server) -> None:
    async with client() as http:
        not_followed = await http.get(f"{server.url}/redirect")
        assert not_followed.status_code == 302
        followed = await http.get(f"{server.url}/redirect", follow_redirects=True)
        assert followed.json()["path"] == "/echo/landed"
        assert (await http.get(f"{server.url}/gzip")).json() == {"packed": True}
        await http.get(f"{server.url}/cookie")
        # The jar is httpx's: the client sends the cookie back, a new client would not.
        assert (await http.get(f"{server.url}/cookie")).json() == {"cookie": "session=abc"}
    async with client() as fresh:
        assert (await fresh.get(f"{server.url}/cookie")).json() == {"cookie": None}


async def test_a_download_left_half_read_does_not_spoil_the_next_request(server: Server) -> None:
    async with client() as http:
        for _ in range(3):
            async with http.stream("GET", f"{server.url}/big") as response:
                async for _chunk in response.aiter_bytes():
                    break  # e.g. a result over the size limit
            assert (await http.get(f"{server.url}/echo/next")).status_code == 200
        async with http.stream("GET", f"{server.url}/big") as response:
            assert len(await response.aread()) == 64 * 65536


async def test_a_refused_connection_was_never_sent() -> None:
    async with client() as http:
        with pytest.raises(httpx.ConnectError) as caught:
            await http.get("http://127.0.0.1:1/v1/tasks/x")
    assert error_from_transport(caught.value).maybe_sent is False


async def test_a_silent_server_is_a_read_timeout_that_may_have_been_sent(server: Server) -> None:
    async with client(timeout=httpx.Timeout(5.0, read=0.2)) as http:
        with pytest.raises(httpx.ReadTimeout) as caught:
            await http.post(f"{server.url}/silent", json={})
    assert error_from_transport(caught.value).maybe_sent is True


async def test_a_dropped_connection_may_have_been_sent_and_names_no_secret(
    server: Server,
) -> None:
    async with client() as http:
        with pytest.raises(httpx.TransportError) as caught:
            await http.post(f"{server.url}/hang-up{SECRET_PATH}", json={"text": "hi"})
    assert not isinstance(caught.value, (httpx.ConnectError, httpx.ConnectTimeout))
    assert error_from_transport(caught.value).maybe_sent is True
    assert "SECRET-TOKEN" not in str(caught.value)
    assert caught.value.request.url.path.endswith("/sendMessage")


async def test_an_upload_nobody_reads_is_a_write_timeout(server: Server) -> None:
    # aiohttp has no write timeout, and its read timeout starts once the body is written:
    # the transport bounds sending and waiting as a whole (here 3 x 0.05 s + 0.05 s per MiB).
    async def never_read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.release.wait()
        writer.close()

    listener = await asyncio.start_server(never_read, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        async with client(timeout=httpx.Timeout(0.05)) as http:
            with pytest.raises(httpx.WriteTimeout) as caught:
                await http.post(f"http://127.0.0.1:{port}/upload", content=b"x" * 8_000_000)
    finally:
        server.release.set()
        listener.close()
    assert error_from_transport(caught.value).maybe_sent is True


async def test_a_closed_transport_opens_again_when_used(server: Server) -> None:
    transport = AiohttpTransport()
    async with httpx.AsyncClient(transport=transport) as http:
        assert (await http.get(f"{server.url}/echo/1")).status_code == 200
    await transport.aclose()  # twice is harmless
    async with httpx.AsyncClient(transport=transport) as http:
        assert (await http.get(f"{server.url}/echo/2")).status_code == 200
    with pytest.raises(ValueError):
        AiohttpTransport(max_connections=0)


def test_a_proxy_in_the_environment_keeps_httpx_s_own_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    assert isinstance(fast_transport(8), AiohttpTransport)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert fast_transport(8) is None  # httpx mounts the proxy itself then


async def test_behind_a_proxy_evolink_calls_go_through_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """With HTTP(S)_PROXY set, the client leaves aiohttp out and httpx mounts the proxy: here
    the fake Evolink stands in for the proxy, and the API's own host does not even resolve."""
    proxy = FakeEvolink(api_key="k")
    await proxy.start()
    try:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with EvolinkClient("k", api_url="http://api.evolink.invalid") as api:
            credits = await api.get_credits()
        assert credits is not None
        assert [r.path for r in proxy.requests] == ["/v1/credits"]
    finally:
        await proxy.stop()


async def test_ptb_calls_go_out_as_httpxrequest_sends_them(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    request = telegram_request(4)
    assert isinstance(request, DirectRequest)
    await request.initialize()
    try:
        status, body = await request.do_request(
            f"{server.url}/echo/sendMessage",
            "POST",
            RequestData(
                [RequestParameter("chat_id", 42, None), RequestParameter("text", "猫", None)]
            ),
        )
        assert status == 200 and json.loads(body)["path"] == "/echo/sendMessage"
        _, headers, sent = server.seen[-1]
        assert headers["User-Agent"] == HTTPXRequest.USER_AGENT
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert b"chat_id=42" in sent
        with pytest.raises(TimedOut):
            await request.do_request(f"{server.url}/silent", "POST", read_timeout=0.1)
        with pytest.raises(NetworkError, match=r"httpx\.ConnectError"):
            await request.do_request("http://127.0.0.1:1/bot1:x/getMe", "POST")
    finally:
        await request.shutdown()
    with pytest.raises(RuntimeError):
        await request.do_request(f"{server.url}/echo/x", "POST")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    behind_proxy = telegram_request(4)
    assert not isinstance(behind_proxy, DirectRequest)  # PTB's own, which mounts the proxy
