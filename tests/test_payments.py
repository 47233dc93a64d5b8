"""Stars packs, signed payloads and purchases in storage (PRODUCT.md §5a), below the handlers."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from telegram import Update

from bot.config import load_settings
from bot.fairness import FairUpdateProcessor
from bot.packs import (
    MAX_STARS,
    PAYLOAD_MAX_BYTES,
    CreditPack,
    find_pack,
    make_payload,
    parse_packs,
    read_payload,
    signing_key,
)
from storage import Storage
from storage.schema import MIGRATIONS
from tests.conftest import ManualClock, assert_ledger_explains, open_storage

KEY = signing_key("123456:TEST-TOKEN")


# --- CREDIT_PACKS -----------------------------------------------------------------------------


def test_packs_are_credits_for_stars() -> None:
    assert parse_packs("100:50, 500:200,2.5:1,") == (
        CreditPack(10000, 50),
        CreditPack(50000, 200),
        CreditPack(250, 1),
    )
    assert parse_packs("") == ()
    assert find_pack(parse_packs("100:50"), "10000:50") == CreditPack(10000, 50)
    assert find_pack(parse_packs("100:50"), "10000:60") is None


@pytest.mark.parametrize(
    "text",
    ["100", "100:", ":50", "abc:50", "100:0", "0:50", "-5:50", "100:1.5", "0.001:5", "nan:5",
     f"100:{MAX_STARS + 1}", "100:50,100:50"],
)  # fmt: skip
def test_a_malformed_pack_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not credits:stars|is listed twice"):
        parse_packs(text)


def test_bad_packs_are_named_in_the_one_line_with_the_other_bad_variables(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("EVOLINK_API_KEY", "key")
    monkeypatch.setenv("CREDIT_PACKS", "100:50,lots:10")
    monkeypatch.setenv("MAX_ACTIVE_TOTAL", "0")
    with pytest.raises(SystemExit) as stopped:
        load_settings()
    assert stopped.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "CREDIT_PACKS is invalid ('lots:10' is not credits:stars" in line
    assert "MAX_ACTIVE_TOTAL is invalid" in line


def test_packs_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("EVOLINK_API_KEY", "key")
    monkeypatch.setenv("CREDIT_PACKS", "100:50")
    assert load_settings().credit_packs == (CreditPack(10000, 50),)
    monkeypatch.delenv("CREDIT_PACKS")
    assert load_settings().credit_packs == ()


# --- payloads ---------------------------------------------------------------------------------


def test_a_payload_names_pack_price_and_buyer_and_fits_telegrams_limit() -> None:
    pack = CreditPack(100_000_000, MAX_STARS)
    payload = make_payload(KEY, pack, 2**52)
    assert len(payload.encode()) <= PAYLOAD_MAX_BYTES
    order = read_payload(KEY, payload)
    assert order is not None and (order.pack, order.user_id) == (pack, 2**52)
    assert "TEST-TOKEN" not in payload


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.replace(".50.", ".5."),  # the price
        lambda p: p.replace("p1.10000.", "p1.90000."),  # the pack
        lambda p: p.replace(".1001.", ".1002."),  # the buyer
        lambda p: p[:-1] + ("A" if p[-1] != "A" else "B"),  # the signature
        lambda p: p.rpartition(".")[0],  # no signature
        lambda p: "p2" + p[2:],
        lambda p: p.rpartition(".")[0] + ".süß",  # non-ASCII, as a fuzzed payload had
        lambda p: "",
    ],
)
def test_a_changed_payload_is_not_read(change: Callable[[str], str]) -> None:
    payload = make_payload(KEY, CreditPack(10000, 50), 1001)
    assert read_payload(KEY, change(payload)) is None


def test_another_bots_payload_is_not_read() -> None:
    payload = make_payload(signing_key("999:OTHER"), CreditPack(10000, 50), 1001)
    assert read_payload(KEY, payload) is None


# --- storage ----------------------------------------------------------------------------------


async def test_a_charge_counts_once(storage: Storage) -> None:
    first = await storage.purchases.record("ch-1", 1, 10000, 50, "p")
    again = await storage.purchases.record("ch-1", 1, 10000, 50, "p")
    assert (first.added, first.bonus) == (True, 10000)
    assert (again.added, again.bonus) == (False, 10000)
    assert await storage.purchases.bought(1) == (10000, 1)
    await assert_ledger_explains(storage, 1)


async def test_a_refund_takes_back_only_what_is_left_and_only_once(storage: Storage) -> None:
    await storage.users.grant(1, 3000, "gift")
    await storage.purchases.record("ch-1", 1, 10000, 50, "p")
    await storage.users.grant(1, -12000, "spent")  # 1000 of the bonus left
    refunded = await storage.purchases.refund("ch-1")
    assert (refunded.outcome, refunded.taken, refunded.bonus) == ("refunded", 1000, 0)
    assert refunded.purchase is not None and refunded.purchase.taken_back == 1000
    assert (await storage.purchases.refund("ch-1")).outcome == "already"
    assert (await storage.purchases.refund("ch-2")).outcome == "unknown"
    assert await storage.purchases.bought(1) == (0, 0)
    await assert_ledger_explains(storage, 1)
    sales = await storage.purchases.sales(0)
    assert (sales.stars, sales.sold, sales.refunds, sales.refunded_stars) == (50, 1, 1, 50)


async def test_an_older_ledger_is_rebuilt_with_its_rows_and_ids(
    tmp_path: Path, clock: ManualClock
) -> None:
    path = tmp_path / "bot.db"
    # every migration before the one that added purchases
    before = next(
        i for i, script in enumerate(MIGRATIONS) if any("TABLE purchases" in s for s in script)
    )
    with sqlite3.connect(path) as conn:
        for script in MIGRATIONS[:before]:
            for statement in script:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version={before}")
        conn.execute(
            "INSERT INTO users (user_id, bonus, created_at, updated_at) VALUES (7, 500, 0, 0)"
        )
        conn.execute(
            "INSERT INTO ledger (at, user_id, kind, amount, bonus_delta)"
            " VALUES (0, 7, 'grant', 500, 500)"
        )
    storage = await open_storage(path, clock)
    try:
        await storage.purchases.record("ch-1", 7, 10000, 50, "p")
        async with storage.db.read() as conn:
            cur = await conn.execute("SELECT id, kind FROM ledger WHERE user_id = 7 ORDER BY id")
            rows = [tuple(r) for r in await cur.fetchall()]
        assert rows[0] == (1, "grant") and rows[-1][1] == "purchase" and rows[-1][0] > 1
        await assert_ledger_explains(storage, 7)
        with pytest.raises(sqlite3.IntegrityError):
            async with storage.db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO ledger (at, user_id, kind, amount) VALUES (0, 7, 'gift', 1)"
                )
    finally:
        await storage.close()


# --- the fair-use processor -------------------------------------------------------------------


def _update(update_id: int, **message: object) -> Update:
    user = {"id": 1001, "is_bot": False, "first_name": "Alice"}
    chat = {"id": 1001, "type": "private", "first_name": "Alice"}
    fields = {"message_id": update_id, "date": 0, "chat": chat, "from": user, **message}
    return Update.de_json({"update_id": update_id, "message": fields}, None)


async def test_a_successful_payment_is_never_dropped_as_a_flood() -> None:
    processor = FairUpdateProcessor(backlog=0)  # every droppable message is dropped
    handled: list[int] = []

    async def handle(update_id: int) -> None:
        handled.append(update_id)

    paid = {
        "currency": "XTR",
        "total_amount": 50,
        "invoice_payload": "p1",
        "telegram_payment_charge_id": "ch-1",
        "provider_payment_charge_id": "",
    }
    await processor.do_process_update(_update(1, text="hello"), handle(1))
    await processor.do_process_update(_update(2, successful_payment=paid), handle(2))
    assert handled == [2]
