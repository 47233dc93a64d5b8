"""Prices and charges (PRODUCT.md §5 defaults), in hundredths of a credit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.config import Settings
from bot.models import (
    qwen_image_edit,
    wan25_image_to_image,
    wan25_image_to_video,
    wan25_text_to_image,
)
from bot.pricing import Prices

PRICES = Prices()


@pytest.mark.parametrize(
    ("model", "kwargs", "cents"),
    [
        (wan25_text_to_image.NAME, {"n": 1}, 100),
        (wan25_text_to_image.NAME, {"n": 4}, 400),
        (wan25_image_to_image.NAME, {"n": 1}, 120),
        (wan25_image_to_image.NAME, {"n": 3}, 360),
        (qwen_image_edit.NAME, {"n": 4}, 100),  # qwen makes one picture whatever n says
        (wan25_image_to_video.NAME, {"duration": 5, "quality": "720p"}, 500),
        (wan25_image_to_video.NAME, {"duration": 10, "quality": "720p"}, 1000),
        (wan25_image_to_video.NAME, {"duration": 5, "quality": "480p"}, 250),
        (wan25_image_to_video.NAME, {"duration": 10, "quality": "1080p"}, 2000),
    ],
)
def test_reservation_covers_everything_the_job_may_produce(model, kwargs, cents) -> None:
    assert PRICES.cost(model, **kwargs) == cents


def test_charge_is_per_image_or_second_produced() -> None:
    assert PRICES.charge(wan25_text_to_image.NAME, images=3) == 300
    assert PRICES.charge(wan25_image_to_image.NAME, images=1) == 120
    assert PRICES.charge(wan25_image_to_image.NAME, images=0) == 0
    assert PRICES.charge(wan25_image_to_video.NAME, seconds=5, quality="720p") == 500
    assert PRICES.charge(wan25_image_to_video.NAME, seconds=4.2, quality="720p") == 420
    assert PRICES.charge(wan25_image_to_video.NAME, seconds=10, quality="1080p") == 2000


def test_prices_come_from_settings() -> None:
    settings = Settings(
        _env_file=None,
        telegram_bot_token="1:x",
        evolink_api_key="k",
        cost_text_to_image=Decimal("0.5"),
        cost_image_to_image=Decimal("2"),
        cost_qwen_edit=Decimal("1.25"),
        cost_video_5s_720p=Decimal("8"),
    )
    prices = Prices.from_settings(settings)
    models = (
        wan25_text_to_image.NAME,
        wan25_image_to_image.NAME,
        qwen_image_edit.NAME,
        wan25_image_to_video.NAME,
    )
    assert [prices.rate(model) for model in models] == [50, 200, 125, 800]
    assert prices.cost(wan25_image_to_video.NAME, duration=10, quality="480p") == 800
