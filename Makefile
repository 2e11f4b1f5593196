# xinyong — two commands on a fresh machine: `make run` and `make test`.
# Every target installs what it needs first; `make install` is idempotent.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
DEMO_SUBJECTS ?= 20000
DEMO_SEED ?= 2021
APT_PACKAGES := chromium fonts-noto-cjk
BENCH_PACKAGES := wrk
PG_READY := pg_isready -q -h 127.0.0.1 -p 5432

.PHONY: install system-packages venv fonts migrate demo run serve test lint pg bench bench-packages screenshots clean

install: system-packages venv fonts  ## set up everything (idempotent)

system-packages:  ## Debian packages for browser tests and PDFs (apt-get, only when missing)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

venv:  ## the Python environment from uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m pip install -q uv
	uv sync --frozen --quiet

fonts: system-packages venv  ## the CJK font subset of report PDFs in var/fonts (built once, ~75 s; kept when present)
	$(BIN)/xinyong reports build-font

migrate: install  ## create or upgrade the database schema
	$(BIN)/xinyong db upgrade

demo: migrate  ## load the demo district if the database is empty
	$(BIN)/xinyong demo --subjects $(DEMO_SUBJECTS) --seed $(DEMO_SEED) --if-empty

run: demo  ## install, migrate, load the demo district, serve on http://127.0.0.1:8000
	$(BIN)/xinyong serve

pg:  ## make sure the local PostgreSQL (tests) is up
	@$(PG_READY) || { command -v pg_ctlcluster >/dev/null && \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start && sleep 2; }
	@$(PG_READY) || { echo "PostgreSQL is not reachable on 127.0.0.1:5432 (tests need it; XINYONG_TEST_DATABASES=sqlite skips it)"; \
	  [ "$${XINYONG_TEST_DATABASES:-sqlite,postgresql}" = "sqlite" ]; }

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

test: install pg lint  ## everything fast: lint, unit, API and browser tests on SQLite and PostgreSQL
	$(BIN)/pytest -q

bench-packages:  ## wrk for the HTTP benchmarks (apt-get, only when missing; without it they use their Python clients)
	-@$(MAKE) --no-print-directory system-packages APT_PACKAGES="$(BENCH_PACKAGES)"

bench: install pg bench-packages  ## benchmarks at scale; figures go to docs/benchmarks.md
	$(BIN)/python bench/run_all.py

screenshots: install  ## the main pages in headless Chromium (desktop and phone) as PNG files in var/screenshots
	$(BIN)/python scripts/screenshots.py --out var/screenshots

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
