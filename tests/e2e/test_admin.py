"""Issue #4 end to end: the admin commands of PRODUCT.md §6, by an admin and by anyone else,
and the admin alerts when Evolink refuses the key, the balance or a model."""

from __future__ import annotations

import io

from PIL import Image

from bot.messages import t
from tests.e2e.conftest import ADMIN_ID, BOT_USERNAME, Harness
from tests.e2e.test_quota import (
    ADMIN_ONLY,
    BANNED,
    CANCELLED,
    MONDAY_1330,
    PAUSED,
    Person,
    admin,
    callback_data,
    generations,
    job_id_of,
    manual_tuning,
    quota_text,
    text_of,
)

REFILL = "00:00 UTC (in 10 h 30 min)"
FULL = quota_text("10", "10", REFILL)


async def start(harness: Harness, **settings: object) -> None:
    tuning, _ = manual_tuning(MONDAY_1330)
    harness.evo.task_duration = 0.05
    await harness.start(tuning=tuning, **settings)


# --- everyone else is told the command is for admins, and nothing changes --------------------


async def test_admin_commands_refuse_everyone_else(harness: Harness) -> None:
    await start(harness)
    alice = Person(harness, 1001, "Alice", "alice")
    mallory = Person(harness, 1666, "Mallory", "mallory")
    await alice.ask("/start")
    await mallory.ask("/start")
    credits_calls = len([r for r in harness.evo.requests if r.path == "/v1/credits"])

    for command in (
        "/grant @mallory 100",
        "/grant 1666 100",
        "/setlimit @mallory 1000",
        "/setlimit @alice 0",
        "/ban @alice",
        "/ban 1001 spam",
        "/unban @mallory",
        "/stats",
        "/stats 30",
        "/balance",
        "/pause",
        "/resume",
    ):
        assert await mallory.ask(command) == ADMIN_ONLY, command
    # The reply form too: in a group, answering Alice's message.
    team = harness.tg.group_chat(-100500, "Team")
    said = alice.in_chat(team).send("hello")
    assert await mallory.in_chat(team).ask("/ban", reply_to=said["message_id"]) == ADMIN_ONLY
    assert await mallory.in_chat(team).ask("/grant 50", reply_to=said["message_id"]) == ADMIN_ONLY

    assert await mallory.ask("/quota") == FULL
    assert await alice.ask("/quota") == FULL
    assert len([r for r in harness.evo.requests if r.path == "/v1/credits"]) == credits_calls
    # Not paused, Alice not banned: her job runs straight away.
    photo = await alice.generate("still allowed")
    assert text_of(photo) == "still allowed"
    assert not [m for m in harness.tg.bot_messages(mallory.chat["id"]) if m.get("photo")]


# --- /grant -----------------------------------------------------------------------------------


async def test_grant_by_id_username_and_reply_never_below_zero(harness: Harness) -> None:
    await start(harness)
    boss = admin(harness)
    alice = Person(harness, 1001, "Alice", "alice")

    assert await boss.ask("/grant @alice 5") == (
        "I don't know the user @alice. Use a numeric id, an @username I have seen, or reply "
        "to one of their messages."
    )
    await alice.ask("/start")
    assert await boss.ask("/grant 1001 5") == (
        "Granted 5 credits to @alice (1001). Their bonus balance is now 5."
    )
    assert await boss.ask("/grant @Alice 2.5") == (
        "Granted 2.5 credits to @alice (1001). Their bonus balance is now 7.5."
    )
    team = harness.tg.group_chat(-100500, "Team")
    said = alice.in_chat(team).send("may I have some more?")
    assert await boss.in_chat(team).ask("/grant 1.25", reply_to=said["message_id"]) == (
        "Granted 1.25 credits to @alice (1001). Their bonus balance is now 8.75."
    )
    assert await alice.ask("/quota") == quota_text("10", "10", REFILL, bonus="8.75")

    assert await boss.ask("/grant @alice -3") == (
        "Granted -3 credits to @alice (1001). Their bonus balance is now 5.75."
    )
    taken = await boss.ask("/grant @alice -100")
    assert taken.endswith("Their bonus balance is now 0."), taken
    assert await alice.ask("/quota") == FULL
    # A later grant starts from zero, not from a debt.
    assert (await boss.ask("/grant @alice 1")).endswith("now 1.")
    assert await alice.ask("/quota") == quota_text("10", "10", REFILL, bonus="1")

    assert await boss.ask("/grant @alice lots") == "lots is not a number of credits."
    assert await boss.ask("/grant @alice") == (
        "Usage: /grant <user> <credits> (or as a reply: /grant <credits>)"
    )
    assert await boss.ask("/grant @alice nan") == "nan is not a number of credits."
    # Absurd numbers get an answer too, not silence (they used to overflow SQLite).
    assert await boss.ask("/grant @alice 1e30") == "1e30 is not a number of credits."
    assert await boss.ask("/grant 99999999999999999999 5") == (
        "I don't know the user 99999999999999999999. Use a numeric id, an @username I have "
        "seen, or reply to one of their messages."
    )
    assert await alice.ask("/quota") == quota_text("10", "10", REFILL, bonus="1")


# --- /setlimit --------------------------------------------------------------------------------


async def test_setlimit_number_and_default(harness: Harness) -> None:
    await start(harness)
    boss = admin(harness)
    alice = Person(harness, 1001, "Alice", "alice")
    await alice.ask("/start")

    assert (
        await boss.ask("/setlimit @alice 3")
        == "@alice (1001) now gets 3 credits a day (3 left today)."
    )
    assert await alice.ask("/quota") == quota_text("3", "3", REFILL)
    await alice.generate("one of three")
    assert (
        await boss.ask("/setlimit 1001 5")
        == "@alice (1001) now gets 5 credits a day (4 left today)."
    )
    assert await alice.ask("/quota") == quota_text("4", "5", REFILL)
    assert await boss.ask("/setlimit @alice default") == (
        "@alice (1001) now gets 10 credits a day (9 left today)."
    )
    assert await alice.ask("/quota") == quota_text("9", "10", REFILL)
    assert (
        await boss.ask("/setlimit @alice 0")
        == "@alice (1001) now gets 0 credits a day (0 left today)."
    )
    refused = await alice.ask("/imagine not today")
    assert refused.startswith("Not enough credits: this costs 1 credit, you have 0 left today.")
    assert await alice.ask("/quota") == quota_text("0", "0", REFILL)
    assert await boss.ask("/setlimit @alice -1") == "-1 is not a number of credits."
    assert await boss.ask("/setlimit @alice many") == "many is not a number of credits."
    assert await boss.ask("/setlimit @alice 1e30") == "1e30 is not a number of credits."
    assert (
        await boss.ask("/setlimit @alice")
        == "Usage: /setlimit <user | group chat id | here> <credits | default>"
    )
    assert await alice.ask("/quota") == quota_text("0", "0", REFILL)
    assert generations(harness) == 1


# --- /ban and /unban --------------------------------------------------------------------------


async def test_ban_withdraws_queued_jobs_and_unban_lets_them_back(harness: Harness) -> None:
    await start(harness)
    boss = admin(harness)
    alice = Person(harness, 1001, "Alice", "alice")

    await boss.ask("/pause")
    queued = [await alice.status_of(f"/imagine queued {i}") for i in (1, 2)]
    assert await alice.ask("/quota") == quota_text("8", "10", REFILL, queued=2)

    assert await boss.ask("/ban @alice spamming") == (
        "@alice (1001) is banned (reason: spamming). Waiting jobs withdrawn and refunded: 2. "
        "They were told."
    )
    # The ban explains itself to her, at once and whenever she writes.
    told = f"{BANNED} Reason: spamming"
    assert told in [text_of(m) for m in harness.tg.bot_messages(alice.chat["id"])]
    for status in queued:
        await alice.wait_status(status, lambda t: t.startswith(CANCELLED))
    for command in ("/imagine let me in", "/quota", "/help", "/jobs", "/cancel"):
        request = alice.send(command)
        answer = await alice.answer_to(request)
        assert text_of(answer) == told, command
        assert not callback_data(answer)
    await boss.ask("/resume")
    assert (await boss.ask("/quota")).startswith("You are an admin")  # a later round trip
    for request in [m for m in harness.tg.messages(alice.chat["id"]) if m["from"]["id"] == 1001]:
        assert len(alice.answers_to(request)) <= 1
    assert generations(harness) == 0

    assert await boss.ask("/unban @alice") == "@alice (1001) is no longer banned."
    assert await alice.ask("/quota") == FULL  # both reservations came back
    jobs = await alice.ask("/jobs")
    for status in queued:
        assert f"#{job_id_of(status)} /imagine · cancelled · 0 charged" in jobs
    await alice.generate("welcome back")
    assert generations(harness) == 1
    assert (
        await boss.ask("/ban 424242")
        == "user 424242 is banned. Waiting jobs withdrawn and refunded: 0. I couldn't tell "
        "them: they have no private chat with me."
    )
    assert await boss.ask("/unban") == "Usage: /unban <user>"

    # In a group, by replying to her message, with a reason after the command.
    team = harness.tg.group_chat(-100500, "Team")
    said = alice.in_chat(team).send("buy cheap credits here")
    in_team = boss.in_chat(team)
    assert await in_team.ask("/ban flooding the chat", reply_to=said["message_id"]) == (
        "@alice (1001) is banned (reason: flooding the chat). Waiting jobs withdrawn and "
        "refunded: 0. They were told."
    )
    assert await alice.in_chat(team).ask(f"/imagine@{BOT_USERNAME} me again") == (
        f"{BANNED} Reason: flooding the chat"
    )
    assert await in_team.ask("/unban", reply_to=said["message_id"]) == (
        "@alice (1001) is no longer banned."
    )
    assert await alice.ask("/quota") == quota_text("9", "10", REFILL)


# --- /stats -----------------------------------------------------------------------------------


async def test_stats_text_and_chart(harness: Harness) -> None:
    await start(harness)
    boss = admin(harness)
    alice = Person(harness, 1001, "Alice", "alice")
    bob = Person(harness, 1002, "Bob", "bob")

    await alice.generate("first")
    await alice.generate("second")
    harness.evo.fail_next_tasks("content_policy_violation")
    failed = await bob.status_of("/imagine not allowed")
    await bob.wait_status(failed, lambda t: t.startswith("❌"))

    request = boss.send("/stats")
    text = text_of(await boss.answer_to(request))
    assert text.startswith(
        "Last 7 days. Jobs: 3. Credits used: 2. Failure rate: 33%. Median time to result: 0 s."
    )
    assert "By model and outcome:\nwan2.5-text-to-image: done 2, failed 1" in text
    assert "Top users:\n@alice (1001): jobs 2, credits 2\n@bob (1002): jobs 1, credits 0" in text

    chart = await harness.reply_in(boss.chat["id"], lambda m: bool(m.get("photo")))
    assert chart["message_id"] > request["message_id"]
    # The bot uploaded a PNG ...
    uploads = [c for c in harness.tg.calls_to("sendPhoto") if c.chat_id == ADMIN_ID]
    assert [(c.status, c.files["photo"][:2]) for c in uploads] == [
        (200, ("stats.png", "image/png"))
    ]
    # ... and what the chat shows (Telegram's JPEG rendition of it) is a whole 800x400 chart.
    data = harness.tg.file_bytes(chart["photo"][-1]["file_id"])
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (800, 400)
        colours = image.convert("RGB").getcolors(1 << 20) or []
        assert len(colours) > 50  # bars, axes and labels, not a blank picture

    assert (await boss.ask("/stats 30")).startswith("Last 30 days. Jobs: 3.")
    assert (await boss.ask("/stats 1")).startswith("Last 1 day. Jobs: 3.")
    assert (await boss.ask("/stats 366")).startswith("Last 366 days.")
    for wrong in ("0", "-3", "367", "99999999999999999999", "abc", "²", "7 8"):
        assert await boss.ask(f"/stats {wrong}") == t("stats_usage", "en", max=366), wrong


# --- /balance ---------------------------------------------------------------------------------


async def test_balance_shows_the_evolink_credits(harness: Harness) -> None:
    await start(harness)
    boss = admin(harness)
    harness.evo.credits = 1234.5

    assert await boss.ask("/balance") == (
        "Evolink credits: 1234.50 remaining on the account; this key: 1234.50 left."
    )
    harness.evo.credits = 0
    assert (await boss.ask("/balance")).startswith("Evolink credits: 0.00 remaining")
    harness.evo.http_error_next(401, endpoint="/v1/credits")
    failed = await boss.ask("/balance")
    assert failed.startswith("Couldn't read the Evolink balance:")
    assert harness.settings().evolink_api_key.get_secret_value() not in failed


# --- /pause and /resume -----------------------------------------------------------------------


async def test_pause_keeps_jobs_queued_and_resume_starts_them(harness: Harness) -> None:
    await start(harness)
    boss = admin(harness)
    alice = Person(harness, 1001, "Alice", "alice")

    assert await boss.ask("/pause") == (
        "Paused: new jobs wait in the queue; running ones finish. /resume to continue."
    )
    first = alice.send("/imagine after the pause 1")
    second = alice.send("/imagine after the pause 2")
    for request in (first, second):
        status = await alice.answer_to(request)
        assert text_of(status).startswith(PAUSED)
    assert await alice.ask("/quota") == quota_text("8", "10", REFILL, queued=2)
    assert generations(harness) == 0
    # The admin's own jobs wait too.
    own = await boss.status_of("/imagine the boss waits as well")
    assert text_of(own).startswith(f"{PAUSED}{job_id_of(own)} is 3rd in line.")
    assert generations(harness) == 0

    assert await boss.ask("/resume") == "Resumed: submitting again."
    for request in (first, second):
        await alice.result_of(request)
    await boss.wait_status(own, lambda t: t.startswith("✅ Job #"))
    assert generations(harness) == 3
    assert await alice.ask("/quota") == quota_text("8", "10", REFILL)


# --- alerts on 401/402/403 --------------------------------------------------------------------


async def test_admin_alerts_once_per_kind(harness: Harness) -> None:
    await start(harness)
    boss = admin(harness)
    await boss.ask("/start")  # the admin has opened a chat with the bot, so alerts can reach him
    alice = Person(harness, 1001, "Alice", "alice")
    unavailable = (
        "Generation is unavailable right now; the operator has been told. Please try "
        "again later. Nothing was charged."
    )

    def alerts(code: str) -> list[str]:
        return [text_of(m) for m in harness.tg.bot_messages(ADMIN_ID) if f"({code})" in text_of(m)]

    harness.evo.credits = 0  # every create answers 402
    statuses = [await alice.status_of(f"/imagine no money {i}") for i in (1, 2)]
    for status in statuses:
        assert (await alice.wait_status(status, lambda t: t.startswith("❌"))).partition(": ")[
            2
        ] == unavailable
    assert alerts("402") == [
        "⚠️ The Evolink account is out of credits (402). Top it up; users are being told the "
        "service is unavailable and are not charged."
    ]
    assert await alice.ask("/quota") == FULL

    harness.evo.credits = 1000
    harness.evo.http_error_next(401, endpoint="/v1/images")
    status = await alice.status_of("/imagine bad key")
    assert (await alice.wait_status(status, lambda t: t.startswith("❌"))).partition(": ")[
        2
    ] == unavailable
    harness.evo.model_access_denied.add("wan2.5-text-to-image")
    status = await alice.status_of("/imagine no access")
    assert (await alice.wait_status(status, lambda t: t.startswith("❌"))).partition(": ")[
        2
    ] == unavailable
    harness.evo.model_access_denied.clear()
    harness.evo.credits = 0
    status = await alice.status_of("/imagine still no money")
    await alice.wait_status(status, lambda t: t.startswith("❌"))

    assert len(alerts("401")) == 1 and "EVOLINK_API_KEY" in alerts("401")[0]
    assert len(alerts("402")) == 1
    assert len(alerts("403")) == 1 and "model" in alerts("403")[0]
    # Only the admin hears about it; the user was not charged for any of it.
    assert [m for m in harness.tg.bot_messages(alice.chat["id"]) if "⚠️" in text_of(m)] == []
    assert await alice.ask("/quota") == FULL


async def test_an_admin_cannot_be_banned(harness: Harness) -> None:
    """PRODUCT §6: the ban is refused, and the admin's waiting jobs stay."""
    await start(harness)
    boss = admin(harness)
    await boss.ask("/pause")
    waiting = await boss.status_of("/imagine still mine")
    answer = await boss.ask(f"/ban {ADMIN_ID}")
    assert answer == f"@boss ({ADMIN_ID}) is an admin (ADMIN_IDS) and can't be banned."
    await boss.ask("/resume")
    await boss.wait_status(waiting, lambda text: text.startswith("✅"))
