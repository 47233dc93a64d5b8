"""The deployment files say what the README promises (no Docker engine here, so they are read).

Dockerfile: a healthcheck running `bot.health`, a non-root user, the /data volume, and the very
install command `make` uses. Compose: the /data volume, `.env`, a restart policy. The lock files:
hash-pinned, runtime a subset of dev, tool pins equal to pyproject's.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from bot.models import registry

ROOT = Path(__file__).resolve().parents[1]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    parsed = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(parts[0].upper(), " ".join(parts[1].split())) for parts in parsed]


def arguments(keyword: str) -> list[str]:
    return [args for name, args in instructions() if name == keyword]


def make_variable(name: str) -> str:
    match = re.search(rf"^{name} := (.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match, f"{name} is not set in the Makefile"
    return match.group(1).strip()


def test_healthcheck_runs_bot_health() -> None:
    (healthcheck,) = arguments("HEALTHCHECK")
    command = json.loads(healthcheck.split("CMD", 1)[1])
    assert command == ["python", "-m", "bot.health"]


def test_runs_as_a_non_root_user_with_data_on_a_volume() -> None:
    users = arguments("USER")
    assert users and users[-1] not in ("root", "0")
    (volume,) = arguments("VOLUME")
    assert json.loads(volume) == ["/data"]
    assert "DATABASE_PATH=/data/bot.sqlite3" in arguments("ENV")
    order = [name for name, _ in instructions()]
    chown = next(i for i, (name, args) in enumerate(instructions()) if "chown" in args)
    # Changes to /data after VOLUME are thrown away: the bot user could not write its database.
    assert chown < order.index("VOLUME") < order.index("USER")


def test_the_image_installs_exactly_as_make_does() -> None:
    runs = arguments("RUN")
    locked = f"python -m {make_variable('LOCKED_INSTALL')} requirements.lock"
    project = f"python -m {make_variable('PROJECT_INSTALL')} ."
    assert locked in runs and project in runs
    makefile = (ROOT / "Makefile").read_text()
    assert "$(BIN)/python -m $(LOCKED_INSTALL) requirements.lock\n" in makefile
    assert "$(BIN)/python -m $(PROJECT_INSTALL) -e .\n" in makefile
    assert "COPY requirements.lock ./" in [f"COPY {args}" for args in arguments("COPY")]


def test_compose_keeps_data_on_a_volume_and_reads_env() -> None:
    lines = [line.strip() for line in (ROOT / "docker-compose.yml").read_text().splitlines()]
    assert "env_file: .env" in lines
    assert any(re.fullmatch(r"- [\w./-]+:/data", line) for line in lines)
    assert "DATABASE_PATH: /data/bot.sqlite3" in lines  # .env's relative default loses
    assert any(re.fullmatch(r"restart: (always|unless-stopped|on-failure)", ln) for ln in lines)


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv/", "data/", ".git/"} <= ignored


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    found = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", text, re.MULTILINE))
    assert len(found) == text.count("==") and text.count("--hash=sha256:") >= len(found)
    return found


def test_lock_files_pin_everything_and_agree() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert runtime.items() <= dev.items()  # tests run against what production runs
    assert "matplotlib" not in dev and "numpy" not in dev
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["optional-dependencies"]["dev"]:
        name, _, version = requirement.partition("==")
        if version:
            assert dev[name] == version, name


def test_readme_runs_modules_with_the_projects_python() -> None:
    """The dependencies live in .venv: a hand-run `python -m x` with the system python fails."""
    readme = (ROOT / "README.md").read_text()
    bare = set(re.findall(r"(?<![/\w])python -m ([\w.]+)", readme))
    # Only where no checkout's .venv exists: the module map and the image's HEALTHCHECK.
    assert bare <= {"bot", "bot.health"}, bare
    assert ".venv/bin/python -m tests.fakes.telegram --help" in readme


def test_readme_command_rows_list_every_flag_of_their_models() -> None:
    readme = (ROOT / "README.md").read_text()
    for spec in registry.ALL:
        row = re.search(rf"^\| `/{spec.command} .*$", readme, re.MULTILINE)
        assert row, spec.command
        for flag in spec.flag_names:
            assert f"--{flag}" in row.group(0), (spec.command, flag)
    edit = re.search(r"^\| `/edit .*$", readme, re.MULTILINE)
    assert edit and "3 photos pick qwen by themselves" in edit.group(0)


def test_readme_docker_run_keeps_the_database_on_the_volume() -> None:
    """`.env` copied from `.env.example` sets a relative DATABASE_PATH; `-e` must override it."""
    readme = (ROOT / "README.md").read_text()
    runs = re.findall(r"`(docker run [^`]*)`", readme)
    assert runs
    for run in runs:
        assert "--env-file .env" in run and "-v bot-data:/data" in run
        assert "-e DATABASE_PATH=/data/bot.sqlite3" in run, run
