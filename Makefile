# Tandem — two commands for people: `make run` and `make test`. Everything else here serves those two.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export TANDEM_HOME ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000
VENDOR := src/tandem/web/static/vendor/echarts.min.js

.PHONY: run test screenshots bench lint install install-dev system-deps vendor sample clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip wheel setuptools

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev,bench,ray]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Chart and htmx JavaScript come from the npm registry, never from a CDN at run time.
$(VENDOR): package.json package-lock.json scripts/vendor_js.sh
	bash scripts/vendor_js.sh
vendor: $(VENDOR)

# System packages the browser, PDF and video paths need (Debian's chromium, poppler, ffmpeg, espeak-ng). Installed only when missing and root.
system-deps:
	@bash scripts/system_deps.sh

run: install vendor system-deps
	$(BIN)/tandem data import src/tandem/sample_data
	$(BIN)/tandem db upgrade
	$(BIN)/tandem accounts seed-demo
	$(BIN)/tandem serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check src tests benchmarks examples scripts
	$(BIN)/ruff format --check src tests benchmarks examples scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

# The production pass: the same tests with the app on PostgreSQL, Redis and a two-node Ray cluster on loopback
# (tests/production_mode.py), whenever the two service URLs are set; CI sets them, so CI runs both passes.
# tests/web last: its modules import names from `conftest`, which is the conftest pytest loaded last.
PRODUCTION_TESTS := tests/cli tests/wealth/test_cli_wealth.py tests/web

test: install-dev vendor system-deps lint
	$(BIN)/pytest -q
	@if [ -n "$$TANDEM_TEST_DATABASE_URL" ] && [ -n "$$TANDEM_TEST_REDIS_URL" ]; then \
	  echo "== production pass: $(PRODUCTION_TESTS) on PostgreSQL, Redis and Ray"; \
	  TANDEM_TEST_MODE=production $(BIN)/pytest -q $(PRODUCTION_TESTS); \
	elif [[ "$${CI,,}" =~ ^(1|true|yes)$$ ]]; then \
	  echo "production pass: CI needs TANDEM_TEST_DATABASE_URL and TANDEM_TEST_REDIS_URL (PostgreSQL and Redis)" >&2; \
	  exit 1; \
	else \
	  echo "production pass skipped: TANDEM_TEST_DATABASE_URL and TANDEM_TEST_REDIS_URL are not set (no PostgreSQL/Redis)"; \
	fi

# The README pictures: the browser journeys save their screenshots here instead of a temp dir (`make test` never
# touches docs/screenshots/).
screenshots: install-dev vendor system-deps
	TANDEM_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest -q -m browser tests/web

bench: install-dev vendor
	@bash scripts/system_deps.sh bench
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
