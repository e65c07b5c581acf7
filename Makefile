# 深度学习第一周 — the two commands: `make book` builds the site, `make test` runs every test.
SHELL := /bin/bash
# PYTHON: the interpreter for .venv (default: the first of python3.11, 3.12, 3.13, python3 found)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: book test check preview chapter serve bench linkcheck lock clean distclean venv venv-test pdf

venv:  # what building needs (requirements.txt); checked in a fraction of a second when nothing changed
	@PYTHON="$(PYTHON)" VENV="$(VENV)" KIND=build bash tools/setup_venv.sh

venv-test:  # plus the test tools (requirements-test.txt)
	@PYTHON="$(PYTHON)" VENV="$(VENV)" KIND=test bash tools/setup_venv.sh

book: venv
	@$(PY) tools/build_book.py

test: venv-test
	@bash tools/ensure_browser.sh
	@bash tools/ensure_tex.sh
	@$(PY) -m pytest

serve:
	@test -f _build/html/index.html || { echo "No built site in _build/html: run 'make book' first."; exit 1; }
	@$(MAKE) --no-print-directory venv
	@$(PY) tests/browser/gzip_server.py --bind $(HOST) --port $(PORT) _build/html

# The book at http://$(HOST):$(PORT)/, rebuilt on every saved edit (execution cache as make book) and reloaded
preview: venv
	@$(PY) tools/preview.py --host $(HOST) --port $(PORT)

# The authors' fast tier after make book: lint, unit tests of changed modules, chapter and site tests, search questions
check: venv-test
	@$(PY) tools/check.py $(CHECK_ARGS)

# A new chapter from the template: make chapter NAME=qa/dropout TITLE="Dropout 为什么能减轻过拟合？"
chapter:
	@python3 tools/new_chapter.py "$(NAME)" "$(TITLE)"

# The PDF edition, from the same execution cache as the site (cells run only if not cached yet).
pdf: venv
	@DLBOOK_NEED_TEX=1 bash tools/ensure_tex.sh
	@$(PY) tools/build_book.py --builder latex $(PDF_BUILD_ARGS)
	@cd _build/.work/latex && latexmk -pdf -dvi- -ps- -interaction=nonstopmode -halt-on-error -silent dl-week01.tex >latexmk.out 2>&1 \
	  || { tail -n 40 dl-week01.log; echo "make pdf: XeLaTeX failed (log: _build/.work/latex/dl-week01.log)" >&2; exit 1; }
	@mkdir -p _build/pdf && cp _build/.work/latex/dl-week01.pdf _build/.work/latex/dl-week01.log _build/pdf/
	@echo "PDF edition: _build/pdf/dl-week01.pdf ($$(pdfinfo _build/pdf/dl-week01.pdf | sed -n 's/^Pages: *//p') pages)"

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
