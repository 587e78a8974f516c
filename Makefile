# VIP CRM — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
VENDOR := static/vendor
PYTEST_ARGS ?=

.PHONY: run test setup install assets messages migrate demo lint bench backup restore clean

run: setup demo
	@PORT=$(PORT) bin/run-all

test: setup
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

setup: install assets messages migrate

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $@

# Front-end assets come from the npm registry (pinned in package-lock.json), never from a CDN.
assets: $(VENDOR)/.installed

$(VENDOR)/.installed: package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed to fetch the front-end assets"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons $(VENDOR)/htmx $(VENDOR)/chartjs
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts $(VENDOR)/bootstrap-icons/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chartjs/
	@touch $@

messages: install
	$(PY) bin/compile-messages

migrate: install
	@mkdir -p var
	$(PY) bin/ensure-database
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# `make bench`: the benchmark on the PostgreSQL database named by DATABASE_URL (created if
# missing; SQLite is refused), at SCALE=full (default, 100,000 clients) or SCALE=small (a tenth).
# Writes bench/results/latest.{json,md}; see bench/README.md. BENCH_HTTP_SECONDS=60 by default.
SCALE ?= full
bench: install
	@$(PY) -m bench.dataset --prepare-database
	$(MAKE) setup
	@command -v wrk >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m bench.measure --scale $(SCALE)

# `make backup` writes backups/vipcrm-<time>.dump (PostgreSQL) or .sqlite3;
# `make restore FILE=backups/...` puts one back (stop the server and workers first).
backup: install
	$(PY) bin/backup

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/<file>"; exit 2; }
	$(PY) bin/restore "$(FILE)"

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
