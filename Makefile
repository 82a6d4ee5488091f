# aiboom: two commands on a fresh clone.
#   make book   create .venv, install the pinned stack, execute every notebook, build _build/html
#   make test   the whole test suite (unit, property, pipeline, -W build, nbval, browser)
#   make pdf    the book as _build/book.pdf too (printed offline by the local Chromium)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SCENARIO ?= data/scenarios/baseline.yaml

.PHONY: book pdf test bench gpu-check lint serve clean venv compare

venv: $(STAMP)

$(STAMP): pyproject.toml requirements-lock.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==25.3"
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements-lock.txt -e ".[test]"
	@touch $@

book: $(STAMP)
	$(VENV)/bin/aiboom build --scenario $(SCENARIO)

pdf: $(STAMP)
	$(VENV)/bin/aiboom build --scenario $(SCENARIO) --pdf _build/book.pdf

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/bench_montecarlo.py

# On a machine with a usable CUDA GPU: the GPU tests and the benchmark with its GPU row
# (benchmarks/results/<host>-<date>.json). Elsewhere: one line, exit 0.
gpu-check: $(STAMP)
	@if $(PY) -c "import sys; from aiboom.backend import available_backends; \
	  sys.exit(0 if 'cupy' in available_backends() else 1)"; then \
	  $(PY) -m pytest -m gpu -q -p no:cacheprovider && \
	  $(PY) benchmarks/bench_montecarlo.py --n-memory 0; \
	else \
	  echo "gpu-check: no usable CUDA GPU here (cupy.cuda.is_available() is False); nothing to check"; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

serve:
	cd _build/html && $(PYTHON) -m http.server 8000

clean:
	rm -rf _build book/generated
