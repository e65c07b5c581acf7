"""Sphinx extension: ``index.html`` is a whole redirect page.

Language, title and an empty icon instead of the one ``<meta>`` line sphinx-external-toc
writes; that line made the browser ask for ``/favicon.ico`` (a 404 and a console error) on
the way in.
"""

from __future__ import annotations

from pathlib import Path

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


def setup(app):
    app.connect("build-finished", _write_index, priority=400)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
