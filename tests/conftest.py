"""Shared fixtures: the built site (one real book build per test session) and glue
readers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bookdata import ROOT, executed_notebook, glue_values

SITE_ENV = "DLBOOK_TEST_SITE"


def _build_book() -> Path:
    """Run the book build exactly as `make book` does; fail the session with its log
    tail on error."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_book.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
        pytest.fail(f"book build failed (rc={proc.returncode}):\n{tail}", pytrace=False)
    return ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Path of the built HTML site (`_build/html`).

    Builds the book once per session with the project's own build command (in CI, on a
    clean
    clone, that is a cold build executing every cell). Set
    DLBOOK_TEST_SITE=/path/to/html to
    test an already built site instead.
    """
    given = os.environ.get(SITE_ENV)
    site = Path(given) if given else _build_book()
    if not (site / "index.html").is_file():
        pytest.fail(f"no index.html in {site}", pytrace=False)
    return site


@pytest.fixture(scope="session")
def glue_of(built_site: Path):
    """``glue_of("book/spiral")`` → dict of that chapter's glued values."""
    cache_dir = built_site.parent / ".jupyter_cache"
    return lambda docname: glue_values(executed_notebook(docname, cache_dir))


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """One torch thread in the test process: on a 2-core machine two threads fighting
    the
    build's kernels are many times slower (the book build runs in its own processes)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def search_index(built_site: Path) -> dict:
    """The parsed `searchindex.js` of the site."""
    text = (built_site / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])
