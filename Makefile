# 深度学习第一周 — the two commands: `make book` builds the site, `make test` runs every test.
SHELL := /bin/bash
# PYTHON: the interpreter for .venv (default: the first of python3.11, 3.12, 3.13, python3 found)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: book test serve bench linkcheck lock clean distclean venv venv-test

venv:  # what building needs (requirements.txt); checked in a fraction of a second when nothing changed
	@PYTHON="$(PYTHON)" VENV="$(VENV)" KIND=build bash tools/setup_venv.sh

venv-test:  # plus the test tools (requirements-test.txt)
	@PYTHON="$(PYTHON)" VENV="$(VENV)" KIND=test bash tools/setup_venv.sh

book: venv
	@$(PY) tools/build_book.py

test: venv-test
	@bash tools/ensure_browser.sh
	@$(PY) -m pytest

serve:
	@test -f _build/html/index.html || { echo "No built site in _build/html: run 'make book' first."; exit 1; }
	@$(MAKE) --no-print-directory venv
	@echo "Serving _build/html on http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	@$(PY) -m http.server --bind $(HOST) --directory _build/html $(PORT)

bench: venv
	@$(PY) benchmarks/bench.py

linkcheck: venv
	@$(PY) tools/build_book.py --builder linkcheck

lock: venv-test  # what is installed now, to merge by hand; tests/build/test_lock.py checks the result
	@$(PY) -m pip freeze --exclude-editable | grep -v '^-e' | sed 's/^torch==\(.*\)+cpu$$/torch==\1/' > requirements.lock.tmp && echo "wrote requirements.lock.tmp: merge it into requirements*.txt"

clean:  # the site, the execution cache (every chapter runs again next time) and reports; .venv stays
	rm -rf _build

distclean: clean  # also the environments: .venv and node_modules
	rm -rf $(VENV) node_modules
