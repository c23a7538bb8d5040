# Peel's front door. `make demo` and `make test` each set up everything they need.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
# PostgreSQL used by `make test` and `make bench` (trust auth on loopback in development and CI).
PG_URL  ?= postgres://postgres@127.0.0.1:5432/peel
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help venv system-packages demo test lint test-sqlite test-postgres fuzz bench clean

help:
	@echo "make demo    set up and serve the demo at http://127.0.0.1:8000"
	@echo "make test    set up and run every check (lint, types, SQLite and PostgreSQL suites, browser)"
	@echo "make fuzz    the round-trip property tests with many more examples (slow)"
	@echo "make bench   run the benchmarks and print their figures as JSON"

$(BIN)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

venv: $(BIN)/.installed

# Debian packages the tests drive for real: Chromium for the browser tests (Playwright cannot
# download browsers here), Dovecot for the IMAP intake tests, DejaVu for Unicode PDFs.
system-packages:
	@{ command -v chromium && command -v dovecot && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf; } >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    chromium dovecot-imapd fonts-dejavu-core >/dev/null; }

demo: venv system-packages
	$(BIN)/peel demo

lint: venv
	$(BIN)/ruff check src bench tests sandbox
	$(BIN)/ruff format --check src bench tests sandbox
	$(BIN)/mypy
	$(BIN)/lint-imports  # the layers (pyproject.toml [tool.importlinter], docs/architecture.md)
	$(BIN)/peel check --fail-level WARNING
	# A production configuration: Django's deploy checks and Peel's own, 0 warnings (issue 15).
	env -u DATABASE_URL PEEL_ENVIRONMENT=production PEEL_HTTPS=1 PEEL_ALLOWED_HOSTS=peel.example.police.uk \
	  PEEL_CACHE_URL=redis://127.0.0.1:6379/0 PEEL_VAR_DIR=$$(mktemp -d) \
	  PEEL_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  $(BIN)/peel check --deploy --fail-level WARNING
	$(BIN)/peel makemigrations --check --dry-run

test-sqlite: venv system-packages
	env -u DATABASE_URL $(BIN)/pytest

# Must fail, not skip, when PostgreSQL is unreachable: conftest.py checks before any test runs.
test-postgres: venv system-packages
	DATABASE_URL=$(PG_URL) PEEL_REQUIRE_DATABASE=postgresql $(BIN)/pytest

test: lint test-sqlite test-postgres

# The fidelity round trips (what the public sends reaches every screen and record) with the
# Hypothesis "fuzz" profile: about 1,000 SDM documents by API, 300 by each email form, 300 public
# form walks and 25 robot writes to the sandbox CHS (about 20-30 minutes on 2 cores).
fuzz: venv system-packages
	HYPOTHESIS_PROFILE=fuzz env -u DATABASE_URL $(BIN)/pytest -m fidelity -p no:cacheprovider

bench: venv system-packages
	$(BIN)/peel bench getwork
	DATABASE_URL=$(PG_URL) $(BIN)/peel bench getwork
	$(BIN)/peel bench triage
	DATABASE_URL=$(PG_URL) $(BIN)/peel bench triage
	$(BIN)/peel bench intake
	DATABASE_URL=$(PG_URL) $(BIN)/peel bench intake
	$(BIN)/peel bench filing
	DATABASE_URL=$(PG_URL) $(BIN)/peel bench filing
	$(BIN)/peel bench review
	DATABASE_URL=$(PG_URL) $(BIN)/peel bench review
	$(BIN)/peel bench robots
	DATABASE_URL=$(PG_URL) $(BIN)/peel bench robots
	$(BIN)/peel bench probing -- --before  # the public pages' limits: per process, as before
	$(BIN)/peel bench probing  # shared in Redis (PEEL_BENCH_REDIS_URL, default DB 0)
	$(BIN)/peel bench signin  # password guessing: lockouts off (before) and on (after)
	$(BIN)/peel bench sessions

clean:
	rm -rf $(VENV) var
