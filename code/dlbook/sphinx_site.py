"""Sphinx extension for the reader's side of the site: notebook downloads, a valid citation list,
a whole index page, no unused Thebe.

* Every chapter that is a notebook gets an ``.ipynb`` entry in the theme's download menu:
  the executed notebook (outputs included, see :func:`notebook_with_outputs`) is written next
  to the ``.md`` source under ``_sources/``. (sphinx-book-theme only does that when a Binder, Colab, JupyterHub or
  Thebe launch button is configured; this book has none, so readers got the ``.md`` only.)

* Bibliography entries get ``role="listitem"`` instead of docutils' deprecated
  ``doc-biblioentry``, so the citation list is a valid ARIA list.

* ``index.html`` is a whole redirect page (language, title, empty icon) instead of the one
  ``<meta>`` line sphinx-external-toc writes; that line made the browser ask for
  ``/favicon.ico`` (a 404 and a console error) on the way in.

* Jupyter Book 1 always loads ``sphinx_thebe`` (it is in its fixed extension list), even with
``launch_buttons.thebe: false``. sphinx-thebe 0.3.1 then puts its configuration script into
every page twice, which makes the browser log the error "Identifier 'THEBE_JS_URL' has already
been declared", and ships a script and a stylesheet that this book never uses (the script
would fetch Thebe from unpkg.com). When the book's launch buttons do not ask for Thebe, this
extension disconnects sphinx-thebe's event handlers and drops its stylesheet, so the pages
carry no Thebe code at all.
"""

from __future__ import annotations

from pathlib import Path

THEBE_MODULE = "sphinx_thebe"


def thebe_wanted(config) -> bool:
    """True when the theme's launch buttons ask for Thebe (``launch_buttons.thebe: true``)."""
    options = getattr(config, "html_theme_options", None) or {}
    launch = options.get("launch_buttons") or {}
    if not isinstance(launch, dict):
        raise TypeError(f"html_theme_options['launch_buttons'] must be a dict, got {type(launch).__name__}")
    return bool(launch.get("thebe", False))


def remove_thebe(app) -> int:
    """Disconnect every sphinx-thebe event handler and drop its CSS; return how many handlers went."""
    removed = 0
    for listeners in list(app.events.listeners.values()):
        for listener in list(listeners):
            module = getattr(listener.handler, "__module__", "") or ""
            if module == THEBE_MODULE or module.startswith(THEBE_MODULE + "."):
                app.disconnect(listener.id)
                removed += 1
    app.registry.css_files[:] = [
        (name, attrs) for name, attrs in app.registry.css_files if name != "sphinx-thebe.css"
    ]
    return removed


def executed_notebook(app, pagename: str) -> Path | None:
    """The notebook MyST-NB wrote for ``pagename`` to ``jupyter_execute``, or None for a page that is no notebook."""
    if not isinstance(pagename, str) or not pagename:
        raise ValueError(f"pagename must be a non-empty docname, got {pagename!r}")
    if "kernelspec" not in app.env.metadata.get(pagename, {}):
        return None
    path = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    return path if path.is_file() else None


def notebook_with_outputs(path: Path, cache_path: str | Path | None):
    """Read the notebook at ``path`` and fill in its outputs from the execution cache.

    In cache mode MyST-NB 1.4 writes ``jupyter_execute/<page>.ipynb`` with the outputs only in
    the build that executed the chapter; a build that takes the outputs from the cache writes
    the notebook without them. The cache holds the executed notebook, so it is the source here.
    Glue outputs that are not for display (``glue(..., display=False)``) are dropped, as
    MyST-NB does. Without a cache, or without a match in it, the notebook is returned as read.
    """
    import nbformat
    from myst_nb.ext.glue import extract_glue_data_cell

    nb = nbformat.read(str(path), as_version=4)
    if cache_path and Path(cache_path).is_dir():
        from jupyter_cache import get_cache

        try:
            _, nb = get_cache(str(cache_path)).merge_match_into_notebook(nb)
        except KeyError:
            pass
    for cell in nb.cells:
        if cell.cell_type == "code":
            extract_glue_data_cell(cell)
    return nb


def _add_notebook_download(app, pagename, templatename, context, doctree) -> None:
    """html-page-context (priority 500, before the theme builds its buttons at 501)."""
    if doctree is None or app.builder.format != "html" or context.get("ipynb_source"):
        return
    source = executed_notebook(app, pagename)
    if source is None:
        return
    import nbformat

    nb_config = app.env.mystnb_config
    cache_path = nb_config.execution_cache_path if nb_config.execution_mode == "cache" else None
    nb = notebook_with_outputs(source, cache_path)
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))
    context["ipynb_source"] = f"{pagename}.ipynb"


def _citation_list_roles(app, pagename, templatename, context, doctree) -> None:
    """docutils 0.21 writes bibliographies as ``<div role="list">`` of ``role="doc-biblioentry"``
    items; that DPUB role is deprecated and is no list item, so a list without items results
    (axe-core: aria-required-children, critical). The entries become plain list items."""
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{icon}<link rel="canonical" href="{target}">
<meta http-equiv="refresh" content="0; url={target}">
</head>
<body>
<p><a href="{target}">{title}</a></p>
</body>
</html>
"""


def index_page(target: str, title: str, lang: str = "zh-CN", favicon: str | None = "data:,") -> str:
    """The site's ``index.html``: an instant redirect to ``target`` that is a whole page (language,
    title, a link for browsers that do not follow the redirect). The default empty ``data:`` icon
    keeps the browser from fetching any icon for a page that is gone at once (a fetched one is
    aborted by the redirect; none at all makes it ask for ``/favicon.ico``, a 404)."""
    from html import escape

    if not target or "://" in target or target.startswith("/"):
        raise ValueError(f"target must be a relative URL inside the site, got {target!r}")
    icon = f'<link rel="icon" href="{escape(favicon)}">\n' if favicon else ""
    return INDEX_TEMPLATE.format(lang=escape(lang), title=escape(title), icon=icon, target=escape(target))


def _write_index(app, exc) -> None:
    """build-finished, before sphinx-external-toc's own one-line redirect (which then keeps ours).

    Without a page icon the browser asks for ``/favicon.ico`` while it redirects: a 404 and a
    console error on the front door of the site."""
    if exc is not None or app.builder.format != "html" or app.builder.name == "dirhtml":
        return
    root = app.config.root_doc
    if root == "index":
        return
    lang = (app.config.language or "en").replace("_", "-")
    if lang.lower().startswith("zh-"):
        lang = "zh-" + lang.split("-", 1)[1].upper()
    page = index_page(app.builder.get_target_uri(root), app.config.html_title or app.config.project, lang)
    (Path(app.outdir) / "index.html").write_text(page, encoding="utf-8")


def _config_inited(app, config) -> None:
    if THEBE_MODULE in app.extensions and not thebe_wanted(config):
        remove_thebe(app)


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", _add_notebook_download, priority=500)
    app.connect("html-page-context", _citation_list_roles)
    app.connect("build-finished", _write_index, priority=400)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
