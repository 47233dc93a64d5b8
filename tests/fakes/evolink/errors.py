"""Evolink's error bodies: each endpoint family has its own format (DIGEST §4.2, §6.2, §7, §8).

- generation POSTs: `{"error": {"code": "<string>", "message", "type"}}` (§8.2);
- GET /v1/tasks/{id}: the same shape with its own codes and types (§4.2, D7);
- GET /v1/credits: the old format with an integer `code` (§6.2, D6);
- the file service: `{"success": false, "code": <int>, "msg"}` (§7, client-observed);
- task failures: `{"code", "message", "type": "task_error"}` inside a task (§4.1, §4.3).

The codes and types differ between families on purpose (D6, D7): that is what Evolink documents.
"""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web

Family = Literal["generation", "task", "credits", "files", "public"]

GENERATION_PATHS = ("/v1/images/generations", "/v1/videos/generations")

# status -> (code, type, message): DIGEST §8.2 and the OpenAPI examples of T2I/I2I/QIE/I2V.
# 502/503 are no longer documented for generation (D8); they keep their last documented strings.
_GENERATION: dict[int, tuple[str, str, str]] = {
    400: ("invalid_request", "invalid_request_error", "Invalid request parameters"),
    401: ("unauthorized", "authentication_error", "Invalid or expired token"),
    402: (
        "insufficient_quota",
        "insufficient_quota",
        "Insufficient quota. Please top up your account.",
    ),
    403: ("model_access_denied", "invalid_request_error", "Token does not have access to model"),
    404: ("not_found", "invalid_request_error", "Not found"),
    429: ("rate_limit_exceeded", "rate_limit_error", "Too many requests, please try again later"),
    500: ("internal_error", "api_error", "Internal server error"),
    502: ("upstream_error", "upstream_error", "Upstream service error"),
    503: ("service_unavailable", "api_error", "No available channel for the requested model"),
}

# DIGEST §4.2 (get-task-detail.openapi.json examples).
_TASK: dict[int, tuple[str, str, str]] = {
    400: (
        "invalid_task_id",
        "invalid_request_error",
        "Invalid task ID format, must start with 'task-unified-'",
    ),
    401: ("unauthorized", "authentication_error", "Authentication required"),
    402: (
        "quota_exceeded",
        "insufficient_quota",
        "Insufficient quota. Please top up your account.",
    ),
    403: (
        "permission_denied",
        "invalid_request_error",
        "You don't have permission to access this task",
    ),
    404: ("task_not_found", "invalid_request_error", "The requested task could not be found"),
    429: ("rate_limit_exceeded", "evo_api_error", "Rate limit exceeded"),
    500: ("internal_error", "api_error", "Failed to retrieve task status"),
    502: ("upstream_error", "upstream_error", "Upstream service error"),
    503: ("service_unavailable", "api_error", "Service temporarily unavailable"),
}

# status -> (type, message, fallback_suggestion): get-credits.openapi.json examples (§6.2).
_CREDITS: dict[int, tuple[str, str, str | None]] = {
    400: ("invalid_request_error", "Invalid request", None),
    401: ("authentication_error", "Invalid or expired token", None),
    403: ("permission_error", "Access denied", None),
    429: ("rate_limit_error", "Rate limit exceeded", "retry after 60 seconds"),
    500: ("internal_server_error", "Internal server error", "try again later"),
    502: ("upstream_error", "Upstream service error", "try again later"),
    503: (
        "service_unavailable_error",
        "Service temporarily unavailable",
        "retry after 30 seconds",
    ),
}

# File-service codes seen by Evolink's MCP client (DIGEST §7); the HTTP status is a guess (Q12).
FILE_TOO_LARGE = 40001
FILE_TYPE_NOT_ALLOWED = 40002
FILE_QUOTA_EXCEEDED = 40003
FILE_URL_DOWNLOAD_FAILED = 40004
_FILES: dict[int, str] = {
    400: "Invalid request",
    401: "Invalid or expired token",
    403: "Access denied",
    404: "File not found",
    429: "Too many requests",
    500: "Internal server error",
    502: "Upstream service error",
    503: "Service temporarily unavailable",
    FILE_TOO_LARGE: "File too large",
    FILE_TYPE_NOT_ALLOWED: "File type not allowed (image/jpeg, image/png, image/gif, image/webp)",
    FILE_QUOTA_EXCEEDED: "File quota exceeded",
    FILE_URL_DOWNLOAD_FAILED: "URL download failed",
    50001: "Storage service error",
}

# Default task-failure messages: the card title and first line of each code in error-codes.mdx
# (DIGEST §4.3), joined by a newline like Evolink's own messages.
_TASK_FAILURES: dict[str, tuple[str, str]] = {
    "content_policy_violation": ("Content policy violation.", "Blocked by safety filters."),
    "invalid_parameters": ("Invalid parameters.", "Parameters do not meet model requirements."),
    "image_processing_error": ("Image processing failed.", "Could not process the input image."),
    "image_dimension_mismatch": ("Image dimension mismatch.", "Image size does not match."),
    "request_cancelled": ("Request cancelled.", "The task was cancelled or interrupted."),
    "generation_failed_no_content": ("Generation failed.", "The model produced no output."),
    "service_error": ("Service error.", "An internal issue occurred in the upstream service."),
    "generation_timeout": ("Generation timeout.", "The task did not complete in time."),
    "resource_exhausted": ("Resource exhausted.", "Upstream resources are temporarily depleted."),
    "quota_exceeded": ("Quota exceeded.", "Request frequency or concurrency limits exceeded."),
    "service_unavailable": ("Service unavailable.", "An internal connection issue occurred."),
    "resource_not_found": ("Resource not found.", "The task ID does not exist or has expired."),
    "unknown_error": ("Unknown error.", "An unclassified error occurred."),
}
TASK_FAILURE_MESSAGES = {code: "\n".join(text) for code, text in _TASK_FAILURES.items()}


def family(path: str) -> Family:
    """Which error format the endpoint at `path` speaks."""
    if path.startswith(GENERATION_PATHS):
        return "generation"
    if path.startswith("/v1/tasks"):
        return "task"
    if path.startswith("/v1/credits"):
        return "credits"
    if path.startswith("/api/v1/files"):
        return "files"
    return "public"


def error_body(
    path: str, status: int, message: str | None = None, *, code: int | None = None
) -> Any:
    """The body Evolink would send for HTTP `status` on `path`.

    `code` is only for the file service, whose body code may differ from the status (40001...).
    """
    kind = family(path)
    if kind == "files":
        body_code = code or status
        return {
            "success": False,
            "code": body_code,
            "msg": message or _FILES.get(body_code, "Error"),
        }
    if kind == "credits":
        kind_, text, fallback = _CREDITS.get(status, ("api_error", "Error", None))
        error: dict[str, Any] = {"code": status, "message": message or text, "type": kind_}
        if fallback:
            error["fallback_suggestion"] = fallback
        return {"error": error}
    table = _TASK if kind == "task" else _GENERATION
    code_, type_, text = table.get(status, (f"http_{status}", "api_error", "Error"))
    error = {"code": code_, "message": message or text, "type": type_}
    if kind == "task" and status == 400:
        error["param"] = "task_id"
    return {"error": error}


def error_response(
    path: str,
    status: int,
    message: str | None = None,
    *,
    code: int | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    return web.json_response(
        error_body(path, status, message, code=code), status=status, headers=headers
    )


def task_error(code: str, message: str | None = None) -> dict[str, str]:
    """The `error` object of a failed task (DIGEST §4.1: type is always task_error)."""
    text = message or TASK_FAILURE_MESSAGES.get(code, TASK_FAILURE_MESSAGES["unknown_error"])
    return {"code": code, "message": text, "type": "task_error"}
