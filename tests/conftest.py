"""Shared fixtures: the built site (one real book build per test session) and glue readers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE_ENV = "DLBOOK_TEST_SITE"


def _build_book() -> Path:
    """Run the book build exactly as `make book` does; fail the session with its log tail on error."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_book.py")],
        cwd=ROOT, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
        pytest.fail(f"book build failed (rc={proc.returncode}):\n{tail}", pytrace=False)
    return ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Path of the built HTML site (`_build/html`).

    Builds the book once per session with the project's own build command (in CI, on a clean
    clone, that is a cold build executing every cell). Set DLBOOK_TEST_SITE=/path/to/html to
    test an already built site instead.
    """
    given = os.environ.get(SITE_ENV)
    site = Path(given) if given else _build_book()
    if not (site / "index.html").is_file():
        pytest.fail(f"no index.html in {site}", pytrace=False)
    return site


GLUE_MIME = "application/papermill.record/text/plain"


def read_glue(cache_dir: Path, source: Path) -> dict:
    """All glued values of one executed chapter, {name: value}, from MyST-NB's execution cache.

    (The notebooks MyST-NB writes to `_build/jupyter_execute` have the glue outputs removed;
    the cache keeps the executed notebook whole.)
    """
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    try:
        record = cache.get_cached_project_nb(str(source))
    except KeyError:
        record = None
    if record is None:
        raise LookupError(f"{source} has no executed notebook in the cache {cache_dir}")
    nb = cache.get_cache_bundle(record.pk).nb
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook")
            if meta and GLUE_MIME in out.get("data", {}):
                values[meta["name"]] = _literal(out["data"][GLUE_MIME])
    return values


def _literal(text: str):
    import ast

    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


@pytest.fixture(scope="session")
def glue_of(built_site: Path):
    """``glue_of("book/spiral")`` → dict of that chapter's glued values."""
    cache_dir = built_site.parent / ".jupyter_cache"
    return lambda docname: read_glue(cache_dir, ROOT / f"{docname}.md")


@pytest.fixture(scope="session")
def search_index(built_site: Path) -> dict:
    """The parsed `searchindex.js` of the site."""
    text = (built_site / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])
