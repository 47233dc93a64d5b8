"""End-to-end: generation requests that are refused, fail at Evolink, or meet HTTP errors.

Issue #3 (items 5, 6 and 10). Refusals must cost nothing and reach nobody: no request at all
to Evolink. Failures must end with a plain-words status message, never a traceback or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.messages import t
from bot.texts.plurals import Count
from tests.e2e.conftest import ADMIN_ID, Harness, jpeg, png
from tests.e2e.outcomes import body, failure_reason
from tests.e2e.test_generation import CREATE_PATHS, Json, Scene

# --- 5. refusals: a clear reply, nothing sent to Evolink ---------------------------------------


@dataclass(frozen=True)
class Refusal:
    name: str
    command: str  # text, or the caption when `photos` is set
    expected: str  # the whole reply, or a fragment of it when `exact` is False
    photos: tuple[tuple[int, int], ...] = ()
    exact: bool = True
    fragments: tuple[str, ...] = ()


REFUSALS = [
    Refusal("empty prompt", "/imagine", t("usage_imagine")),
    Refusal("empty prompt, flags only", "/imagine --n 2 --raw", t("usage_imagine")),
    Refusal(
        "2001 characters",
        "/imagine " + "x" * 2001,
        t("prompt_too_long", length=2001, max=2000),
    ),
    Refusal("n 5", "/imagine cats --n 5", t("bad_n", value="5", min=1, max=4)),
    Refusal(
        "size 100x100",
        "/imagine cats --size 100x100",
        "--size 100x100 is not allowed",
        exact=False,
        fragments=("10000 pixels", "768x768", "1440x1440"),
    ),
    Refusal("ar 9:1", "/imagine cats --ar 9:1", t("bad_ar", value="9:1")),
    Refusal("edit without a photo", "/edit make it night", t("edit_needs_photo")),
    Refusal("animate without a photo", "/animate waves", t("animate_needs_photo")),
    Refusal(
        "3 photos with --model wan",
        "/edit merge them --model wan",
        t("too_many_photos", count=Count(3, "photo"), model="wan", max=2, hint=t("hint_use_qwen")),
        photos=((800, 600), (800, 600), (800, 600)),
    ),
    Refusal(
        "300x300 photo",
        "/edit make it night",
        t("photo_too_small", index=1, width=300, height=300, model="wan", min=384),
        photos=((300, 300),),
        fragments=("300x300", "384"),
    ),
    Refusal(
        "second album photo too small",
        "/edit blend them",
        t("photo_too_small", index=2, width=300, height=300, model="wan", min=384),
        photos=((800, 600), (300, 300)),
    ),
    Refusal(
        "2 photos for animate",
        "/animate make them move",
        t("too_many_photos", count=Count(2, "photo"), model="animate", max=1, hint=""),
        photos=((800, 600), (800, 600)),
    ),
    Refusal(
        "4 photos for qwen",
        "/edit merge them --model qwen",
        t("too_many_photos", count=Count(4, "photo"), model="qwen", max=3, hint=""),
        photos=((800, 600),) * 4,
    ),
    Refusal(
        "unknown flag",
        "/imagine cats --style anime",
        t("unknown_flag", flag="--style", command="imagine", allowed="--ar, --size, --n, --raw"),
    ),
    Refusal(
        "flag of another command",
        "/animate waves --n 2",
        "I don't know the option --n",
        photos=((640, 480),),
        exact=False,
    ),
    Refusal(
        "duration 7",
        "/animate waves --duration 7",
        t("bad_duration", value="7"),
        photos=((640, 480),),
    ),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[r.name for r in REFUSALS])
async def test_refusals_reply_and_reach_nobody(harness: Harness, case: Refusal) -> None:
    await harness.start()
    s = Scene(harness)
    if len(case.photos) > 1:
        items = s.album([jpeg(w, h) for w, h in case.photos], case.command)
        request = items[0]
    elif case.photos:
        request = s.photo(jpeg(*case.photos[0]), case.command)
    else:
        request = s.say(case.command)

    answer = await s.reply(request, lambda m: "text" in m)
    text = answer["text"]
    if case.exact:
        assert text == case.expected
    else:
        assert text.startswith(case.expected), text
    for fragment in case.fragments:
        assert fragment in text
    assert s.status(request) is None  # no job was created
    assert harness.evo.requests == []  # not even an upload
    assert len(s.tg.bot_messages(s.chat_id)) == 1


async def test_refusal_costs_nothing(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    request = s.say("/imagine cats --n 5")
    await s.reply(request, lambda m: "text" in m)
    quota = s.say("/quota")
    answer = await s.reply(quota, lambda m: "text" in m)
    assert answer["text"].startswith("Daily credits: 10 of 10 left")


async def test_a_too_small_image_file_is_refused_with_the_numbers(harness: Harness) -> None:
    """A file carries no size metadata, so the check happens after download: still free."""
    await harness.start()
    s = Scene(harness)
    request = s.tg.send_document(
        s.chat,
        s.alice,
        png(300, 300),
        file_name="small.png",
        mime_type="image/png",
        caption="/edit make it night",
    )
    expected = t("photo_too_small", index=1, width=300, height=300, model="wan", min=384)
    answer = await s.reply(request, lambda m: expected in m.get("text", ""))
    assert "300" in answer["text"] and "384" in answer["text"]
    assert harness.evo.requests == []
    quota = s.say("/quota")
    balance = await s.reply(quota, lambda m: "text" in m)
    assert balance["text"].startswith("Daily credits: 10 of 10 left")


@pytest.mark.parametrize(
    ("file_name", "mime_type", "caption", "key"),
    [
        ("notes.pdf", "application/pdf", "/edit make it nicer", "edit_needs_photo"),
        ("clip.mp4", "video/mp4", "/animate make it move", "animate_needs_photo"),
    ],
)
async def test_a_command_on_a_file_that_is_not_an_image_is_answered(
    harness: Harness, file_name: str, mime_type: str, caption: str, key: str
) -> None:
    """PRODUCT §7: never silence, even when the caption's file is no picture."""
    await harness.start()
    s = Scene(harness)
    request = s.tg.send_document(
        s.chat,
        s.alice,
        b"%PDF-1.4 not a picture",
        file_name=file_name,
        mime_type=mime_type,
        caption=caption,
    )
    answer = await s.reply(request, lambda m: "text" in m, timeout=5)
    assert answer["text"] == t(key)
    assert harness.evo.requests == []


# --- 6. tasks that fail or never finish ---------------------------------------------------------


def assert_plain_words(s: Scene) -> None:
    """No bot message shows a traceback, JSON or a raw Evolink error code."""
    for message in s.tg.bot_messages(s.chat_id):
        text = message.get("text") or message.get("caption") or ""
        for bad in ("Traceback", "{", "}", "_violation", "Exception", "Error:"):
            assert bad not in text, text


async def test_content_policy_failure_is_explained(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    harness.evo.fail_next_tasks("content_policy_violation", "Content blocked by safety filter")
    request = s.say("/imagine something forbidden")

    final = await s.final_status(request)
    # Made from words alone: the reason never mentions "the photo".
    assert failure_reason(final) == t("err_content_policy_text")
    assert not any(m.get("photo") for m in s.tg.bot_messages(s.chat_id))
    assert_plain_words(s)


async def test_a_stalled_task_times_out(harness: Harness) -> None:
    await harness.start(image_timeout_seconds=2)
    s = Scene(harness)
    harness.evo.stall_next_tasks()
    request = s.say("/imagine a slow snail")

    final = await s.final_status(request, timeout=10)
    assert failure_reason(final) == t("err_timeout")
    assert_plain_words(s)
    quota = s.say("/quota")
    balance = await s.reply(quota, lambda m: "text" in m)
    assert balance["text"].startswith("Daily credits: 10 of 10 left")


# --- 10. Evolink HTTP errors --------------------------------------------------------------------


def create_calls(h: Harness) -> list[Json]:
    return [
        r.json
        for r in h.evo.requests
        if r.method == "POST" and r.path in CREATE_PATHS and isinstance(r.json, dict)
    ]


async def test_server_errors_on_create_are_retried(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    harness.evo.http_error_next(500, times=2, endpoint="/v1/images")
    request = s.say("/imagine a resilient robot")

    photo = await s.result(request)
    assert body(photo) == "a resilient robot"
    calls = create_calls(harness)
    assert len(calls) == 3
    assert calls[0] == calls[1] == calls[2]
    assert len(harness.evo.tasks) == 1


async def test_out_of_credits_at_evolink_alerts_the_admin_once(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    admin = s.tg.user(ADMIN_ID, "Admin", username="admin")
    s.tg.private_chat(admin)
    harness.evo.http_error_next(402, times=2, endpoint="/v1/images")
    first = s.say("/imagine a costly castle")
    second = s.say("/imagine another costly castle")

    unavailable = t("err_unavailable")
    assert failure_reason(await s.final_status(first)) == unavailable
    assert failure_reason(await s.final_status(second)) == unavailable
    assert len(create_calls(harness)) == 2  # 402 is not retried
    alerts = s.tg.bot_messages(ADMIN_ID)
    assert [m["text"] for m in alerts] == [t("alert_402")]  # one alert for both jobs
    assert_plain_words(s)
    quota = s.say("/quota")
    balance = await s.reply(quota, lambda m: "text" in m)
    assert balance["text"].startswith("Daily credits: 10 of 10 left")


async def test_a_dropped_create_is_not_retried(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    harness.evo.drop_next(after_processing=True, endpoint="/v1/images")
    request = s.say("/imagine a lost letter")

    final = await s.final_status(request)
    assert failure_reason(final) == t("err_submission_unknown")
    assert len(create_calls(harness)) == 1
    assert len(harness.evo.tasks) == 1  # Evolink did start it; the answer was lost
    assert not any(m.get("photo") for m in s.tg.bot_messages(s.chat_id))
    quota = s.say("/quota")
    balance = await s.reply(quota, lambda m: "text" in m)
    assert balance["text"].startswith("Daily credits: 10 of 10 left")


@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("invalid_parameters", "err_bad_input"),
        ("image_processing_error", "err_bad_input"),
        ("generation_failed_no_content", "err_no_content"),
        ("service_error", "err_retry_later"),
        ("quota_exceeded", "err_retry_later"),
        ("some_new_code", "err_retry_later"),
    ],
)
async def test_task_failure_codes_are_told_in_plain_words(
    harness: Harness, code: str, key: str
) -> None:
    await harness.start()
    s = Scene(harness)
    harness.evo.fail_next_tasks(code)
    request = s.photo(jpeg(800, 600), "/edit make it night")

    assert failure_reason(await s.final_status(request)) == t(key)
    assert_plain_words(s)


async def test_transient_errors_on_every_other_call_are_retried(harness: Harness) -> None:
    """Uploads, status checks and result downloads are retried on 5xx; create on 429."""
    await harness.start()
    s = Scene(harness)
    evo = harness.evo
    evo.http_error_next(503, times=2, endpoint="/api/v1/files")
    evo.http_error_next(429, endpoint="/v1/images", retry_after=0.01)
    evo.http_error_next(502, times=2, endpoint="/v1/tasks")
    evo.http_error_next(500, times=2, endpoint="/results")
    request = s.photo(jpeg(800, 600), "/edit make it night")

    photo = await s.result(request)
    assert body(photo) == "make it night"
    assert len(create_calls(harness)) == 2
    assert len(evo.uploads) == 1
    assert (await s.final_status(request)).startswith("✅")


@pytest.mark.parametrize("status", [401, 403])
async def test_key_or_model_refused_alerts_the_admin(harness: Harness, status: int) -> None:
    await harness.start()
    s = Scene(harness)
    s.tg.private_chat(s.tg.user(ADMIN_ID, "Admin"))
    harness.evo.http_error_next(status, endpoint="/v1/videos")
    request = s.photo(jpeg(640, 480), "/animate the leaves fall")

    assert failure_reason(await s.final_status(request)) == t("err_unavailable")
    assert len(create_calls(harness)) == 1
    assert [m["text"] for m in s.tg.bot_messages(ADMIN_ID)] == [t(f"alert_{status}")]


async def test_a_second_command_in_one_album_is_answered_not_ignored(harness: Harness) -> None:
    """An album takes one command; a second captioned item gets a reply saying so (never
    silence, PRODUCT §7), and only one job runs."""
    await harness.start()
    tg = harness.tg
    alice = tg.user(8201, "Alice")
    chat = tg.private_chat(alice)
    first = tg.send_photo(
        chat, alice, jpeg(800, 600), caption="/edit make it blue", media_group_id="g2"
    )
    second = tg.send_photo(
        chat, alice, jpeg(800, 600), caption="/edit make it red", media_group_id="g2"
    )
    notice = t("album_one_command", None)
    answer = await harness.reply_in(chat["id"], lambda m: m.get("text") == notice)
    answered = answer["reply_to_message"]["message_id"]
    assert answered in (first["message_id"], second["message_id"])
    await harness.reply_in(chat["id"], lambda m: bool(m.get("photo")))
    assert len(harness.evo.generation_requests()) == 1
