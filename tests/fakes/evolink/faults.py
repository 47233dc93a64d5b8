"""Queued misbehaviour: what the next matching calls or tasks should suffer.

Each knob is a countdown: `times` matching calls (or created tasks) get it, then it is gone.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

from .errors import family

FaultKind = Literal["http_error", "slow", "drop"]


@dataclass
class Fault:
    kind: FaultKind
    times: int
    endpoint: str | None  # path prefix; None = any API or file-service call
    status: int = 0
    retry_after: float | None = None
    seconds: float = 0.0
    after_processing: bool = False

    def matches(self, path: str) -> bool:
        # None leaves the public /files and /results downloads alone: "any API call" is about
        # the bot's calls to Evolink. Name the prefix ("/results") to disturb downloads too.
        if self.endpoint is None:
            return family(path) != "public"
        return path.startswith(self.endpoint)


class Faults:
    """Pending faults in the order they were asked for."""

    def __init__(self) -> None:
        self._pending: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.times > 0:
            self._pending.append(fault)

    def take(self, kind: FaultKind, path: str) -> Fault | None:
        """The first pending fault of `kind` for `path`, counted as used."""
        for fault in self._pending:
            if fault.kind == kind and fault.matches(path):
                fault.times -= 1
                if fault.times <= 0:
                    self._pending.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self._pending.clear()


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """How one future task ends instead of completing."""

    failure_code: str | None = None
    message: str | None = None
    stall: bool = False


class TaskOutcomes:
    """Outcomes handed to created tasks, first asked, first used."""

    def __init__(self) -> None:
        self._queue: deque[TaskOutcome] = deque()

    def add(self, outcome: TaskOutcome, times: int) -> None:
        self._queue.extend([outcome] * times)

    def next(self) -> TaskOutcome | None:
        return self._queue.popleft() if self._queue else None


def retry_after_header(seconds: float | None) -> dict[str, str]:
    """`Retry-After` as whole seconds when possible; fractions are kept so tests stay fast."""
    if seconds is None:
        return {}
    value = str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"
    return {"Retry-After": value}
