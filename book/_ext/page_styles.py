"""One stylesheet per page instead of thirteen.

A page of the theme links 13 stylesheets (the theme's two, Sphinx's, and one per extension;
``theme.css`` then ``@import``s ``basic.css``): on a phone's network each is a round trip that
holds back the first paint. After the build this extension writes them, in the pages' order,
into one file ``_static/site.css`` (``@import`` inlined, every ``url()`` rewritten to stay
right from ``_static/``), keeps only the rules that some page or script of the site can use
(PurgeCSS, pinned in package.json: the theme's 400 KiB come down to about a third, which the
phone parses and matches against every element before its first paint), and the pages link
that one file. A stylesheet one page adds for
itself stays a link of its own. ``book/_templates/static/webpack-macros.html`` leaves out the
theme's two links when ``bundled_css`` is set.
"""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
from pathlib import Path

from sphinx.builders.html._assets import _CascadingStyleSheet
from sphinx.errors import ExtensionError

import node_tools

BUNDLE = "site.css"  # under _static
THEME_PRE = ("styles/theme.css", "styles/pydata-sphinx-theme.css")  # the theme's head_pre_assets
URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
PURGE_JS = Path(__file__).with_name("purge_css.js")
IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]([^'"]+)['"]\s*\)?\s*;""")


def _local(name: str) -> bool:
    return not (name.startswith(("data:", "#", "/")) or "://" in name)


def inline_css(static: Path, rel: str, seen: set[str] | None = None) -> str:
    """The stylesheet ``_static/<rel>`` with its ``@import``s inlined and its ``url()``s made
    relative to ``_static/``."""
    seen = set() if seen is None else seen
    if rel in seen:
        return ""
    seen.add(rel)
    path = static / rel
    if not path.is_file():
        raise ExtensionError(f"page_styles: the pages link _static/{rel}, which the build did not write")
    text = path.read_text(encoding="utf-8")
    base = posixpath.dirname(rel)

    def target(ref: str) -> str:
        return posixpath.normpath(posixpath.join(base, ref))

    text = IMPORT.sub(lambda m: inline_css(static, target(m.group(1)), seen) if _local(m.group(1)) else m.group(0), text)
    if base:
        text = URL.sub(lambda m: f"url({m.group(1)}{target(m.group(2))}{m.group(1)})" if _local(m.group(2)) else m.group(0), text)
    return f"/* --- {rel} --- */\n{text.strip()}\n"


def purge(site: Path, css: str) -> str:
    """The stylesheet ``css`` without the rules that no page or script under ``site`` can use."""
    purgecss = node_tools.ensure("purgecss", "lib/purgecss.js", "page_styles")
    proc = subprocess.run(
        [node_tools.node(), str(PURGE_JS), str(purgecss), str(site)],
        input=css, capture_output=True, text=True, encoding="utf-8",
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        raise ExtensionError(f"page_styles: PurgeCSS failed on {BUNDLE}:\n{proc.stderr[-1500:]}")
    return proc.stdout


def static_name(css) -> str | None:
    """``_static``-relative name of a stylesheet asset; None for a remote one."""
    name = os.fspath(css.filename)
    if "://" in name or name.startswith("/"):
        return None
    return name[len("_static/"):] if name.startswith("_static/") else name


def bundle_order(global_css) -> list[str]:
    names = [static_name(c) for c in sorted(global_css, key=lambda c: c.priority)]
    return list(THEME_PRE) + [n for n in dict.fromkeys(names) if n and n != BUNDLE]


def _page_context(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or "css_files" not in context:
        return
    shared = set(getattr(app.builder, "_orig_css_files", []))
    own = [c for c in context["css_files"] if c not in shared or static_name(c) is None]
    context["css_files"] = [_CascadingStyleSheet(f"_static/{BUNDLE}", priority=0), *own]
    context["bundled_css"] = True


def _builder_inited(app) -> None:
    if app.builder.format == "html":  # PurgeCSS runs at the end: a missing Node stops us now
        node_tools.ensure("purgecss", "lib/purgecss.js", "page_styles")
    stale = Path(app.outdir) / "_static" / BUNDLE
    if stale.is_file():  # no checksum of an old bundle in the new pages
        stale.unlink()


def _copy_own_static(app, exc) -> None:
    """Sphinx copies ``html_static_path`` only when some page is written: after an edit of
    ``book/_css/custom.css`` alone the site would keep the old copy. The book's own static
    folders (not the extensions', some of which are templates Sphinx renders) are copied
    every time."""
    if exc is not None or app.builder.format != "html":
        return
    from sphinx.util.fileutil import copy_asset

    root = Path(app.confdir).resolve()
    for entry in app.config.html_static_path:
        folder = (root / entry).resolve()
        if folder.is_relative_to(root) and ".venv" not in folder.parts and folder.is_dir():
            copy_asset(folder, Path(app.outdir) / "_static", excluded=lambda p: p.startswith("."))


def _build_finished(app, exc) -> None:
    if exc is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    css = "".join(inline_css(static, rel) for rel in bundle_order(app.builder._css_files))
    if "icon_subset" in app.extensions:  # the rules of icons no page shows go
        import icon_subset

        css = icon_subset.without_unused_icons(css, icon_subset.site_texts(Path(app.outdir)))
    (static / BUNDLE).write_text(purge(Path(app.outdir), css), encoding="utf-8")


def setup(app):
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page_context, priority=950)
    app.connect("build-finished", _copy_own_static, priority=100)
    app.connect("build-finished", _build_finished, priority=900)  # after icon_subset wrote its CSS
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
