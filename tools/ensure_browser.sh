#!/usr/bin/env bash
# Make the browser tests runnable: Chromium + a CJK font for the browser, axe-core for the
# accessibility checks. `make test` runs this before pytest.
#
#  * Chromium: DLBOOK_CHROMIUM=/path/to/chromium wins; otherwise /usr/bin/chromium, then chromium,
#    chromium-browser, google-chrome(-stable) on PATH. If none is
#    there and we are root on Debian/Ubuntu, `apt-get install chromium fonts-noto-cjk`; elsewhere
#    print how to point the tests at a browser. With CI=true a missing browser is an error (the
#    browser tests must run in CI, never skip); elsewhere they are skipped with the same message.
#  * axe-core: `npm ci` from the pinned package-lock.json into node_modules/ (once per lock change).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { echo "ensure_browser: $*"; }

HOWTO="No Chromium found for the browser tests (tests/browser).
  On Debian/Ubuntu as root this script installs it:   apt-get install -y chromium fonts-noto-cjk
  Elsewhere install Chromium or Chrome yourself (plus a CJK font such as Noto Sans CJK SC for the
  Chinese page text in screenshots) and point the tests at it:
      export DLBOOK_CHROMIUM=/path/to/chromium
  then rerun 'make test'."

is_debian_like() {
    [ -r /etc/os-release ] && grep -Eqi '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release
}

has_cjk_font() {
    command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n1)" ]
}

apt_install() {
    say "installing with apt-get: $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "$@"
}

# ---------------------------------------------------------------- Chromium + CJK font
# The same search as tests/browser/harness.py: $DLBOOK_CHROMIUM, /usr/bin/chromium, then PATH.
find_chrome() {
    if [ -n "${DLBOOK_CHROMIUM:-}" ]; then echo "$DLBOOK_CHROMIUM"; return; fi
    if [ -x /usr/bin/chromium ]; then echo /usr/bin/chromium; return; fi
    for name in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
    done
    echo /usr/bin/chromium
}
CHROME="$(find_chrome)"
if [ -n "${DLBOOK_CHROMIUM:-}" ] && [ ! -x "$DLBOOK_CHROMIUM" ]; then
    say "DLBOOK_CHROMIUM=$DLBOOK_CHROMIUM is not an executable file."
    exit 1
fi

missing=()
[ -x "$CHROME" ] || missing+=(chromium)
has_cjk_font || missing+=(fonts-noto-cjk)

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && is_debian_like && command -v apt-get >/dev/null 2>&1; then
        if [ -n "${DLBOOK_CHROMIUM:-}" ]; then
            # A browser was given: only the font may be missing.
            missing=("${missing[@]/chromium}")
        fi
        pkgs=()
        for p in "${missing[@]}"; do [ -n "$p" ] && pkgs+=("$p"); done
        [ ${#pkgs[@]} -gt 0 ] && apt_install "${pkgs[@]}"
        CHROME="$(find_chrome)"
    fi
fi

if [ ! -x "$CHROME" ]; then
    echo "$HOWTO" >&2
    if [ "${CI:-}" = "true" ]; then
        say "CI=true and no browser: failing (browser tests must run in CI)." >&2
        exit 1
    fi
    say "continuing without a browser: the browser tests will be skipped (CI=true makes that an error)." >&2
else
    say "browser: $CHROME ($("$CHROME" --version 2>/dev/null | head -n1 || echo 'version unknown'))"
    has_cjk_font || say "warning: no CJK system font; Chinese text in screenshots will show boxes (install fonts-noto-cjk)." >&2
fi

# ---------------------------------------------------------------- axe-core from npm
if ! command -v npm >/dev/null 2>&1; then
    say "npm is missing: install Node.js 18+ with npm (Debian: apt-get install -y nodejs npm); it installs axe-core for the accessibility tests." >&2
    [ "${CI:-}" = "true" ] && exit 1
    exit 0
fi
STAMP="node_modules/.package-lock.json"
if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f "$STAMP" ] || [ package-lock.json -nt "$STAMP" ]; then
    say "npm ci (axe-core, pinned in package-lock.json)"
    npm ci --no-audit --no-fund
fi
say "axe-core $(node -p 'require("./node_modules/axe-core/package.json").version' 2>/dev/null || echo '?')"
