"""What a job costs and what a finished job is charged, in hundredths of a credit.

Each model's rate comes from the Settings field generated for its spec (`Settings.cost`) and
its rule from the spec: per picture, or per second of video at a quality (PRODUCT.md §5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.config import Settings
from bot.credits import to_cents
from bot.evolink import limits
from bot.models import registry
from bot.models.spec import per_second


def _default_rates() -> dict[str, int]:
    return {spec.name: to_cents(spec.default_cost) for spec in registry.ALL}


@dataclass(frozen=True, slots=True)
class Prices:
    rates: Mapping[str, int] = field(default_factory=_default_rates)  # model -> unit price

    @classmethod
    def from_settings(cls, settings: Settings) -> Prices:
        return cls({spec.name: to_cents(settings.cost(spec)) for spec in registry.ALL})

    def rate(self, model: str) -> int:
        """The price of one picture, or of 5 s of video at 720p."""
        registry.by_name(model)  # an unknown model is an error, never a free job
        return self.rates[model]

    def per_second(self, model: str, quality: str) -> float:
        return per_second(self.rate(model), quality)

    def reserve(self, model: str, options: Mapping[str, Any]) -> int:
        """The reservation for a job: everything it may produce."""
        return registry.by_name(model).price.reserve(self.rate(model), options)

    def settle(self, model: str, options: Mapping[str, Any], produced: int) -> int:
        """What a finished job is charged: `produced` pictures, or the video's seconds."""
        return registry.by_name(model).price.charge(self.rate(model), options, produced)

    def cost(
        self,
        model: str,
        *,
        n: int = 1,
        duration: int = limits.DEFAULT_DURATION,
        quality: str = limits.DEFAULT_QUALITY,
    ) -> int:
        """`reserve` with the usual options spelled out."""
        return self.reserve(model, {"n": n, "duration": duration, "quality": quality})

    def charge(
        self, model: str, *, images: int = 0, seconds: float = 0.0, quality: str = "720p"
    ) -> int:
        """`settle` for `images` pictures or `seconds` of video."""
        options = {"produced_seconds": seconds, "duration": seconds, "quality": quality}
        return self.settle(model, options, images)
