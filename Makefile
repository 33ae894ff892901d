# AfterSales (售后服务管理系统) — everyday commands.
#
#   make demo    fresh machine -> virtualenv, install, assets, translations, SQLite, demo data,
#                server on http://127.0.0.1:8000 with the background jobs running
#   make test    the whole suite: ruff, manage.py check, makemigrations --check, pytest
#
# DATABASE_URL and REDIS_URL are honoured by every target (see README.md).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers; PYTEST_WORKERS=0 runs in one process. --dist loadgroup keeps each
# xdist_group on one worker (the demo tests share one seeded company, tests/demo/conftest.py).
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: help demo install assets messages pdf-deps var-dir migrate seed serve jobs test test-schema lint format check pytest bench bench-seed bench-http bench-peer clean

help:
	@echo "make demo     install everything, load demo data, serve on http://$(HOST):$(PORT) with jobs"
	@echo "make test     ruff + manage.py check + makemigrations --check + pytest"
	@echo "make test-schema  Schemathesis against every operation of the OpenAPI schema (CI runs it)"
	@echo "make lint     ruff check, ruff format --check, lint-imports (layers), mypy (services)"
	@echo "make format   ruff format and ruff check --fix"
	@echo "make bench    seed 100,000 work orders on PostgreSQL and time the list page and API"
	@echo "make bench-seed  seed a realistic backlog (BENCH_SEED_ARGS, e.g. --work-orders 1000000 --reset)"
	@echo "make bench-http  time pages and API under gunicorn at concurrency 1 and 4 (BENCH_HTTP_ARGS)"
	@echo "make bench-peer  django-helpdesk's create API on this machine, c=1 and 4, to compare (BENCH_PEER_ARGS)"

# ---------------------------------------------------------------- installing

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is needed (python3.11 or python3 on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Re-installed whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed for the front-end assets"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed assets

assets: node_modules/.package-lock.json

# Chinese translations: Django's compilemessages needs GNU gettext's msgfmt. Without it, install
# gettext when we are root on Debian, else compile with the pure-Python polib (a dev dependency).
messages: $(VENV)/.installed
	@if ! ls src/aftersales/locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
	  echo "no translations to compile"; \
	else \
	  if ! command -v msgfmt >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null 2>&1 \
	      || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null 2>&1; } \
	      || true; \
	  fi; \
	  if command -v msgfmt >/dev/null; then \
	    $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules --verbosity=0; \
	  else \
	    echo "msgfmt not found: compiling translations with polib"; \
	    $(PY) -c 'import pathlib, polib; [polib.pofile(str(p)).save_as_mofile(str(p.with_suffix(".mo"))) for p in pathlib.Path("src/aftersales/locale").glob("*/LC_MESSAGES/*.po")]'; \
	  fi; \
	fi

# Printed forms (PDF, WeasyPrint) need Pango and a Chinese font. When one is missing, install
# them (Debian's libpango-1.0-0, libpangoft2-1.0-0, fonts-wqy-microhei) when we are root, else
# say what to install.
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei
pdf-deps:
	@if ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 && [ -n "$$(fc-list :lang=zh family 2>/dev/null)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Pango and a Chinese font for the printed forms ($(PDF_DEBS))"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_DEBS) >/dev/null 2>&1 \
	    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_DEBS) >/dev/null 2>&1; } \
	    || echo "WARNING: could not install $(PDF_DEBS): PDF forms will not work or show no Chinese"; \
	else \
	  echo "WARNING: Pango or a Chinese (CJK) font is missing: PDF forms will not work or show no Chinese."; \
	  echo "         Debian/Ubuntu: sudo apt-get install $(PDF_DEBS)"; \
	  echo "         macOS: brew install pango && brew install --cask font-wenquanyi-micro-hei"; \
	fi

# ---------------------------------------------------------------- running

var-dir:
	@mkdir -p var/celery

migrate: install var-dir
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) demo_seed

# Background jobs beside the web server. Embedded mode (no REDIS_URL): tasks run in-process
# (CELERY_TASK_ALWAYS_EAGER) and `celery beat` fires the periodic jobs, which then run inside the
# beat process itself. With REDIS_URL: one worker with an embedded beat takes tasks from Redis.
ifeq ($(strip $(REDIS_URL)),)
JOBS_CMD := $(VENV)/bin/celery -A aftersales.config.celery beat --loglevel=INFO --schedule=var/celery/beat-schedule
else
JOBS_CMD := $(VENV)/bin/celery -A aftersales.config.celery worker --beat --loglevel=INFO --concurrency=1 --schedule=var/celery/beat-schedule
endif

jobs: install var-dir
	$(JOBS_CMD)

# The job process is stopped when the server stops (Ctrl-C or any exit).
serve: install messages var-dir
	@$(JOBS_CMD) > var/celery/jobs.log 2>&1 & jobs_pid=$$!; \
	trap 'kill $$jobs_pid 2>/dev/null; wait $$jobs_pid 2>/dev/null; echo "background jobs stopped"' EXIT; \
	trap 'exit 130' INT TERM; \
	echo "background jobs running (pid $$jobs_pid, log var/celery/jobs.log)"; \
	echo "serving on http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the jobs)"; \
	$(MANAGE) runserver $(HOST):$(PORT)

demo: install messages pdf-deps seed serve

# ---------------------------------------------------------------- checking

# ruff (lint + format), the import contract of ARCHITECTURE.md's layers (pyproject.toml
# [tool.importlinter]) and mypy on the service layer (pyproject.toml [tool.mypy]). lint-imports reads
# the package of this checkout (src), whatever checkout the virtualenv's editable install names.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=src $(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: $(VENV)/.installed var-dir
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

# Schemathesis against every operation of the OpenAPI schema (tests/api/test_schemathesis.py).
test-schema: install messages pdf-deps var-dir
	SCHEMATHESIS=1 $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider tests/api/test_schemathesis.py

# pytest exits 5 when it collected no test: said aloud, not counted as a failure.
pytest: install messages pdf-deps var-dir
	@rc=0; $(VENV)/bin/pytest $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadgroup,) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests were collected"; exit 0; fi; exit $$rc

test: lint check pytest

bench: install var-dir
	$(PY) bench/workorder_list.py

# bench/README.md: the seeded backlog (bench/seed.py) and the HTTP load on it (bench/http_load.py).
bench-seed: install var-dir
	$(PY) bench/seed.py $(BENCH_SEED_ARGS)

bench-http: install var-dir
	$(PY) bench/http_load.py $(BENCH_HTTP_ARGS)

# django-helpdesk in its own virtualenv (bench/.peer-venv) on the database helpdesk_bench: the peer
# figure the create target is measured against (bench/README.md).
bench-peer: install
	$(PY) bench/peer_helpdesk.py $(BENCH_PEER_ARGS)

clean:
	rm -rf var/celery staticfiles .pytest_cache .ruff_cache
