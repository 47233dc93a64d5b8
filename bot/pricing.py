"""What a job costs and what a finished job is charged, in hundredths of a credit."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.credits import to_cents
from bot.evolink import limits

# Evolink bills video per second at 720p; 480p costs half, 1080p double (PRODUCT.md §5).
QUALITY_FACTOR = {"480p": 0.5, "720p": 1.0, "1080p": 2.0}


@dataclass(frozen=True, slots=True)
class Prices:
    text_to_image: int = 100
    image_to_image: int = 120
    qwen_edit: int = 100
    video_5s_720p: int = 500

    @classmethod
    def from_settings(cls, settings: Settings) -> Prices:
        return cls(
            text_to_image=to_cents(settings.cost_text_to_image),
            image_to_image=to_cents(settings.cost_image_to_image),
            qwen_edit=to_cents(settings.cost_qwen_edit),
            video_5s_720p=to_cents(settings.cost_video_5s_720p),
        )

    def per_image(self, model: str) -> int:
        return {
            limits.TEXT_TO_IMAGE: self.text_to_image,
            limits.IMAGE_TO_IMAGE: self.image_to_image,
            limits.QWEN_EDIT: self.qwen_edit,
        }[model]

    def per_second(self, quality: str) -> float:
        return self.video_5s_720p / 5 * QUALITY_FACTOR[quality]

    def cost(self, model: str, *, n: int = 1, duration: int = 5, quality: str = "720p") -> int:
        """The reservation for a job: everything it may produce."""
        if model == limits.IMAGE_TO_VIDEO:
            return round(self.per_second(quality) * duration)
        images = 1 if model == limits.QWEN_EDIT else n
        return self.per_image(model) * images

    def charge(
        self, model: str, *, images: int = 0, seconds: float = 0.0, quality: str = "720p"
    ) -> int:
        """What was really produced: per image, or per second of video."""
        if model == limits.IMAGE_TO_VIDEO:
            return round(self.per_second(quality) * seconds)
        return self.per_image(model) * images
