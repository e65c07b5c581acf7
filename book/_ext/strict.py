"""Sphinx extension: a warning fails the build, also for a plain ``jupyter-book build .``.

Jupyter Book 1's ``_config.yml`` has no key for ``-W``. Sphinx (7.x) ends a build with exit
status 1 when it logged any warning and ``keep_going`` is on, so this extension turns that on:
every warning (a cell's stderr, a broken reference with ``nitpicky``, a missing image) is
still reported, all of them in one run, and ``jupyter-book build .`` then exits with 1.
With ``-W --keep-going`` (what ``make book`` runs) the setting changes nothing.

A cell's stderr output (MyST-NB renders it as a literal block of class ``stderr``;
``execute.stderr_output: show``) is a warning at the cell that quotes what was printed, so
either command says *what* went wrong (a missing glyph, a deprecation) without opening the
page.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _builder_inited(app) -> None:
    app.keep_going = True


def _stderr_is_a_warning(app, doctree) -> None:
    for block in doctree.findall(nodes.literal_block):
        if "stderr" not in block["classes"]:
            continue
        cell = block.parent
        while cell is not None and "cell_index" not in cell.attributes:
            cell = cell.parent
        where = f"cell {cell['cell_index'] + 1}" if cell is not None else "a cell"
        lines = [ln.strip() for ln in block.astext().splitlines() if ln.strip()]
        shown = " | ".join(lines[:4])[:400]
        logger.warning(f"{where} printed to stderr: {shown}", location=block)


def setup(app):
    app.connect("builder-inited", _builder_inited)
    app.connect("doctree-read", _stderr_is_a_warning)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
