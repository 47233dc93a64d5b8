"""Queued misbehaviour: what the next matching calls or tasks should suffer.

Each knob is a countdown: `times` matching calls (or created tasks) get it, then it is gone.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from dataclasses import dataclass, field
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


# What RandomFaults can pick: an HTTP status, a call slower than the client's timeout, or a
# connection dropped before or after the work was done (PRODUCT §7's ambiguous case).
RANDOM_KINDS = ("500", "502", "503", "429", "timeout", "drop", "drop_after")


@dataclass
class RandomFaults:
    """Faults at random: each API or file-service call (never a public download) suffers one
    with probability `rate`. The RNG is seeded, so a soak can be run again the same way as
    far as the order of calls allows; `counts` says what was injected.
    """

    rate: float
    seed: int = 0
    kinds: tuple[str, ...] = RANDOM_KINDS
    timeout_seconds: float = 2.0  # how long a "timeout" holds the call: set it past the client's
    retry_after: float = 0.2
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self, path: str) -> Fault | None:
        if family(path) == "public" or self._rng.random() >= self.rate:
            return None
        kind = self._rng.choice(self.kinds)
        self.counts[kind] += 1
        if kind == "timeout":
            return Fault("slow", 1, None, seconds=self.timeout_seconds)
        if kind in ("drop", "drop_after"):
            return Fault("drop", 1, None, after_processing=kind == "drop_after")
        retry_after = self.retry_after if kind == "429" else None
        return Fault("http_error", 1, None, status=int(kind), retry_after=retry_after)


def of_kind(fault: Fault | None, kind: FaultKind) -> Fault | None:
    return fault if fault is not None and fault.kind == kind else None


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
