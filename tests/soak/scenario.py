"""The jobs a soak sends and the judge of their outcomes.

A job is one command a user sent. Its outcome is read only from what the user sees in the
fake Telegram, what the fake Evolink was asked, and the bot's SQLite file (jobs, ledger,
users): the soak never looks inside the bot, so it judges whatever the bot becomes.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import random
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from bot.messages import MESSAGES
from tests.fakes.evolink import FakeEvolink
from tests.fakes.telegram import FakeTelegram, FloodLimits

Json = dict[str, Any]

KINDS = ("imagine", "imagine_n", "edit", "edit_album", "animate")
_WEIGHTS = (3, 2, 2, 2, 2)
# Sent in this order per user, so video and album deliveries keep coming late in a run.
_ORDER = {"imagine": 0, "edit": 1, "edit_album": 2, "imagine_n": 3, "animate": 4}
# Default prices in hundredths (PRODUCT §5): per image, or per 5 s video at 720p.
_UNIT_PRICE = {"imagine": 100, "imagine_n": 100, "edit": 120, "edit_album": 120, "animate": 500}
_TEXTS = {
    "imagine": "/imagine soak {tag} a lighthouse at dusk",
    "imagine_n": "/imagine soak {tag} kites over a field --n {n}",
    "edit": "/edit soak {tag} paint it blue",
    "edit_album": "/edit soak {tag} blend these two",
    "animate": "/animate soak {tag} let the waves move",
}
FINAL_STATES = frozenset({"done", "failed", "cancelled"})
_TAG = re.compile(r"\bsoak (j\d+)\b")


@dataclass
class JobSpec:
    tag: str  # "j17": part of the prompt, so Evolink tasks map back to the job
    kind: str
    user_id: int
    n: int = 1
    chat_id: int = 0
    request_ids: list[int] = field(default_factory=list)  # the message(s) with the command

    @property
    def text(self) -> str:
        return _TEXTS[self.kind].format(tag=self.tag, n=self.n)

    @property
    def results_expected(self) -> int:
        return self.n

    def charge_for(self, results: int) -> int:
        """What delivering `results` distinct results should cost, in hundredths."""
        if self.kind == "animate":
            return _UNIT_PRICE["animate"] if results else 0
        return _UNIT_PRICE[self.kind] * results


def fakes(token: str, key: str) -> tuple[FakeTelegram, FakeEvolink]:
    """Both fakes as the soaks use them: Telegram adds no 429s of its own (a soak that wants
    some says so), Evolink tasks take half a second."""
    tg = FakeTelegram(token=token)
    tg.flood = FloodLimits(per_chat_per_second=60, per_chat_burst=60, global_per_second=300)
    evo = FakeEvolink(api_key=key)
    evo.task_duration = 0.5
    return tg, evo


def plan(count: int, users: int, seed: int, first_user: int = 20_001) -> list[JobSpec]:
    """`count` mixed jobs over `users` users, every kind present, in sending order."""
    rng = random.Random(seed)
    kinds = rng.choices(KINDS, _WEIGHTS, k=count)
    kinds[: len(KINDS)] = KINDS[:count]
    rng.shuffle(kinds)
    specs = [
        JobSpec(
            tag=f"j{index}",
            kind=kind,
            user_id=first_user + index % users,
            n=rng.randint(2, 4) if kind == "imagine_n" else 1,
        )
        for index, kind in enumerate(kinds)
    ]
    return sorted(specs, key=lambda s: (_ORDER[s.kind], s.user_id))


@functools.cache
def photo(colour: int) -> bytes:
    """A 512x512 JPEG every edit and animate model accepts."""
    buffer = io.BytesIO()
    Image.new("RGB", (512, 512), (colour % 256, 90, 200 - colour % 150)).save(buffer, "JPEG")
    return buffer.getvalue()


def send(tg: FakeTelegram, spec: JobSpec) -> None:
    """The user sends the job's command the way its kind needs (text, photo or album)."""
    user = tg.world.users.get(spec.user_id) or tg.user(spec.user_id, f"Soak{spec.user_id}")
    chat = tg.world.chats.get(spec.user_id) or tg.private_chat(user)
    spec.chat_id = chat["id"]
    if spec.kind in ("imagine", "imagine_n"):
        sent = [tg.send_text(chat, user, spec.text)]
    elif spec.kind == "edit_album":
        sent = tg.send_album(chat, user, [photo(1), photo(2)], caption=spec.text)
    else:
        sent = [tg.send_photo(chat, user, photo(3), caption=spec.text)]
    spec.request_ids = [m["message_id"] for m in sent]


def replies(tg: FakeTelegram, spec: JobSpec) -> list[Json]:
    return [
        m
        for m in tg.bot_messages(spec.chat_id)
        if (m.get("reply_to_message") or {}).get("message_id") in spec.request_ids
    ]


def answered(tg: FakeTelegram, specs: list[JobSpec]) -> bool:
    """Every command has had some reply (the bot has taken it in)."""
    return all(replies(tg, spec) for spec in specs)


# --- reading the database -----------------------------------------------------------------


@contextlib.contextmanager
def database(path: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    db.row_factory = sqlite3.Row
    try:
        yield db
    finally:
        db.close()


def job_rows(db: sqlite3.Connection, spec: JobSpec) -> list[sqlite3.Row]:
    marks = ",".join("?" * len(spec.request_ids))
    return db.execute(
        f"SELECT * FROM jobs WHERE chat_id = ? AND request_message_id IN ({marks})",
        (spec.chat_id, *spec.request_ids),
    ).fetchall()


# --- what the user sees -------------------------------------------------------------------


def _texts(prefix: str) -> list[str]:
    return [e["en"] for k, e in MESSAGES.items() if k.startswith(prefix) and "{" not in e["en"]]


_FAILURE_TEXTS = _texts("err_")
_NOT_FINAL = tuple(
    MESSAGES[key]["en"][0]
    for key in (
        "status_queued",
        "status_paused",
        "status_preparing",
        "status_submitting",
        "status_running",
    )
    if key in MESSAGES
)


def is_failure(message: Json) -> bool:
    text = str(message.get("text", ""))
    return text.startswith("❌") or any(f in text for f in _FAILURE_TEXTS)


def _media_id(message: Json) -> str | None:
    if message.get("photo"):
        return str(message["photo"][-1]["file_id"])
    for key in ("video", "document", "animation"):
        if message.get(key):
            return str(message[key]["file_id"])
    return None


@dataclass
class Seen:
    """One job as its user sees it, beside what the database says."""

    spec: JobSpec
    rows: list[sqlite3.Row]
    results: int  # result messages (photos, videos, files) answering the request
    distinct: int  # different results among them (by content)
    failure_seen: bool
    status_text: str | None  # the status message as it reads now (None: none or deleted)
    answered: bool

    @property
    def final(self) -> bool:
        return bool(self.rows) and all(r["state"] in FINAL_STATES for r in self.rows)

    @property
    def stale(self) -> bool:
        return self.final and (self.status_text or " ").startswith(_NOT_FINAL)

    @property
    def settled(self) -> bool:
        """Nothing more should change: judged by the end of a run."""
        if not self.rows:
            return self.answered
        return self.final and (self.distinct > 0 or self.failure_seen) and not self.stale


def see(tg: FakeTelegram, db: sqlite3.Connection, spec: JobSpec) -> Seen:
    answers = replies(tg, spec)
    rows = job_rows(db, spec)
    media = [m for m in answers if _media_id(m)]
    digests = {hashlib.sha1(tg.file_bytes(_media_id(m) or "")).hexdigest() for m in media}
    status_ids = {r["status_message_id"] for r in rows if r["status_message_id"] is not None}
    statuses = [tg.world.get_message(spec.chat_id, i) for i in status_ids]
    texts = [m for m in answers if "text" in m] + [m for m in statuses if m is not None]
    shown = [m for m in statuses if m is not None]
    return Seen(
        spec=spec,
        rows=rows,
        results=len(media),
        distinct=len(digests),
        failure_seen=any(is_failure(m) for m in texts),
        status_text=str(shown[0].get("text", "")) if shown else None,
        answered=bool(answers),
    )


def see_all(tg: FakeTelegram, db_path: Path, specs: list[JobSpec]) -> list[Seen]:
    with database(db_path) as db:
        return [see(tg, db, spec) for spec in specs]


def taken_in(tg: FakeTelegram, db_path: Path, specs: list[JobSpec]) -> bool:
    """Every command answered and, unless refused, in the database as a job."""
    if not answered(tg, specs) or not db_path.exists():
        return False
    try:
        with database(db_path) as db:
            return all(job_rows(db, spec) or _refused(tg, spec) for spec in specs)
    except sqlite3.OperationalError:  # the bot is migrating or holds a write lock
        return False


def _refused(tg: FakeTelegram, spec: JobSpec) -> bool:
    return not any(str(m.get("text", "")).startswith(_NOT_FINAL) for m in replies(tg, spec))


def all_settled(tg: FakeTelegram, db_path: Path, specs: list[JobSpec]) -> bool:
    """Cheap checks first: the database is read only once every chat shows an answer."""
    if not answered(tg, specs) or not db_path.exists():
        return False
    try:
        return all(seen.settled for seen in see_all(tg, db_path, specs))
    except sqlite3.OperationalError:  # the bot is migrating or holds a write lock
        return False


def tags_of(evo: FakeEvolink) -> Counter[str]:
    """Tasks Evolink created, per job tag."""
    found = (_TAG.search(task.prompt) for task in evo.tasks.values())
    return Counter(match.group(1) for match in found if match)
