# Two entry points for people: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench soak fake-telegram fake-evolink run-on-fakes clean

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
# Figures, not a pass/fail test: many users through the real bot and both fakes.
bench: $(STAMP)
	$(BIN)/python -m bench.jobs

# The large soaks of issue 9 (a few minutes): the real bot SIGKILLed 10 times over 100 jobs,
# then 200 jobs under random Evolink faults and Telegram 429s. Prints lost, silent, stuck,
# ledger mismatches, duplicate tasks, duplicates delivered, calls inside retry_after windows.
soak: $(STAMP)
	$(BIN)/python -m tests.soak --crash-jobs 100 --kills 10 --soak-jobs 200

FAKE_TOKEN := 123456:FAKE-TOKEN
FAKE_KEY := fake-evolink-key

fake-telegram: $(STAMP)
	$(BIN)/python -m tests.fakes.telegram --port 8081 --token $(FAKE_TOKEN) --media-dir data/fake-media

fake-evolink: $(STAMP)
	$(BIN)/python -m tests.fakes.evolink --port 8082 --key $(FAKE_KEY) --task-duration 4

# The real bot, pointed at the two fakes above (user 1001 of the fake console is an admin).
run-on-fakes: $(STAMP)
	TELEGRAM_BOT_TOKEN=$(FAKE_TOKEN) EVOLINK_API_KEY=$(FAKE_KEY) \
	TELEGRAM_API_URL=http://127.0.0.1:8081 EVOLINK_API_URL=http://127.0.0.1:8082 \
	EVOLINK_FILES_URL=http://127.0.0.1:8082 ADMIN_IDS=$${ADMIN_IDS:-1001} \
	DATABASE_PATH=data/fake-run.sqlite3 $(BIN)/python -m bot

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
