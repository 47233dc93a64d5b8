"""wan2.5-text-to-image: `/imagine <prompt>` (PRODUCT.md §2, DIGEST §2.1)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Final

from pydantic import StrictBool

from bot.evolink.models import (
    IMAGES_ENDPOINT,
    CallbackUrl,
    GenerationRequest,
    ImageCount,
    Prompt,
    Size,
)
from bot.models import flags
from bot.models.spec import CommandError, ModelSpec, Options, PerImage

NAME: Final = "wan2.5-text-to-image"


class TextToImageRequest(GenerationRequest):
    """`n` is always sent: the upstream default is 4 (DIGEST §12.1)."""

    MODEL: ClassVar[str] = NAME
    ENDPOINT: ClassVar[str] = IMAGES_ENDPOINT

    prompt: Prompt
    size: Size | None = None
    n: ImageCount = 1
    prompt_extend: StrictBool = True
    callback_url: CallbackUrl | None = None


def _build(
    prompt: str, options: Options, urls: list[str], callback: str | None
) -> TextToImageRequest:
    return TextToImageRequest(
        prompt=prompt,
        size=options.get("size"),
        n=options.get("n", 1),
        prompt_extend=not options.get("raw", False),
        callback_url=callback,
    )


def _check(given: Options) -> None:
    if "ar" in given and "size" in given:
        raise CommandError("size_and_ar", {})


TEXTS: Final = {
    "usage_imagine": {
        "en": "Describe the picture after the command, for example:\n"
        "/imagine a lighthouse at dusk, oil painting --ar 16:9\n\n"
        "Options: --ar W:H or --size WxH ({size_min} to {size_max}), --n {n_range}, "
        "--raw (use your prompt exactly as written).",
        "zh": "请在命令后描述图片，例如：\n/imagine 黄昏的灯塔，油画 --ar 16:9\n\n"
        "选项：--ar 宽:高 或 --size 宽x高（{size_min} 到 {size_max}），--n {n_range}，"
        "--raw（按原样使用提示词）。",
    },
    "help_imagine": {
        "en": "/imagine <prompt> - a new picture. Example: /imagine a red fox in snow --ar 16:9\n"
        "  options: --ar W:H or --size WxH, --n {n_range}, --raw",
        "zh": "/imagine <提示词> - 生成新图片。例：/imagine 雪中的红狐狸 --ar 16:9\n"
        "  选项：--ar 宽:高 或 --size 宽x高，--n {n_range}，--raw",
    },
    "cmd_imagine": {"en": "Make a picture from a description", "zh": "根据描述生成图片"},
    "price_imagine": {"en": "{price} per picture", "zh": "每张 {price}"},
}

SPEC: Final = ModelSpec(
    name=NAME,
    command="imagine",
    label="imagine",
    kind="image",
    flags=(flags.AR_SIZE, flags.SIZE, flags.N, flags.RAW),
    defaults={"size": None, "n": 1, "raw": False},
    build=_build,
    price=PerImage("n"),
    cost_setting="cost_text_to_image",
    default_cost=Decimal(1),
    order=10,
    texts=TEXTS,
    check=_check,
)
