"""FakeTelegram: an aiohttp server speaking the Bot API wire format, plus its test-side API.

An unmodified python-telegram-bot Application works against it when built with
``.base_url(f"{tg.url}/bot").base_file_url(f"{tg.url}/file/bot")``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from . import rules
from .control import add_control_routes
from .flood import FloodHit, FloodLimiter, FloodLimits, RandomFlood, RetryAfterWindows
from .media import StoredFile
from .methods import BotMethods, flood_weight, unsupported
from .payments import PaymentApi, PaymentMethods, PaymentState
from .polling import UpdateQueue
from .spec import Spec, SpecError, Upload, Validator, load_spec
from .state import JsonDict, World
from .userapi import UserApi
from .wire import ApiError, bad_request, error_response, ok_response, read_params

log = logging.getLogger(__name__)
Listener = Callable[[str, JsonDict], None]
# Form/JSON bodies only; multipart uploads are streamed and capped separately (wire.py).
_MAX_FORM_BODY = 16 << 20


@dataclass
class Call:
    """One request as the fake saw and answered it.

    ``params`` are decoded per the spec (ints, bools, JSON objects; raw strings if the call
    failed validation), ``files`` maps part names to (filename, content type, size), ``time``
    is ``FakeTelegram.clock()`` at arrival and ``status`` the HTTP status answered (499 if the
    client went away first). Downloads of files are recorded as method "downloadFile".
    """

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, str, int]]
    chat_id: int | str | None
    time: float
    status: int
    description: str | None = None
    result: Any = None


@dataclass
class _Failure:
    method: str
    error: ApiError
    times: int
    after: int = 0  # matching calls to let through first


@dataclass
class _Outcome:
    status: int = 200
    result: Any = None
    error: ApiError | None = None
    params: dict[str, Any] = field(default_factory=dict)
    parts: dict[str, Upload] = field(default_factory=dict)


class FakeTelegram(PaymentApi, UserApi):
    """A fake Bot API server with the state of a tiny Telegram.

    Every call is validated against the Bot API 10.0 spec and the prose limits, then
    answered like Telegram would. What a test reads:

    * ``calls`` (every request, see Call; uploads appear in ``params`` as Upload objects),
      ``calls_to(method)``;
    * ``violations``: calls a real bot must never make (spec/limit breaches), answered 400;
    * ``errors``: realistic runtime errors (flood 429, "message is not modified", injected
      failures, unknown chats...);
    * ``flood_hits``; ``callback_answers``; the user API and observers of UserApi.

    What a test sets: ``flood`` (FloodLimits), ``random_flood`` (seeded random 429s),
    ``clock`` (for flood control),
    ``fail_next(...)``, ``listeners`` (called with ("bot_message" | "bot_edit" |
    "bot_delete", message) or ("violation" | "error", {"method", "description"})).
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "evolink_test_bot",
        bot_id: int = 123456,
        *,
        spec: Spec | None = None,
    ) -> None:
        self.token = token
        self.spec = spec or load_spec()
        self.validator = Validator(self.spec)
        bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_username.removesuffix("_bot").replace("_", " ").title() or "Bot",
            "username": bot_username,
        }
        self.world = World(bot_user)
        self.updates = UpdateQueue()
        self.updates.on_wait = self._changed
        self.flood = FloodLimits()
        self.clock: Callable[[], float] = time.monotonic
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.errors: list[str] = []
        self.flood_hits: list[FloodHit] = []
        self.listeners: list[Listener] = []
        self.random_flood: RandomFlood | None = None
        self.retry_windows = RetryAfterWindows()
        self._limiter = FloodLimiter()
        self._failures: list[_Failure] = []
        self.payments = PaymentState()  # invoices, checkout answers (timed), charges
        payments = PaymentMethods(
            self.payments, lambda: self.clock(), self._checkout_ok, self._refunded
        )
        self._methods = BotMethods(self.world, self.updates, self.spec, self._bot_event, payments)
        self._handlers = self._methods.handlers()
        self._change = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._url

    @property
    def bot_user(self) -> JsonDict:
        return self.world.bot_user

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=_MAX_FORM_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._download)
        add_control_routes(app, self)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self.updates.closing = False
        # handler_cancellation: a long poll whose client went away must not linger.
        runner = web.AppRunner(
            self.build_app(), handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        sockets = runner.addresses
        bound_port = sockets[0][1] if sockets else port
        self._url = f"http://{host}:{bound_port}"
        return self._url

    async def stop(self) -> None:
        self.updates.close()  # answer open long polls first so shutdown does not wait on them
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- test controls -------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 400,
        description: str = "Bad Request: injected",
        retry_after: int | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """Answer ``times`` calls of ``method`` with this error (after validation), starting
        with the next one, or with the one after ``after`` more calls of it succeeded."""
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        error = ApiError(error_code, description, parameters=parameters)
        self._failures.append(_Failure(method.lower(), error, times, after))

    def clear_failures(self) -> None:
        """Forget every failure `fail_next` still has queued."""
        self._failures.clear()

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` holds.

        Re-checked after every answered call, user action and start of a long poll.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            change = self._change
            if predicate():
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self.describe(f"condition not met within {timeout}s"))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(change.wait(), remaining)

    def describe(self, headline: str, last: int = 15) -> str:
        """A summary of recent calls, violations and errors for failure messages."""
        lines = [headline, f"last {min(last, len(self.calls))} of {len(self.calls)} calls:"]
        for call in self.calls[-last:]:
            detail = f" -> {call.description}" if call.description else ""
            params = {k: _short(v) for k, v in call.params.items()}
            lines.append(f"  {call.method} {call.status} {params}{detail}")
        lines += [f"violation: {v}" for v in self.violations]
        lines += [f"error: {e}" for e in self.errors[-5:]]
        return "\n".join(lines)

    def _changed(self) -> None:
        change, self._change = self._change, asyncio.Event()
        change.set()

    def _bot_event(self, kind: str, message: JsonDict) -> None:
        for listener in list(self.listeners):
            try:
                listener(kind, message)
            except Exception:  # a console printer must not break the API answer
                log.exception("FakeTelegram listener failed")

    # -- HTTP handlers ---------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        outcome = _Outcome()
        started = self.clock()
        try:
            name = await self._answer(request, name, outcome, started)
        except ApiError as err:
            outcome.error, outcome.status = err, err.status
            self._note_error(name, err)
        except asyncio.CancelledError:
            # The client went away (e.g. PTB cancelling its long poll on shutdown).
            self._record(name, outcome, started, status=499)
            raise
        self._record(name, outcome, started)
        if outcome.error is not None:
            return error_response(outcome.error)
        return ok_response(outcome.result)

    async def _answer(
        self, request: web.Request, name: str, outcome: _Outcome, started: float
    ) -> str:
        """Run one API call, filling ``outcome``; returns the canonical method name."""
        if request.match_info["token"] != self.token:
            raise ApiError(401, "Unauthorized")
        method = self.spec.method(name)
        if method is None:
            raise ApiError(404, "Not Found", violation=True, reason=f"no method {name!r} in spec")
        name = method.name
        fields, outcome.parts = await read_params(request)
        outcome.params = fields
        try:
            outcome.params = self.validator.validate_call(method, fields, outcome.parts)
        except SpecError as exc:
            raise bad_request(str(exc)) from None
        outcome.result = await self._execute(name, outcome.params, outcome.parts, started)
        return name

    async def _execute(
        self,
        method: str,
        params: dict[str, Any],
        parts: dict[str, Upload],
        received: float | None = None,
    ) -> Any:
        """`received`: when the request arrived; flood windows count calls from then, as a
        front-end limiter does (not after the upload was read)."""
        handler = self._handlers.get(method)
        if handler is None:
            raise unsupported(method)
        rules.check_call(method, params)
        if flood_weight(method, params):  # reads and chat actions are not flood-limited
            self.retry_windows.note_call(self._flood_key(params), self.clock())
        try:
            self._take_failure(method)
            self._check_flood(method, params, received)
        except ApiError as err:
            retry_after = (err.parameters or {}).get("retry_after")
            if err.status == 429 and isinstance(retry_after, int):
                self.retry_windows.opened(self._flood_key(params), retry_after, self.clock())
            raise
        return await handler(params, parts)

    @property
    def calls_inside_retry_after(self) -> int:
        """Messages and edits sent while a retry_after window we announced was open."""
        return self.retry_windows.calls_inside

    def _flood_key(self, params: dict[str, Any]) -> int | str | None:
        chat_ref = params.get("chat_id")
        chat = self.world.resolve_chat(chat_ref) if chat_ref is not None else None
        return chat["id"] if chat else chat_ref

    def _take_failure(self, method: str) -> None:
        for failure in self._failures:
            if failure.method == method.lower():
                if failure.after > 0:
                    failure.after -= 1
                    return
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                raise failure.error

    def _check_flood(self, method: str, params: dict[str, Any], at: float | None) -> None:
        weight = flood_weight(method, params)
        if not weight:
            return
        key = self._flood_key(params)
        chat = self.world.chats.get(key) if isinstance(key, int) else None
        is_group = bool(chat and World.is_group(chat))
        if self.random_flood is not None and self.random_flood.hit():
            retry_after = self.random_flood.retry_after
            self.flood_hits.append(FloodHit(method, key, retry_after, "random", self.clock()))
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                parameters={"retry_after": retry_after},
            )
        now = self.clock() if at is None else at
        hit = self._limiter.check(self.flood, key, is_group, weight, now)
        if hit is None:
            return
        retry_after, scope = hit
        self.flood_hits.append(FloodHit(method, key, retry_after, scope, self.clock()))
        raise ApiError(
            429,
            f"Too Many Requests: retry after {retry_after}",
            parameters={"retry_after": retry_after},
        )

    def _note_error(self, method: str, err: ApiError) -> None:
        if err.violation:
            self.violations.append(f"{method}: {err.reason}")
            self._bot_event("violation", {"method": method, "description": err.reason})
        else:
            self.errors.append(f"{method}: {err.status} {err.description}")
            self._bot_event("error", {"method": method, "description": err.description})

    def _record(self, method: str, outcome: _Outcome, started: float, status: int = 0) -> None:
        params = outcome.params
        chat_id = params.get("chat_id")
        self.calls.append(
            Call(
                method=method,
                params=params,
                files={n: (u.filename, u.content_type, u.size) for n, u in outcome.parts.items()},
                chat_id=chat_id if isinstance(chat_id, int | str) else None,
                time=started,
                status=status or outcome.status,
                description=outcome.error.description if outcome.error else None,
                # A snapshot: the live message dicts change with later edits.
                result=copy.deepcopy(outcome.result),
            )
        )
        self._changed()

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """GET /file/bot<token>/<file_path>: the bytes behind a getFile answer."""
        outcome = _Outcome(params={"file_path": request.match_info["file_path"]})
        started = self.clock()
        try:
            stored = self._downloadable(request)
        except ApiError as err:
            outcome.error, outcome.status = err, err.status
            self._note_error("downloadFile", err)
            self._record("downloadFile", outcome, started)
            return error_response(err)
        self._record("downloadFile", outcome, started)
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=content_type)

    def _downloadable(self, request: web.Request) -> StoredFile:
        if request.match_info["token"] != self.token:
            raise ApiError(401, "Unauthorized")
        stored = self.world.files.by_path.get(request.match_info["file_path"])
        if stored is None:
            raise ApiError(404, "Not Found")
        return stored


def _short(value: Any, limit: int = 80) -> Any:
    if isinstance(value, Upload):
        return f"<file {value.filename} {value.size}B>"
    text = repr(value)
    return value if len(text) <= limit else text[:limit] + "…"
