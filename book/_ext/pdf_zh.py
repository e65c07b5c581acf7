"""The PDF edition in Chinese: LaTeX settings that ``_config.yml`` cannot express.

The fonts, paper and margins are in ``_config.yml`` (``sphinx.config.latex_elements``); this
extension only changes what Jupyter Book's own LaTeX extension (``sphinx_jupyterbook_latex``)
puts into the preamble, after it has done so:

* its ``ucharclasses`` package (font switching per Unicode block) is dropped: xeCJK does the
  CJK/Latin switching and the two fight over XeTeX's character classes;
* its English table-of-contents name is left to ``dlbookzh.sty`` (目录, 第 1 章, 参考文献 ...);
* ``bbm.sty``, which its class requires but Debian ships only in texlive-fonts-extra
  (500 MB), is replaced by a two-line stand-in; ``dlbookzh.sty`` is loaded last.
"""

from __future__ import annotations

from pathlib import Path

TEX = Path(__file__).with_name("pdf_zh_tex")
DROP = (r"\usepackage[Latin,Greek]{ucharclasses}", r"\addto\captionsenglish{\renewcommand{\contentsname}{Contents}}")


def tune_latex(app, config) -> None:
    elements = config.latex_elements
    preamble = elements.get("preamble", "")
    for line in DROP:
        preamble = preamble.replace(line, "")
    elements["preamble"] = preamble + "\n\\usepackage{dlbookzh}\n"
    config.latex_additional_files = [*config.latex_additional_files, *(str(p) for p in sorted(TEX.glob("*.sty")))]


def setup(app):
    app.connect("config-inited", tune_latex, priority=900)  # after sphinx_jupyterbook_latex (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
