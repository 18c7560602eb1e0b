# notifier: `make run` starts the service on embedded defaults, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck fmt check bench demo model doctor try soak clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/notifier run

# Is this installation ready? The database, the mail server, the push keys, the catalogue, disk.
doctor: $(STAMP)
	$(BIN)/notifier doctor

# A try-out in containers: notifier, PostgreSQL and Mailpit (docs/operations.md).
try:
	docker compose up --build

# Every test, spread over the machine's cores (pytest-xdist, at most 4 processes; each test
# still runs against its own database, servers and folders). `pytest -q` alone runs serially.
test: $(STAMP)
	$(BIN)/pytest -q -n auto --maxprocesses=4 --dist worksteal

# The chaos tests for five minutes each instead of the suite's ~30 s: three workers on
# PostgreSQL, a faulty mail server, workers killed and restarted, sessions cut, and a
# PostgreSQL of the test's own crashed and restarted (docs/scaling.md).
soak: $(STAMP)
	NOTIFIER_CHAOS_SECONDS=300 $(BIN)/pytest -q -s -p no:cacheprovider --timeout=0 tests/test_chaos.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench

demo: $(STAMP)
	$(BIN)/python -m bench.demo

# The classifier's model, built from feeds/data/labelled/ (and its corrections/); commit it.
model: $(STAMP)
	$(BIN)/python -m feeds.classify.train

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
