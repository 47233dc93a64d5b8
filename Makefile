# Two entry points for people: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-runtime
# Installs pinned, hash-checked dependencies from a lock file; the Dockerfile runs the very same
# command (tests/test_packaging.py holds them equal). The project itself then goes in with
# --no-deps, so nothing unpinned slips in through pyproject.toml.
LOCKED_INSTALL := pip install --require-hashes -r
PROJECT_INSTALL := pip install --no-deps
LOCK_FLAGS ?=

.PHONY: run test demo bench soak fake-telegram fake-evolink run-on-fakes lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Everything, for tests and checks (reinstalls only when a lock file or pyproject.toml changes).
$(STAMP): requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m $(LOCKED_INSTALL) requirements-dev.lock
	$(BIN)/python -m $(PROJECT_INSTALL) -e .
	touch $@

# Only what the bot needs to run.
$(RUN_STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m $(LOCKED_INSTALL) requirements.lock
	$(BIN)/python -m $(PROJECT_INSTALL) -e .
	touch $@

run: $(RUN_STAMP)
	$(BIN)/python -m bot

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# The real bot between both fakes, no keys, no network: a scripted chat printed as a
# transcript (media in data/demo/). `make demo ARGS=--interactive` lets you type instead.
demo: $(RUN_STAMP)
	$(BIN)/python -m demo $(ARGS)

# The issue 12 figures beside their targets: the real bot process between both fakes under
# strict Telegram windows (docs/performance.md). TIME_SCALE=0.1 shrinks Evolink's task times
# for a run of a few minutes; writes bench/results/latest.json.
TIME_SCALE ?= 1
bench: $(STAMP)
	$(BIN)/python -m bench.jobs --time-scale $(TIME_SCALE)

# The large soaks of issue 9 (a few minutes): the real bot SIGKILLed 10 times over 100 jobs,
# then 200 jobs under random Evolink faults and Telegram 429s. Prints lost, silent, stuck,
# ledger mismatches, duplicate tasks, duplicates delivered, calls inside retry_after windows.
soak: $(STAMP)
	$(BIN)/python -m tests.soak --crash-jobs 100 --kills 10 --soak-jobs 200

# Local stand-ins for Telegram and Evolink, for trying the bot by hand (see README).
FAKE_TOKEN := 123456:FAKE-TOKEN
FAKE_KEY := fake-evolink-key

fake-telegram: $(RUN_STAMP)
	$(BIN)/python -m tests.fakes.telegram --port 8081 --token $(FAKE_TOKEN) --media-dir data/fake-media

fake-evolink: $(RUN_STAMP)
	$(BIN)/python -m tests.fakes.evolink --port 8082 --key $(FAKE_KEY) --task-duration 4

# The real bot, pointed at the two fakes above (user 1001 of the fake console is an admin).
run-on-fakes: $(RUN_STAMP)
	TELEGRAM_BOT_TOKEN=$(FAKE_TOKEN) EVOLINK_API_KEY=$(FAKE_KEY) \
	TELEGRAM_API_URL=http://127.0.0.1:8081 EVOLINK_API_URL=http://127.0.0.1:8082 \
	EVOLINK_FILES_URL=http://127.0.0.1:8082 ADMIN_IDS=$${ADMIN_IDS:-1001} \
	DATABASE_PATH=data/fake-run.sqlite3 $(BIN)/python -m bot

# Regenerate both lock files from pyproject.toml (needs the network); pass LOCK_FLAGS=--upgrade
# to move every pin to the newest release pyproject.toml allows.
LOCK := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	--strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_FLAGS)

lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(LOCK) -o requirements.lock pyproject.toml
	$(LOCK) --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
