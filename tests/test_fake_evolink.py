"""The fake Evolink answers like Evolink's published documents (tests/fakes/spec/evolink) say.

Responses are checked against the OpenAPI response schemas themselves, so a drift between the
fake and the docs fails here rather than in the bot's tests.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import signal
import ssl
import struct
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from bot.evolink import limits
from bot.models import (
    qwen_image_edit,
    registry,
    wan25_image_to_image,
    wan25_image_to_video,
    wan25_text_to_image,
)
from tests.fakes.evolink import FakeEvolink, model_specs, validation
from tests.fakes.evolink.validation import (
    InvalidRequest,
    load_document,
    resolve_refs,
    schema_problems,
    validate_generation,
)

KEY = "test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
MB = 1024 * 1024
UNREACHABLE = "http://127.0.0.1:9/nothing.png"  # discard port: connection refused at once
ROOT = Path(__file__).resolve().parents[1]
TLS = ssl.create_default_context()  # shared: building one per httpx client costs ~25 ms


class ManualClock:
    """Stands in for time.monotonic so tasks move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def fake(clock: ManualClock) -> AsyncIterator[FakeEvolink]:
    async with FakeEvolink(KEY) as server:
        server.clock = clock
        server.task_duration = 10.0
        yield server


@pytest.fixture
async def client(fake: FakeEvolink) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=fake.url, headers=AUTH, trust_env=False, verify=TLS
    ) as http:
        yield http


@pytest.fixture
async def public(fake: FakeEvolink) -> AsyncIterator[httpx.AsyncClient]:
    """A client without the key, like a browser opening a result link."""
    async with httpx.AsyncClient(trust_env=False, verify=TLS) as http:
        yield http


# --- helpers ----------------------------------------------------------------------------------


def image_bytes(width: int, height: int, fmt: str = "PNG", mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "teal").save(out, fmt)
    return out.getvalue()


async def upload(client: httpx.AsyncClient, data: bytes, name: str = "in.png") -> str:
    files = {"file": (name, data, "application/octet-stream")}
    response = await client.post("/api/v1/files/upload/stream", files=files)
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["file_url"])


def t2i(**fields: Any) -> dict[str, Any]:
    return {"model": wan25_text_to_image.NAME, "prompt": "a red fox", **fields}


def i2i(urls: list[str], **fields: Any) -> dict[str, Any]:
    return {
        "model": wan25_image_to_image.NAME,
        "prompt": "make it blue",
        "image_urls": urls,
        **fields,
    }


def qwen(urls: list[str], **fields: Any) -> dict[str, Any]:
    return {"model": qwen_image_edit.NAME, "prompt": "add a hat", "image_urls": urls, **fields}


def i2v(urls: list[str], **fields: Any) -> dict[str, Any]:
    return {"model": wan25_image_to_video.NAME, "prompt": "it moves", "image_urls": urls, **fields}


def endpoint(body: dict[str, Any]) -> str:
    video = body.get("model") == wan25_image_to_video.NAME
    return "/v1/videos/generations" if video else "/v1/images/generations"


async def create(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(endpoint(body), json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


async def task_state(client: httpx.AsyncClient, task_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/tasks/{task_id}")
    assert response.status_code == 200, response.text
    state: dict[str, Any] = response.json()
    return state


async def finish(client: httpx.AsyncClient, clock: ManualClock, task_id: str) -> dict[str, Any]:
    clock.advance(10_000)
    return await task_state(client, task_id)


def response_schema(filename: str, status: str = "200") -> dict[str, Any]:
    document = load_document(filename)
    ((_, operations),) = document["paths"].items()
    (operation,) = operations.values()
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    resolved: dict[str, Any] = resolve_refs(schema, document)
    return resolved


def conforms(filename: str, body: Any, status: str = "200") -> list[str]:
    return schema_problems(response_schema(filename, status), body)


def mp4_boxes(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """(type, offset, size) of each box between start and end; sizes must tile exactly."""
    end = len(data) if end is None else end
    boxes, position = [], start
    while position < end:
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        size = size or end - position
        boxes.append((kind.decode("latin-1"), position, size))
        position += size
    assert position == end, "box sizes do not add up"
    return boxes


def mp4_seconds(data: bytes) -> float:
    """Duration from the movie header (mvhd) inside moov."""
    ((_, moov, moov_size),) = [box for box in mp4_boxes(data) if box[0] == "moov"]
    (mvhd,) = [
        pos for kind, pos, _ in mp4_boxes(data, moov + 8, moov + moov_size) if kind == "mvhd"
    ]
    version = data[mvhd + 8]
    if version == 1:
        timescale, duration = struct.unpack(">IQ", data[mvhd + 28 : mvhd + 40])
    else:
        timescale, duration = struct.unpack(">II", data[mvhd + 20 : mvhd + 28])
    return float(duration / timescale)


# --- reference documents ----------------------------------------------------------------------


def test_every_model_schema_is_loaded() -> None:
    specs = model_specs()
    assert set(specs) == set(registry.NAMES)
    assert specs[wan25_image_to_video.NAME].path == "/v1/videos/generations"
    for spec in specs.values():
        assert {"model", "prompt"} <= set(spec.schema["required"])
        assert spec.schema["properties"]["prompt"]["maxLength"] == limits.PROMPT_MAX_CHARS
        assert "200" in spec.responses


def test_missing_reference_documents_fail_loudly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(validation, "SPEC_DIR", tmp_path)
    model_specs.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="reference document missing"):
            model_specs()
    finally:
        monkeypatch.undo()
        model_specs.cache_clear()


# --- authentication, per endpoint format ------------------------------------------------------

AUTH_CASES = [
    ("POST", "/v1/images/generations", {"error": {"code": "unauthorized"}}),
    ("POST", "/v1/videos/generations", {"error": {"code": "unauthorized"}}),
    ("GET", "/v1/tasks/task-unified-1-abcdefgh", {"error": {"code": "unauthorized"}}),
    ("GET", "/v1/credits", {"error": {"code": 401}}),
    ("POST", "/api/v1/files/upload/stream", {"success": False, "code": 401}),
    ("POST", "/api/v1/files/upload/base64", {"success": False, "code": 401}),
    ("GET", "/api/v1/files/quota", {"success": False, "code": 401}),
]


@pytest.mark.parametrize(("method", "path", "expected"), AUTH_CASES)
@pytest.mark.parametrize("header", [None, "Bearer wrong-key"])
async def test_auth_failures_use_each_endpoints_format(
    fake: FakeEvolink, method: str, path: str, expected: dict[str, Any], header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    async with httpx.AsyncClient(base_url=fake.url, trust_env=False, verify=TLS) as http:
        response = await http.request(method, path, headers=headers, json=t2i())
    assert response.status_code == 401
    body = response.json()
    if "error" in expected:
        assert body["error"]["code"] == expected["error"]["code"]
        assert body["error"]["type"] == "authentication_error"
    else:
        assert body["success"] is False and body["code"] == 401 and body["msg"]
    # Only a missing bearer key is the client's fault; a wrong key is a deployment problem.
    assert bool(fake.violations) is (header is None)
    assert not fake.tasks


# --- request validation -----------------------------------------------------------------------

OK = None
VALIDATION_CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("prompt 2000", t2i(prompt="x" * 2000), OK),
    ("prompt 2001", t2i(prompt="x" * 2001), "prompt"),
    ("prompt empty", t2i(prompt=""), "prompt"),
    ("prompt missing", {"model": wan25_text_to_image.NAME}, "prompt"),
    ("size 768x768", t2i(size="768x768"), OK),
    ("size 767x768", t2i(size="767x768"), "size"),
    ("size 1440x1440", t2i(size="1440x1440"), OK),
    ("size 1441x1440", t2i(size="1441x1440"), "size"),
    ("size 4:1", t2i(size="2048x512"), OK),
    ("size 1:4", t2i(size="512x2048"), OK),
    ("size 4.01:1", t2i(size="2005x500"), "size"),
    ("size asterisk", t2i(size="1280*1280"), "size"),
    ("size capital X", t2i(size="1280X1280"), "size"),
    ("size integer", t2i(size=1280), "size"),
    ("n 0", t2i(n=0), "n"),
    ("n 1", t2i(n=1), OK),
    ("n 4", t2i(n=4), OK),
    ("n 5", t2i(n=5), "n"),
    ("n string", t2i(n="2"), "n"),
    ("n float", t2i(n=2.0), "n"),
    ("n bool", t2i(n=True), "n"),
    ("i2i n 5", i2i([UNREACHABLE], n=5), "n"),
    ("prompt_extend t2i", t2i(prompt_extend=False), OK),
    ("prompt_extend string", t2i(prompt_extend="no"), "prompt_extend"),
    ("i2i 0 images", i2i([]), "image_urls"),
    ("i2i 1 image", i2i([UNREACHABLE]), OK),
    ("i2i 2 images", i2i([UNREACHABLE] * 2), OK),
    ("i2i 3 images", i2i([UNREACHABLE] * 3), "image_urls"),
    ("i2i no image_urls", {"model": wan25_image_to_image.NAME, "prompt": "p"}, "image_urls"),
    ("i2i not a URL", i2i(["not a url"]), "image_urls"),
    ("qwen 3 images", qwen([UNREACHABLE] * 3), OK),
    ("qwen 4 images", qwen([UNREACHABLE] * 4), "image_urls"),
    ("i2v 1 image", i2v([UNREACHABLE]), OK),
    ("i2v 2 images", i2v([UNREACHABLE] * 2), "image_urls"),
    ("duration 5", i2v([UNREACHABLE], duration=5), OK),
    ("duration 10", i2v([UNREACHABLE], duration=10), OK),
    ("duration 7", i2v([UNREACHABLE], duration=7), "duration"),
    ("duration string", i2v([UNREACHABLE], duration="5"), "duration"),
    ("quality 480p", i2v([UNREACHABLE], quality="480p"), OK),
    ("quality 720p", i2v([UNREACHABLE], quality="720p"), OK),
    ("quality 1080p", i2v([UNREACHABLE], quality="1080p"), OK),
    ("quality 720P", i2v([UNREACHABLE], quality="720P"), "quality"),
    ("quality 4k", i2v([UNREACHABLE], quality="4k"), "quality"),
    ("i2v prompt_extend", i2v([UNREACHABLE], prompt_extend=True), OK),
    ("undocumented: i2i size", i2i([UNREACHABLE], size="1280x1280"), "size"),
    ("undocumented: i2i prompt_extend", i2i([UNREACHABLE], prompt_extend=True), "prompt_extend"),
    ("undocumented: qwen n", qwen([UNREACHABLE], n=1), "n"),
    ("undocumented: i2v n", i2v([UNREACHABLE], n=1), "n"),
    ("undocumented: i2v size", i2v([UNREACHABLE], size="1280x720"), "size"),
    ("undocumented: t2i seed", t2i(seed=3), "seed"),
    ("undocumented: t2i image_urls", t2i(image_urls=[UNREACHABLE]), "image_urls"),
    ("callback https", t2i(callback_url="https://bot.example.com/evolink/cb"), OK),
    ("callback http", t2i(callback_url="http://bot.example.com/cb"), "callback_url"),
    ("callback loopback", t2i(callback_url="https://127.0.0.1/cb"), "callback_url"),
    ("callback private 10", t2i(callback_url="https://10.1.2.3/cb"), "callback_url"),
    ("callback private 172", t2i(callback_url="https://172.16.0.9/cb"), "callback_url"),
    ("callback private 192", t2i(callback_url="https://192.168.1.1/cb"), "callback_url"),
    ("callback ipv6 loopback", t2i(callback_url="https://[::1]/cb"), "callback_url"),
    ("callback 2048", t2i(callback_url="https://a.example/" + "c" * 2030), OK),
    ("callback 2049", t2i(callback_url="https://a.example/" + "c" * 2031), "callback_url"),
    ("unknown model", {"model": "wan9", "prompt": "p"}, "model"),
]


@pytest.mark.parametrize(
    ("body", "field"),
    [case[1:] for case in VALIDATION_CASES],
    ids=[c[0] for c in VALIDATION_CASES],
)
async def test_validation_bounds(
    fake: FakeEvolink, client: httpx.AsyncClient, body: dict[str, Any], field: str | None
) -> None:
    response = await client.post(endpoint(body), json=body)
    assert fake.generation_requests() == [body]  # accepted or not, the body is recorded
    if field is OK:
        assert response.status_code == 200, response.text
        return
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["type"] == "invalid_request_error"
    assert f"{field}:" in error["message"] or f"{field}[" in error["message"]
    assert not fake.tasks
    assert conforms(f"{wan25_text_to_image.NAME}.openapi.json", response.json(), "400") == []


async def test_model_on_the_wrong_endpoint_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/images/generations", json=i2v([UNREACHABLE]))
    assert response.status_code == 400
    assert "/v1/videos/generations" in response.json()["error"]["message"]


async def test_malformed_json_is_a_400_and_a_violation(
    fake: FakeEvolink, client: httpx.AsyncClient
) -> None:
    response = await client.post(
        "/v1/images/generations", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert any("not valid JSON" in v for v in fake.violations)


# --- task life ---------------------------------------------------------------------------------


async def test_text_to_image_flow_with_four_real_pngs(
    fake: FakeEvolink, client: httpx.AsyncClient, public: httpx.AsyncClient, clock: ManualClock
) -> None:
    fake.estimated_time = 25
    created = await create(client, t2i(n=4, size="1024x768"))
    assert conforms(f"{wan25_text_to_image.NAME}.openapi.json", created) == []
    assert created["status"] == "pending" and created["progress"] == 0
    assert created["task_info"] == {"can_cancel": True, "estimated_time": 25}
    assert created["usage"]["credits_reserved"] == 4
    task_id = created["id"]
    prefix, unix, suffix = task_id.rsplit("-", 2)
    assert prefix == "task-unified" and abs(int(unix) - time.time()) < 60
    assert len(suffix) == 8 and suffix.isalnum() and suffix == suffix.lower()

    assert (await task_state(client, task_id))["status"] == "pending"
    clock.advance(5)
    middle = await task_state(client, task_id)
    assert middle["status"] == "processing" and 0 < middle["progress"] < 100
    assert "results" not in middle
    assert conforms("get-task-detail.openapi.json", middle) == []
    early = await public.get(f"{fake.url}/results/{task_id}/0.png")
    assert early.status_code == 404

    clock.advance(5)
    done = await task_state(client, task_id)
    assert conforms("get-task-detail.openapi.json", done) == []
    assert done["status"] == "completed" and done["progress"] == 100
    assert done["usage"]["credits_reserved"] == 4 and done["task_info"]["can_cancel"] is False
    assert len(done["results"]) == 4
    colours = set()
    for url in done["results"]:
        response = await public.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        with Image.open(io.BytesIO(response.content)) as image:
            assert (image.format, image.size) == ("PNG", (1024, 768))
            colours.add(image.getpixel((0, 0)))
    assert len(colours) == 4  # n distinct images, not one copied


async def test_text_to_image_default_size_is_1280(
    client: httpx.AsyncClient, public: httpx.AsyncClient, clock: ManualClock
) -> None:
    created = await create(client, t2i(n=1))
    done = await finish(client, clock, created["id"])
    (url,) = done["results"]
    with Image.open(io.BytesIO((await public.get(url)).content)) as image:
        assert image.size == (1280, 1280)


async def test_image_to_image_uses_the_uploaded_input(
    fake: FakeEvolink, client: httpx.AsyncClient, public: httpx.AsyncClient, clock: ManualClock
) -> None:
    url = await upload(client, image_bytes(1000, 800, "JPEG"), "photo.jpg")
    created = await create(client, i2i([url], n=2))
    assert created["usage"]["credits_reserved"] == 2.4
    assert fake.fetched_urls == [url]
    done = await finish(client, clock, created["id"])
    assert done["status"] == "completed" and len(done["results"]) == 2
    with Image.open(io.BytesIO((await public.get(done["results"][1])).content)) as image:
        assert image.size == (1000, 800)  # the input's size, already within the output range
    (task,) = fake.tasks.values()
    assert [(i.format, i.width, i.height) for i in task.inputs] == [("JPEG", 1000, 800)]


async def test_qwen_edit_takes_three_inputs_and_returns_one_image(
    fake: FakeEvolink, client: httpx.AsyncClient, public: httpx.AsyncClient, clock: ManualClock
) -> None:
    urls = [await upload(client, image_bytes(400, 3000 if i else 400)) for i in range(3)]
    created = await create(client, qwen(urls))
    done = await finish(client, clock, created["id"])
    assert done["status"] == "completed"
    (result,) = done["results"]
    with Image.open(io.BytesIO((await public.get(result)).content)) as image:
        assert image.size == (768, 768)  # 400x400 is below the pixel floor: scaled up
    assert fake.fetched_urls == urls


async def test_qwen_accepts_transparency_but_wan_does_not(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    url = await upload(client, image_bytes(500, 500, "PNG", "RGBA"))
    edited = await finish(client, clock, (await create(client, qwen([url])))["id"])
    assert edited["status"] == "completed"
    refused = await finish(client, clock, (await create(client, i2i([url])))["id"])
    assert refused["status"] == "failed"
    assert refused["error"]["code"] == "invalid_parameters"
    assert "transparent" in refused["error"]["message"]


async def test_image_to_video_returns_a_real_mp4_of_the_requested_length(
    client: httpx.AsyncClient, public: httpx.AsyncClient, clock: ManualClock
) -> None:
    url = await upload(client, image_bytes(640, 360))
    for seconds in limits.VIDEO_DURATIONS:
        created = await create(client, i2v([url], duration=seconds, quality="1080p"))
        assert conforms(f"{wan25_image_to_video.NAME}.openapi.json", created) == []
        assert created["object"] == "video.generation.task" and created["type"] == "video"
        assert created["usage"] == {
            "billing_rule": "per_second",
            "credits_reserved": seconds * 2,
            "user_group": "default",
        }
        done = await finish(client, clock, created["id"])
        (result,) = done["results"]
        assert result.endswith(".mp4")
        response = await public.get(result)
        assert response.headers["content-type"] == "video/mp4"
        data = response.content
        kinds = [kind for kind, _, _ in mp4_boxes(data)]
        assert kinds[0] == "ftyp" and {"moov", "mdat"} <= set(kinds)
        assert data[8:12] in (b"isom", b"mp42", b"mp41")
        assert mp4_seconds(data) == pytest.approx(seconds)


async def test_too_small_input_fails_the_task_with_invalid_parameters(
    fake: FakeEvolink, client: httpx.AsyncClient, clock: ManualClock
) -> None:
    url = await upload(client, image_bytes(383, 500))
    created = await create(client, i2i([url]))  # accepted: Evolink checks images later (Q14)
    assert (await task_state(client, created["id"]))["status"] == "pending"
    failed = await finish(client, clock, created["id"])
    assert conforms("get-task-detail.openapi.json", failed) == []
    assert failed["status"] == "failed" and "results" not in failed
    assert failed["error"]["code"] == "invalid_parameters"
    assert failed["error"]["type"] == "task_error"
    assert "384" in failed["error"]["message"] and "383x500" in failed["error"]["message"]
    assert fake.credits == 1000  # a task that fails is not charged


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (image_bytes(2001, 400), "invalid_parameters"),  # i2v max side is 2000
        (image_bytes(500, 500, "GIF"), "invalid_parameters"),  # the file service takes GIF
    ],
)
async def test_inputs_outside_the_model_limits_fail(
    client: httpx.AsyncClient, clock: ManualClock, data: bytes, code: str
) -> None:
    url = await upload(client, data)
    failed = await finish(client, clock, (await create(client, i2v([url])))["id"])
    assert (failed["status"], failed["error"]["code"]) == ("failed", code)


async def test_unreachable_or_non_image_input_fails_with_image_processing_error(
    fake: FakeEvolink, client: httpx.AsyncClient, clock: ManualClock
) -> None:
    created = await create(client, i2i([UNREACHABLE]))
    failed = await finish(client, clock, created["id"])
    assert failed["error"]["code"] == "image_processing_error"
    assert UNREACHABLE in fake.fetched_urls

    missing = f"{fake.url}/files/images/nope.png"
    failed = await finish(client, clock, (await create(client, qwen([missing])))["id"])
    assert failed["error"]["code"] == "image_processing_error"

    url = await upload(client, image_bytes(640, 360))
    video = await finish(client, clock, (await create(client, i2v([url])))["id"])
    not_an_image = video["results"][0]
    failed = await finish(client, clock, (await create(client, i2i([not_an_image])))["id"])
    assert failed["error"]["code"] == "image_processing_error"


# --- knobs ------------------------------------------------------------------------------------


async def test_fail_next_tasks(client: httpx.AsyncClient, fake: FakeEvolink, clock: ManualClock):
    fake.fail_next_tasks("content_policy_violation", times=2)
    fake.fail_next_tasks("service_error", "upstream on fire")
    ids = [(await create(client, t2i()))["id"] for _ in range(4)]
    states = [await finish(client, clock, task_id) for task_id in ids]
    assert [s["status"] for s in states] == ["failed", "failed", "failed", "completed"]
    assert [s["error"]["code"] for s in states[:3]] == [
        "content_policy_violation",
        "content_policy_violation",
        "service_error",
    ]
    assert states[0]["error"]["message"].startswith("Content policy violation.\n")
    assert states[2]["error"] == {
        "code": "service_error",
        "message": "upstream on fire",
        "type": "task_error",
    }
    assert fake.credits == 999  # only the completed task is charged


async def test_stall_next_tasks(client: httpx.AsyncClient, fake: FakeEvolink, clock: ManualClock):
    fake.stall_next_tasks()
    stalled = await create(client, t2i())
    normal = await create(client, t2i())
    assert (await finish(client, clock, stalled["id"]))["progress"] == 42
    state = await finish(client, clock, stalled["id"])
    assert (state["status"], state["progress"]) == ("processing", 42)
    assert (await task_state(client, normal["id"]))["status"] == "completed"


async def test_http_error_next_with_retry_after(client: httpx.AsyncClient, fake: FakeEvolink):
    fake.http_error_next(429, endpoint="/v1/images", retry_after=2, times=2)
    for _ in range(2):
        response = await client.post("/v1/images/generations", json=t2i())
        assert response.status_code == 429 and response.headers["Retry-After"] == "2"
        assert response.json()["error"] == {
            "code": "rate_limit_exceeded",
            "message": "Too many requests, please try again later",
            "type": "rate_limit_error",
        }
    created = await create(client, t2i())
    assert len(fake.tasks) == 1

    fake.http_error_next(429, endpoint="/v1/tasks", retry_after=0.5)
    response = await client.get(f"/v1/tasks/{created['id']}")
    assert response.headers["Retry-After"] == "0.5"
    assert response.json()["error"]["type"] == "evo_api_error"  # DIGEST D7

    fake.http_error_next(503, endpoint="/v1/credits")
    error = (await client.get("/v1/credits")).json()["error"]
    assert error["code"] == 503 and error["fallback_suggestion"] == "retry after 30 seconds"

    fake.http_error_next(500)  # any API call: the next one, whichever it is
    response = await client.get("/api/v1/files/quota")
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert response.json() == {"success": False, "code": 500, "msg": "Internal server error"}
    assert (await client.get("/api/v1/files/quota")).status_code == 200


@pytest.mark.parametrize(
    ("status", "code", "type_"),
    [
        (400, "invalid_request", "invalid_request_error"),
        (401, "unauthorized", "authentication_error"),
        (402, "insufficient_quota", "insufficient_quota"),
        (403, "model_access_denied", "invalid_request_error"),
        (429, "rate_limit_exceeded", "rate_limit_error"),
        (500, "internal_error", "api_error"),
    ],
)
async def test_generation_error_codes_match_the_digest(
    client: httpx.AsyncClient, fake: FakeEvolink, status: int, code: str, type_: str
) -> None:
    fake.http_error_next(status, endpoint="/v1/videos")
    response = await client.post("/v1/videos/generations", json=i2v([UNREACHABLE]))
    assert response.status_code == status
    assert (response.json()["error"]["code"], response.json()["error"]["type"]) == (code, type_)
    schema_file = f"{wan25_image_to_video.NAME}.openapi.json"
    assert conforms(schema_file, response.json(), str(status)) == []


async def test_none_endpoint_spares_public_downloads(
    client: httpx.AsyncClient, public: httpx.AsyncClient, fake: FakeEvolink
) -> None:
    url = await upload(client, image_bytes(400, 400))
    fake.http_error_next(502)
    assert (await public.get(url)).status_code == 200
    assert (await client.get("/v1/credits")).status_code == 502
    fake.http_error_next(503, endpoint="/files")
    assert (await public.get(url)).status_code == 503


async def test_slow_next(client: httpx.AsyncClient, fake: FakeEvolink) -> None:
    fake.slow_next(0.3, endpoint="/v1/credits")
    started = time.perf_counter()
    assert (await client.get("/api/v1/files/quota")).status_code == 200
    assert time.perf_counter() - started < 0.25
    with pytest.raises(httpx.ReadTimeout):
        await client.get("/v1/credits", timeout=0.1)
    started = time.perf_counter()
    assert (await client.get("/v1/credits")).status_code == 200
    assert time.perf_counter() - started < 0.25


async def test_drop_next_before_processing_creates_nothing(
    client: httpx.AsyncClient, fake: FakeEvolink
) -> None:
    fake.drop_next(endpoint="/v1/images")
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("/v1/images/generations", json=t2i())
    assert fake.tasks == {}
    assert fake.requests[-1].status == 0
    assert len(fake.generation_requests()) == 1
    await create(client, t2i())  # the next call is answered
    assert len(fake.tasks) == 1


async def test_drop_next_after_processing_creates_the_task(
    client: httpx.AsyncClient, fake: FakeEvolink
) -> None:
    fake.drop_next(endpoint="/v1/images", after_processing=True)
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("/v1/images/generations", json=t2i())
    (task,) = fake.tasks.values()  # Evolink accepted it; the client cannot know
    assert fake.credits == 999
    assert (await task_state(client, task.id))["status"] == "pending"


async def test_credits_are_reported_and_spent(client: httpx.AsyncClient, fake: FakeEvolink):
    response = await client.get("/v1/credits")
    assert conforms("get-credits.openapi.json", response.json()) == []
    assert response.json()["data"]["token"]["remaining_credits"] == 1000.0
    await create(client, t2i(n=3))
    data = (await client.get("/v1/credits")).json()["data"]
    assert data["user"] == {"remaining_credits": 997.0, "used_credits": 3.0}
    fake.credits = 0.5
    response = await client.post("/v1/images/generations", json=t2i())
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "insufficient_quota"


async def test_model_access_denied(client: httpx.AsyncClient, fake: FakeEvolink) -> None:
    fake.model_access_denied = {qwen_image_edit.NAME}
    response = await client.post("/v1/images/generations", json=qwen([UNREACHABLE]))
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "model_access_denied",
        "message": f"Token does not have access to model: {qwen_image_edit.NAME}",
        "type": "invalid_request_error",
    }
    await create(client, t2i())


async def test_task_id_errors(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/tasks/abc")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_task_id"
    assert response.json()["error"]["param"] == "task_id"
    response = await client.get("/v1/tasks/task-unified-1757156493-imcg5zqt")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "task_not_found"
    assert conforms("get-task-detail.openapi.json", response.json(), "404") == []


async def test_result_padding_keeps_files_valid(
    client: httpx.AsyncClient, public: httpx.AsyncClient, fake: FakeEvolink, clock: ManualClock
) -> None:
    fake.result_padding = 11 * MB
    done = await finish(client, clock, (await create(client, t2i(size="768x768")))["id"])
    response = await public.get(done["results"][0])
    assert len(response.content) > 11 * MB
    assert int(response.headers["content-length"]) == len(response.content)
    with Image.open(io.BytesIO(response.content)) as image:
        image.verify()
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (768, 768) and image.getpixel((0, 0))

    url = await upload(client, image_bytes(640, 360))
    video = await finish(client, clock, (await create(client, i2v([url])))["id"])
    data = (await public.get(video["results"][0])).content
    boxes = mp4_boxes(data)
    assert boxes[-1][0] == "free" and boxes[-1][2] == 11 * MB
    assert mp4_seconds(data) == pytest.approx(5)


async def test_forbidden_substrings_are_recorded(
    client: httpx.AsyncClient, fake: FakeEvolink
) -> None:
    token = "123456:SECRET-bot-token"
    fake.forbidden_substrings = [token]
    telegram_url = f"http://127.0.0.1:9/file/bot{token}/photos/a.jpg"
    await create(client, i2i([telegram_url]))
    await client.get("/v1/credits", headers={"X-Debug": token})
    assert len(fake.violations) == 3
    assert any("body of POST" in v for v in fake.violations)
    assert any("fetch" in v for v in fake.violations)
    assert any("header X-Debug" in v for v in fake.violations)
    assert all(token not in v for v in fake.violations)


# --- file service -----------------------------------------------------------------------------


async def test_stream_upload_and_public_file(
    client: httpx.AsyncClient, public: httpx.AsyncClient, fake: FakeEvolink
) -> None:
    data = image_bytes(400, 300, "WEBP")
    response = await client.post(
        "/api/v1/files/upload/stream",
        files={"file": ("a.webp", data, "image/webp")},
        data={"uploadPath": "tg/photos", "fileName": "x1.webp"},
    )
    body = response.json()
    assert conforms("files-upload-stream.openapi.json", body) == []
    info = body["data"]
    assert info["file_url"] == f"{fake.url}/files/tg/photos/x1.webp"
    assert (info["mime_type"], info["file_size"], info["original_name"]) == (
        "image/webp",
        len(data),
        "a.webp",
    )
    uploaded = time.strptime(info["upload_time"][:19], "%Y-%m-%dT%H:%M:%S")
    expires = time.strptime(info["expires_at"][:19], "%Y-%m-%dT%H:%M:%S")
    assert time.mktime(expires) - time.mktime(uploaded) == 72 * 3600
    for url in (info["file_url"], info["download_url"]):
        assert (await public.get(url)).content == data
    assert fake.uploads[0].via == "stream"
    record = fake.requests[0]
    assert record.headers["Authorization"] == "Bearer <redacted>"
    assert record.form is not None and record.form["file"]["size"] == len(data)


async def test_upload_errors(client: httpx.AsyncClient, fake: FakeEvolink) -> None:
    response = await client.post("/api/v1/files/upload/stream", data={"upload_path": "x"})
    assert response.status_code == 400 and response.json()["success"] is False
    files = {"file": ("a.txt", b"plain text", "text/plain")}
    response = await client.post("/api/v1/files/upload/stream", files=files)
    assert response.json()["code"] == 40002
    fake.max_upload_bytes = 100
    response = await client.post(
        "/api/v1/files/upload/stream", files={"file": image_bytes(400, 400)}
    )
    assert response.json()["code"] == 40001


async def test_base64_upload(client: httpx.AsyncClient, public: httpx.AsyncClient) -> None:
    data = image_bytes(400, 400)
    encoded = base64.b64encode(data).decode()
    for value in (f"data:image/png;base64,{encoded}", encoded):
        response = await client.post("/api/v1/files/upload/base64", json={"base64_data": value})
        assert conforms("files-upload-base64.openapi.json", response.json()) == []
        assert (await public.get(response.json()["data"]["file_url"])).content == data
    response = await client.post("/api/v1/files/upload/base64", json={"base64_data": "%%%"})
    assert response.status_code == 400 and response.json()["success"] is False


async def test_url_upload(client: httpx.AsyncClient, fake: FakeEvolink) -> None:
    source = await upload(client, image_bytes(400, 400))
    response = await client.post("/api/v1/files/upload/url", json={"file_url": source})
    assert response.json()["data"]["file_size"] == len(image_bytes(400, 400))
    assert source in fake.fetched_urls
    response = await client.post("/api/v1/files/upload/url", json={"file_url": UNREACHABLE})
    assert response.json()["code"] == 40004


async def test_quota(client: httpx.AsyncClient, fake: FakeEvolink) -> None:
    fake.file_quota = 2
    for _ in range(2):
        await upload(client, image_bytes(400, 400))
    quota = (await client.get("/api/v1/files/quota")).json()
    assert conforms("files-quota.openapi.json", quota) == []
    assert quota["data"]["used_files"] == 2 and quota["data"]["remain_files"] == 0
    files = {"file": ("a.png", image_bytes(400, 400), "image/png")}
    response = await client.post("/api/v1/files/upload/stream", files=files)
    assert response.json()["code"] == 40003 and response.json()["success"] is False


# --- waiting and running by hand --------------------------------------------------------------


async def test_wait_for_follows_requests_and_the_real_clock() -> None:
    async with FakeEvolink(KEY) as real_time:
        real_time.task_duration = 0.2
        http = httpx.AsyncClient(base_url=real_time.url, headers=AUTH, trust_env=False, verify=TLS)
        async with http:
            submit = asyncio.create_task(http.post("/v1/images/generations", json=t2i()))
            bodies = await real_time.wait_for(real_time.generation_requests, timeout=5)
            assert bodies[0]["prompt"] == "a red fox"
            task_id = (await submit).json()["id"]
            task = real_time.tasks[task_id]
            await real_time.wait_for(
                lambda: task.status_at(real_time.clock())[0] == "completed", timeout=5
            )
            assert (await http.get(f"/v1/tasks/{task_id}")).json()["status"] == "completed"
        with pytest.raises(TimeoutError):
            await real_time.wait_for(lambda: False, timeout=0.1)


def test_cli_serves_and_logs_without_the_key() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "tests.fakes.evolink", "--port", "0", "--key", "cli-key"]
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) as cli:
        assert cli.stdout is not None
        try:
            first = cli.stdout.readline()
            assert first.startswith("fake Evolink listening on http://127.0.0.1:")
            url = first.split()[-1]
            cli.stdout.readline()  # the env-var hint
            headers = {"Authorization": "Bearer cli-key"}
            response = httpx.get(f"{url}/v1/credits", headers=headers, verify=TLS)
            assert response.status_code == 200
            line = cli.stdout.readline()
            assert line.startswith("GET /v1/credits -> 200") and "cli-key" not in line
        finally:
            cli.send_signal(signal.SIGINT)  # Ctrl-C
            assert cli.wait(timeout=10) == 0


# --- wan2.5-text-to-video (no reference OpenAPI document; built in extra_models) --------------


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({}, None),
        ({"aspect_ratio": "4:3", "quality": "720p", "duration": 10}, None),
        ({"aspect_ratio": "4:3", "quality": "480p"}, "aspect_ratio"),
        ({"aspect_ratio": "3:4", "quality": "480p"}, "aspect_ratio"),
        ({"aspect_ratio": "21:9"}, "aspect_ratio"),
        ({"duration": 7}, "duration"),
        ({"image_urls": ["https://files.evolink.test/a.png"]}, "image_urls"),
        ({"n": 1}, "n"),
    ],
)
def test_text_to_video_requests_are_validated(fields: dict[str, Any], problem: str | None) -> None:
    body = {"model": "wan2.5-text-to-video", "prompt": "a boat", **fields}
    if problem is None:
        spec = validate_generation("/v1/videos/generations", body)
        assert spec.model == "wan2.5-text-to-video"
        return
    with pytest.raises(InvalidRequest, match=problem):
        validate_generation("/v1/videos/generations", body)
    with pytest.raises(InvalidRequest):
        validate_generation("/v1/images/generations", {**body, **fields})
