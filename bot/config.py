"""Settings from the environment and `.env` (names are the contract of PRODUCT.md §8).

The fixed settings are written out here; each model's price setting is generated from its
spec (`ModelSpec.cost_setting`, `default_cost`), so adding a model touches no file here.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.evolink.models import check_callback_url
from bot.models import registry
from bot.models.spec import ModelSpec
from bot.packs import CreditPack, parse_packs

ADMIN_IDS_HINT = (
    "needs numeric Telegram user ids separated by commas, not @names: "
    "each person can send /id to the bot to learn theirs"
)
# Bounds for numeric settings: far beyond any sensible value, but small enough that credits
# (in hundredths) fit SQLite's 64-bit integers and a timeout fits asyncio's timers.
MAX_CREDITS = Decimal(1_000_000_000)
MAX_JOBS = 10_000
MAX_SECONDS = 7 * 86400.0
EMPTY_HINTS = {
    "telegram_bot_token": "@BotFather gives you the token (/newbot, or /token for a bot you have)",
    "evolink_api_key": "create a key in the Evolink dashboard, https://evolink.ai/dashboard/keys",
}


def check_http_url(value: str) -> str:
    """`value` if it is an http(s) URL with a host, else a ValueError saying so."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL")
    return value


class FixedSettings(BaseSettings):
    """Everything the operator can set but the prices; defaults mirror PRODUCT.md §8."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr
    evolink_api_key: SecretStr
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    database_path: Path = Path("data/bot.sqlite3")
    telegram_api_url: str = "https://api.telegram.org"
    evolink_api_url: str = "https://api.evolink.ai"
    evolink_files_url: str = "https://files-api.evolink.ai"
    daily_credits: Decimal = Field(default=Decimal(10), ge=0, le=MAX_CREDITS)
    quota_timezone: str = "UTC"
    max_active_per_user: int = Field(default=2, ge=1, le=MAX_JOBS)
    max_active_total: int = Field(default=20, ge=1, le=MAX_JOBS)
    max_queued_per_user: int = Field(default=5, ge=0, le=MAX_JOBS)
    # Fair use (PRODUCT.md §4a): one user's new messages, admins exempt.
    user_commands_per_minute: float = Field(default=30, gt=0, le=6000)
    user_command_burst: int = Field(default=10, ge=1, le=1000)
    webhook_url: str = ""
    evolink_callback_url: str = ""
    log_level: str = "INFO"

    # Not in the contract's table, but operators asked for them: hard limits per job kind.
    # (The price list, one setting per model, is generated below from the registry.)
    image_timeout_seconds: float = Field(default=600, gt=0, le=MAX_SECONDS)
    video_timeout_seconds: float = Field(default=1800, gt=0, le=MAX_SECONDS)
    album_debounce_seconds: float = Field(default=1.5, ge=0, le=60)
    # Where the bot listens when WEBHOOK_URL or EVOLINK_CALLBACK_URL is set (behind the
    # operator's HTTPS proxy, which forwards both public URLs here).
    web_listen: str = "0.0.0.0"
    web_port: int = Field(default=8080, ge=1, le=65535)
    # Prometheus metrics at /metrics on the same listener (which then runs even without
    # WEBHOOK_URL or EVOLINK_CALLBACK_URL); off by default: nothing listens unasked.
    metrics_enabled: bool = False
    # Telegram Stars packs (PRODUCT.md §5a): `credits:stars,...`; empty turns buying off.
    credit_packs: Annotated[tuple[CreditPack, ...], NoDecode] = ()
    # What /paysupport says; empty: the catalogue's text (in the user's language).
    paysupport_text: str = ""

    @field_validator("credit_packs", mode="before")
    @classmethod
    def _packs(cls, value: Any) -> Any:
        return parse_packs(value) if isinstance(value, str) else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part for part in value.replace(" ", "").split(",") if part]
            if not all(part.lstrip("-").isdigit() for part in parts):
                # People write @names; Telegram ids are numbers, which /id tells each person.
                raise PydanticCustomError("ids", ADMIN_IDS_HINT)
            return frozenset(int(part) for part in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("quota_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("telegram_api_url", "evolink_api_url", "evolink_files_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        # Anything else would be retried for ever as an unreachable server.
        return check_http_url(value.rstrip("/"))

    @field_validator("telegram_api_url")
    @classmethod
    def _no_bot_suffix(cls, value: str) -> str:
        if value.endswith("/bot"):
            raise ValueError("must not end in /bot: the bot adds /bot<token> itself")
        return value

    @field_validator("evolink_callback_url")
    @classmethod
    def _callback_rules(cls, value: str) -> str:
        # Evolink refuses anything else for every task (DIGEST §5), so refuse it at start-up.
        return check_callback_url(value.rstrip("/")) if value else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_https(cls, value: str) -> str:
        if value and not value.startswith("https://"):
            raise ValueError("Telegram only delivers webhooks to https:// URLs")
        return value

    @field_validator("log_level")
    @classmethod
    def _level_name(cls, value: str) -> str:
        value = value.upper()
        if value not in {"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @field_validator("telegram_bot_token", "evolink_api_key")
    @classmethod
    def _not_blank(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        if not value.get_secret_value().strip():
            # Present but blank: .env was copied from .env.example and this was left empty.
            raise PydanticCustomError("empty", EMPTY_HINTS[str(info.field_name)])
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.quota_timezone)

    def cost(self, spec: ModelSpec) -> Decimal:
        """The price in credits the operator set for `spec` (its generated setting)."""
        value = getattr(self, spec.cost_setting, None)
        if not isinstance(value, Decimal):
            raise TypeError(f"{spec.cost_setting} is not a price setting of {type(self).__name__}")
        return value


def cost_fields(specs: tuple[ModelSpec, ...] = registry.ALL) -> dict[str, Any]:
    """One `Decimal >= 0` field per model, named and defaulted by its spec (PRODUCT.md §5).

    A name another model or a fixed setting already has is refused: it would share a price.
    """
    names = [spec.cost_setting for spec in specs]
    if len(set(names)) != len(names) or set(names) & FixedSettings.model_fields.keys():
        raise ValueError(f"price settings must be new, distinct names: {names}")
    return {
        spec.cost_setting: (Decimal, Field(default=spec.default_cost, ge=0, le=MAX_CREDITS))
        for spec in specs
    }


# mypy sees the fixed class (the cost fields are read through `cost(spec)`, never by name);
# at run time the class has a validated field, hence an environment variable, per model.
if TYPE_CHECKING:
    Settings = FixedSettings
else:
    Settings = create_model(
        "Settings", __base__=FixedSettings, __module__=__name__, **cost_fields()
    )


def describe_errors(error: ValidationError) -> str:
    """One line naming every bad variable, without echoing values (they may be secret)."""
    problems: dict[str, str] = {}
    kinds = {item["type"] for item in error.errors()}
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "configuration"
        problems.setdefault(name, _problem(name, item["type"], item["msg"]))
    # Only a missing variable suggests .env itself may be missing.
    advice = " (copy it to .env and fill it in)" if "missing" in kinds else ""
    return (
        "configuration error: "
        + "; ".join(problems.values())
        + f". .env.example describes every variable{advice}."
    )


def _problem(name: str, kind: str, message: str) -> str:
    if kind == "missing":
        return f"{name} is required but not set"
    if kind == "empty":
        return f"{name} is empty: {message}"
    if kind == "ids":
        return f"{name} {message}"
    return f"{name} is invalid ({message.removeprefix('Value error, ')})"


def load_settings(**overrides: Any) -> Settings:
    """Read settings; on missing or malformed variables print one line and exit non-zero."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        print(describe_errors(error), file=sys.stderr)
        raise SystemExit(2) from None
    except (OSError, UnicodeError) as error:
        # Not the error's text: it may quote the file's bytes, secrets included.
        print(
            f"configuration error: .env could not be read ({type(error).__name__}); "
            "it must be a UTF-8 text file like .env.example.",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
