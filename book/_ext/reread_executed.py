"""Sphinx extension: a page whose notebook was executed again since Sphinx read it is read again;
when the ``dlbook`` package changed, every chapter is executed again.

``make book`` executes the chapters into MyST-NB's cache before Sphinx runs, and executes all
of them again when ``dlbook`` changed. Sphinx only looks at the chapters' sources, which did
not change, so it kept the pages it had and the site showed the old outputs. MyST-NB notes,
for every page it read from the cache, the time of the cache entry it used
(``exec_data["mtime"]``); a page whose entry is no longer in the cache, replaced by a newer
execution, is out of date.

MyST-NB's cache key is a notebook's code alone, yet every chapter's outputs come from
``dlbook`` (training loops, figures). A digest of dlbook's sources is kept in the cache
folder (``dlbook.sha256``); when it differs, the cache is emptied before Sphinx looks for
outdated pages, so ``jupyter-book build .`` executes every chapter again, as ``make book``
does (its driver calls :func:`forget_runs_if_dlbook_changed` before executing).
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)


def dlbook_digest() -> str:
    """SHA-256 of the dlbook package's sources (found without importing it)."""
    spec = importlib.util.find_spec("dlbook")
    h = hashlib.sha256()
    for root in spec.submodule_search_locations if spec else ():
        for path in sorted(Path(root).rglob("*.py")):
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def forget_runs_if_dlbook_changed(cache_dir) -> bool:
    """Empty the execution cache if dlbook changed since it was filled; True if so."""
    cache_dir, now = Path(cache_dir), dlbook_digest()
    mark = cache_dir / "dlbook.sha256"
    changed = mark.is_file() and mark.read_text().strip() != now
    if changed:
        shutil.rmtree(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    mark.write_text(now + "\n")
    return changed


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
    path = env.mystnb_config.execution_cache_path
    if env.mystnb_config.execution_mode == "cache" and path:
        if forget_runs_if_dlbook_changed(path):
            logger.info("the dlbook package changed: every chapter is executed again")
    return stale_pages(env)


def setup(app):
    app.connect("env-get-outdated", _outdated)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
