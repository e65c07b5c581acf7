"""Sphinx extension: the repository and issues buttons only for a real repository.

The book's source repository is one setting: the environment variable
``DLBOOK_REPOSITORY_URL`` at build time, else ``repository.url`` in ``_config.yml``
(empty in the book as shipped). Set, the header shows the theme's repository and
"open issue" buttons pointing there; unset, neither button is rendered and no page links
to a repository at all (a made-up address would send readers to a 404).

The choice is made when the configuration is read (``config-inited``), before the theme
reads its options, and lands in ``html_theme_options``: a change of the setting changes
the HTML configuration, so Sphinx rewrites every page (``tools/build_book.py`` also
counts the variable among its inputs).
"""

from __future__ import annotations

import os
import re

ENV = "DLBOOK_REPOSITORY_URL"
BUTTONS = ("use_repository_button", "use_issues_button")
#: What the theme can turn into buttons: an http(s) address ending in owner/name.
SHAPE = re.compile(r"https?://[^/\s]+(/[^/\s]+)+/[^/\s]+/?")


class RepositoryURLError(ValueError):
    pass


def repository_url(configured: str | None, environ=os.environ) -> str:
    """The repository address the build uses ("" for none): the environment wins."""
    given = environ.get(ENV)
    url = (given if given is not None else configured or "").strip()
    if url and not SHAPE.fullmatch(url):
        where = ENV if given is not None else "repository.url in _config.yml"
        raise RepositoryURLError(
            f"{where}={url!r} is not a repository address such as "
            "https://github.com/owner/book (leave it empty for no repository links)"
        )
    return url.rstrip("/")


def theme_options(options: dict, url: str) -> dict:
    """``html_theme_options`` with the repository buttons on for ``url``, off for ""."""
    out = dict(options)
    out["repository_url"] = url
    for key in BUTTONS:
        out[key] = bool(url)
    if not url:
        out["use_edit_page_button"] = False
        out["use_source_button"] = False
    return out


def _config_inited(app, config) -> None:
    options = dict(config.html_theme_options or {})
    url = repository_url(options.get("repository_url"))
    config.html_theme_options = theme_options(options, url)


def setup(app):
    app.connect("config-inited", _config_inited, priority=400)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
