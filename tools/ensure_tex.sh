#!/usr/bin/env bash
# Make the PDF edition buildable: XeLaTeX with Chinese support, latexmk, the CJK fonts and
# poppler's pdffonts/pdftotext (the PDF tests read the PDF with them). `make pdf` and `make test`
# run this first, as they run ensure_browser.sh for Chromium.
#
# Missing pieces are installed with apt-get when we are root on Debian/Ubuntu (about 150 MB
# download); elsewhere it stops with the list of Debian packages to install. With CI=true a
# missing TeX is an error; otherwise `make test` goes on and the PDF tests are skipped.
set -euo pipefail
say() { echo "ensure_tex: $*"; }

# command or file that shows the package is there -> Debian package
declare -A NEED=(
    [xelatex]=texlive-xetex
    [latexmk]=latexmk
    [pdftotext]=poppler-utils
    [kpsewhich]=texlive-latex-extra
)
# LaTeX files that come with a package (checked with kpsewhich once TeX is there)
declare -A STY=([ctexbook.cls]=texlive-lang-chinese [fncychap.sty]=texlive-latex-extra
                [marvosym.sty]=texlive-fonts-recommended [capt-of.sty]=texlive-latex-extra)

missing=()
for cmd in "${!NEED[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEED[$cmd]}")
done
if command -v kpsewhich >/dev/null 2>&1; then
    for f in "${!STY[@]}"; do [ -n "$(kpsewhich "$f")" ] || missing+=("${STY[$f]}"); done
else
    missing+=(texlive-lang-chinese texlive-fonts-recommended)
fi
# The PDF's fonts: Noto Sans CJK SC (body, headings) and Noto Sans Mono CJK SC (code).
fc-list 2>/dev/null | grep -c "Noto Sans Mono CJK SC" >/dev/null || missing+=(fonts-noto-cjk)
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 \
        && grep -Eqi '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release 2>/dev/null; then
        say "installing with apt-get: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        start=$(date +%s)
        apt-get update -q
        apt-get install -y -q --no-install-recommends "${missing[@]}"
        say "apt-get took $(( $(date +%s) - start )) s"
        missing=()
    else
        msg="TeX for the PDF edition is missing. Install these Debian/Ubuntu packages:
    sudo apt-get install --no-install-recommends ${missing[*]}
  (elsewhere: a TeX Live with XeLaTeX, ctex, latexmk, xindy and the Noto Sans CJK SC fonts), then rerun."
        echo "ensure_tex: $msg" >&2
        if [ "${CI:-}" = "true" ] || [ "${DLBOOK_NEED_TEX:-}" = "1" ]; then exit 1; fi
        say "continuing without TeX: the PDF tests will be skipped (CI=true makes that an error)." >&2
        exit 0
    fi
fi
say "$(xelatex --version | head -n1)"
