# 深度学习第一周 — the two commands: `make book` builds the site, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: book test serve bench linkcheck lock clean venv pdf

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml tools/setup_venv.sh
	@PYTHON="$(PYTHON)" VENV="$(VENV)" bash tools/setup_venv.sh
	@touch $(STAMP)

book: $(STAMP)
	@$(PY) tools/build_book.py

test: $(STAMP)
	@bash tools/ensure_browser.sh
	@bash tools/ensure_tex.sh
	@$(PY) -m pytest

serve: $(STAMP)
	@test -f _build/html/index.html || { echo "No built site in _build/html: run 'make book' first."; exit 1; }
	@$(PY) tests/browser/gzip_server.py --bind $(HOST) --port $(PORT) _build/html

# The PDF edition, from the same execution cache as the site (cells run only if not cached yet).
pdf: $(STAMP)
	@DLBOOK_NEED_TEX=1 bash tools/ensure_tex.sh
	@$(PY) tools/build_book.py --builder latex $(PDF_BUILD_ARGS)
	@cd _build/.work/latex && latexmk -pdf -dvi- -ps- -interaction=nonstopmode -halt-on-error -silent dl-week01.tex >latexmk.out 2>&1 \
	  || { tail -n 40 dl-week01.log; echo "make pdf: XeLaTeX failed (log: _build/.work/latex/dl-week01.log)" >&2; exit 1; }
	@mkdir -p _build/pdf && cp _build/.work/latex/dl-week01.pdf _build/.work/latex/dl-week01.log _build/pdf/
	@echo "PDF edition: _build/pdf/dl-week01.pdf ($$(pdfinfo _build/pdf/dl-week01.pdf | sed -n 's/^Pages: *//p') pages)"

bench: $(STAMP)
	@$(PY) benchmarks/bench.py

linkcheck: $(STAMP)
	@$(PY) tools/build_book.py --builder linkcheck

lock: $(STAMP)
	@$(PY) -m pip freeze --exclude-editable | grep -v '^-e' | sed 's/^torch==\(.*\)+cpu$$/torch==\1/' > requirements.lock.tmp && echo "wrote requirements.lock.tmp: merge it into requirements.txt"

clean:
	rm -rf _build
