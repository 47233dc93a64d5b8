"""Evolink API client: request/response models, the error tree, retries and the client.

Each model's own request class lives beside its spec in `bot/models/`.
"""

from bot.evolink.client import DEFAULT_API_URL, DEFAULT_FILES_URL, DEFAULT_TIMEOUT, EvolinkClient
from bot.evolink.errors import (
    AuthenticationError,
    BadRequestError,
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
    ServerError,
    error_from_response,
    error_from_transport,
    parse_retry_after,
    status_error_class,
)
from bot.evolink.models import (
    Credits,
    GenerationRequest,
    Task,
    TaskError,
    TaskInfo,
    UploadedFile,
    Usage,
    check_callback_url,
)
from bot.evolink.retry import RetryPolicy, should_retry

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_FILES_URL",
    "DEFAULT_TIMEOUT",
    "AuthenticationError",
    "BadRequestError",
    "Credits",
    "EvolinkClient",
    "EvolinkConnectionError",
    "EvolinkError",
    "EvolinkResponseError",
    "EvolinkStatusError",
    "EvolinkTimeoutError",
    "GenerationRequest",
    "InsufficientCreditsError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResultTooLargeError",
    "RetryPolicy",
    "ServerError",
    "Task",
    "TaskError",
    "TaskInfo",
    "UploadedFile",
    "Usage",
    "check_callback_url",
    "error_from_response",
    "error_from_transport",
    "parse_retry_after",
    "should_retry",
    "status_error_class",
]
