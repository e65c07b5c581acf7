"""Sphinx extension: an edit of the book's own extensions or templates, or of the table of
contents, rewrites every page.

Sphinx rewrites a page when its source, the configuration or a template changed, but knows
nothing of the code of local extensions: after an edit of, say, ``page_scripts.py`` an
incremental build kept the old pages. The digest of ``book/_ext`` and ``book/_templates`` is
an HTML configuration value, so a change of either rewrites all pages (nothing is executed again:
the notebooks come from the cache). ``_toc.yml`` is in it too: every page's sidebar lists the
chapters, and Sphinx would otherwise rewrite only the pages whose toctree changed, so after
`make chapter` the older pages' sidebars would lack the new chapter.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

BOOK = Path(__file__).resolve().parents[1]
WATCHED = ("_ext", "_templates")
TOC = "_toc.yml"  # beside book/


def digest(book: Path = BOOK) -> str:
    """SHA-256 of the watched folders' files (names and contents, in a fixed order)."""
    h = hashlib.sha256()
    for folder in WATCHED:
        for path in sorted((book / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(book).as_posix().encode() + b"\0" + path.read_bytes())
    toc = book.parent / TOC
    if toc.is_file():
        h.update(TOC.encode() + b"\0" + toc.read_bytes())
    return h.hexdigest()


def setup(app):
    app.add_config_value("dlbook_ext_digest", digest(), "html", types=[str])
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
