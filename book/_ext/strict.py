"""Sphinx extension: a warning fails the build, also for a plain ``jupyter-book build .``.

Jupyter Book 1's ``_config.yml`` has no key for ``-W``. Sphinx (7.x) ends a build with exit
status 1 when it logged any warning and ``keep_going`` is on, so this extension turns that on:
every warning (a cell's stderr, a broken reference with ``nitpicky``, a missing image) is
still reported, all of them in one run, and ``jupyter-book build .`` then exits with 1.
With ``-W --keep-going`` (what ``make book`` runs) the setting changes nothing.
"""

from __future__ import annotations


def _builder_inited(app) -> None:
    app.keep_going = True


def setup(app):
    app.connect("builder-inited", _builder_inited)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
