# The README's two commands: `make run` and `make test`. Everything else is their plumbing.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# pyenv's 3.12 where present (Debian bookworm's python3 is 3.11), else python3.12 on PATH.
PYTHON312 := $(shell p="$$(pyenv root 2>/dev/null)/versions/3.12.1/bin/python3.12"; \
	[ -x "$$p" ] && echo "$$p" || command -v python3.12)
PG_URL ?= postgres://postgres@127.0.0.1:5432/cronsuite
MARIADB_URL ?= mysql://root@127.0.0.1:3306/cronsuite
TEST_ENV := PATH="$(CURDIR)/.tools/bin:$(CURDIR)/$(VENV)/bin:$$PATH" PUSHGATEWAY_URL= JOB_MODULES=
# Test processes (pytest-xdist), each with its own database; a module's tests stay in one
# process, so its module-level fixtures start once. TEST_WORKERS=0 runs one process.
TEST_WORKERS ?= 3
PARALLEL := -n $(TEST_WORKERS) --dist loadfile

.PHONY: run test lint test-postgres test-sqlite test-mariadb bench bench-housekeeping \
	bench-startup bench-chart tools services

## make run: migrate the local SQLite database, load demo data if empty, run housekeeping.
run: $(VENV)/.runtime
	@echo "preparing the database (manage.py migrate)..."
	@$(PY) manage.py migrate --noinput -v0
	@$(PY) manage.py load_demo_data
	@LOG_FORMAT=text $(PY) -m jobs run housekeeping

## make schedule: the chart's schedule entries fired on this machine as their CronJobs would, on
## the same SQLite database as make run (docs/scheduler.md). Ctrl-C stops it.
.PHONY: schedule bench-scheduler
schedule: $(VENV)/.runtime
	@echo "preparing the database (manage.py migrate)..."
	@$(PY) manage.py migrate --noinput -v0
	@echo "scheduling the chart's entries (python -m jobs schedule); Ctrl-C stops"
	@$(PY) -m jobs schedule

## make web: the admin and the scheduler dashboard, served as in the image (gunicorn, DEBUG off,
## static files by whitenoise) on http://127.0.0.1:$(WEB_PORT)/admin/, on the local SQLite file.
WEB_PORT ?= 8000
.PHONY: web bench-web
web: $(VENV)/.runtime
	@echo "preparing the database (manage.py migrate)..."
	@$(PY) manage.py migrate --noinput -v0
	@$(PY) manage.py load_demo_data
	@echo "collecting the static files (manage.py collectstatic)..."
	@$(PY) manage.py collectstatic --noinput -v0
	@echo "serving http://127.0.0.1:$(WEB_PORT)/admin/ (demo login: admin, password admin); Ctrl-C stops"
	@$(VENV)/bin/gunicorn app.wsgi --bind 127.0.0.1:$(WEB_PORT) --workers 2 --access-logfile - \
		--log-level warning

# The dashboard and the run list at 1,000,000 runs against 1,000, on PostgreSQL (p50, p95).
bench-web: $(VENV)/.dev services
	$(PY) bench/web.py

## make test: install what the tests need, then run the whole suite on each database.
test: $(VENV)/.dev tools services lint
	$(MAKE) -k --no-print-directory test-postgres test-sqlite test-mariadb

lint: $(VENV)/.dev
	$(VENV)/bin/ruff format --check --quiet .
	$(VENV)/bin/ruff check --quiet .

test-postgres:
	$(TEST_ENV) DATABASE_URL=$(PG_URL) $(PY) -m pytest -q $(PARALLEL) $(PYTEST_ARGS)

# The runtime contract must hold on every supported database, not only PostgreSQL.
test-sqlite:
	$(TEST_ENV) DATABASE_URL=sqlite:///$(CURDIR)/data/test.sqlite3 $(PY) -m pytest -q -m core $(PARALLEL) $(PYTEST_ARGS)

test-mariadb:
	$(TEST_ENV) DATABASE_URL=$(MARIADB_URL) $(PY) -m pytest -q -m core $(PARALLEL) $(PYTEST_ARGS)

## make bench: every benchmark; each prints ratios against a baseline measured in the same run.
bench: bench-housekeeping bench-startup bench-chart

# The housekeeping deletion against its floor (one SQL DELETE) on PostgreSQL.
bench-housekeeping: $(VENV)/.dev services
	$(PY) bench/housekeeping.py

# A job process's start-up against a bare process that runs django.setup() and connects.
bench-startup: $(VENV)/.dev services
	$(PY) bench/startup.py

# `helm template` of 1,000 entries against 10.
bench-chart: $(VENV)/.dev tools
	$(PY) bench/chart.py

# 200 entries due in the same minute: python -m jobs schedule side by side with Debian's cron.
bench-scheduler: $(VENV)/.dev services
	$(PY) bench/scheduler.py

# One line per step: the first `make run` spends minutes here, and silence looks like a hang.
$(VENV)/.runtime: requirements.txt
	@[ -n "$(PYTHON312)" ] || { echo "error: Python 3.12 not found (pyenv or python3.12 on PATH)" >&2; exit 2; }
	@[ -x $(PY) ] || { echo "creating the virtualenv in $(VENV) ($$($(PYTHON312) --version))..."; \
		$(PYTHON312) -m venv $(VENV); }
	@echo "installing requirements.txt into $(VENV) (a minute or more the first time)..."
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	scripts/install-system-packages
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

tools:
	@if [ -x scripts/install-tools ]; then scripts/install-tools; fi

services:
	@scripts/start-services
