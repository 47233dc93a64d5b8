"""Questions the bot asked and the answers they wait for (PRODUCT.md §4a).

"What should I do with this photo?", "What should move?", "Shall I imagine that?": each is a
row keyed by the bot's question message, holding what it is about (the prompt, the photos
or the album, the user's message it answers), so a button under it or a reply to it works
after a restart too. A row is first written without a message id (`open`), which also
claims an album so it is asked about once, then tied to the message once it is posted.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field

from bot.clock import Clock
from storage.database import Database
from storage.models import InputImage

COMMAND = "command"  # an album whose caption is a command: never asked about
KEEP_SECONDS = 7 * 24 * 3600.0  # questions older than this are forgotten at start-up


@dataclass(frozen=True, slots=True)
class Question:
    chat_id: int
    user_id: int
    request_message_id: int  # the user's message the question is about
    kind: str  # imagine | photo | edit | animate
    prompt: str = ""
    media_group_id: str | None = None
    inputs: tuple[InputImage, ...] = field(default=())
    id: int = 0
    message_id: int | None = None


class Questions:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def open(self, question: Question) -> int | None:
        """Record a question before it is posted; None when its album was asked about."""
        try:
            async with self._db.transaction() as conn:
                cur = await conn.execute(
                    "INSERT INTO questions (chat_id, user_id, request_message_id, kind, prompt,"
                    " media_group_id, inputs, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        question.chat_id,
                        question.user_id,
                        question.request_message_id,
                        question.kind,
                        question.prompt,
                        question.media_group_id,
                        json.dumps([asdict(image) for image in question.inputs]),
                        self._clock.now(),
                    ),
                )
                return cur.lastrowid
        except sqlite3.IntegrityError:
            return None

    async def posted(self, question_id: int, message_id: int) -> None:
        """The question is now the bot's message `message_id`: buttons and replies find it."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE questions SET message_id = ? WHERE id = ?", (message_id, question_id)
            )

    async def asked_in(self, chat_id: int, message_id: int) -> Question | None:
        """The question the bot's message `message_id` asks, if it asks one."""
        async with self._db.read() as conn:
            cur = await conn.execute(
                "SELECT * FROM questions WHERE chat_id = ? AND message_id = ?",
                (chat_id, message_id),
            )
            row = await cur.fetchone()
        return None if row is None else _question(row)

    async def forget_older_than(self, seconds: float = KEEP_SECONDS) -> int:
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM questions WHERE created_at < ?", (self._clock.now() - seconds,)
            )
            return cur.rowcount

    async def becomes(self, question_id: int, kind: str, inputs: tuple[InputImage, ...]) -> None:
        """The question now asks something else about these photos (Animate tapped under
        "what should I do with it?": a reply to it is now the motion)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE questions SET kind = ?, inputs = ? WHERE id = ?",
                (kind, json.dumps([asdict(image) for image in inputs]), question_id),
            )

    async def album_has_command(self, chat_id: int, media_group_id: str) -> None:
        """A caption in the album is a command: nobody asks what to do with it."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO questions (chat_id, user_id, request_message_id, kind,"
                " media_group_id, created_at) VALUES (?, 0, 0, ?, ?, ?)"
                " ON CONFLICT(chat_id, media_group_id) DO UPDATE SET kind = excluded.kind",
                (chat_id, COMMAND, media_group_id, self._clock.now()),
            )

    async def album_caption(self, chat_id: int, media_group_id: str, caption: str) -> None:
        """An album item's caption (not a command): offered as the prompt when asking."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE questions SET prompt = ? WHERE chat_id = ? AND media_group_id = ?",
                (caption, chat_id, media_group_id),
            )

    async def album_waiting(self, chat_id: int, media_group_id: str) -> Question | None:
        """The album's question, claimed and not yet asked (None: asked, or a command)."""
        async with self._db.read() as conn:
            cur = await conn.execute(
                "SELECT * FROM questions WHERE chat_id = ? AND media_group_id = ?"
                " AND message_id IS NULL AND kind != ?",
                (chat_id, media_group_id, COMMAND),
            )
            row = await cur.fetchone()
        return None if row is None else _question(row)


def _question(row: sqlite3.Row) -> Question:
    return Question(
        id=row["id"],
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        user_id=row["user_id"],
        request_message_id=row["request_message_id"],
        kind=row["kind"],
        prompt=row["prompt"],
        media_group_id=row["media_group_id"],
        inputs=tuple(InputImage(**image) for image in json.loads(row["inputs"])),
    )
