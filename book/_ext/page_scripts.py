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
* pydata-sphinx-theme makes every code block and output that scrolls sideways focusable (so a
  keyboard can scroll it) by measuring all of them when the page loads: on a long chapter that
  lays out the whole page in one go, the longest task of the load. ``_static/scripts/
  pydata-sphinx-theme.js`` is written with the same measurement done in idle time, a few
  blocks at a time; the result for the reader is the same, a moment later.
"""

from __future__ import annotations

import os
from pathlib import Path

from sphinx.builders.html._assets import _JavaScript
from sphinx.errors import ExtensionError

SEARCH_PAGE = "search"
INLINED = "_static/documentation_options.js"
THEME_JS = "scripts/pydata-sphinx-theme.js"  # under _static
#: The theme's check (pydata-sphinx-theme 0.16, minified), for every block at once ...
EAGER = "forEach(e=>{e.tabIndex=e.scrollWidth>e.clientWidth||e.scrollHeight>e.clientHeight?0:-1})"
#: ... and the same check for one block after another in idle time, a few milliseconds at a
#: time, so that no long task holds up a reader's first taps (when the theme checks again, after
#: a resize or a change of the page, the blocks join the queue again).
LAZY = (
    "forEach(e=>{const q=window.dlbookScrollables||(window.dlbookScrollables=new Set),"
    "r=window.requestIdleCallback||(f=>setTimeout(f,50));"  # Safari has no requestIdleCallback
    "q.size||r(function t(){const s=performance.now();for(const e of q){"
    "if(performance.now()-s>8)return void r(t);q.delete(e);"
    "e.tabIndex=e.scrollWidth>e.clientWidth||e.scrollHeight>e.clientHeight?0:-1}});q.add(e)})"
)


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


def theme_script() -> Path:
    """The theme's own (unchanged) script, as pydata-sphinx-theme installed it."""
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent / "theme/pydata_sphinx_theme/static" / THEME_JS


def lazy_scrollables(static: Path, original: Path | None = None) -> None:
    """Write the theme's script into ``static`` with the scrolling blocks measured in idle time."""
    text = (original or theme_script()).read_text(encoding="utf-8")
    if text.count(EAGER) != 1:
        raise ExtensionError(
            f"page_scripts: _static/{THEME_JS} changed form (pydata-sphinx-theme upgraded?); "
            "update EAGER/LAZY in book/_ext/page_scripts.py"
        )
    (static / THEME_JS).write_text(text.replace(EAGER, LAZY), encoding="utf-8")


def _build_finished(app, exc) -> None:
    if exc is None and app.builder.format == "html":
        lazy_scrollables(Path(app.outdir) / "_static")


def setup(app):
    app.connect("build-finished", _build_finished)
    app.connect("html-page-context", _page_context, priority=900)  # after every extension added its scripts
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
