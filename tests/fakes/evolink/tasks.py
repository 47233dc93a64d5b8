"""One generation task: its fixed plan at creation and its state computed from the clock.

No background loop: `status_at(now)` derives pending -> processing -> completed/failed from the
time elapsed since creation, so a test can jump time by swapping the fake's clock.
"""

from __future__ import annotations

import math
import secrets
import string
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.evolink import limits
from bot.models import (
    qwen_image_edit,
    wan25_image_to_image,
    wan25_image_to_video,
    wan25_text_to_image,
)

from . import media
from .errors import task_error
from .extra_models import TEXT_TO_VIDEO
from .inputs import InputImage

Status = Literal["pending", "processing", "completed", "failed"]

PENDING_FRACTION = 0.2  # share of task_duration spent `pending` before `processing` starts
STALLED_PROGRESS = 42
DEFAULT_T2I_SIZE = (1280, 1280)

# Credits per image, or per second for video at 720p (PRODUCT §5, DIGEST §2.4 examples).
_IMAGE_CREDITS = {
    wan25_text_to_image.NAME: 1.0,
    wan25_image_to_image.NAME: 1.2,
    qwen_image_edit.NAME: 1.0,
}
VIDEO_MODELS = frozenset({wan25_image_to_video.NAME, TEXT_TO_VIDEO})
_VIDEO_CREDITS_PER_SECOND = {"480p": 0.5, "720p": 1.0, "1080p": 2.0}


def new_task_id(now: float | None = None) -> str:
    """`task-unified-<unix seconds>-<8 lowercase alnum>` (DIGEST §1)."""
    alphabet = string.ascii_lowercase + string.digits
    suffix = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"task-unified-{int(time.time() if now is None else now)}-{suffix}"


def estimate(task_duration: float, override: int | None) -> int:
    return override if override is not None else math.ceil(task_duration)


def output_size_for_edit(width: int, height: int) -> tuple[int, int]:
    """The first input's size, scaled (aspect kept) into the wan output pixel range (§2.1).

    Keeps renders cheap and plausible: a 5000x5000 input does not make a 25 MP result.
    """
    pixels = width * height
    target = min(max(pixels, limits.SIZE_MIN_PIXELS), limits.SIZE_MAX_PIXELS)
    if target == pixels:
        return width, height
    scale = math.sqrt(target / pixels)
    return max(1, round(width * scale)), max(1, round(height * scale))


def t2i_size(body: dict[str, Any]) -> tuple[int, int]:
    if "size" not in body:
        return DEFAULT_T2I_SIZE
    width, height = body["size"].split("x")
    return int(width), int(height)


def credits_for(model: str, body: dict[str, Any]) -> float:
    if model in VIDEO_MODELS:
        seconds = body.get("duration", limits.DEFAULT_DURATION)
        rate = _VIDEO_CREDITS_PER_SECOND[body.get("quality", limits.DEFAULT_QUALITY)]
        return round(seconds * rate, 4)
    return round(_IMAGE_CREDITS[model] * result_count(model, body), 4)


def result_count(model: str, body: dict[str, Any]) -> int:
    """wan image models make `n` images (default 1, DIGEST Q1); qwen and video make one."""
    if model in (wan25_text_to_image.NAME, wan25_image_to_image.NAME):
        return int(body.get("n", 1))
    return 1


@dataclass
class FakeTask:
    """A task as the fake planned it when it was created."""

    id: str
    model: str
    request: dict[str, Any]
    created: int  # unix seconds, as Evolink reports it
    started: float  # the fake's clock at creation
    duration: float  # seconds from creation to the terminal state
    estimated_time: int
    credits_reserved: float
    size: tuple[int, int] | None = None  # images only
    failure: dict[str, str] | None = None  # the task error it will end with
    stalled: bool = False  # stays `processing` forever
    inputs: list[InputImage] = field(default_factory=list)  # what the fake fetched
    _rendered: dict[int, bytes] = field(default_factory=dict, repr=False)

    @property
    def kind(self) -> Literal["image", "video"]:
        return "video" if self.model in VIDEO_MODELS else "image"

    @property
    def prompt(self) -> str:
        return str(self.request["prompt"])

    def fail_with(self, code: str, message: str | None = None) -> None:
        self.failure = task_error(code, message)

    def status_at(self, now: float) -> tuple[Status, int]:
        elapsed = now - self.started
        if elapsed < self.duration * PENDING_FRACTION:
            return "pending", 0
        if self.stalled:
            return "processing", STALLED_PROGRESS
        if elapsed < self.duration:
            return "processing", min(99, max(1, int(100 * elapsed / self.duration)))
        if self.failure is not None:
            return "failed", 0  # error-codes.mdx shows failed tasks at progress 0
        return "completed", 100

    # --- results ---------------------------------------------------------------------------

    def result_names(self) -> list[str]:
        if self.kind == "video":
            return ["0.mp4"]
        return [f"{index}.png" for index in range(result_count(self.model, self.request))]

    def result_bytes(self, index: int) -> bytes:
        """Result file `index`, rendered on first use and kept."""
        if self.kind == "video":
            return media.video_bytes(int(self.request.get("duration", limits.DEFAULT_DURATION)))
        if index not in self._rendered:
            width, height = self.size or DEFAULT_T2I_SIZE
            self._rendered[index] = media.render_png(width, height, self.prompt, index)
        return self._rendered[index]

    # --- JSON -------------------------------------------------------------------------------

    def to_json(self, base_url: str, now: float | None = None) -> dict[str, Any]:
        """The creation response when `now` is None (§2.4), else the GET /v1/tasks body (§4.1)."""
        status, progress = ("pending", 0) if now is None else self.status_at(now)
        body: dict[str, Any] = {
            "created": self.created,
            "id": self.id,
            "model": self.model,
            "object": f"{self.kind}.generation.task",
            "progress": progress,
            "status": status,
            "task_info": {
                "can_cancel": status in ("pending", "processing"),
                "estimated_time": self.estimated_time,
            },
            "type": self.kind,
            "usage": {
                "billing_rule": "per_second" if self.kind == "video" else "per_call",
                "credits_reserved": self.credits_reserved,
                "user_group": "default",
            },
        }
        if status == "completed":
            body["results"] = [
                f"{base_url}/results/{self.id}/{name}" for name in self.result_names()
            ]
        if status == "failed":
            body["error"] = self.failure
        return body
