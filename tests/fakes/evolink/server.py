"""FakeEvolink: an aiohttp app that plays Evolink's generation API and file service.

One server answers what production splits over three hosts, so a test points both
EVOLINK_API_URL and EVOLINK_FILES_URL at `fake.url`:

- api.evolink.ai: POST /v1/images/generations, POST /v1/videos/generations,
  GET /v1/tasks/{id}, GET /v1/credits (DIGEST §2-§6);
- files-api.evolink.ai: POST /api/v1/files/upload/{stream,base64,url},
  GET /api/v1/files/quota (§7);
- public, no key (like files.evolink.ai): GET /files/<path> for uploads and
  GET /results/<task>/<i>.<png|mp4> for results.

Knobs (plain attributes and methods, all optional):

- `task_duration` (s, default 0.3), `estimated_time` (int or None = ceil(task_duration)),
  `plan` (model, request body -> (duration, estimated_time)): per-task times instead,
  `callbacks_to` (a local base URL): when a task carrying `callback_url` ends, POST its
  body there (same path), as Evolink does to the public URL;
  `clock` (a monotonic clock; swap it to move tasks along without sleeping);
- `fail_next_tasks`, `stall_next_tasks`: how the next created tasks end;
- `http_error_next`, `slow_next`, `drop_next`: how the next matching calls misbehave;
- `random_faults` (a seeded RandomFaults): any API call misbehaves at random, for soaks;
- `result_padding` (bytes added to each result file), `credits`, `model_access_denied`,
  `file_quota`, `max_upload_bytes`, `fetch_timeout`, `forbidden_substrings`, `log`.

Records: `requests`, `generation_requests()`, `tasks`, `uploads`, `fetched_urls`, `violations`.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx
from aiohttp import web

from bot.models import wan25_text_to_image

from . import media
from .errors import (
    FILE_QUOTA_EXCEEDED,
    FILE_URL_DOWNLOAD_FAILED,
    GENERATION_PATHS,
    error_response,
    family,
)
from .faults import (
    Fault,
    Faults,
    RandomFaults,
    TaskOutcome,
    TaskOutcomes,
    of_kind,
    retry_after_header,
)
from .files import (
    DEFAULT_MAX_BYTES,
    DEFAULT_QUOTA,
    FakeUpload,
    FileStore,
    UploadRejected,
    check_size,
    decode_base64,
    new_upload,
)
from .inputs import DownloadFailed, InputRejected, download, fetch_inputs
from .recording import MALFORMED, Incoming, Recorded, UploadedPart, forbidden_in, read_request
from .tasks import FakeTask, credits_for, estimate, new_task_id, output_size_for_edit, t2i_size
from .validation import InvalidRequest, validate_generation

T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_FILES_ERROR = "/api/v1/files"  # any file-service path picks that error format


class FakeEvolink:
    """A local Evolink: `async with FakeEvolink() as fake:`, then point the client at fake.url."""

    def __init__(self, api_key: str = "test-key") -> None:
        self.api_key = api_key
        self.task_duration: float = 0.3
        self.estimated_time: int | None = None
        self.plan: Callable[[str, dict[str, Any]], tuple[float, int]] | None = None
        self.callbacks_to: str | None = None
        self.callbacks_sent: list[tuple[str, float]] = []  # (task id, clock at send)
        self._callbacks: set[asyncio.Task[None]] = set()
        self.result_padding: int = 0
        self.credits: float = 1000.0
        self.used_credits: float = 0.0
        self.model_access_denied: set[str] = set()
        self.forbidden_substrings: list[str] = []
        self.file_quota: int = DEFAULT_QUOTA
        self.max_upload_bytes: int = DEFAULT_MAX_BYTES
        self.fetch_timeout: float = 5.0
        self.clock: Callable[[], float] = time.monotonic
        self.log: Callable[[str], None] | None = None

        self.requests: list[Recorded] = []
        self.tasks: dict[str, FakeTask] = {}
        self.fetched_urls: list[str] = []
        self.violations: list[str] = []

        self.random_faults: RandomFaults | None = None
        self._faults = Faults()
        self._outcomes = TaskOutcomes()
        self._files = FileStore()
        self.uploads: list[FakeUpload] = self._files.uploads
        # Per-request state by id(request): plain string keys on aiohttp requests warn on 3.14,
        # and web.RequestKey does not exist on the older aiohttp versions pyproject allows.
        self._incoming: dict[int, Incoming] = {}
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._client: httpx.AsyncClient | None = None
        self._url: str | None = None

    # --- life ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:41234 (no trailing slash)."""
        if self._url is None:
            raise RuntimeError("FakeEvolink is not started")
        return self._url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        # Uploads up to max_upload_bytes must reach our own 40001 check, not aiohttp's 413.
        app = web.Application(middlewares=[self._middleware], client_max_size=256 * 1024 * 1024)
        self._add_routes(app)
        # A short shutdown_timeout: a handler held by slow_next must not keep stop() waiting.
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_port = self._runner.addresses[0][1]
        url_host = "127.0.0.1" if host in ("", "0.0.0.0") else host
        self._url = f"http://{url_host}:{bound_port}"
        self._client = httpx.AsyncClient(
            verify=_tls_context(),
            timeout=self.fetch_timeout,
            follow_redirects=True,
            trust_env=False,  # a proxy from the environment must not swallow local fetches
            headers={"User-Agent": "fake-evolink-fetcher"},
            event_hooks={"request": [self._on_fetch]},
        )
        return self._url

    async def stop(self) -> None:
        for pending in list(self._callbacks):
            pending.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeEvolink:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --- knobs -----------------------------------------------------------------------------

    def fail_next_tasks(self, code: str, message: str | None = None, times: int = 1) -> None:
        """The next `times` created tasks end `failed` with task error `code` (DIGEST §4.3)."""
        self._outcomes.add(TaskOutcome(failure_code=code, message=message), times)

    def stall_next_tasks(self, times: int = 1) -> None:
        """The next `times` created tasks stay `processing` at progress 42 forever."""
        self._outcomes.add(TaskOutcome(stall=True), times)

    def http_error_next(
        self,
        status: int,
        *,
        times: int = 1,
        endpoint: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """The next matching calls answer `status` in their endpoint's error format.

        `endpoint` is a path prefix ("/v1/images", "/v1/tasks", "/api/v1/files", "/results");
        None means any API or file-service call. `retry_after` adds a Retry-After header.
        """
        self._faults.add(
            Fault("http_error", times, endpoint, status=status, retry_after=retry_after)
        )

    def slow_next(self, seconds: float, *, times: int = 1, endpoint: str | None = None) -> None:
        """The next matching calls wait `seconds` before being handled."""
        self._faults.add(Fault("slow", times, endpoint, seconds=seconds))

    def drop_next(
        self, *, times: int = 1, endpoint: str | None = None, after_processing: bool = False
    ) -> None:
        """The next matching calls get their connection closed without an answer.

        With `after_processing=True` the call is handled first (a task IS created, an upload
        IS stored) and only the answer is lost: the ambiguous submission of PRODUCT §7.
        """
        self._faults.add(Fault("drop", times, endpoint, after_processing=after_processing))

    def generation_requests(self) -> list[dict[str, Any]]:
        """JSON bodies of every generation POST, accepted or rejected, in order."""
        return [
            r.json
            for r in self.requests
            if r.method == "POST" and r.path in GENERATION_PATHS and isinstance(r.json, dict)
        ]

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 10) -> T:
        """Wait until `predicate()` is truthy and return its value; TimeoutError after `timeout`.

        Re-checked after every request and at least every 50 ms (task states follow the clock).
        """
        deadline = asyncio.get_running_loop().time() + timeout
        while not (result := predicate()):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(0.05, remaining))
            except TimeoutError:
                pass
        return result

    # --- plumbing: recording, faults, auth -------------------------------------------------

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/images/generations", self._create)
        app.router.add_post("/v1/videos/generations", self._create)
        app.router.add_get("/v1/tasks/{task_id}", self._get_task)
        app.router.add_get("/v1/credits", self._get_credits)
        app.router.add_post("/api/v1/files/upload/stream", self._upload_stream)
        app.router.add_post("/api/v1/files/upload/base64", self._upload_base64)
        app.router.add_post("/api/v1/files/upload/url", self._upload_url)
        app.router.add_get("/api/v1/files/quota", self._get_quota)
        app.router.add_get("/files/{path:.+}", self._public_file)
        app.router.add_get("/results/{task_id}/{name}", self._result_file)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        incoming = await read_request(request, self._scan, self.violations)
        incoming.record.at = self.clock()
        self.requests.append(incoming.record)
        self._incoming[id(request)] = incoming
        status = 0
        try:
            response = await self._answer(request, handler)
            status = 0 if incoming.dropped else response.status
            return response
        except web.HTTPException as exc:  # aiohttp's own 404/405 for unknown routes
            status = exc.status
            raise
        finally:
            del self._incoming[id(request)]
            incoming.record.status = status
            self._changed.set()
            if self.log is not None:
                elapsed = (time.perf_counter() - started) * 1000
                shown = status or "dropped"
                self.log(f"{request.method} {request.path_qs} -> {shown} ({elapsed:.0f} ms)")

    async def _answer(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        chance = self.random_faults.draw(path) if self.random_faults else None
        if slow := self._faults.take("slow", path) or of_kind(chance, "slow"):
            await asyncio.sleep(slow.seconds)
        if failure := self._faults.take("http_error", path) or of_kind(chance, "http_error"):
            headers = retry_after_header(failure.retry_after)
            return error_response(path, failure.status, headers=headers)
        drop = self._faults.take("drop", path) or of_kind(chance, "drop")
        if drop and not drop.after_processing:
            return self._drop(request)
        if (
            family(path) != "public"
            and request.headers.get("Authorization") != f"Bearer {self.api_key}"
        ):
            return error_response(path, 401)
        response = await handler(request)
        return self._drop(request) if drop else response

    def _drop(self, request: web.Request) -> web.Response:
        self._incoming[id(request)].dropped = True
        if request.transport is not None:
            request.transport.close()
        return web.Response()  # never sent: the transport is closed

    def _scan(self, data: str | bytes, where: str) -> None:
        """Note every forbidden substring (e.g. the Telegram bot token) found in `data`."""
        for masked in forbidden_in(data, self.forbidden_substrings):
            self.violations.append(f"forbidden substring {masked} in {where}")

    async def _on_fetch(self, request: httpx.Request) -> None:
        """httpx hook: every URL the fake itself fetches, redirects included."""
        url = str(request.url)
        self.fetched_urls.append(url)
        self._scan(url, "a URL the fake was asked to fetch")

    # --- generation API --------------------------------------------------------------------

    async def _create(self, request: web.Request) -> web.Response:
        path = request.path
        body = self._incoming[id(request)].json
        if body is MALFORMED or body is None:
            return error_response(path, 400, "Invalid request parameters: body is not valid JSON")
        model = body.get("model") if isinstance(body, dict) else None
        if isinstance(model, str) and model in self.model_access_denied:
            return error_response(path, 403, f"Token does not have access to model: {model}")
        try:
            spec = validate_generation(path, body)
        except InvalidRequest as exc:
            return error_response(path, 400, f"Invalid request parameters: {exc}")
        cost = credits_for(spec.model, body)
        if cost > self.credits:
            return error_response(path, 402)
        task = await self._new_task(spec.model, body, cost)
        if self.callbacks_to and isinstance(body.get("callback_url"), str) and not task.stalled:
            callback = asyncio.create_task(self._call_back(task, body["callback_url"]))
            self._callbacks.add(callback)
            callback.add_done_callback(self._callbacks.discard)
        return web.json_response(task.to_json(self.url))

    async def _call_back(self, task: FakeTask, public_url: str) -> None:
        """When the task ends, POST its body to `callbacks_to` + the public URL's path."""
        await asyncio.sleep(max(0.0, task.started + task.duration - self.clock()))
        url = f"{self.callbacks_to}{httpx.URL(public_url).raw_path.decode()}"
        self.callbacks_sent.append((task.id, self.clock()))
        assert self._client is not None
        try:
            await self._client.post(url, json=task.to_json(self.url, self.clock()))
        except httpx.HTTPError:
            pass  # Evolink does not retry a failed callback either

    async def _new_task(self, model: str, body: dict[str, Any], cost: float) -> FakeTask:
        duration = self.task_duration
        estimated = estimate(self.task_duration, self.estimated_time)
        if self.plan is not None:
            duration, estimated = self.plan(model, body)
        task = FakeTask(
            id=new_task_id(),
            model=model,
            request=body,
            created=int(time.time()),
            started=self.clock(),
            duration=duration,
            estimated_time=estimated,
            credits_reserved=cost,
        )
        self.tasks[task.id] = task  # before the fetches: the client cannot tell, tests can
        outcome = self._outcomes.next()
        await self._plan_outputs(task)
        if outcome is not None and outcome.stall:
            task.stalled = True
        elif outcome is not None and outcome.failure_code:
            task.fail_with(outcome.failure_code, outcome.message)
        task.started = self.clock()  # the input fetches are part of submitting
        if task.failure is None:
            self.credits = round(self.credits - cost, 4)
            self.used_credits = round(self.used_credits + cost, 4)
        return task

    async def _plan_outputs(self, task: FakeTask) -> None:
        """Fetch and check the inputs (edits, video); fix the output size (images)."""
        if task.model == wan25_text_to_image.NAME:
            task.size = t2i_size(task.request)
            return
        if "image_urls" not in task.request:
            return  # text to video: nothing to fetch
        assert self._client is not None
        try:
            task.inputs = await fetch_inputs(self._client, task.model, task.request["image_urls"])
        except InputRejected as exc:
            task.fail_with(exc.code, exc.message)
            return
        if task.kind == "image":
            task.size = output_size_for_edit(task.inputs[0].width, task.inputs[0].height)

    async def _get_task(self, request: web.Request) -> web.Response:
        task_id = request.match_info["task_id"]
        if not task_id.startswith("task-unified-"):
            return error_response(request.path, 400)
        task = self.tasks.get(task_id)
        if task is None:
            return error_response(request.path, 404)
        return web.json_response(task.to_json(self.url, self.clock()))

    async def _get_credits(self, request: web.Request) -> web.Response:
        """DIGEST §6.2: the key and the account share one balance here."""
        return web.json_response(
            {
                "data": {
                    "token": {
                        "remaining_credits": self.credits,
                        "unlimited_credits": False,
                        "used_credits": self.used_credits,
                    },
                    "user": {"remaining_credits": self.credits, "used_credits": self.used_credits},
                },
                "message": "",
                "success": True,
            }
        )

    # --- file service ----------------------------------------------------------------------

    async def _upload_stream(self, request: web.Request) -> web.Response:
        form = self._incoming[id(request)].form
        part = form.get("file")
        if not isinstance(part, UploadedPart):
            return error_response(request.path, 400, "file is required (multipart field 'file')")
        return self._store(
            part.data,
            upload_path=_text(form, "upload_path", "uploadPath"),
            file_name=_text(form, "file_name", "fileName"),
            original_name=part.filename,
            via="stream",
        )

    async def _upload_base64(self, request: web.Request) -> web.Response:
        body = self._incoming[id(request)].json
        if not isinstance(body, dict):
            return error_response(request.path, 400, "JSON body with base64_data is required")
        try:
            data = decode_base64(body.get("base64_data"))
        except UploadRejected as exc:
            return error_response(request.path, exc.status, exc.message, code=exc.code)
        return self._store(
            data,
            upload_path=_text(body, "upload_path", "uploadPath"),
            file_name=_text(body, "file_name", "fileName"),
            original_name=None,
            via="base64",
        )

    async def _upload_url(self, request: web.Request) -> web.Response:
        body = self._incoming[id(request)].json
        url = body.get("file_url") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(url, str):
            return error_response(request.path, 400, "file_url is required")
        assert self._client is not None
        try:
            data = await download(self._client, url, self.max_upload_bytes)
        except DownloadFailed as exc:
            message = f"URL download failed: {exc}"
            return error_response(request.path, 400, message, code=FILE_URL_DOWNLOAD_FAILED)
        return self._store(
            data,
            upload_path=_text(body, "upload_path", "uploadPath"),
            file_name=_text(body, "file_name", "fileName"),
            original_name=url.rsplit("/", 1)[-1] or None,
            via="url",
        )

    def _store(
        self,
        data: bytes,
        *,
        upload_path: str | None,
        file_name: str | None,
        original_name: str | None,
        via: str,
    ) -> web.Response:
        try:
            if self._files.count >= self.file_quota:
                raise UploadRejected(FILE_QUOTA_EXCEEDED)
            check_size(data, self.max_upload_bytes)
            upload = new_upload(
                self.url,
                data,
                upload_path=upload_path,
                file_name=file_name,
                original_name=original_name,
                via=via,
            )
        except UploadRejected as exc:
            return error_response(_FILES_ERROR, exc.status, exc.message, code=exc.code)
        self._files.add(upload)
        return web.json_response(
            {
                "success": True,
                "code": 200,
                "msg": "File uploaded successfully",
                "data": upload.to_json(),
            }
        )

    async def _get_quota(self, request: web.Request) -> web.Response:
        return web.json_response(self._files.quota_json(self.file_quota))

    # --- public downloads ------------------------------------------------------------------

    async def _public_file(self, request: web.Request) -> web.Response:
        upload = self._files.find(request.match_info["path"])
        if upload is None:
            return web.json_response({"error": "file not found"}, status=404)
        return web.Response(body=upload.data, content_type=upload.mime_type)

    async def _result_file(self, request: web.Request) -> web.StreamResponse:
        task = self.tasks.get(request.match_info["task_id"])
        name = request.match_info["name"]
        ready = task is not None and task.status_at(self.clock())[0] == "completed"
        if task is None or not ready or name not in task.result_names():
            return web.json_response({"error": "result not found"}, status=404)
        data = task.result_bytes(task.result_names().index(name))
        kind: media.Kind = "mp4" if name.endswith(".mp4") else "png"
        response = web.StreamResponse(
            headers={"Content-Type": "video/mp4" if kind == "mp4" else "image/png"}
        )
        response.content_length = media.padded_size(kind, len(data), self.result_padding)
        await response.prepare(request)
        if request.method != "HEAD":
            for piece in media.padded(kind, data, self.result_padding):
                await response.write(piece)
        await response.write_eof()
        return response


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One shared context: building one per client costs ~25 ms, per test that adds up."""
    return ssl.create_default_context()


def _text(fields: Mapping[str, Any], *names: str) -> str | None:
    """The first of `names` present as a string (the service takes snake and camel case)."""
    for name in names:
        value = fields.get(name)
        if isinstance(value, str):
            return value
    return None
