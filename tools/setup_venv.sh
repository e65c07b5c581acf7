#!/usr/bin/env bash
# Make .venv hold the pins of requirements.txt (KIND=build) or requirements-test.txt (KIND=test).
# A .venv made by another interpreter, with a Python that no longer runs, or left half-installed
# (no stamp for its interpreter) is made again. Bad interpreters are refused before anything.
# TORCH_INDEX_URL=...: torch's pin comes from there (the GPU publish job: the CUDA build).
set -euo pipefail
VENV="${VENV:-.venv}"; KIND="${KIND:-build}"
REQ=requirements.txt; [ "$KIND" = test ] && REQ=requirements-test.txt
NEED="Python 3.11, 3.12 or 3.13 (e.g. 'apt-get install python3.11-venv', pyenv or uv python install 3.12); then run 'make book PYTHON=/path/to/python3.X'"
die() { echo "error: $*" >&2; exit 1; }
if [ -z "${PYTHON:-}" ]; then
  for p in python3.11 python3.12 python3.13 python3; do command -v "$p" >/dev/null 2>&1 && { PYTHON="$p"; break; }; done
fi
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found. The book needs $NEED."
ver=$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null) \
  || die "$PYTHON does not run as a Python interpreter (asking it for its version failed). The book needs $NEED."
case "$ver" in 3.11.* | 3.12.* | 3.13.*) ;; *) die "$PYTHON is Python $ver, but the pins are for $NEED." ;; esac
want="python $ver $(command -v "$PYTHON")"
stamp="$VENV/.installed-$KIND"
sums=$(cat requirements*.txt pyproject.toml | sha256sum | cut -c1-16)
if [ -e "$VENV" ]; then
  have=$(cat "$VENV/.python" 2>/dev/null || true)
  if [ "$have" != "$want" ] || ! "$VENV/bin/python" -c '' 2>/dev/null || ! ls "$VENV"/.installed-* >/dev/null 2>&1; then
    echo "$VENV was made by another interpreter or is half-installed (${have:-no record}): making it again with $want"
    rm -rf "$VENV"
  fi
fi
[ "$(cat "$stamp" 2>/dev/null)" = "$sums" ] && exit 0
if [ ! -e "$VENV" ]; then
  "$PYTHON" -m venv "$VENV" 2>/tmp/dlbook-venv.err || { rm -rf "$VENV"
    die "'$PYTHON -m venv' failed ($(tail -1 /tmp/dlbook-venv.err)). Install venv support, e.g. 'apt-get install python3.11-venv'."; }
  echo "$want" > "$VENV/.python"
fi
echo "Installing $REQ into $VENV with $want (first time: a few minutes) ..."
pip=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
torch=(); [ -n "${TORCH_INDEX_URL:-}" ] && torch=("$(grep '^torch==' requirements.txt)" --index-url "$TORCH_INDEX_URL")
"${pip[@]}" pip==26.3 && { [ -z "${torch[*]}" ] || "${pip[@]}" "${torch[@]}"; } && "${pip[@]}" -r "$REQ" && "${pip[@]}" --no-deps --no-build-isolation -e . || {
  rm -f "$VENV"/.installed-*
  die "installing $REQ failed (see above); $VENV stays marked unfinished and is made again by the next 'make'."; }
"$VENV/bin/python" -c "import dlbook, torch, jupyter_book; print('venv ready ($KIND): torch', torch.__version__)"
echo "$sums" > "$stamp"
