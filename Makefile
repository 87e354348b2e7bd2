# Dân Vận Số: developer and operator entry points.
#
#   make run     start the app with demo data at http://127.0.0.1:8000
#   make test    the whole test suite (SQLite, browser tests included)
#
# Everything goes through uv and the committed uv.lock (`uv sync --frozen`).
# See README.md and docs/operations.md.

SHELL := /bin/bash
.DEFAULT_GOAL := help

UV ?= uv
# `pip install --user uv` puts uv here; make it visible to every recipe.
export PATH := $(HOME)/.local/bin:$(PATH)

RUN := $(UV) run --frozen
PYTHON := $(RUN) python
MANAGE := $(PYTHON) manage.py

HOST ?= 127.0.0.1
PORT ?= 8000

# Tests. TEST_WORKERS is handed to pytest-xdist's -n (0 = serial, in-process;
# "auto" = one worker per CPU). PYTEST_ARGS is appended, e.g. PYTEST_ARGS="-k contest -x".
TEST_WORKERS ?= 2
PYTEST_ARGS ?=
TEST_ARTIFACTS_DIR ?= $(CURDIR)/test-artifacts
CHROMIUM_PATH ?= /usr/bin/chromium
PG_URL ?= postgres://postgres@127.0.0.1:5432/danvan
TEST_ENV := TASKS_BACKEND=immediate FAST_PASSWORD_HASHER=1 \
	TEST_ARTIFACTS_DIR="$(TEST_ARTIFACTS_DIR)" CHROMIUM_PATH="$(CHROMIUM_PATH)"

# Production-like profile (`make serve`). HTTPS=1: the app expects a TLS proxy in
# front; `make serve HTTPS=0` for a plain-http trial on this machine.
HTTPS ?= 1
WORKERS ?= 3

.PHONY: help ensure-uv install run test test-pg lint format serve bench bench-surveys bench-practices bench-plans backup \
	restore clean check-chromium

help: ## list the targets
	@echo "Dân Vận Số — make targets:"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

ensure-uv: ## install uv with pip when it is missing
	@if ! command -v $(UV) >/dev/null 2>&1; then \
		echo ">> uv not found; installing it with pip"; \
		python3 -m pip install --user --quiet uv \
		|| python3 -m pip install --user --quiet --break-system-packages uv \
		|| pip install --quiet uv; \
		hash -r; \
		command -v $(UV) >/dev/null 2>&1 || { \
			echo "!! uv is still not on PATH; install it (https://docs.astral.sh/uv/) and retry" >&2; \
			exit 1; }; \
	fi

install: ensure-uv ## create .venv from uv.lock (dev tools included)
	$(UV) sync --frozen

run: install ## migrate, load the demo district, start web server + background worker
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	HOST="$(HOST)" PORT="$(PORT)" $(RUN) bash scripts/run_dev.sh

check-chromium:
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
		echo "!! Chromium not found at $(CHROMIUM_PATH): the browser tests (-m browser) WILL FAIL."; \
		echo "!! Install Debian's Chromium:  sudo apt-get install -y chromium"; \
		echo "!! (or point CHROMIUM_PATH at a Chromium binary)."; \
	fi

test: install check-chromium ## run the whole suite on SQLite (browser tests included)
	@mkdir -p "$(TEST_ARTIFACTS_DIR)"
	env -u DATABASE_URL $(TEST_ENV) $(RUN) pytest -n $(TEST_WORKERS) --durations=20 $(PYTEST_ARGS)

test-pg: install check-chromium ## run the whole suite on PostgreSQL (PG_URL=...)
	@mkdir -p "$(TEST_ARTIFACTS_DIR)"
	env DATABASE_URL="$(PG_URL)" $(TEST_ENV) $(RUN) pytest -n $(TEST_WORKERS) --durations=20 $(PYTEST_ARGS)

lint: install ## ruff, ruff format --check, mypy, missing migrations
	@status=0; \
	echo "$(RUN) ruff check ."; $(RUN) ruff check . || status=1; \
	echo "$(RUN) ruff format --check ."; $(RUN) ruff format --check . || status=1; \
	echo "$(RUN) mypy danvan"; $(RUN) mypy danvan || status=1; \
	echo "$(MANAGE) makemigrations --check --dry-run"; \
		$(MANAGE) makemigrations --check --dry-run || status=1; \
	if [ $$status -ne 0 ]; then echo "!! lint failed" >&2; fi; \
	exit $$status

format: install ## rewrite the code with ruff format and ruff check --fix
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

serve: install ## production-like: DEBUG=0, check --deploy, gunicorn + worker
	HOST="$(HOST)" PORT="$(PORT)" HTTPS="$(HTTPS)" WORKERS="$(WORKERS)" \
		$(RUN) bash scripts/serve.sh

bench: install ## run the benchmark (bench/run.py)
	@if [ ! -f bench/run.py ]; then \
		echo "!! bench/run.py does not exist yet (Chưa có benchmark)." >&2; \
		exit 1; \
	fi
	$(PYTHON) bench/run.py

bench-surveys: install ## run the survey benchmark (bench/survey_run.py)
	flock /tmp/danvan-bench.lock $(PYTHON) bench/survey_run.py

bench-practices: install ## run the practices benchmark (bench/practices_run.py)
	flock /tmp/danvan-bench.lock $(PYTHON) bench/practices_run.py

bench-plans: install ## run the plans benchmark (bench/plans_run.py)
	flock /tmp/danvan-bench.lock $(PYTHON) bench/plans_run.py

backup: install ## save the database and media files into backups/
	$(PYTHON) scripts/backup.py backup

restore: install ## restore FILE=backups/danvan-....sqlite3|.dump (asks unless YES=1)
	@if [ -z "$(FILE)" ]; then \
		echo "usage: make restore FILE=backups/danvan-YYYYmmdd-HHMMSS.sqlite3 [YES=1]" >&2; \
		ls -1t backups/danvan-* 2>/dev/null | grep -v -- '-media.tar.gz' | head -5 | sed 's/^/  /'; \
		exit 2; \
	fi
	YES="$(YES)" $(PYTHON) scripts/backup.py restore "$(FILE)"

clean: ## DESTRUCTIVE: delete var/ (SQLite database, media, secret key), staticfiles/, test-artifacts/
	rm -rf var staticfiles test-artifacts
