"""Sphinx extension: a page whose notebook was executed again since Sphinx read it is read again.

``make book`` executes the chapters into MyST-NB's cache before Sphinx runs, and executes all
of them again when ``dlbook`` changed. Sphinx only looks at the chapters' sources, which did
not change, so it kept the pages it had and the site showed the old outputs. MyST-NB notes,
for every page it read from the cache, the time of the cache entry it used
(``exec_data["mtime"]``); a page whose entry is no longer in the cache, replaced by a newer
execution, is out of date.
"""

from __future__ import annotations

from pathlib import Path


def stale_pages(env) -> list[str]:
    """Pages read from a cache entry that the cache no longer holds."""
    from jupyter_cache import get_cache
    from myst_nb.sphinx_ import NbMetadataCollector

    path = env.mystnb_config.execution_cache_path
    if env.mystnb_config.execution_mode != "cache" or not path or not Path(path).is_dir():
        return []
    current = {r.created.timestamp() for r in get_cache(path).list_cache_records()}
    return sorted(
        docname
        for docname, data in NbMetadataCollector.get_doc_data(env).items()
        if docname in env.found_docs
        and (run := data.get("exec_data"))
        and run.get("method") == "cache"
        and run.get("mtime") not in current
    )


def _outdated(app, env, added, changed, removed) -> list[str]:
    return stale_pages(env)


def setup(app):
    app.connect("env-get-outdated", _outdated)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
