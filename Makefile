# Cairn: the two commands a newcomer needs are `make run` and `make test`.
# Everything else here is what those two are made of.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export CAIRN_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test test-fast install frontend static lint format-check typecheck migrations-check test-sqlite test-postgres system-deps bench audit screens clean

## make run: install, prepare the database with the demo vault, and serve on http://127.0.0.1:8000
run: install static
	$(BIN)/cairn demo
	$(BIN)/cairn serve --host 127.0.0.1 --port 8000

## make test: install what the tests need, start the real services, run everything.
## make test T=tests/test_foo.py::test_name: just that (a file, a test, or any pytest
## selection), on SQLite with the kept test database: a few seconds.
ifdef T
test: install
	scripts/test-run.sh one $(T)
else
test: install system-deps lint typecheck
	@# The SQLite and PostgreSQL runs go side by side, one per core, each with its own data
	@# dir (static files are collected inside it); each run's output is shown when it ends.
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres
endif

## make test-fast: the quick tests while you work: SQLite, no browser or slow end-to-end
## tests, on every core (pytest-xdist), the test database kept between runs (--reuse-db).
test-fast: install system-deps
	scripts/test-run.sh fast

install: $(VENV)/.installed frontend

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

frontend: src/cairn/web/static/cairn/cairn.css

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

src/cairn/web/static/cairn/cairn.css: node_modules/.package-lock.json $(wildcard src/cairn/web/scss/*.scss)
	npm run --silent build

static: install
	$(BIN)/python -m django collectstatic --noinput --verbosity 0 --settings=cairn.settings

## Debian packages for the browser tests (chromium), the PostgreSQL run, and PDF checks.
system-deps:
	@scripts/system-deps.sh

## make lint: ruff, and the one-write-path lint (database writes only in services modules,
## or allow-listed with a reason in scripts/write_path_allowed.txt).
lint:
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/python scripts/import_cycles.py
	$(BIN)/python scripts/lint_write_path.py
	$(BIN)/ruff format --check src tests bench scripts

## make format-check: is every file as `ruff format` writes it (pyproject.toml lists the few
## modules left unformatted until they are split).
format-check:
	$(BIN)/ruff format --check src tests bench scripts

typecheck:
	$(BIN)/mypy

migrations-check:
	$(BIN)/python -m django makemigrations --check --dry-run --settings=cairn.settings

test-sqlite:
	scripts/test-run.sh sqlite

test-postgres:
	scripts/with-postgres.sh scripts/test-run.sh postgresql

bench: install system-deps
	scripts/bench.sh

## make audit: known vulnerabilities in the installed Python packages (pip-audit) and in
## package-lock.json (npm audit). Needs the advisory databases online (pypi.org, the npm
## registry); CI runs scripts/audit.sh --if-reachable, which says when they are not.
audit: install
	scripts/audit.sh

## make screens: a screenshot of every page of the demo (victim, officers, analyst) at 375 px
## and 1280 px wide, in screens/ (git ignores it), for a reviewer to look at every page.
screens: install
	$(BIN)/python scripts/screens.py --out screens

clean:
	rm -rf $(VENV) node_modules src/cairn/web/static/cairn/cairn.css
