"""The page frame (issue 23): one search entry on every screen width, and the search
form's magnifier beside the typed text, not over it."""

from __future__ import annotations

import pytest

import harness

pytestmark = pytest.mark.browser

#: Where each visible search entry sits: the primary sidebar, the theme's top bar, or
#: the article header (the magnifier icon beside the colour-mode button).
VISIBLE_SEARCH_ENTRIES_JS = """
() => [...document.querySelectorAll('.search-button__button')]
  .filter(e => e.getClientRects().length > 0 && e.getBoundingClientRect().width > 0
    && getComputedStyle(e).visibility !== 'hidden')
  .map(e => e.closest('.bd-sidebar-primary') ? 'sidebar'
    : e.closest('#pst-header') ? 'top bar'
    : e.closest('.bd-header-article') ? 'article header' : e.className)
"""

#: (width, where the one entry must be): a phone, a tablet, the widths around the
#: theme's breakpoints (960 px: top bar; 992 px: primary sidebar) and a laptop.
WIDTHS = [
    (360, "article header"),
    (768, "article header"),
    (975, "article header"),
    (1000, "sidebar"),
    (1280, "sidebar"),
]


@pytest.mark.parametrize("width,where", WIDTHS, ids=[str(w) for w, _ in WIDTHS])
@pytest.mark.parametrize("doc", ["book/spiral", "search"])
def test_one_search_entry(browser, site_url, doc, width, where):
    context = harness.context_at(browser, width)
    try:
        page = context.new_page()
        page.goto(f"{site_url}{doc}.html")
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)  # the theme's scripts are deferred
        entries = page.evaluate(VISIBLE_SEARCH_ENTRIES_JS)
        assert entries == [where], (
            f"{doc} at {width} px: visible search entries {entries}, "
            f"want one in the {where}"
        )
        # the entry opens the search dialog (on the search page: focuses its own box)
        page.locator(".search-button__button:visible").first.click()
        page.wait_for_function(
            "() => document.activeElement.name === 'q'"
            " && document.activeElement.offsetWidth",
            timeout=5000,
        )
    finally:
        context.close()


#: Right edge of the magnifier and left edge of the input's text (content box) of each
#: visible search form.
ICON_AND_TEXT_JS = """
() => [...document.querySelectorAll('form.bd-search')]
  .filter(f => f.getClientRects().length)
  .map(f => {
    const input = f.querySelector('input[name=q]');
    const icon = f.querySelector('.fa-magnifying-glass');
    const r = input.getBoundingClientRect();
    const cs = getComputedStyle(input);
    return {
      iconLeft: icon.getBoundingClientRect().left,
      iconRight: icon.getBoundingClientRect().right,
      textLeft: r.left + parseFloat(cs.borderLeftWidth) + parseFloat(cs.paddingLeft),
      formLeft: f.getBoundingClientRect().left,
      value: input.value,
    };
  })
"""


@pytest.mark.parametrize("width", [360, 1280])
def test_search_icon_does_not_cover_typed_text(browser, site_url, width):
    context = harness.context_at(browser, width)
    try:
        page = context.new_page()
        page.goto(f"{site_url}search.html?q=%E6%9D%83%E9%87%8D")  # 权重
        page.wait_for_load_state("load")
        forms = page.evaluate(ICON_AND_TEXT_JS)
        assert len(forms) == 1 and forms[0]["value"] == "权重", forms
        # and the search dialog's form on a chapter
        page.goto(f"{site_url}book/spiral.html")
        page.locator(".search-button__button:visible").first.click()
        page.locator("#pst-search-dialog input").wait_for(state="visible", timeout=5000)
        page.keyboard.type("权重")
        forms += page.evaluate(ICON_AND_TEXT_JS)
    finally:
        context.close()
    assert len(forms) == 2 and forms[1]["value"] == "权重", forms
    for form in forms:
        assert form["iconLeft"] >= form["formLeft"], form
        assert form["iconRight"] <= form["textLeft"], (
            f"at {width} px the magnifier (right edge {form['iconRight']:.0f}) covers "
            "the "
            f"input's text (starts at {form['textLeft']:.0f})"
        )
