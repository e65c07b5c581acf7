"""Only what the first screen needs blocks rendering.

* Every script file of a page is loaded with ``defer``: it downloads while the page is parsed and
  runs, in the same order as before, just before ``DOMContentLoaded`` (the theme's scripts and
  Sphinx's start there anyway). ``documentation_options.js`` (a dozen lines that the inline
  scripts of the page build on) is written into the page instead, so nothing runs before it.
* The search page is left as it is (its search scripts run in order from the template).
* Sphinx's search tools and the search index (``searchindex.js``, the largest script of the site)
  are loaded by the search page only; ``book/_templates/layout.html`` drops them from the other
  pages (pydata-sphinx-theme loads them everywhere for search-as-you-type, which this book has off:
  the search box opens the search page).
"""

from __future__ import annotations

import os
from pathlib import Path

from sphinx.builders.html._assets import _JavaScript

SEARCH_PAGE = "search"
INLINED = "_static/documentation_options.js"


def deferred(scripts, inline_body: str | None = None) -> list:
    """The page's scripts with ``defer`` on every file (and ``INLINED`` as an inline script)."""
    out = []
    for js in scripts:
        if not isinstance(js, _JavaScript) or not js.filename:
            out.append(js)
            continue
        attrs = {k: v for k, v in js.attributes.items() if k not in ("async", "defer")}
        if os.fspath(js.filename) == INLINED and inline_body is not None:
            out.append(_JavaScript("", priority=js.priority, body=inline_body))
        else:
            out.append(_JavaScript(js.filename, priority=js.priority, defer="defer", **attrs))
    return out


def _page_context(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or pagename == SEARCH_PAGE or "script_files" not in context:
        return
    options = Path(app.outdir) / INLINED
    body = options.read_text(encoding="utf-8").strip() if options.is_file() else None
    context["script_files"] = deferred(context["script_files"], body)


def setup(app):
    app.connect("html-page-context", _page_context, priority=900)  # after every extension added its scripts
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
