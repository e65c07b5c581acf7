"""Every page of the table of contents, opened in Chromium: it loads, stays quiet,
stays on the
site, shows its figures and typeset math, links to its neighbours, and passes
axe-core."""

from __future__ import annotations

import pytest
from PIL import Image

import harness

pytestmark = pytest.mark.browser

DOCS = harness.toc_docs()


@pytest.mark.parametrize("doc", DOCS)
def test_http_200(page_visit, doc):
    v = page_visit(doc)
    assert v.status == 200, f"{doc}: HTTP {v.status} for {v.url}"


@pytest.mark.parametrize("doc", DOCS)
def test_no_console_errors(page_visit, doc):
    rec = page_visit(doc).recorder
    problems = (
        rec.console_errors
        + [f"HTTP {r}" for r in rec.bad_responses]
        + [f"request failed: {r}" for r in rec.failed_requests]
    )
    assert not problems, f"{doc}: console errors / failed loads:\n  " + "\n  ".join(
        problems
    )


@pytest.mark.parametrize("doc", DOCS)
def test_no_request_to_other_hosts(page_visit, doc):
    rec = page_visit(doc).recorder
    assert rec.requests, f"{doc}: no request recorded at all (recorder broken?)"
    foreign = rec.foreign()
    assert not foreign, (
        f"{doc}: requests leave the site ({rec.base}):\n  " + "\n  ".join(foreign)
    )


@pytest.mark.parametrize("doc", DOCS)
def test_images_loaded(page_visit, doc):
    images = page_visit(doc).facts["images"]
    broken = [i["src"] for i in images if i["naturalWidth"] <= 0]
    assert not broken, f"{doc}: images that did not load: {broken}"


@pytest.mark.parametrize("doc", DOCS)
def test_images_have_alt_text(page_visit, doc):
    images = page_visit(doc).facts["images"]
    no_alt = [i["src"] for i in images if i["alt"] is None]
    assert not no_alt, f"{doc}: <img> without alt attribute: {no_alt}"
    empty = [
        i["src"]
        for i in images
        if i["inArticle"] and not i["hidden"] and not (i["alt"] or "").strip()
    ]
    assert not empty, f"{doc}: figures in the chapter with an empty alt text: {empty}"


@pytest.mark.parametrize("doc", DOCS)
def test_math_rendered(page_visit, doc):
    f = page_visit(doc).facts
    assert not f["rawMath"], f"{doc}: raw TeX left in the visible text: {f['rawMath']}"
    # Typeset at build time by KaTeX (book/_ext/katex_math.py): no math script on the
    # page.
    assert not f["mathScripts"] and not f["mathJax"], (
        f"{doc}: the page loads a math script: {f['mathScripts']}"
    )
    if f["mathElements"]:
        assert f["katex"] >= f["mathElements"], (
            f"{doc}: {f['mathElements']} math element(s), {f['katex']} typeset"
        )
        assert not f["mathUntypeset"], (
            f"{doc}: math not typeset: {f['mathUntypeset'][:5]}"
        )
        assert not f["mathErrors"], f"{doc}: math errors: {f['mathErrors']}"


@pytest.mark.parametrize("doc", DOCS)
def test_icon_and_math_fonts_load(page_visit, doc):
    f = page_visit(doc).facts
    assert not f["fontErrors"], f"{doc}: fonts that failed to load: {f['fontErrors']}"
    # the header's icons (site.css keeps Font Awesome's @font-face, named through
    # custom properties) and, where there are formulas, KaTeX's fonts
    assert any("Font Awesome" in family for family in f["fontsLoaded"]), f[
        "fontsLoaded"
    ]
    if f["katex"]:
        assert any(family.startswith("KaTeX") for family in f["fontsLoaded"]), f[
            "fontsLoaded"
        ]


@pytest.mark.parametrize("doc", DOCS)
def test_blocks_that_scroll_sideways_take_the_keyboard(page_visit, doc):
    stuck = page_visit(doc).facts["unfocusableScrollers"]
    assert not stuck, f"{doc}: scrolling blocks a keyboard cannot reach: {stuck[:5]}"


@pytest.mark.parametrize("doc", DOCS)
def test_code_cells_fit_a_laptop_screen(page_visit, doc):
    """Code lines are at most 88 characters; at 1280 px none needs a sideways scroll."""
    wide = page_visit(doc).facts["wideCode"]
    assert not wide, f"{doc}: code cells wider than the column at 1280 px: {wide[:5]}"


@pytest.mark.parametrize("doc", DOCS)
def test_prev_next_follow_toc(page_visit, doc, site_url):
    f = page_visit(doc).facts
    i = DOCS.index(doc)
    expect_prev = f"/{DOCS[i - 1]}.html" if i > 0 else None
    expect_next = f"/{DOCS[i + 1]}.html" if i + 1 < len(DOCS) else None
    assert f["prev"] == expect_prev, (
        f"{doc}: 'previous' link goes to {f['prev']}, toc says {expect_prev}"
    )
    assert f["next"] == expect_next, (
        f"{doc}: 'next' link goes to {f['next']}, toc says {expect_next}"
    )


@pytest.mark.parametrize("doc", DOCS)
def test_language_is_zh_cn(page_visit, doc):
    assert page_visit(doc).facts["lang"] == "zh-CN", (
        f"{doc}: <html lang> is {page_visit(doc).facts['lang']!r}"
    )


@pytest.mark.parametrize("doc", DOCS)
def test_accessibility_axe(page_visit, doc):
    bad = harness.serious(page_visit(doc).axe)
    assert not bad, (
        f"{doc}: axe-core serious/critical violations:\n"
        + harness.format_violations(bad)
    )


@pytest.mark.parametrize("doc", DOCS)
def test_full_page_screenshot(page_visit, doc):
    shot = page_visit(doc).screenshot
    assert shot is not None and shot.is_file(), f"{doc}: no screenshot written"
    with Image.open(shot) as im:
        assert im.format == "PNG" and im.width == 1280 and im.height >= 900, (
            f"{doc}: screenshot {shot} is {im.format} {im.size}"
        )
