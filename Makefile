# 深度学习第一周 — the two commands: `make book` builds the site, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: book test serve bench linkcheck lock clean venv

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml tools/setup_venv.sh
	@PYTHON="$(PYTHON)" VENV="$(VENV)" bash tools/setup_venv.sh
	@touch $(STAMP)

book: $(STAMP)
	@$(PY) tools/build_book.py

test: $(STAMP)
	@bash tools/ensure_browser.sh
	@$(PY) -m pytest

serve: $(STAMP)
	@test -f _build/html/index.html || { echo "No built site in _build/html: run 'make book' first."; exit 1; }
	@$(PY) tests/browser/gzip_server.py --bind $(HOST) --port $(PORT) _build/html

bench: $(STAMP)
	@$(PY) benchmarks/bench.py

linkcheck: $(STAMP)
	@$(PY) tools/build_book.py --builder linkcheck

lock: $(STAMP)
	@$(PY) -m pip freeze --exclude-editable | grep -v '^-e' | sed 's/^torch==\(.*\)+cpu$$/torch==\1/' > requirements.lock.tmp && echo "wrote requirements.lock.tmp: merge it into requirements.txt"

clean:
	rm -rf _build
