# Two commands for users: `make demo` and `make test`. Everything else is for developers.
SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CONSTRAINTS := requirements/constraints.txt

# Constraints apply to build environments too, so the build back-end is pinned as well.
export PIP_CONSTRAINT := $(CURDIR)/$(CONSTRAINTS)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint pytest install install-dev system-packages lock clean bench bench-acro web-static test-postgres

demo: install
	$(BIN)/bsz demo

test: install-dev lint pytest

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# The web tests run a second time on PostgreSQL (about 30 s; the script starts a local
# cluster and needs root or sudo the first time).
pytest: install-dev
	$(BIN)/pytest -n 2
	$(MAKE) --no-print-directory test-postgres

install: $(VENV)/.installed-runtime
install-dev: $(VENV)/.installed-dev system-packages node_modules/.installed web-static

# Browser tests: Debian's Chromium (apt, needs root or sudo) and axe-core (npm, pinned in
# package-lock.json). Both steps do nothing when already done.
system-packages:
	scripts/install-system-packages.sh

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# The web app serves its own copies of htmx and the NL Design System CSS (no CDN); versions
# are pinned in package-lock.json. The copies are committed so that `pip install` alone
# gives a working web app; `tests/web/test_static_assets.py` fails when they drift.
WEB_STATIC := src/bestaanszekerheid/web/static
NLDS_CSS := node_modules/@utrecht/component-library-css/dist
NLDS_THEME := node_modules/@nl-design-system-unstable/voorbeeld-design-tokens/dist
define vendor
	cmp -s $(1) $(2) || cp $(1) $(2)

endef
web-static: node_modules/.installed
	mkdir -p $(WEB_STATIC)/nlds
	$(call vendor,node_modules/htmx.org/dist/htmx.min.js,$(WEB_STATIC)/bsz/htmx.min.js)
	$(call vendor,$(NLDS_CSS)/index.css,$(WEB_STATIC)/nlds/utrecht-components.css)
	$(call vendor,$(NLDS_THEME)/theme.css,$(WEB_STATIC)/nlds/voorbeeld-theme.css)

# The web app's tests against PostgreSQL 15 (started by the script, idempotent).
test-postgres: install-dev
	url=$$(scripts/start-postgres.sh) && \
		DATABASE_URL="$$url" BSZ_EXPECT_DB_VENDOR=postgresql $(BIN)/pytest -n 2 -q tests/web

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-runtime: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev,web,geo]'
	touch $@ $(VENV)/.installed-runtime

# Regenerate the pinned constraints after changing dependencies in pyproject.toml.
lock:
	env -u PIP_CONSTRAINT $(PYTHON) -m venv /tmp/bsz-lock && env -u PIP_CONSTRAINT /tmp/bsz-lock/bin/pip install -q uv
	/tmp/bsz-lock/bin/uv pip compile pyproject.toml requirements/build.in --all-extras \
		--constraint requirements/policy.txt --python-version 3.11 --python-platform linux \
		--no-header --output-file $(CONSTRAINTS).tmp
	mv $(CONSTRAINTS).tmp $(CONSTRAINTS)

bench: install-dev
	$(BIN)/python benchmarks/synth_scale.py

# Our disclosure control against ACRO (SACRO, in the dev extra) on the same random tables;
# writes benchmarks/results/acro_compare.{json,md}. About 10 minutes of CPU.
bench-acro: install-dev
	PYTHONPATH=src $(BIN)/python benchmarks/acro_compare.py

clean:
	rm -rf $(VENV) uitvoer .pytest_cache .mypy_cache .ruff_cache node_modules
