"""Chinese search in the browser: the word a reader types finds the chapter about it, both from
the address (search.html?q=...) and typed into the search box of a page."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

pytestmark = pytest.mark.browser

#: word a reader types -> the chapter that must be among the results
EXPECTED = {
    "螺旋": "book/spiral",
    "张量": "book/tensors",
    "梯度消失": "book/qa/vanishing",
    "激活函数": "book/qa/activation",
    "优化器": "book/qa/optimizers",
}

SEARCH_DONE_JS = """
() => typeof Search !== 'undefined' && Search._pulse_status === -1
      && !!document.querySelector('#search-results .search-summary')
      && document.querySelector('#search-results .search-summary').innerText.length > 0
"""

RESULTS_JS = """
() => ({
  summary: document.querySelector('#search-results .search-summary')?.innerText || '',
  links: Array.from(document.querySelectorAll('#search-results ul.search li > a'))
              .map(a => new URL(a.getAttribute('href'), location.href).pathname),
})
"""


def _docs(paths: list[str]) -> list[str]:
    return [p.lstrip("/").removesuffix(".html") for p in paths]


def _results(page) -> dict:
    page.wait_for_function(SEARCH_DONE_JS, timeout=20_000)
    res = page.evaluate(RESULTS_JS)
    res["docs"] = _docs(res["links"])
    return res


@pytest.fixture
def page(desktop):
    p = desktop.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    p.close()
    assert not errors, f"JavaScript errors on the search page: {errors}"


@pytest.mark.parametrize("word", list(EXPECTED), ids=list(EXPECTED.values()))
def test_search_page_finds_chapter(page, site_url, word):
    page.goto(f"{site_url}search.html?q={quote(word)}")
    res = _results(page)
    assert EXPECTED[word] in res["docs"], (
        f"search.html?q={word}: expected {EXPECTED[word]} among the results, got {res['docs']} "
        f"(summary: {res['summary']!r})"
    )


@pytest.mark.parametrize("word", list(EXPECTED), ids=list(EXPECTED.values()))
def test_search_box_finds_chapter(page, site_url, word):
    page.goto(f"{site_url}book/intro.html")
    page.locator(".search-button-field:visible").first.click()
    box = page.locator("#pst-search-dialog input[name=q]")
    box.wait_for(state="visible")
    box.press_sequentially(word)
    with page.expect_navigation():
        box.press("Enter")
    assert urlsplit(page.url).path == "/search.html", f"typing {word} + Enter went to {page.url}"
    res = _results(page)
    assert EXPECTED[word] in res["docs"], (
        f"search box, {word}: expected {EXPECTED[word]} among the results, got {res['docs']} "
        f"(summary: {res['summary']!r})"
    )
