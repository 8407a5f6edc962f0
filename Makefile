# Cluster CRM — everything a developer needs, from a machine with only Python 3.11+ and make.
#
#   make run    local server on http://127.0.0.1:8000/ with the seed data and a demo login
#   make test   the test suite (SQLite; set DATABASE_URL to run it on PostgreSQL)
#   make help   every target

PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
# Every package from the lock files, each checked against its hash.
PIP := $(VENV_PY) -m pip install --disable-pip-version-check --quiet --require-hashes
MANAGE := $(VENV_PY) manage.py
RUNTIME_STAMP := $(VENV)/.requirements.stamp
DEV_STAMP := $(VENV)/.requirements-dev.stamp
BROWSER_STAMP := $(VENV)/.requirements-browser.stamp
LOAD_STAMP := $(VENV)/.requirements-load.stamp
# The lock files, made from pyproject.toml (its dependencies and extras) by pip-compile: `make lock`.
LOCK := $(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe
PYTEST_ARGS ?=
# The suite runs on as many processes as the machine has CPUs (pytest-xdist); PYTEST_WORKERS=0 runs it in one.
PYTEST_WORKERS ?= auto
LOAD_SECONDS ?= 60
LOAD_USERS ?= 10
# More options of tools/screenshots.py, e.g. SCREENSHOTS_ARGS="--check --only admin:contacts".
SCREENSHOTS_ARGS ?=

.DEFAULT_GOAL := help
BENCH_SIZES ?= 10000 100000 1000000
BENCH_ARGS ?=
.PHONY: help run worker install install-dev install-load test e2e screenshots load bench lint migrations-check messages lock clean

help: ## Show this list
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-18s %s\n", $$1, $$2}'

$(VENV_PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
		echo "Error: Python 3.11 or newer is required to create $(VENV)." >&2; \
		echo "       '$(PYTHON)' is: $$(command -v $(PYTHON) >/dev/null && $(PYTHON) --version 2>&1 || echo 'not found')." >&2; \
		echo "       Install Python 3.11+ or run: make PYTHON=/path/to/python3.11 ..." >&2; \
		exit 1; }
	@echo "Creating $(VENV) with $$($(PYTHON) --version)"
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Error: '$(PYTHON) -m venv' failed. On Debian or Ubuntu: apt-get install python3-venv" >&2; exit 1; }

$(RUNTIME_STAMP): requirements.txt | $(VENV_PY)
	@echo "Installing runtime dependencies (requirements.txt)"
	@$(PIP) -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements-dev.txt | $(VENV_PY)
	@echo "Installing the test tools (requirements-dev.txt)"
	@$(PIP) -r requirements-dev.txt
	@touch $@

$(BROWSER_STAMP): requirements-browser.txt | $(VENV_PY)
	@echo "Installing the browser tests' tools (requirements-browser.txt)"
	@$(PIP) -r requirements-browser.txt
	@touch $@

$(LOAD_STAMP): requirements-load.txt | $(VENV_PY)
	@echo "Installing the load test's tools (requirements-load.txt)"
	@$(PIP) -r requirements-load.txt
	@touch $@

install: $(RUNTIME_STAMP) ## Create .venv and install the runtime dependencies

install-dev: $(DEV_STAMP) ## Create .venv and install the test and lint tools too

install-load: $(LOAD_STAMP) ## Create .venv and install the load test's tools (locust) too

run: $(RUNTIME_STAMP) ## Migrate, load the seed, create the demo login, start a worker, serve on 127.0.0.1:8000
	$(MANAGE) migrate --no-input
	$(MANAGE) createcachetable
	$(MANAGE) loaddata seed
	$(MANAGE) ensure_demo_account
	@echo "Starting a worker of the job queue (large exports run on it); it stops with the server."
	@$(MANAGE) worker --no-reload --verbosity 0 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		$(MANAGE) runserver 127.0.0.1:8000

worker: $(RUNTIME_STAMP) ## Run a worker of the job queue (large exports, erasures, periodic clean-ups) on DATABASE_URL
	$(MANAGE) worker --no-reload

test: $(DEV_STAMP) ## Run the test suite except the browser tests (SQLite, or DATABASE_URL)
	$(VENV_PY) -m pytest -m "not e2e" -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

e2e: $(BROWSER_STAMP) ## Run the browser tests with Debian's chromium (/usr/bin/chromium)
	@test -x /usr/bin/chromium || { \
		echo "Error: /usr/bin/chromium is missing. Install Debian's chromium: apt-get install chromium" >&2; exit 1; }
	$(VENV_PY) -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

screenshots: $(BROWSER_STAMP) ## Screenshots of every page at 1366 and 390 px into screenshots/, on a throw-away database
	@test -x /usr/bin/chromium || { \
		echo "Error: /usr/bin/chromium is missing. Install Debian's chromium: apt-get install chromium" >&2; exit 1; }
	$(VENV_PY) -m tools.screenshots --out screenshots $(SCREENSHOTS_ARGS)

load: $(LOAD_STAMP) ## Load-test search and person pages on PostgreSQL (LOAD_SECONDS=60, LOAD_USERS=10), into docs/benchmarks.md
	LOAD_SECONDS=$(LOAD_SECONDS) LOAD_USERS=$(LOAD_USERS) \
		LOAD_COMMAND="make load LOAD_SECONDS=$(LOAD_SECONDS) LOAD_USERS=$(LOAD_USERS)" .ci/load

bench: $(DEV_STAMP) ## Measure search, pages, queries and exports at BENCH_SIZES people on PostgreSQL (DATABASE_URL), into docs/benchmarks.md
	$(VENV_PY) -m tools.bench --sizes $(BENCH_SIZES) --command "make bench BENCH_SIZES='$(BENCH_SIZES)'" $(BENCH_ARGS)

lint: $(DEV_STAMP) ## Check the code with ruff
	$(VENV)/bin/ruff check .

migrations-check: $(RUNTIME_STAMP) ## Fail if a model change has no migration
	$(MANAGE) makemigrations --check --dry-run

messages: $(DEV_STAMP) ## Update the French catalogue and compile it (needs GNU gettext)
	@command -v xgettext >/dev/null && command -v msgfmt >/dev/null || { \
		echo "Error: GNU gettext is required (xgettext, msgfmt). On Debian: apt-get install gettext" >&2; exit 1; }
	$(MANAGE) makemessages -l fr --ignore=.venv --ignore=tests --no-location
	$(MANAGE) compilemessages --ignore=.venv

lock: | $(VENV_PY) ## Make the lock files again from pyproject.toml (after changing a dependency)
	$(VENV_PY) -m pip install --disable-pip-version-check --quiet pip-tools
	$(LOCK) --output-file=requirements.txt pyproject.toml
	$(LOCK) --extra=test --output-file=requirements-dev.txt pyproject.toml
	$(LOCK) --extra=test --extra=browser --output-file=requirements-browser.txt pyproject.toml
	$(LOCK) --extra=test --extra=load --output-file=requirements-load.txt pyproject.toml

clean: ## Remove .venv and caches (keeps db.sqlite3)
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles test-results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
