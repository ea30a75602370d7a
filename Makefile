# Everything a fresh machine needs (Python 3.11, make, git) is set up by these targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup serve test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## serve: the webhook over TLS on https://127.0.0.1:8443 with the default policies
serve: $(STAMP)
	$(BIN)/batchguard serve --dev-certs --bind 127.0.0.1:8443 \
		--cert-file certs/tls.crt --key-file certs/tls.key \
		--policy-dir policies --log-format text

## test: the whole test suite (unit, policy, CLI, real-server and deploy tests)
test: $(STAMP)
	$(BIN)/python -m pytest

## lint: formatting, lint, types and the import layering contract
lint: $(STAMP)
	$(BIN)/ruff format --check webhook tests bench
	$(BIN)/ruff check webhook tests bench
	$(BIN)/mypy
	$(BIN)/mypy bench
	MYPYPATH=tests $(BIN)/mypy --allow-untyped-defs --allow-incomplete-defs \
		--explicit-package-bases tests
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format webhook tests bench
	$(BIN)/ruff check --fix webhook tests bench

## bench: benchmarks with ratios against a same-run baseline (see README)
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
