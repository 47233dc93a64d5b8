"""Request validation at every limit of PRODUCT §2, and lenient response parsing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.evolink.limits import size_problem
from bot.evolink.models import (
    Credits,
    Task,
    TaskInfo,
    UploadedFile,
)
from bot.models.qwen_image_edit import QwenEditRequest
from bot.models.wan25_image_to_image import ImageToImageRequest
from bot.models.wan25_image_to_video import ImageToVideoRequest
from bot.models.wan25_text_to_image import TextToImageRequest

URL = "https://files.evolink.ai/photos/a.png"


def urls(count: int) -> list[str]:
    return [f"https://files.evolink.ai/photos/{i}.png" for i in range(count)]


# --- prompt -------------------------------------------------------------------------------


@pytest.mark.parametrize("prompt", ["a", "a" * 2000, "  " + "a" * 2000 + "\n"])
def test_prompt_within_limits(prompt: str) -> None:
    req = TextToImageRequest(prompt=prompt)
    assert req.prompt == prompt.strip()


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t", "a" * 2001])
def test_prompt_out_of_limits(prompt: str) -> None:
    with pytest.raises(ValidationError):
        TextToImageRequest(prompt=prompt)


def test_prompt_must_be_a_string() -> None:
    with pytest.raises(ValidationError):
        TextToImageRequest(prompt=123)


@pytest.mark.parametrize(
    "cls,extra",
    [
        (ImageToImageRequest, {"image_urls": [URL]}),
        (QwenEditRequest, {"image_urls": [URL]}),
        (ImageToVideoRequest, {"image_urls": [URL]}),
    ],
)
def test_every_model_checks_the_prompt(cls: Any, extra: dict[str, Any]) -> None:
    assert cls(prompt="x" * 2000, **extra).prompt == "x" * 2000
    for bad in ("", " ", "x" * 2001):
        with pytest.raises(ValidationError):
            cls(prompt=bad, **extra)


# --- size ---------------------------------------------------------------------------------


# 4:1 fits only between 1536x384 and 2880x720: 3072x768 is 4:1 but 2,359,296 pixels.
@pytest.mark.parametrize(
    "size", ["768x768", "1440x1440", "1280x1280", "1536x384", "2880x720", "384x1536"]
)
def test_size_accepted(size: str) -> None:
    assert TextToImageRequest(prompt="p", size=size).size == size


@pytest.mark.parametrize(
    "size",
    [
        "767x768",  # below the pixel floor
        "1441x1440",  # above the pixel ceiling
        "3072x768",  # 4:1, but above the pixel ceiling
        "1537x384",  # enough pixels, wider than 4:1
        "384x1537",  # taller than 1:4
        "2881x720",
        "1280*1280",  # upstream's asterisk form
        "1280X1280",  # capital X
        " 1280x1280",
        "1280x1280 ",
        "1280x",
        "x1280",
        "-768x768",
        "0x0",
        "١٢٨٠x١٢٨٠",  # Arabic-Indic digits: int() would read them, Evolink would not
        "1280x1280x2",
    ],
)
def test_size_rejected(size: str) -> None:
    with pytest.raises(ValidationError):
        TextToImageRequest(prompt="p", size=size)


def test_size_leading_zeros_are_normalised() -> None:
    assert TextToImageRequest(prompt="p", size="0768x0768").size == "768x768"


@given(st.integers(1, 6000), st.integers(1, 6000))
def test_size_agrees_with_limits_table(width: int, height: int) -> None:
    valid = size_problem(width, height) is None
    try:
        TextToImageRequest(prompt="p", size=f"{width}x{height}")
    except ValidationError:
        assert not valid
    else:
        assert valid


# --- n --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_n_accepted(n: int) -> None:
    assert TextToImageRequest(prompt="p", n=n).to_payload()["n"] == n
    assert ImageToImageRequest(prompt="p", image_urls=[URL], n=n).to_payload()["n"] == n


@pytest.mark.parametrize("n", [0, 5, -1, True, "2", 2.0])
def test_n_rejected(n: Any) -> None:
    with pytest.raises(ValidationError):
        TextToImageRequest(prompt="p", n=n)
    with pytest.raises(ValidationError):
        ImageToImageRequest(prompt="p", image_urls=[URL], n=n)


# --- image URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls,good,bad",
    [
        (ImageToImageRequest, [1, 2], [0, 3]),
        (QwenEditRequest, [1, 2, 3], [0, 4]),
        (ImageToVideoRequest, [1], [0, 2]),
    ],
)
def test_image_url_counts(cls: Any, good: list[int], bad: list[int]) -> None:
    for count in good:
        assert cls(prompt="p", image_urls=urls(count)).image_urls == urls(count)
    for count in bad:
        with pytest.raises(ValidationError):
            cls(prompt="p", image_urls=urls(count))


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.evolink.ai/a.png",
        "file:///etc/passwd",
        "files.evolink.ai/a.png",
        "https://",
        "https:///a.png",
        "https://files.evolink.ai/a b.png",
        "",
        "https://[::1/a.png",
    ],
)
def test_image_url_must_be_http(url: str) -> None:
    with pytest.raises(ValidationError):
        ImageToImageRequest(prompt="p", image_urls=[url])


def test_plain_http_image_url_is_allowed() -> None:
    assert QwenEditRequest(prompt="p", image_urls=["http://example.com/a.jpg"]).image_urls


def test_image_urls_are_required() -> None:
    with pytest.raises(ValidationError):
        ImageToImageRequest.model_validate({"prompt": "p"})


# --- fields a model does not document are refused -----------------------------------------


@pytest.mark.parametrize(
    "cls,fields",
    [
        (TextToImageRequest, {"image_urls": [URL]}),
        (TextToImageRequest, {"seed": 1}),
        (ImageToImageRequest, {"image_urls": [URL], "size": "1280x1280"}),
        (ImageToImageRequest, {"image_urls": [URL], "prompt_extend": False}),
        (QwenEditRequest, {"image_urls": [URL], "n": 1}),
        (QwenEditRequest, {"image_urls": [URL], "size": "1280x1280"}),
        (ImageToVideoRequest, {"image_urls": [URL], "n": 1}),
        (ImageToVideoRequest, {"image_urls": [URL], "model": "wan2.5-image-to-video"}),
    ],
)
def test_undocumented_fields_rejected(cls: Any, fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        cls(prompt="p", **fields)


# --- video ----------------------------------------------------------------------------------


@pytest.mark.parametrize("duration", [5, 10])
def test_duration_accepted(duration: int) -> None:
    req = ImageToVideoRequest(prompt="p", image_urls=[URL], duration=duration)
    assert req.to_payload()["duration"] == duration


@pytest.mark.parametrize("duration", [7, 0, 15, "5", 5.0, True])
def test_duration_rejected(duration: Any) -> None:
    with pytest.raises(ValidationError):
        ImageToVideoRequest(prompt="p", image_urls=[URL], duration=duration)


@pytest.mark.parametrize("quality", ["480p", "720p", "1080p"])
def test_quality_accepted(quality: str) -> None:
    req = ImageToVideoRequest(prompt="p", image_urls=[URL], quality=quality)
    assert req.to_payload()["quality"] == quality


@pytest.mark.parametrize("quality", ["720P", "1080P", "4k", "720", " 720p", ""])
def test_quality_rejected(quality: str) -> None:
    with pytest.raises(ValidationError):
        ImageToVideoRequest(prompt="p", image_urls=[URL], quality=quality)


# --- callback URL ---------------------------------------------------------------------------


def test_callback_url_limits() -> None:
    base = "https://bot.example.com/cb/"
    ok = base + "a" * (2048 - len(base))
    assert TextToImageRequest(prompt="p", callback_url=ok).callback_url == ok
    with pytest.raises(ValidationError):
        TextToImageRequest(prompt="p", callback_url=ok + "a")


@pytest.mark.parametrize(
    "url",
    [
        "http://bot.example.com/cb",
        "https://127.0.0.1/cb",
        "https://10.1.2.3/cb",
        "https://192.168.0.10/cb",
        "https://172.16.0.1/cb",
        "https://[::1]/cb",
        "https://localhost/cb",
        "bot.example.com/cb",
    ],
)
def test_callback_url_rejected(url: str) -> None:
    with pytest.raises(ValidationError):
        TextToImageRequest(prompt="p", callback_url=url)


# --- payloads -------------------------------------------------------------------------------


def test_text_to_image_payload_defaults() -> None:
    assert TextToImageRequest(prompt="a lake").to_payload() == {
        "model": "wan2.5-text-to-image",
        "prompt": "a lake",
        "n": 1,
        "prompt_extend": True,
    }


def test_text_to_image_payload_full() -> None:
    req = TextToImageRequest(
        prompt="a lake",
        size="1280x1280",
        n=2,
        prompt_extend=False,
        callback_url="https://bot.example.com/cb/x",
    )
    assert req.to_payload() == {
        "model": "wan2.5-text-to-image",
        "prompt": "a lake",
        "size": "1280x1280",
        "n": 2,
        "prompt_extend": False,
        "callback_url": "https://bot.example.com/cb/x",
    }


def test_image_payloads() -> None:
    assert ImageToImageRequest(prompt="sky", image_urls=[URL]).to_payload() == {
        "model": "wan2.5-image-to-image",
        "prompt": "sky",
        "image_urls": [URL],
        "n": 1,
    }
    assert QwenEditRequest(prompt="sky", image_urls=urls(3)).to_payload() == {
        "model": "qwen-image-edit",
        "prompt": "sky",
        "image_urls": urls(3),
    }


def test_video_payload_always_has_duration_and_quality() -> None:
    assert ImageToVideoRequest(prompt="cat", image_urls=[URL]).to_payload() == {
        "model": "wan2.5-image-to-video",
        "prompt": "cat",
        "image_urls": [URL],
        "duration": 5,
        "quality": "720p",
        "prompt_extend": True,
    }


def test_requests_are_frozen() -> None:
    req = TextToImageRequest(prompt="p")
    with pytest.raises(ValidationError):
        req.n = 3  # type: ignore[misc]


# --- Task -----------------------------------------------------------------------------------

CREATED = {
    "created": 1757156493,
    "id": "task-unified-1757156493-imcg5zqt",
    "model": "wan2.5-text-to-image",
    "object": "image.generation.task",
    "progress": 0,
    "status": "pending",
    "task_info": {"can_cancel": True, "estimated_time": 30},
    "type": "image",
    "usage": {"billing_rule": "per_call", "credits_reserved": 1, "user_group": "default"},
}


def test_task_parses_creation_response() -> None:
    task = Task.model_validate(CREATED)
    assert task.id == "task-unified-1757156493-imcg5zqt"
    assert task.task_info == TaskInfo(can_cancel=True, estimated_time=30.0)
    assert task.usage is not None and task.usage.credits_reserved == 1.0
    assert task.created == 1757156493
    assert not task.is_failed and not task.is_completed
    assert task.results == [] and task.error is None


def test_task_ignores_unknown_fields_and_tolerates_missing_ones() -> None:
    task = Task.model_validate(
        {"id": "t", "status": "processing", "brand_new": {"x": 1}, "result_data": []}
    )
    assert task.task_info == TaskInfo()
    assert task.usage is None and task.model is None and task.progress == 0


def test_completed_task() -> None:
    task = Task.model_validate(
        {"id": "t", "status": "completed", "progress": 100, "results": ["https://r/1.png"]}
    )
    assert task.is_completed and not task.is_failed
    assert task.results == ["https://r/1.png"]


def test_failed_task_with_integer_error_code() -> None:
    task = Task.model_validate(
        {"id": "t", "status": "failed", "error": {"code": 500, "message": "boom", "param": "x"}}
    )
    assert task.is_failed
    assert task.error is not None
    assert (task.error.code, task.error.message, task.error.type) == ("500", "boom", None)


def test_failed_task_with_string_error_code() -> None:
    body = {
        "id": "t",
        "status": "failed",
        "error": {"code": "content_policy_violation", "message": "no", "type": "task_error"},
    }
    error = Task.model_validate(body).error
    assert error is not None and error.code == "content_policy_violation"
    assert error.type == "task_error"


@pytest.mark.parametrize("error", [None, {}, [], {"code": None}, {"code": ""}])
def test_failed_task_without_error_gets_unknown_error(error: Any) -> None:
    task = Task.model_validate({"id": "t", "status": "failed", "error": error})
    assert task.error is not None and task.error.code == "unknown_error"


def test_error_as_plain_string() -> None:
    task = Task.model_validate({"id": "t", "status": "failed", "error": "upstream broke"})
    assert task.error is not None
    assert (task.error.code, task.error.message) == ("unknown_error", "upstream broke")


@pytest.mark.parametrize("status", ["cancelled", "canceled", "CANCELLED"])
def test_cancelled_is_a_failure(status: str) -> None:
    task = Task.model_validate({"id": "t", "status": status})
    assert task.status == "cancelled"
    assert task.is_failed and not task.is_completed
    assert task.error is not None and task.error.code == "request_cancelled"


def test_unknown_status_means_keep_waiting() -> None:
    task = Task.model_validate({"id": "t", "status": "queued"})
    assert not task.is_failed and task.error is None


@pytest.mark.parametrize(
    "raw,expected",
    [(150, 100), (100, 100), (-5, 0), ("55", 55), (42.7, 42), (None, 0), ("abc", 0), ("nan", 0)],
)
def test_progress_is_clamped(raw: Any, expected: int) -> None:
    assert Task.model_validate({"id": "t", "status": "processing", "progress": raw}).progress == (
        expected
    )


def test_results_leniency() -> None:
    def results(**fields: Any) -> list[str]:
        return Task.model_validate({"id": "t", "status": "completed", **fields}).results

    assert results(results=None) == []
    assert results(results="https://r/1.png") == ["https://r/1.png"]
    assert results(results=["https://r/1.png", None, 3]) == ["https://r/1.png"]
    assert results(result_data=[{"image_url": "https://r/a"}, {"video_url": "https://r/b"}]) == [
        "https://r/a",
        "https://r/b",
    ]


def test_odd_task_info_and_usage_values() -> None:
    task = Task.model_validate(
        {
            "id": "t",
            "status": "processing",
            "task_info": {"can_cancel": "maybe", "estimated_time": "soon", "video_duration": "5"},
            "usage": "n/a",
            "created": "yesterday",
        }
    )
    assert task.task_info == TaskInfo(can_cancel=None, estimated_time=None, video_duration=5.0)
    assert task.usage is None and task.created is None


def test_task_without_id_or_status_is_invalid() -> None:
    with pytest.raises(ValidationError):
        Task.model_validate({"status": "pending"})
    with pytest.raises(ValidationError):
        Task.model_validate({"id": "t"})


# --- files and credits ----------------------------------------------------------------------

UPLOAD_BODY = {
    "success": True,
    "code": 200,
    "msg": "File uploaded successfully",
    "data": {
        "file_id": "file_abc123",
        "file_name": "photo.png",
        "original_name": "photo.png",
        "file_size": 2048,
        "mime_type": "image/png",
        "upload_path": "photos",
        "file_url": "https://files.evolink.ai/photos/photo.png",
        "download_url": "https://files.evolink.ai/api/v1/files/download/file_abc123",
        "upload_time": "2025-10-09T00:00:00+08:00",
        "expires_at": "2025-10-12T00:00:00+08:00",
        "checksum": "new field",
    },
}


def test_uploaded_file_from_envelope() -> None:
    uploaded = UploadedFile.from_envelope(UPLOAD_BODY)
    assert uploaded.file_url == "https://files.evolink.ai/photos/photo.png"
    assert uploaded.file_id == "file_abc123" and uploaded.file_size == 2048
    assert uploaded.expires_at == "2025-10-12T00:00:00+08:00"


def test_uploaded_file_needs_file_url() -> None:
    with pytest.raises(ValidationError):
        UploadedFile.from_envelope({"success": True, "data": {"file_id": "x"}})


CREDITS_BODY = {
    "data": {
        "token": {"remaining_credits": 99416.4429, "unlimited_credits": False, "used_credits": 5},
        "user": {"remaining_credits": 1095.3996, "used_credits": 135.9048},
    },
    "message": "",
    "success": True,
}


def test_credits_from_body() -> None:
    credits = Credits.from_body(CREDITS_BODY)
    assert credits.token_remaining == 99416.4429 and credits.user_remaining == 1095.3996
    assert not credits.token_unlimited


def test_credits_body_without_data_is_invalid() -> None:
    with pytest.raises(ValidationError):
        Credits.from_body({"success": True})
