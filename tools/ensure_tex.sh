#!/usr/bin/env bash
# XeLaTeX with ctex, latexmk, Noto CJK fonts and poppler (the PDF tests read the PDF with it)
# for `make pdf` and `make test`: installed as root on Debian/Ubuntu (about 150 MB download),
# else named. DLBOOK_NEED_TEX=1 (make pdf) makes a missing piece an error.
set -euo pipefail
case ${BASH_SOURCE[0]} in */*) HERE=${BASH_SOURCE[0]%/*} ;; *) HERE=. ;; esac
WHO=ensure_tex && source "$HERE/apt.sh"
PACKAGES=(texlive-xetex texlive-lang-chinese texlive-latex-extra texlive-fonts-recommended
    latexmk poppler-utils fonts-noto-cjk)
have_tex() {  # the commands, LaTeX files and fonts (text and code) the PDF build uses
    command -v xelatex latexmk pdftotext kpsewhich >/dev/null || return 1
    for f in ctexbook.cls fncychap.sty marvosym.sty capt-of.sty; do
        [ -n "$(kpsewhich "$f")" ] || return 1
    done
    fc-list 2>/dev/null | grep -c "Noto Sans Mono CJK SC" >/dev/null
}
have_tex || apt_missing "${PACKAGES[@]}" || {
    give_up "TeX for the PDF edition is missing. Install these Debian/Ubuntu packages:
    sudo apt-get install --no-install-recommends ${PACKAGES[*]}
  (elsewhere: a TeX Live with XeLaTeX, ctex, latexmk, xindy and the Noto Sans CJK SC \
fonts), then rerun." "the PDF tests will be skipped" "${DLBOOK_NEED_TEX:-}"
    exit 0
}
say "$(xelatex --version | head -n1)"
