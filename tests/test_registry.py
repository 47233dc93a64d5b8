"""The model registry: every model described once, and only once (issue 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.credits import to_cents
from bot.messages import MESSAGES
from bot.models import registry
from bot.models.registry import UnknownModel
from bot.models.spec import ModelSpec
from bot.pricing import Prices
from handlers import MENU

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_DIRS = ("bot", "handlers", "storage")


def _product_files() -> list[Path]:
    return [path for folder in PRODUCT_DIRS for path in sorted((ROOT / folder).rglob("*.py"))]


@pytest.mark.parametrize("spec", registry.ALL, ids=lambda spec: spec.name)
def test_a_model_identifier_appears_only_in_its_spec_module(spec: ModelSpec) -> None:
    own = ROOT / Path(*spec.build.__module__.split(".")).with_suffix(".py")
    naming = [path for path in _product_files() if spec.name in path.read_text("utf-8")]
    assert naming == [own]


@pytest.mark.parametrize("spec", registry.ALL, ids=lambda spec: spec.name)
def test_every_spec_names_an_existing_cost_setting(spec: ModelSpec) -> None:
    field = Settings.model_fields[spec.cost_setting]
    assert field.default == spec.default_cost
    assert Prices().rate(spec.name) == to_cents(spec.default_cost)


def test_an_unknown_model_is_an_error_not_a_fallback() -> None:
    with pytest.raises(UnknownModel):
        registry.by_name("gpt-4o-image")
    with pytest.raises(KeyError):
        registry.for_command("paint")
    with pytest.raises(KeyError):
        Prices().reserve("wan2.5-text-to-video-pro", {})


def test_commands_menu_help_and_prices_come_from_the_registry() -> None:
    assert MENU[: len(registry.COMMANDS)] == registry.COMMANDS
    for command in registry.COMMANDS:
        for key in (f"usage_{command}", f"cmd_{command}", f"help_{command}"):
            assert set(MESSAGES[key]) == {"en", "zh"}, key
    for spec in registry.ALL:
        assert set(MESSAGES[f"price_{spec.label}"]) == {"en", "zh"}


def test_each_command_has_one_default_model_first() -> None:
    for command in registry.COMMANDS:
        specs = registry.for_command(command)
        assert specs[0].default_for_command
        assert not any(spec.default_for_command for spec in specs[1:])


def test_an_unknown_model_alias_is_an_error() -> None:
    with pytest.raises(UnknownModel):
        registry.resolve("edit", "dalle", 1)
    assert registry.resolve("edit", "qwen", 1).alias == "qwen"
