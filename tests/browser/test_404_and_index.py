"""The site's entry and exit: index.html sends the reader to the first page, and a
missing
address shows the book's own Chinese 404 page with a working way back."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

import harness

pytestmark = pytest.mark.browser


def _open(context, url):
    page = context.new_page()
    rec = harness.Recorder(url.split("/", 3)[0] + "//" + urlsplit(url).netloc + "/")
    rec.attach(page)
    response = page.goto(url, wait_until="load")
    return page, rec, response


ROOT_DOC = harness.toc_docs()[0]


def test_root_doc_is_intro():
    assert ROOT_DOC == "book/intro", (
        f"the toc root is {ROOT_DOC}; index.html should lead to the 前言"
    )


@pytest.mark.parametrize("entry", ["index.html", ""], ids=["index.html", "root"])
def test_index_redirects_to_intro(desktop, site_url, entry):
    page, rec, _ = _open(desktop, site_url + entry)
    try:
        page.wait_for_url(f"{site_url}{ROOT_DOC}.html", timeout=10_000)
        page.wait_for_load_state("load")
        assert page.title().startswith("前言"), (
            f"/{entry} ended on {page.url} titled {page.title()!r}"
        )
        problems = rec.console_errors + rec.bad_responses + rec.failed_requests
        assert not problems, (
            f"/{entry}: console errors / failed loads on the way in: {problems}"
        )
        assert not rec.foreign(), f"/{entry}: requests leave the site: {rec.foreign()}"
    finally:
        page.close()


def _check_404_page(page, rec, site_url, where, missing_url=None):
    assert page.evaluate("document.documentElement.lang") == "zh-CN", (
        f"{where}: lang is not zh-CN"
    )
    assert "页面不存在" in page.locator("h1").inner_text(), (
        f"{where}: no Chinese 404 heading"
    )
    assert "深度学习第一周" in page.title(), f"{where}: title {page.title()!r}"
    # The link back is resolved (and checked with a HEAD request) by the page's script.
    page.wait_for_function(
        "() => new URL(document.getElementById('home').href).pathname === '/book/intro.html'",
        timeout=10_000,
    )
    assert not rec.foreign(), f"{where}: requests leave the site: {rec.foreign()}"
    # Chromium logs the 404 status of a missing address itself; nothing else may be
    # logged.
    errors = [
        e
        for e in rec.console_errors
        if not (missing_url and e.endswith(f"[{missing_url}:0]"))
    ]
    assert not errors, f"{where}: console errors: {errors}"
    bad = harness.serious(harness.run_axe(page))
    assert not bad, (
        f"{where}: axe-core serious/critical violations:\n"
        + harness.format_violations(bad)
    )
    with page.expect_navigation():
        page.locator("#home").click()
    assert page.url == f"{site_url}book/intro.html", (
        f"{where}: the start link went to {page.url}"
    )
    assert page.title().startswith("前言")


def test_404_page_itself(desktop, site_url, axe_ready):
    page, rec, response = _open(desktop, f"{site_url}404.html")
    try:
        assert response.status == 200, f"404.html: HTTP {response.status}"
        assert not rec.bad_responses, (
            f"404.html loads missing files: {rec.bad_responses}"
        )
        _check_404_page(page, rec, site_url, "404.html")
    finally:
        page.close()


@pytest.mark.parametrize(
    "missing", ["no-such-page.html", "book/qa/no-such-chapter.html", "a/b/c/"]
)
def test_missing_page_shows_404(desktop, site_url, axe_ready, missing):
    """Served like GitHub Pages does: the site's 404.html with status 404, at any
    depth."""
    page, rec, response = _open(desktop, f"{site_url}{missing}")
    try:
        assert response.status == 404, (
            f"/{missing}: HTTP {response.status}, expected 404"
        )
        # The only 404 allowed is the missing address itself (no stylesheet, icon or
        # script of the page).
        others = [r for r in rec.bad_responses if not r.endswith(f"/{missing}")]
        assert not others, (
            f"/{missing}: the 404 page itself loads missing files: {others}"
        )
        _check_404_page(
            page, rec, site_url, f"/{missing}", missing_url=f"{site_url}{missing}"
        )
    finally:
        page.close()
