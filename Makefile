# Two entry points for people: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest fake-telegram fake-evolink dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# Local stand-ins for Telegram and Evolink, for trying the bot by hand (see README).
fake-telegram: $(STAMP)
	$(BIN)/python -m tests.fakes.telegram --port 8081 --token $${TELEGRAM_BOT_TOKEN:-123456:TEST}

fake-evolink: $(STAMP)
	$(BIN)/python -m tests.fakes.evolink --port 8082 --key $${EVOLINK_API_KEY:-test-key}

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
