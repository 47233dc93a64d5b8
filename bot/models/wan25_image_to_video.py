"""wan2.5-image-to-video: `/animate` with exactly one photo (DIGEST §3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar, Final

from pydantic import StrictBool

from bot.evolink import limits
from bot.evolink.models import (
    VIDEOS_ENDPOINT,
    CallbackUrl,
    GenerationRequest,
    ImageUrl,
    Prompt,
    VideoDuration,
    image_urls,
)
from bot.models import flags
from bot.models.spec import ModelSpec, Options, PerVideoSecond

NAME: Final = "wan2.5-image-to-video"
INPUTS: Final = limits.ImageInputLimits(
    1, 1, 360, 2000, limits.INPUT_MAX_BYTES, limits.IMAGE_FORMATS, False
)


class ImageToVideoRequest(GenerationRequest):
    """Exactly one first frame; duration and quality always sent."""

    MODEL: ClassVar[str] = NAME
    ENDPOINT: ClassVar[str] = VIDEOS_ENDPOINT

    prompt: Prompt
    image_urls: Annotated[list[ImageUrl], image_urls(INPUTS)]
    duration: VideoDuration = limits.DEFAULT_DURATION
    quality: limits.Quality = limits.DEFAULT_QUALITY  # exact lowercase; the parser normalises
    prompt_extend: StrictBool = True
    callback_url: CallbackUrl | None = None


def _build(
    prompt: str, options: Options, urls: list[str], callback: str | None
) -> ImageToVideoRequest:
    return ImageToVideoRequest(
        prompt=prompt,
        image_urls=urls,
        duration=options.get("duration", limits.DEFAULT_DURATION),
        quality=options.get("quality", limits.DEFAULT_QUALITY),
        prompt_extend=not options.get("raw", False),
        callback_url=callback,
    )


TEXTS: Final = {
    "usage_animate": {
        "en": "Send one photo with /animate and a description of the motion, or reply to a "
        "photo with it, for example:\n/animate the waves roll in slowly\n\n"
        "Options: --duration {durations}, --quality {qualities}, --raw.",
        "zh": "发送一张照片并在说明中写 /animate 和动作描述，或回复一张照片，例如：\n"
        "/animate 海浪缓缓涌来\n\n选项：--duration {durations}，--quality {qualities}，--raw。",
    },
    "animate_needs_photo": {
        "en": "/animate needs one photo: send a photo with /animate in its caption, or reply "
        "to a photo with /animate and a description of the motion.",
        "zh": "/animate 需要一张照片：发送照片并在说明中写 /animate，或回复一张照片。",
    },
    "help_animate": {
        "en": "/animate <motion> - a short video from one photo. "
        "Example: /animate the clouds drift\n"
        "  options: --duration {durations}, --quality {qualities}, --raw",
        "zh": "/animate <动作> - 用一张照片生成短视频。例：/animate 云朵飘动\n"
        "  选项：--duration {durations}，--quality {qualities}，--raw",
    },
    "cmd_animate": {"en": "Make a short video from a photo", "zh": "用照片生成短视频"},
    "price_animate": {
        "en": "{price} per 5 s at 720p (480p half, 1080p double)",
        "zh": "720p 每 5 秒 {price}（480p 减半，1080p 加倍）",
    },
}

SPEC: Final = ModelSpec(
    name=NAME,
    command="animate",
    label="animate",
    kind="video",
    flags=(flags.DURATION, flags.QUALITY, flags.RAW),
    defaults={
        "duration": limits.DEFAULT_DURATION,
        "quality": limits.DEFAULT_QUALITY,
        "raw": False,
    },
    build=_build,
    price=PerVideoSecond(),
    cost_setting="cost_video_5s_720p",
    default_cost=Decimal(5),
    order=40,
    texts=TEXTS,
    inputs=INPUTS,
)
