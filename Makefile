# tallykit: `make demo` and `make test` set up everything they need (.venv, Debian packages) on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.tallykit-installed
DEMO := demo-meeting

WHEELHOUSE := wheelhouse

.PHONY: help install system-deps demo test lint bench clean lock wheelhouse

help:
	@echo "make demo    install what is missing, then run a meeting on the built-in sample ($(DEMO)/)"
	@echo "make test    install what is missing, then run the linter and the whole test suite"
	@echo "make bench   run the benchmarks under bench/ and print their numbers"
	@echo "make lint    ruff"
	@echo "make wheelhouse  a folder of wheels ($(WHEELHOUSE)/) that installs the kit on a laptop without network"
	@echo "make lock    re-pin the dependencies (requirements*.lock, with hashes) after editing pyproject.toml"
	@echo "make clean   remove .venv, caches and $(DEMO)/"

system-deps:
	@PYTHON=$(PYTHON) scripts/system-deps.sh

# the exact versions the tests ran on, each file checked against its sha256 (requirements-dev.lock)
$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	@scripts/check-python.sh $(PYTHON)
	@PYTHON=$(PYTHON) scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

install: system-deps $(STAMP)

demo: install
	$(BIN)/tallykit demo $(DEMO)

test: install
	@PYTHON=$(PYTHON) scripts/system-deps.sh --test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m bench

lock:
	@PYTHON=$(PYTHON) scripts/lock.sh

wheelhouse: install
	@PYTHON=$(BIN)/python scripts/wheelhouse.sh $(WHEELHOUSE)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis $(DEMO) $(WHEELHOUSE) *.egg-info
