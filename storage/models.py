"""Plain records that storage methods return (never rows or cursors)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from bot.models import registry

JobState = Literal["queued", "submitting", "running", "delivering", "done", "failed", "cancelled"]
ACTIVE_STATES: tuple[JobState, ...] = ("submitting", "running")
UNFINISHED_STATES: tuple[JobState, ...] = ("queued", "submitting", "running", "delivering")
FINISHED_STATES: tuple[JobState, ...] = ("done", "failed", "cancelled")


@dataclass(frozen=True, slots=True)
class InputImage:
    """A photo or image file the user gave, as Telegram knows it."""

    file_id: str
    width: int | None = None
    height: int | None = None
    file_size: int | None = None
    mime_type: str | None = None
    kind: str = "photo"  # photo | document


@dataclass(slots=True)
class NewJob:
    """What a handler hands to the engine once a command has passed every check."""

    user_id: int
    chat_id: int
    chat_type: str
    request_message_id: int
    language: str
    command: str
    model: str
    prompt: str
    options: dict[str, Any]
    inputs: list[InputImage]
    cost: int


@dataclass(slots=True)
class Delivered:
    """One message the bot sent with a result (kept so a restart never sends it again)."""

    message_id: int
    kind: str  # photo | video | document | link, or buttons (the message under an album)
    file_id: str | None = None
    index: int | None = None  # which result (position in result_urls); None for buttons

    @property
    def is_result(self) -> bool:
        """A produced picture or video (as media or as a link), not a message around it."""
        return self.kind in ("photo", "video", "document", "link")

    def as_input(self) -> InputImage:
        """This result as the input of a next job (Animate, an edit of it)."""
        assert self.file_id is not None
        return InputImage(self.file_id, kind=self.kind)


@dataclass(slots=True)
class Job:
    id: int
    user_id: int
    chat_id: int
    chat_type: str
    request_message_id: int
    status_message_id: int | None
    language: str
    command: str
    model: str
    prompt: str
    options: dict[str, Any]
    inputs: list[InputImage]
    input_urls: list[str]
    state: JobState
    create_sent: bool
    task_id: str | None
    progress: int
    estimated_time: float | None
    result_urls: list[str]
    delivered: list[Delivered]
    error_code: str | None
    cost: int
    reserved_daily: int
    reserved_bonus: int
    reserved_day: str | None
    charged: int
    settled: bool
    created_at: float
    submitted_at: float | None
    finished_at: float | None
    visible: bool = True  # False until its status message is posted (see JobEngine.accept)
    status_owed: str | None = None  # the final status text not yet shown (see jobs.finish)

    @property
    def is_group(self) -> bool:
        return self.chat_type in ("group", "supergroup")

    @property
    def pictures(self) -> list[Delivered]:
        """The pictures the job delivered, in order (what Animate, Original and an edit in
        reply to its result use)."""
        return [d for d in self.delivered if d.kind in ("photo", "document") and d.file_id]

    @property
    def kind(self) -> str:
        """ "image" or "video", as the model registry says for the job's command."""
        return registry.default_for(self.command).kind

    @classmethod
    def from_row(cls, row: Any) -> Job:
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            chat_id=row["chat_id"],
            chat_type=row["chat_type"],
            request_message_id=row["request_message_id"],
            status_message_id=row["status_message_id"],
            language=row["language"],
            command=row["command"],
            model=row["model"],
            prompt=row["prompt"],
            options=json.loads(row["options"]),
            inputs=[InputImage(**item) for item in json.loads(row["inputs"])],
            input_urls=json.loads(row["input_urls"] or "[]"),
            state=row["state"],
            create_sent=bool(row["create_sent"]),
            task_id=row["task_id"],
            progress=row["progress"],
            estimated_time=row["estimated_time"],
            result_urls=json.loads(row["result_urls"] or "[]"),
            delivered=[Delivered(**item) for item in json.loads(row["delivered"])],
            error_code=row["error_code"],
            cost=row["cost"],
            reserved_daily=row["reserved_daily"],
            reserved_bonus=row["reserved_bonus"],
            reserved_day=row["reserved_day"],
            charged=row["charged"],
            settled=bool(row["settled"]),
            created_at=row["created_at"],
            submitted_at=row["submitted_at"],
            finished_at=row["finished_at"],
            visible=bool(row["visible"]),
            status_owed=row["status_owed"],
        )


@dataclass(frozen=True, slots=True)
class UserRecord:
    user_id: int
    username: str | None
    first_name: str | None
    language: str | None
    daily_limit: int | None
    banned: bool
    ban_reason: str | None
    bonus: int
    daily_left: int
    daily_day: str | None


@dataclass(frozen=True, slots=True)
class Balance:
    """A user's credits as of `day` (after any lazy daily reset)."""

    daily_left: int
    daily_limit: int
    bonus: int
    day: str

    @property
    def total(self) -> int:
        return self.daily_left + self.bonus


@dataclass(frozen=True, slots=True)
class Limits:
    """Concurrency and queue limits of PRODUCT.md §4 step 3."""

    max_active_per_user: int
    max_active_total: int
    max_queued_per_user: int


@dataclass(frozen=True, slots=True)
class Accepted:
    job: Job
    position: int  # its place among all queued jobs, itself included (1 = first)


@dataclass(frozen=True, slots=True)
class Refused:
    reason: Literal["credits", "queue_full", "banned", "group_cap"]
    balance: Balance | None = None
    group_limit: int | None = None
