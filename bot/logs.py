"""Logging set-up that can never print a secret.

Telegram puts the bot token in every URL (`/bot<token>/method`, `/file/bot<token>/path`) and
httpx logs full URLs at INFO, so we both quiet httpx and redact every formatted line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_TOKEN_IN_URL = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s'\"]+")


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes the configured secrets and anything shaped like one."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    text = _TOKEN_IN_URL.sub("bot<redacted>", text)
    return _BEARER.sub(r"\1<redacted>", text)


def configure_logging(level: str, secrets: Iterable[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx/httpcore log every request URL, and Telegram URLs contain the token.
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
