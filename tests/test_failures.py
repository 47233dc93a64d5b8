"""Every Evolink failure ends in one plain-words message (PRODUCT.md §7), mapped in one place."""

from __future__ import annotations

import pytest

from bot.evolink.errors import (
    AuthenticationError,
    BadRequestError,
    EvolinkConnectionError,
    EvolinkResponseError,
    EvolinkTimeoutError,
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from bot.jobs.failures import from_exception, from_task_error
from bot.messages import MESSAGES


@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("content_policy_violation", "err_content_policy"),
        ("invalid_parameters", "err_bad_input"),
        ("image_processing_error", "err_bad_input"),
        ("image_dimension_mismatch", "err_bad_input"),
        ("generation_failed_no_content", "err_no_content"),
        ("generation_timeout", "err_retry_later"),
        ("service_error", "err_retry_later"),
        ("resource_exhausted", "err_retry_later"),
        ("quota_exceeded", "err_retry_later"),
        ("unknown_error", "err_retry_later"),
        ("request_cancelled", "err_retry_later"),
        ("something_new_from_evolink", "err_retry_later"),
        (None, "err_retry_later"),
    ],
)
def test_task_error_codes(code, key) -> None:
    failure = from_task_error(code)
    assert failure.key == key
    assert failure.code == (code or "unknown_error")
    assert key in MESSAGES


def _status(cls, status):
    return cls("refused", status_code=status, code=None, error_type=None, retry_after=None)


@pytest.mark.parametrize(
    ("error", "key", "alert"),
    [
        (_status(AuthenticationError, 401), "err_unavailable", "401"),
        (_status(InsufficientCreditsError, 402), "err_unavailable", "402"),
        (_status(PermissionDeniedError, 403), "err_unavailable", "403"),
        (_status(BadRequestError, 400), "err_bad_input", None),
        (_status(RateLimitError, 429), "err_busy", None),
        (_status(ServerError, 503), "err_retry_later", None),
        (_status(NotFoundError, 404), "err_retry_later", None),
        (EvolinkConnectionError("down", maybe_sent=False), "err_retry_later", None),
    ],
)
def test_http_errors(error, key, alert) -> None:
    failure = from_exception(error)
    assert (failure.key, failure.alert) == (key, alert)


def test_a_create_that_may_have_reached_evolink_asks_to_send_again() -> None:
    maybe = EvolinkTimeoutError("read timeout", maybe_sent=True)
    assert from_exception(maybe, creating=True).key == "err_submission_unknown"
    # The same failure on a status check is just "try later": nothing was created twice.
    assert from_exception(maybe).key == "err_retry_later"
    not_sent = EvolinkConnectionError("refused", maybe_sent=False)
    assert from_exception(not_sent, creating=True).key == "err_retry_later"


def test_an_unreadable_answer_to_a_create_asks_to_send_again() -> None:
    unreadable = EvolinkResponseError("not JSON", status_code=200)
    assert from_exception(unreadable, creating=True).key == "err_submission_unknown"
    assert from_exception(unreadable).key == "err_retry_later"
