"""Fixtures of the browser suite: the built site served on 127.0.0.1, one Chromium per
session,
and one recorded visit per page (shared by the per-page checks)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # harness.py, whatever pytest's import mode

import harness  # noqa: E402
from harness import new_context  # noqa: E402


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def site_url(built_site: Path):
    """Base URL (``http://127.0.0.1:PORT/``) of the built site, served from a thread."""
    with harness.serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session. Missing browser: fail in CI, skip
    elsewhere."""
    executable = harness.chromium_path()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail(harness.NO_BROWSER, pytrace=False)
        pytest.skip(harness.NO_BROWSER)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = harness.launch(p, executable)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def axe_ready():
    if not harness.AXE_JS.is_file():
        pytest.fail(harness.NO_AXE, pytrace=False)
    return harness.AXE_JS


@pytest.fixture(scope="session")
def desktop(browser):
    """A desktop-size browser context with a fresh profile (light colour scheme)."""
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture(scope="session")
def page_visit(browser, site_url, axe_ready):
    """``page_visit("book/spiral")`` -> the recorded :class:`harness.Visit` (each page
    loaded once,
    in a fresh profile of its own: a reader arriving on that page first, from a search
    engine,
    with no stored theme choice and an empty cache)."""
    cache: dict[str, harness.Visit] = {}
    shutil.rmtree(
        harness.SCREENSHOTS, ignore_errors=True
    )  # no screenshots of pages gone from the toc

    def get(doc: str) -> harness.Visit:
        if doc not in cache:
            context = new_context(browser)
            try:
                cache[doc] = harness.visit(context, site_url, doc)
            finally:
                context.close()
        return cache[doc]

    return get
