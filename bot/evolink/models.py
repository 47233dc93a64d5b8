"""Request and response bodies of the Evolink API (DIGEST §2-§7).

Requests are strict: an instance exists only if every limit of PRODUCT §2 holds, and
`to_payload()` is exactly the JSON to send. Responses are lenient: unknown fields are
ignored and odd values are coerced, so an addition on Evolink's side never breaks a job.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, ClassVar, Final
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from bot.evolink.limits import (
    N_MAX,
    N_MIN,
    PROMPT_MAX_CHARS,
    Duration,
    ImageInputLimits,
    size_problem,
)

CALLBACK_URL_MAX_CHARS: Final = 2048
IMAGES_ENDPOINT: Final = "/v1/images/generations"
VIDEOS_ENDPOINT: Final = "/v1/videos/generations"
UNKNOWN_ERROR_CODE: Final = "unknown_error"
CANCELLED_ERROR_CODE: Final = "request_cancelled"
FAILED_STATUSES: Final = frozenset({"failed", "cancelled"})

# ASCII digits only: `\d` would also accept other scripts' digits, which int() then reads.
_SIZE_RE: Final = re.compile(r"([0-9]+)x([0-9]+)")


# --- request field checks -------------------------------------------------------------------


def _check_prompt(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("prompt is empty")
    if len(text) > PROMPT_MAX_CHARS:
        raise ValueError(f"prompt has {len(text)} characters; at most {PROMPT_MAX_CHARS}")
    return text


def _check_size(value: str) -> str:
    match = _SIZE_RE.fullmatch(value)
    if match is None:
        raise ValueError("size must be WIDTHxHEIGHT with a lowercase x, e.g. 1280x1280")
    width, height = int(match[1]), int(match[2])
    problem = size_problem(width, height)
    if problem is not None:
        raise ValueError(f"size {value}: {problem}")
    return f"{width}x{height}"


def _check_image_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or _has_space(value):
        raise ValueError("image URLs must be absolute http(s) URLs")
    return value


def check_callback_url(value: str) -> str:
    """Evolink's callback rules: HTTPS, at most 2048 characters, no private address."""
    if len(value) > CALLBACK_URL_MAX_CHARS:
        raise ValueError(f"callback_url is longer than {CALLBACK_URL_MAX_CHARS} characters")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or _has_space(value):
        raise ValueError("callback_url must be an absolute https URL")
    if _is_private_host(parts.hostname):
        raise ValueError("callback_url must not point to a private or local address")
    return value


def _has_space(value: str) -> bool:
    return any(char.isspace() for char in value)


def _is_private_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name; Evolink resolves it, we cannot judge it here
    return not address.is_global


Prompt = Annotated[StrictStr, AfterValidator(_check_prompt)]
Size = Annotated[StrictStr, AfterValidator(_check_size)]
ImageUrl = Annotated[StrictStr, AfterValidator(_check_image_url)]
CallbackUrl = Annotated[StrictStr, AfterValidator(check_callback_url)]
ImageCount = Annotated[StrictInt, Field(ge=N_MIN, le=N_MAX)]


def exact_int(value: Any) -> Any:
    # A lax Literal[5, 10] would take 5.0 (or True for 1); only real ints get through.
    if type(value) is not int:
        raise ValueError("must be an integer")
    return value


VideoDuration = Annotated[Duration, BeforeValidator(exact_int)]


def image_urls(limits: ImageInputLimits) -> Any:
    """The `image_urls` field rule for a model taking these inputs."""
    return Field(min_length=limits.min_images, max_length=limits.max_images)


# --- requests -------------------------------------------------------------------------------


class GenerationRequest(BaseModel):
    """Shared config and payload rendering; each model's spec module subclasses it and
    names its model and endpoint."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    MODEL: ClassVar[str]
    ENDPOINT: ClassVar[str]

    def to_payload(self) -> dict[str, Any]:
        """The exact JSON body: `model` first, unset optional fields left out."""
        return {"model": self.MODEL, **self.model_dump(mode="json", exclude_none=True)}


# --- lenient coercions for responses --------------------------------------------------------


def _float_or_none(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int_or_none(value: Any) -> int | None:
    number = _float_or_none(value)
    try:
        return None if number is None else int(number)
    except (ValueError, OverflowError):  # nan, inf
        return None


def _bool_or_none(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _str_or_none(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    return str(value)


def _normalise_status(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    status = value.strip().lower()
    return "cancelled" if status == "canceled" else status


LenientFloat = Annotated[float | None, BeforeValidator(_float_or_none)]
LenientInt = Annotated[int | None, BeforeValidator(_int_or_none)]
LenientBool = Annotated[bool | None, BeforeValidator(_bool_or_none)]
LenientStr = Annotated[str | None, BeforeValidator(_str_or_none)]


class _Response(BaseModel):
    # Integer codes where strings are documented (DIGEST D6) become strings, not errors.
    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True)


class TaskError(_Response):
    """Why a task failed: `code` is Evolink's business code (DIGEST §4.3), not HTTP."""

    code: str = UNKNOWN_ERROR_CODE
    message: str = ""
    type: LenientStr = None

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        return UNKNOWN_ERROR_CODE if value is None or value == "" else value

    @field_validator("message", mode="before")
    @classmethod
    def _message(cls, value: Any) -> Any:
        return "" if value is None else value


class TaskInfo(_Response):
    """Hints about a running task; every field is optional (DIGEST D16)."""

    can_cancel: LenientBool = None
    estimated_time: LenientFloat = None
    video_duration: LenientFloat = None


class Usage(_Response):
    """The reservation Evolink made for the task."""

    billing_rule: LenientStr = None
    credits_reserved: LenientFloat = None
    user_group: LenientStr = None


class Task(_Response):
    """A generation task, as returned on creation and by GET /v1/tasks/{id}.

    `status` is kept as a string so an unknown value means "keep waiting" instead of a
    parse failure. `cancelled` counts as a failure (DIGEST D9), and a failed task always
    has an `error`.
    """

    id: str
    status: str
    model: LenientStr = None
    object: LenientStr = None
    type: LenientStr = None
    created: LenientInt = None
    progress: int = 0
    results: list[str] = Field(default_factory=list)
    error: TaskError | None = None
    task_info: TaskInfo = Field(default_factory=TaskInfo)
    usage: Usage | None = None

    @model_validator(mode="before")
    @classmethod
    def _tidy(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        data["status"] = status = _normalise_status(data.get("status"))
        data["results"] = _result_urls(data.get("results"), data.get("result_data"))
        data["error"] = _error_object(data.get("error"), status)
        if not isinstance(data.get("task_info"), dict):
            data.pop("task_info", None)
        if not isinstance(data.get("usage"), dict):
            data["usage"] = None
        return data

    @field_validator("progress", mode="before")
    @classmethod
    def _progress(cls, value: Any) -> int:
        number = _int_or_none(value)
        return 0 if number is None else max(0, min(100, number))

    @property
    def is_failed(self) -> bool:
        """Failed or cancelled; `error` says why."""
        return self.status in FAILED_STATUSES

    @property
    def is_completed(self) -> bool:
        """Finished with results."""
        return self.status == "completed"


def _result_urls(results: Any, result_data: Any) -> list[str]:
    if isinstance(results, str):
        return [results]
    urls = [url for url in results if isinstance(url, str)] if isinstance(results, list) else []
    if urls or not isinstance(result_data, list):
        return urls
    # Evolink's own client also reads `result_data[].image_url|video_url` (DIGEST D16).
    for item in result_data:
        if isinstance(item, dict):
            url = item.get("image_url") or item.get("video_url") or item.get("url")
            if isinstance(url, str):
                urls.append(url)
    return urls


def _error_object(error: Any, status: Any) -> Any:
    if isinstance(error, str):
        error = {"message": error}
    if isinstance(error, dict) or status not in FAILED_STATUSES:
        return error if isinstance(error, dict) else None
    code = CANCELLED_ERROR_CODE if status == "cancelled" else UNKNOWN_ERROR_CODE
    return {"code": code}


class UploadedFile(_Response):
    """A file on Evolink's file service; pass `file_url` in `image_urls` (lives 72 h)."""

    file_url: str
    file_id: LenientStr = None
    file_name: LenientStr = None
    original_name: LenientStr = None
    download_url: LenientStr = None
    mime_type: LenientStr = None
    file_size: LenientInt = None
    upload_path: LenientStr = None
    upload_time: LenientStr = None
    expires_at: LenientStr = None

    @classmethod
    def from_envelope(cls, body: Any) -> UploadedFile:
        """Parse `{success, code, msg, data: {...}}`; raises pydantic's ValidationError."""
        return _FileEnvelope.model_validate(body).data


class _FileEnvelope(_Response):
    data: UploadedFile


class Credits(_Response):
    """The balance of the API key (`token_*`) and of the account (`user_*`)."""

    token_remaining: LenientFloat = None
    token_used: LenientFloat = None
    token_unlimited: bool = False
    user_remaining: LenientFloat = None
    user_used: LenientFloat = None

    @classmethod
    def from_body(cls, body: Any) -> Credits:
        """Parse `{data: {token: {...}, user: {...}}}`; raises pydantic's ValidationError."""
        data = _CreditsBody.model_validate(body).data
        return cls(
            token_remaining=data.token.remaining_credits,
            token_used=data.token.used_credits,
            token_unlimited=data.token.unlimited_credits is True,
            user_remaining=data.user.remaining_credits,
            user_used=data.user.used_credits,
        )


class _Balance(_Response):
    remaining_credits: LenientFloat = None
    used_credits: LenientFloat = None
    unlimited_credits: LenientBool = None


class _CreditsData(_Response):
    token: _Balance = Field(default_factory=_Balance)
    user: _Balance = Field(default_factory=_Balance)


class _CreditsBody(_Response):
    data: _CreditsData
