"""End-to-end: `/video <prompt>` (wan2.5-text-to-video), added through the model registry."""

from __future__ import annotations

from bot.messages import t
from bot.mp4 import probe
from tests.e2e.conftest import Harness
from tests.e2e.outcomes import body
from tests.e2e.test_generation import Scene, buttons, job_id_of
from tests.fakes.evolink.media import ASSETS

TEXT_TO_VIDEO = "wan2.5-text-to-video"


async def test_video_delivers_a_video_with_an_again_button(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness, "group")
    request = s.say(s.cmd("/video a paper boat in the rain"))

    video = await s.result(request, "video")
    assert body(video) == s.caption("a paper boat in the rain")
    assert video["reply_to_message"]["message_id"] == request["message_id"]
    assert buttons(video) == [f"again:{job_id_of(video)}"]  # no Animate on a video
    # Stated from the MP4 itself, so clients show the size and length before playing it.
    facts = probe((ASSETS / "video-5s.mp4").read_bytes())
    assert facts is not None
    assert (video["video"]["duration"], video["video"]["width"], video["video"]["height"]) == facts
    [create] = s.creates()
    assert create["model"] == TEXT_TO_VIDEO
    # aspect_ratio, duration and quality are always sent; no image inputs at all.
    assert (create["aspect_ratio"], create["duration"], create["quality"]) == (
        "16:9",
        5,
        "720p",
    )
    assert "image_urls" not in create
    assert (await s.final_status(request)).startswith("✅")


async def test_video_options_reach_evolink_and_are_priced_per_second(harness: Harness) -> None:
    await harness.start(daily_credits=100)  # 10 s at 1080p costs 20 credits
    s = Scene(harness)
    request = s.say("/video --ar 3:4 slow pan --duration 10 --quality 1080p --raw")

    await s.result(request, "video")
    [create] = s.creates()
    assert (create["aspect_ratio"], create["duration"], create["quality"]) == ("3:4", 10, "1080p")
    assert create["prompt"] == "slow pan"
    assert create["prompt_extend"] is False
    await s.final_status(request)
    # Reserved for 10 s at 1080p (double the 720p price), charged for the seconds produced.
    assert harness.ledger(1001) == [("reserve", 2000), ("charge", 2000)]


async def test_again_on_a_video_repeats_it(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    request = s.say("/video waves --quality 480p")
    video = await s.result(request, "video")
    s.tg.press_button(s.chat, s.alice, video["message_id"], f"again:{job_id_of(video)}")
    await s.wait(lambda: len(s.creates()) == 2)
    first, second = s.creates()
    assert first == second
    assert first["quality"] == "480p"


async def test_four_by_three_at_480p_is_refused_with_the_rule(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    request = s.say("/video a cat --ar 4:3 --quality 480p")

    answer = await s.reply(request, lambda m: "text" in m)
    assert answer["text"] == t("video_ar_quality", ar="4:3", quality="480p")
    assert "720p or 1080p" in answer["text"]
    refused = s.say("/video a cat --ar 21:9")
    answer = await s.reply(refused, lambda m: "text" in m)
    assert answer["text"] == t("bad_video_ar", value="21:9")
    assert s.creates() == []
    assert harness.ledger(1001) == []  # bad input costs nothing
