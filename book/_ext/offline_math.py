"""Sphinx extension: offline math.

MathJax 3 is served from the site's own ``_static/mathjax`` (only the TeX→CHTML component,
its web fonts and the TeX extensions it may autoload), copied from the pinned PyPI package
``sphinx-mathjax-offline``; no page asks a CDN for anything.
"""

from __future__ import annotations

import shutil
from importlib import metadata
from pathlib import Path

MATHJAX_DIST = "sphinx-mathjax-offline"
#: Parts of MathJax the pages load: the combined component, its fonts, lazily loaded extensions.
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "a11y", "ui")


def mathjax_source() -> Path:
    """Folder holding MathJax 3 inside the installed ``sphinx-mathjax-offline`` distribution."""
    try:
        dist = metadata.distribution(MATHJAX_DIST)
    except metadata.PackageNotFoundError:
        raise RuntimeError(
            f"MathJax for offline math comes from the PyPI package {MATHJAX_DIST}, which is not "
            f"installed: run `make book` (it installs requirements.txt)."
        ) from None
    src = Path(dist.locate_file("sphinx-mathjax-offline/static/mathjax"))
    if not (src / "tex-chtml.js").is_file():
        raise RuntimeError(f"{src}/tex-chtml.js is missing: reinstall {MATHJAX_DIST}")
    return src


def copy_mathjax(outdir: Path) -> Path:
    """Copy the MathJax parts the pages use into ``outdir/_static/mathjax``; return that folder."""
    src, dst = mathjax_source(), Path(outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        s, d = src / part, dst / part
        d.parent.mkdir(parents=True, exist_ok=True)
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            shutil.copy2(s, d)
    return dst


def _config_inited(app, config) -> None:
    config.mathjax_path = "mathjax/tex-chtml.js"


def _build_finished(app, exc) -> None:
    if exc is None and app.builder.format == "html":
        copy_mathjax(Path(app.outdir))


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("build-finished", _build_finished)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
