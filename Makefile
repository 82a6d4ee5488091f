# aiboom: two commands on a fresh clone.
#   make book   create .venv, install the pinned stack, execute every notebook, build _build/html
#   make test   the whole test suite (unit, property, pipeline, -W build, nbval, browser)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SCENARIO ?= data/scenarios/baseline.yaml

.PHONY: book test bench lint serve clean venv compare

venv: $(STAMP)

$(STAMP): pyproject.toml requirements-lock.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==25.3"
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements-lock.txt -e ".[test]"
	@touch $@

book: $(STAMP)
	$(VENV)/bin/aiboom build --scenario $(SCENARIO)

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/bench_montecarlo.py

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

serve:
	cd _build/html && $(PYTHON) -m http.server 8000

clean:
	rm -rf _build book/generated
