# Agent Studio: `make run` starts everything locally; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE ?= agentstudio.settings.dev

.PHONY: run test lint fmt migrations-check bench assets assets-check bench-editor bench-page install install-dev clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: $(VENV)/.installed
	$(PY) -m agentstudio.launcher

# pytest-django prefers DJANGO_SETTINGS_MODULE from the environment (exported above for `run`)
# over pyproject's, so name the test settings here.
# The suite includes the editor's vitest unit tests (tests/test_frontend_unit.py), so with npm at
# hand `make test` installs frontend/node_modules first.
test: $(VENV)/.installed-dev $(if $(shell command -v npm),frontend/node_modules/.bin/vitest)
	DJANGO_SETTINGS_MODULE=agentstudio.settings.test $(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

fmt: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(VENV)/.installed
	$(PY) manage.py makemigrations --check --dry-run

# The graph editor island: frontend/ (React Flow + Vite) → static/agents/editor/ (committed, so
# `make run` needs no Node). `assets-check` rebuilds into a temporary directory and compares.
# `npm install` rather than `npm ci`: it installs the locked versions too, while `npm ci` refuses a
# lock file without every platform's optional rollup binary, which our registry mirror lacks.
NPM_INSTALL := cd frontend && npm install --no-audit --no-fund --no-save
assets:
	$(NPM_INSTALL) && npm run build

frontend/node_modules/.bin/vitest: frontend/package.json frontend/package-lock.json
	$(NPM_INSTALL)
	touch $@

assets-check:
	$(NPM_INSTALL)
	tmp=$$(mktemp -d) && (cd frontend && npx vite build --outDir "$$tmp" --emptyOutDir) \
	  && diff -r "$$tmp" static/agents/editor && rm -rf "$$tmp" \
	  && echo "static/agents/editor/ is exactly what frontend/ builds to"

# Load and pan a 200-agent, 600-handoff graph in Chromium (numbers, not a pass/fail test);
# `make bench-editor SIZE=500/2000` for another size.
bench-editor: $(VENV)/.installed-dev
	DJANGO_SETTINGS_MODULE=agentstudio.settings.test $(PY) scripts/bench_editor.py $(if $(SIZE),--size $(SIZE)) $(BENCH_EDITOR_ARGS)

# A 5,000-entry conversation's page in Chromium: first entry, first screen, everything loaded.
bench-page: $(VENV)/.installed-dev
	DJANGO_SETTINGS_MODULE=agentstudio.settings.test $(PY) scripts/bench_page.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data

# N concurrent conversations through the whole stack vs. straight through the SDK and a minimal
# reader (see scripts/bench.py). Options in BENCH_ARGS, e.g. BENCH_ARGS="--profile tokens" or
# BENCH_ARGS="--workers 2 --web 2" (make itself would take `--profile`). BENCH_DATABASE_URL picks
# the database (default: a fresh SQLite file).
bench: $(VENV)/.installed-dev
	$(PY) scripts/bench.py $(BENCH_ARGS)
