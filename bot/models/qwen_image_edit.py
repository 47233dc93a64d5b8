"""qwen-image-edit: `/edit --model qwen`, or `/edit` with 3 photos (DIGEST §2.3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar, Final

from bot.evolink.limits import IMAGE_FORMATS, INPUT_MAX_BYTES, ImageInputLimits
from bot.evolink.models import (
    IMAGES_ENDPOINT,
    CallbackUrl,
    GenerationRequest,
    ImageUrl,
    Prompt,
    image_urls,
)
from bot.models.spec import CommandError, ModelSpec, Options, PerImage

NAME: Final = "qwen-image-edit"
# qwen states no byte limit (DIGEST §2.3); 10 MB keeps us inside every other model's rule.
INPUTS: Final = ImageInputLimits(1, 3, 384, 3072, INPUT_MAX_BYTES, IMAGE_FORMATS, False)


class QwenEditRequest(GenerationRequest):
    """1-3 input images, no `n`."""

    MODEL: ClassVar[str] = NAME
    ENDPOINT: ClassVar[str] = IMAGES_ENDPOINT

    prompt: Prompt
    image_urls: Annotated[list[ImageUrl], image_urls(INPUTS)]
    callback_url: CallbackUrl | None = None


def _build(
    prompt: str, options: Options, urls: list[str], callback: str | None
) -> QwenEditRequest:
    return QwenEditRequest(prompt=prompt, image_urls=urls, callback_url=callback)


def _check(given: Options) -> None:
    if "n" in given:
        raise CommandError("n_not_for_qwen", {})


TEXTS: Final = {
    "n_not_for_qwen": {
        "en": "--n is not available with --model qwen (it makes one picture). "
        "Leave out --n or use --model wan.",
        "zh": "--model qwen 不支持 --n（只生成一张）。请去掉 --n 或使用 --model wan。",
    },
    "hint_use_qwen": {
        "en": " Use --model qwen for up to {max_photos_qwen} photos.",
        "zh": "使用 --model qwen 最多可用 {max_photos_qwen} 张。",
    },
    "price_qwen": {"en": "{price} (qwen)", "zh": "{price}（qwen）"},
}

SPEC: Final = ModelSpec(
    name=NAME,
    command="edit",
    label="qwen",
    alias="qwen",
    default_for_command=False,
    kind="image",
    flags=(),
    defaults={},
    build=_build,
    price=PerImage(None),
    cost_setting="cost_qwen_edit",
    default_cost=Decimal(1),
    order=30,
    texts=TEXTS,
    inputs=INPUTS,
    check=_check,
)
