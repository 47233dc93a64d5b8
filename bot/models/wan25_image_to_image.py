"""wan2.5-image-to-image: `/edit` with 1-2 photos, the default edit model (DIGEST §2.2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar, Final

from bot.evolink.limits import IMAGE_FORMATS, INPUT_MAX_BYTES, ImageInputLimits
from bot.evolink.models import (
    IMAGES_ENDPOINT,
    CallbackUrl,
    GenerationRequest,
    ImageCount,
    ImageUrl,
    Prompt,
    image_urls,
)
from bot.models import flags
from bot.models.spec import ModelSpec, Options, PerImage

NAME: Final = "wan2.5-image-to-image"
INPUTS: Final = ImageInputLimits(1, 2, 384, 5000, INPUT_MAX_BYTES, IMAGE_FORMATS, False)


class ImageToImageRequest(GenerationRequest):
    """1-2 input images; `size`/`prompt_extend` are not documented."""

    MODEL: ClassVar[str] = NAME
    ENDPOINT: ClassVar[str] = IMAGES_ENDPOINT

    prompt: Prompt
    image_urls: Annotated[list[ImageUrl], image_urls(INPUTS)]
    n: ImageCount = 1
    callback_url: CallbackUrl | None = None


def _build(
    prompt: str, options: Options, urls: list[str], callback: str | None
) -> ImageToImageRequest:
    return ImageToImageRequest(
        prompt=prompt, image_urls=urls, n=options.get("n", 1), callback_url=callback
    )


TEXTS: Final = {
    "usage_edit": {
        "en": "Send a photo with /edit and what to change in the caption, or reply to a "
        "photo with it, for example:\n/edit make the sky stormy\n\n"
        "{photos_wan} photos (wan) or up to {max_photos_qwen} (--model qwen). "
        "Options: --model {models_edit}, --n {n_range} (wan).",
        "zh": "发送照片并在说明中写 /edit 和要修改的内容，或回复一张照片，例如：\n"
        "/edit 把天空变成暴风雨\n\n{photos_wan} 张照片（wan）或最多 {max_photos_qwen} 张"
        "（--model qwen）。选项：--model {models_edit}，--n {n_range}（仅 wan）。",
    },
    "edit_needs_photo": {
        "en": "/edit needs a photo: send a photo with /edit in its caption, or reply to a "
        "photo with /edit and your instructions.",
        "zh": "/edit 需要照片：发送照片并在说明中写 /edit，或回复一张照片。",
    },
    "help_edit": {
        "en": "/edit <instructions> - change a photo: send it with this caption, or reply to it. "
        "Example: /edit make it night\n"
        "  options: --model {models_edit} (qwen takes up to {max_photos_qwen} photos, and is "
        "picked by itself for more than wan takes), --n {n_range} (wan only)",
        "zh": "/edit <修改说明> - 修改照片：发送照片并写此说明，或回复照片。例：/edit 变成夜晚\n"
        "  选项：--model {models_edit}（qwen 最多 {max_photos_qwen} 张，照片多于 wan 所能接受时"
        "自动使用 qwen），--n {n_range}（仅 wan）",
    },
    "cmd_edit": {
        "en": "Change a photo (send or reply to one)",
        "zh": "修改照片（发送或回复照片）",
    },
    "price_wan": {"en": "{price} per picture (wan)", "zh": "每张 {price}（wan）"},
}

SPEC: Final = ModelSpec(
    name=NAME,
    command="edit",
    label="wan",
    alias="wan",
    kind="image",
    flags=(flags.N,),
    defaults={"n": 1},
    build=_build,
    price=PerImage("n"),
    cost_setting="cost_image_to_image",
    default_cost=Decimal("1.2"),
    order=20,
    texts=TEXTS,
    inputs=INPUTS,
)
