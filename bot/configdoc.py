"""The price variables' documentation, generated from the registry.

`.env.example` and the README's configuration table list one `COST_...` variable per model;
those lines are written from the specs (name, default, what one unit buys) so they can't
drift. `python -m bot.configdoc` rewrites them in place after a model is added;
tests/test_startup.py fails, naming this command, while they differ.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Final

from bot.models import registry
from bot.models.spec import ModelSpec

ENV_LINE: Final = re.compile(r"^COST_[A-Z0-9_]+=.*\n", re.MULTILINE)
README_ROW: Final = re.compile(r"^\| `COST_[A-Z0-9_]+` \|.*\n", re.MULTILINE)


def _meaning(spec: ModelSpec) -> str:
    with_alias = f" with {spec.alias}" if spec.alias else ""
    return f"credits per {spec.price.unit(spec.command)}{with_alias}"


def env_lines() -> str:
    return "".join(f"{s.cost_setting.upper()}={s.default_cost}\n" for s in registry.ALL)


def readme_rows() -> str:
    rows = (
        f"| `{s.cost_setting.upper()}` | `{s.default_cost}` | {_meaning(s)} |\n"
        for s in registry.ALL
    )
    return "".join(rows)


def generated_block(text: str, line: re.Pattern[str]) -> str:
    """The lines `line` matches in `text`, which must stand together."""
    found = list(line.finditer(text))
    if not found:
        return ""
    block = text[found[0].start() : found[-1].end()]
    if len(line.findall(block)) != len(block.splitlines()):
        raise ValueError("the price variables must stand together, one a line")
    return block


def refreshed(text: str, line: re.Pattern[str], lines: str) -> str:
    """`text` with its price lines replaced by `lines` (in the same place)."""
    block = generated_block(text, line)
    if not block:
        raise ValueError("no price variables found to replace")
    return text.replace(block, lines, 1)


def main(root: Path) -> int:
    for name, line, lines in (
        (".env.example", ENV_LINE, env_lines()),
        ("README.md", README_ROW, readme_rows()),
    ):
        path = root / name
        path.write_text(refreshed(path.read_text("utf-8"), line, lines), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path.cwd()))
