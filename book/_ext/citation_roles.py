"""Sphinx extension: the bibliography is a valid ARIA list.

Bibliography entries get ``role="listitem"`` instead of docutils' deprecated
``doc-biblioentry``.
"""

from __future__ import annotations


def _citation_list_roles(app, pagename, templatename, context, doctree) -> None:
    """docutils 0.21 writes bibliographies as ``<div role="list">`` of ``role="doc-biblioentry"``
    items; that DPUB role is deprecated and is no list item, so a list without items results
    (axe-core: aria-required-children, critical). The entries become plain list items."""
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    app.connect("html-page-context", _citation_list_roles)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
