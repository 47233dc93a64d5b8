"""The one place where Evolink errors and task failure codes become user messages."""

from __future__ import annotations

from dataclasses import dataclass

from bot.evolink.errors import (
    AuthenticationError,
    BadRequestError,
    EvolinkConnectionError,
    EvolinkError,
    EvolinkResponseError,
    InsufficientCreditsError,
    PermissionDeniedError,
    RateLimitError,
)


@dataclass(frozen=True, slots=True)
class Failure(Exception):
    """A job ends here: `key` is the message for the user, `code` what we store and count,
    `alert` (401/402/403) what the operator must be told about."""

    key: str
    code: str
    alert: str | None = None
    params: tuple[tuple[str, object], ...] = ()


_TASK_CODES = {
    "content_policy_violation": "err_content_policy",
    "invalid_parameters": "err_bad_input",
    "image_processing_error": "err_bad_input",
    "image_dimension_mismatch": "err_bad_input",
    "generation_failed_no_content": "err_no_content",
}


def from_task_error(code: str | None) -> Failure:
    """Evolink's `error.code` of a failed task (DIGEST §4.3); unknown codes mean "try later"."""
    code = code or "unknown_error"
    return Failure(_TASK_CODES.get(code, "err_retry_later"), code)


def from_exception(error: EvolinkError, *, creating: bool = False) -> Failure:
    """Map a client exception (already retried by the client) to how the job ends."""
    if isinstance(error, EvolinkConnectionError):
        if creating and error.maybe_sent:
            return Failure("err_submission_unknown", "submission_unknown")
        return Failure("err_retry_later", "connection")
    if creating and isinstance(error, EvolinkResponseError):
        # Evolink said yes but we can't read the task: it may exist, we can't track it.
        return Failure("err_submission_unknown", "unreadable_create_response")
    if isinstance(error, AuthenticationError):
        return Failure("err_unavailable", "http_401", alert="401")
    if isinstance(error, InsufficientCreditsError):
        return Failure("err_unavailable", "http_402", alert="402")
    if isinstance(error, PermissionDeniedError):
        return Failure("err_unavailable", "http_403", alert="403")
    if isinstance(error, BadRequestError):
        return Failure("err_bad_input", "http_400")
    if isinstance(error, RateLimitError):
        return Failure("err_busy", "http_429")
    status = getattr(error, "status_code", None)
    return Failure("err_retry_later", f"http_{status}" if status else type(error).__name__)


def worded_for(key: str, *, photos: bool) -> str:
    """The failure text for a job with or without photos: a job made from words alone is
    never told about "this photo" (the `_text` variant, where the catalogue has one)."""
    return key if photos or key not in _WORDS_ONLY else f"{key}_text"


_WORDS_ONLY = frozenset({"err_bad_input", "err_content_policy"})
