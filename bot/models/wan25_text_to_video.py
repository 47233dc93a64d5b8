"""wan2.5-text-to-video: `/video <prompt>`, a video from words alone (PRODUCT.md §2).

Facts (Evolink's page for the model, restated): same endpoint, task and errors as
image-to-video; `aspect_ratio` 16:9 (default), 9:16 or 1:1 at every quality, 4:3 and 3:4 only
at 720p and 1080p; `duration` 5 or 10; `quality` 480p, 720p (default) or 1080p; no images,
no `n`. Priced like image-to-video: per second at 720p, 480p half, 1080p double.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Final, Literal

from pydantic import StrictBool, model_validator

from bot.evolink import limits
from bot.evolink.models import (
    VIDEOS_ENDPOINT,
    CallbackUrl,
    GenerationRequest,
    Prompt,
    VideoDuration,
)
from bot.models import flags
from bot.models.spec import Choices, CommandError, Flag, ModelSpec, Options, PerVideoSecond

NAME: Final = "wan2.5-text-to-video"
EVERY_QUALITY_RATIOS: Final = ("16:9", "9:16", "1:1")
HD_ONLY_RATIOS: Final = ("4:3", "3:4")
HD_QUALITIES: Final = ("720p", "1080p")
ASPECT_RATIOS: Final = EVERY_QUALITY_RATIOS + HD_ONLY_RATIOS
NOT_AT_480P: Final = frozenset(HD_ONLY_RATIOS)
DEFAULT_ASPECT_RATIO: Final = "16:9"
AspectRatio = Literal["16:9", "9:16", "1:1", "4:3", "3:4"]


class TextToVideoRequest(GenerationRequest):
    """No input images; aspect_ratio, duration and quality always sent."""

    MODEL: ClassVar[str] = NAME
    ENDPOINT: ClassVar[str] = VIDEOS_ENDPOINT

    prompt: Prompt
    aspect_ratio: AspectRatio = DEFAULT_ASPECT_RATIO
    duration: VideoDuration = limits.DEFAULT_DURATION
    quality: limits.Quality = limits.DEFAULT_QUALITY
    prompt_extend: StrictBool = True
    callback_url: CallbackUrl | None = None

    @model_validator(mode="after")
    def _ratio_fits_quality(self) -> TextToVideoRequest:
        if self.quality not in HD_QUALITIES and self.aspect_ratio in NOT_AT_480P:
            raise ValueError(f"aspect_ratio {self.aspect_ratio} needs 720p or 1080p")
        return self


def _build(
    prompt: str, options: Options, urls: list[str], callback: str | None
) -> TextToVideoRequest:
    return TextToVideoRequest(
        prompt=prompt,
        aspect_ratio=options.get("aspect_ratio", DEFAULT_ASPECT_RATIO),
        duration=options.get("duration", limits.DEFAULT_DURATION),
        quality=options.get("quality", limits.DEFAULT_QUALITY),
        prompt_extend=not options.get("raw", False),
        callback_url=callback,
    )


def _parse_ar(value: str) -> str:
    terms = flags.aspect_terms(value)
    ratio = f"{terms[0]}:{terms[1]}" if terms else ""
    if ratio not in ASPECT_RATIOS:
        raise CommandError("bad_video_ar", {"value": flags.shown(value)})
    return ratio


def _check(given: Options) -> None:
    quality = given.get("quality", limits.DEFAULT_QUALITY)
    if quality not in HD_QUALITIES and given.get("ar") in NOT_AT_480P:
        raise CommandError("video_ar_quality", {"ar": given["ar"], "quality": quality})


TEXTS: Final = {
    "usage_video": {
        "en": "Describe the video after the command, for example:\n"
        "/video a paper boat drifting down a rainy street --ar 9:16\n\n"
        "Options: --ar {video_ratios} ({video_hd_ratios_and} at {video_hd_qualities}), "
        "--duration {durations}, --quality {qualities}, --raw (use your prompt exactly as "
        "written).",
        "zh": "请在命令后描述视频，例如：\n/video 雨中街道上漂流的纸船 --ar 9:16\n\n"
        "选项：--ar {video_ratios}（{video_hd_qualities} 另有 {video_hd_ratios_and}），"
        "--duration {durations}，--quality {qualities}，--raw（按原样使用提示词）。",
    },
    "help_video": {
        "en": "/video <prompt> - a short video from a description. "
        "Example: /video a paper boat in the rain\n"
        "  options: --ar {video_ratios_all}, --duration {durations}, "
        "--quality {qualities}, --raw",
        "zh": "/video <提示词> - 根据描述生成短视频。例：/video 雨中的纸船\n"
        "  选项：--ar {video_ratios_all}，--duration {durations}，"
        "--quality {qualities}，--raw",
    },
    "cmd_video": {"en": "Make a short video from a description", "zh": "根据描述生成短视频"},
    "price_video": {
        "en": "{price} per 5 s at 720p (480p half, 1080p double)",
        "zh": "720p 每 5 秒 {price}（480p 减半，1080p 加倍）",
    },
    "bad_video_ar": {
        "en": "--ar {value} is not available for /video. Use {video_ratios_or} "
        "(or {video_hd_ratios_or} at {video_hd_qualities_or}).",
        "zh": "/video 不支持 --ar {value}。请使用 {video_ratios_or}"
        "（{video_hd_qualities_or} 时还可用 {video_hd_ratios_or}）。",
    },
    "video_ar_quality": {
        "en": "--ar {ar} needs --quality {video_hd_qualities_or}; at {quality} only "
        "{video_ratios_and} are available.",
        "zh": "--ar {ar} 需要 --quality {video_hd_qualities_or}；{quality} 只支持 "
        "{video_ratios_and}。",
    },
}

SPEC: Final = ModelSpec(
    name=NAME,
    command="video",
    label="video",
    kind="video",
    flags=(
        Flag("ar", "aspect_ratio", _parse_ar, "--ar 9:16"),
        flags.DURATION,
        flags.QUALITY,
        flags.RAW,
    ),
    defaults={
        "aspect_ratio": DEFAULT_ASPECT_RATIO,
        "duration": limits.DEFAULT_DURATION,
        "quality": limits.DEFAULT_QUALITY,
        "raw": False,
    },
    build=_build,
    price=PerVideoSecond(),
    cost_setting="cost_text_to_video_5s_720p",
    default_cost=Decimal(5),
    order=50,
    texts=TEXTS,
    check=_check,
    facts={
        "video_ratios": "|".join(EVERY_QUALITY_RATIOS),
        "video_ratios_all": "|".join(ASPECT_RATIOS),
        "video_ratios_or": Choices(EVERY_QUALITY_RATIOS),
        "video_ratios_and": Choices(EVERY_QUALITY_RATIOS, "and"),
        "video_hd_ratios_or": Choices(HD_ONLY_RATIOS),
        "video_hd_ratios_and": Choices(HD_ONLY_RATIOS, "and"),
        "video_hd_qualities": "/".join(HD_QUALITIES),
        "video_hd_qualities_or": Choices(HD_QUALITIES),
    },
)
