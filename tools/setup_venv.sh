#!/usr/bin/env bash
# Create .venv with Python 3.11 and install the exact pins; stops with a clear message on a bad setup.
set -euo pipefail
PYTHON="${PYTHON:-python3.11}"
VENV="${VENV:-.venv}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "error: $PYTHON not found. The book needs Python 3.11: install it (e.g. 'apt-get install python3.11 python3.11-venv' or pyenv) or run 'make book PYTHON=/path/to/python3.11'." >&2
  exit 1
fi
if ! ver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || [ -z "$ver" ]; then
  echo "error: $PYTHON does not run as a Python interpreter (asking it for its version failed). The book needs Python 3.11: run 'make book PYTHON=/path/to/python3.11'." >&2
  exit 1
fi
if [ "$ver" != "3.11" ]; then
  echo "error: $PYTHON is Python $ver, but the pins in requirements.txt are for Python 3.11. Run 'make book PYTHON=/path/to/python3.11'." >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -m venv "$VENV" 2>/tmp/dlbook-venv.err; then
    echo "error: '$PYTHON -m venv' failed ($(tail -1 /tmp/dlbook-venv.err)). Install venv support, e.g. 'apt-get install python3.11-venv'." >&2
    rm -rf "$VENV"
    exit 1
  fi
fi
echo "Installing the pinned dependencies into $VENV (first time: a few minutes) ..."
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check pip==26.3
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
"$VENV/bin/python" -c "import dlbook, torch, jupyter_book; print('venv ready: torch', torch.__version__)"
