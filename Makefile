# The README's commands. `make run` serves a seeded demo; `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

# Django 6.1 needs Python >= 3.12. Take $(PYTHON) if given, else the first
# interpreter that really runs and is new enough (pyenv shims may exist but fail).
PYTHON_CANDIDATES := $(PYTHON) python3.13 python3.12 \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) \
	$(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) \
	python3 python

.PHONY: deps run test lint format worker beat bench bench-web bench-email requirements clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@py=""; for candidate in $(PYTHON_CANDIDATES); do \
		if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then py="$$candidate"; break; fi; \
	done; \
	if [ -z "$$py" ]; then \
		echo "Peership needs Python 3.12 or newer, and none was found (tried: $(PYTHON_CANDIDATES))." >&2; \
		echo "Install python3.12 or python3.13, or run: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; \
	fi; \
	echo "Using $$py ($$("$$py" --version))"; \
	[ -x $(PY) ] || "$$py" -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to install Bootstrap (from the npm registry, pinned in package-lock.json)." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

deps: $(BIN)/.installed node_modules/.package-lock.json

run: deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: deps
	$(BIN)/pytest

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(PY) manage.py makemigrations --check --dry-run

format: deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: deps
	$(BIN)/celery -A exchange worker --loglevel=info --concurrency=2

beat: deps
	$(BIN)/celery -A exchange beat --loglevel=info --schedule $(VENV)/celerybeat-schedule

# The matching benchmark (README, "Benchmarks"). Its database part uses a throwaway database:
# `peership_bench` on the server of DATABASE_URL, else an SQLite file in the temp directory.
bench: deps
	DJANGO_SETTINGS_MODULE=exchange.settings $(PY) -m bench matching --businesses 10000 --json

# The web and email benchmarks (README, "Performance") need DATABASE_URL (PostgreSQL); the web one
# needs `ab` (Debian's apache2-utils), the email one REDIS_URL. Each uses a throwaway database.
bench-web: deps
	DJANGO_SETTINGS_MODULE=exchange.settings $(PY) -m bench web --businesses 10000 --json

bench-email: deps
	DJANGO_SETTINGS_MODULE=exchange.settings $(PY) -m bench email --reminders 10000 --json

requirements: $(BIN)/.installed
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 tests/e2e/artifacts
