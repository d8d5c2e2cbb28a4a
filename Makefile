# Two commands on a fresh clone: `make run` (the service on SQLite, study loaded) and
# `make test` (the test suite). Both make their own virtual environment.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

## The service on SQLite with NCT02495519 loaded: gunicorn and the scheduler, two processes
## that Ctrl-C stops together. A new database gets the synthetic demo cohort, and the
## sign-in to read it with at /reports is printed (diary demo refuses anything but SQLite).
run: install
	$(BIN)/diary db upgrade
	$(BIN)/diary load-default-study
	-$(BIN)/diary demo --if-new --url http://127.0.0.1:$(PORT)
	@# Which sites would text nobody about an alert; a finding, not a reason not to start.
	-$(BIN)/diary check
	$(BIN)/diary serve --port $(PORT)

## The tests on SQLite (set TEST_DATABASE_URL for PostgreSQL).
test: install
	$(BIN)/pytest

## The dose-write benchmark (PostgreSQL; the database named is dropped and re-made).
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/diary_bench
bench: install
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python -m bench.dose_write --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis .import_linter_cache
