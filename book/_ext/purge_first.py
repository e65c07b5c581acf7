"""Sphinx extension: forget every changed page before reading any of them.

Sphinx's serial reader forgets a page's labels just before it reads that page again.
When a label moves from one page to another (a chapter split in two, say), the page that
now holds the label can be read first, while the old page's copy is still remembered:
an incremental build then warns "duplicate label" and, with warnings as errors, fails,
although a fresh build is clean. Sphinx's parallel reader already forgets all changed
pages first; this does the same for the serial reader, so an incremental build and a
fresh build agree.
"""

from __future__ import annotations


def _forget_changed(app, env, docnames) -> None:
    for docname in docnames:
        if docname in env.all_docs:
            app.events.emit("env-purge-doc", env, docname)
            env.clear_doc(docname)


def setup(app):
    app.connect("env-before-read-docs", _forget_changed)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
