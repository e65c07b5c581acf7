"""Phone width (390 x 844, touch, mobile viewport): no sideways scrolling of the page
and
figures scaled down to the screen."""

from __future__ import annotations

import pytest

import harness
from harness import new_context

pytestmark = pytest.mark.browser

DOCS = harness.toc_docs()
PHONE = {"width": 390, "height": 844}

LAYOUT_JS = """
() => ({
  scrollWidth: document.documentElement.scrollWidth,
  bodyScrollWidth: document.body.scrollWidth,
  innerWidth: window.innerWidth,
  wide: Array.from(document.querySelectorAll('body *'))
    .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 1; })
    .filter(e => { // only the outermost offenders, and not what sits inside its own scroll box
      for (let p = e.parentElement; p; p = p.parentElement) {
        const ox = getComputedStyle(p).overflowX;
        if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') return false;
      }
      return true;
    })
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + ' right=' + Math.round(e.getBoundingClientRect().right)),
  images: Array.from(document.images).filter(i => i.getClientRects().length).map(i => ({
    src: i.getAttribute('src'), width: i.getBoundingClientRect().width, natural: i.naturalWidth,
  })),
})
"""


@pytest.fixture(scope="module")
def phone(browser):
    context = new_context(
        browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield context
    context.close()


@pytest.mark.parametrize("doc", DOCS)
def test_phone_layout(phone, site_url, doc):
    page = phone.new_page()
    try:
        response = page.goto(f"{site_url}{doc}.html")
        assert response.status == 200, f"{doc}: HTTP {response.status} at phone width"
        harness.settle(page)
        lay = page.evaluate(LAYOUT_JS)
        assert lay["innerWidth"] == PHONE["width"], (
            f"{doc}: the layout viewport grew to {lay['innerWidth']} px on a {PHONE['width']} px phone "
            f"(content wider than the screen); offenders: {lay['wide']}"
        )
        assert lay["scrollWidth"] <= lay["innerWidth"] + 1, (
            f"{doc}: page scrolls sideways at phone width: scrollWidth {lay['scrollWidth']} > "
            f"{lay['innerWidth']}; offenders: {lay['wide']}"
        )
        too_wide = [i for i in lay["images"] if i["width"] > PHONE["width"]]
        assert not too_wide, f"{doc}: images wider than the phone screen: {too_wide}"
    finally:
        page.close()


def test_phone_figures_scale_down(phone, site_url):
    """A wide figure is shown narrower than its pixel width on the phone (it really
    scales)."""
    page = phone.new_page()
    try:
        page.goto(f"{site_url}book/spiral.html")
        harness.settle(page)
        images = [
            i
            for i in page.evaluate(LAYOUT_JS)["images"]
            if "_images/" in (i["src"] or "")
        ]
        assert images, "book/spiral: no figures found at phone width"
        scaled = [i for i in images if i["natural"] > PHONE["width"]]
        assert scaled, (
            f"book/spiral: no figure wider than the phone to test scaling with: {images}"
        )
        for i in scaled:
            assert i["width"] <= PHONE["width"], (
                f"book/spiral: {i['src']} shown {i['width']:.0f} px wide on a 390 px phone"
            )
    finally:
        page.close()


def test_scrolling_code_is_focusable_without_request_idle_callback(browser, site_url):
    """Safari has no requestIdleCallback: the theme's check of blocks that scroll
    sideways (run in idle time, page_scripts.py) still runs there, without errors."""
    context = new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script("window.requestIdleCallback = undefined;")
    try:
        page.goto(f"{site_url}book/tensors.html")
        harness.settle(page)
        page.wait_for_timeout(1500)
        counts = page.evaluate(
            """() => {
              const shown = [...document.querySelectorAll('div.cell_input pre')]
                .filter(e => e.getClientRects().length
                  && getComputedStyle(e).visibility !== 'hidden');
              const wide = shown.filter(e => e.scrollWidth > e.clientWidth);
              return [wide.length, wide.filter(e => e.tabIndex === 0).length];
            }"""
        )
    finally:
        context.close()
    assert not errors, errors
    wide, focusable = counts
    assert wide >= 3 and focusable == wide, counts


#: The stand-in height of a section / a display formula not drawn yet
#: (book/_css/custom.css), per width.
STAND_IN = {360: 16000, 1280: 12000}
FORMULA_STAND_IN = 144  # 9em of 16 px, at both widths


@pytest.mark.parametrize("width", sorted(STAND_IN))
def test_sections_and_formulas_are_shorter_than_their_stand_in(
    browser, site_url, width
):
    """A section or display formula far from the screen stands in with a fixed height;
    a longer one would spill over the next for anything that reads the layout before it
    is drawn (axe's colour checks did)."""
    context = new_context(browser, viewport={"width": width, "height": 800})
    page = context.new_page()
    tallest, formulas = {}, {}
    try:
        for doc in DOCS:
            page.goto(f"{site_url}{doc}.html")
            page.add_style_tag(content=harness.SHOW_ALL_CSS)
            heights, math = page.evaluate(
                """() => ['.bd-article > section > section', '.bd-article div.math']
                  .map(q => [...document.querySelectorAll(q)]
                    .map(s => s.getBoundingClientRect().height))"""
            )
            tallest[doc], formulas[doc] = max(heights, default=0), max(math, default=0)
    finally:
        context.close()
    assert max(tallest.values()) > 2000, tallest  # the measurement sees real sections
    assert max(formulas.values()) > 60, formulas  # and real formulas
    over = {d: round(h) for d, h in tallest.items() if h >= STAND_IN[width]}
    assert not over, f"sections taller than the {STAND_IN[width]} px stand-in: {over}"
    over = {d: round(h) for d, h in formulas.items() if h >= FORMULA_STAND_IN}
    assert not over, f"formulas taller than the {FORMULA_STAND_IN} px stand-in: {over}"
