# Two entry points for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint system-deps messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.run-deps: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install -q -c requirements.lock -e .
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	touch $@

## make run: migrate the embedded SQLite database, load demo data once, serve on 127.0.0.1:8000
run: $(VENV)/.run-deps
	$(BIN)/qudao migrate --noinput -v 0
	$(BIN)/qudao demo --if-empty
	$(BIN)/qudao serve

## make test: the whole suite — lint, layers, migrations, SQLite + browser, then PostgreSQL
test: $(VENV)/.test-deps system-deps
	$(BIN)/ruff check src tests
	$(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=qudao.settings.test $(BIN)/qudao makemigrations --check --dry-run
	$(BIN)/python -m pytest -m "not postgres" -p no:cacheprovider
	$(BIN)/python -m qudao.devtools.pgserver -- $(BIN)/python -m pytest -m "not browser" -p no:cacheprovider

system-deps:
	@bash scripts/system-deps.sh

## make messages: collect new strings into the zh_Hans catalogue and recompile it
messages: $(VENV)/.test-deps
	cd src/qudao && ../../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete --no-location --settings=qudao.settings.test
	$(BIN)/python scripts/fill_translations.py

clean:
	rm -rf $(VENV) var test-artifacts
