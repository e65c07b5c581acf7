"""Chinese search in the browser, as readers use it: questions typed without spaces
(with
particles, English names, synonyms of the book's terms) find the page that answers them
first, from the address (search.html?q=...), from any page's search box and on a phone;
results show the matching sentence with the terms highlighted."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import yaml

import harness

pytestmark = pytest.mark.browser


def _questions() -> list[dict]:
    """The test set; a question listing several pages expects the first one in the
    toc."""
    toc = set(harness.toc_docs())
    out = []
    for item in yaml.safe_load(
        Path(__file__).with_name("search_questions.yml").read_text(encoding="utf-8")
    ):
        pages = item["page"] if isinstance(item["page"], list) else [item["page"]]
        present = [p for p in pages if p in toc]
        assert present, (
            f"search_questions.yml: {item['q']}: none of {pages} is in _toc.yml"
        )
        out.append({"q": item["q"], "page": present[0]})
    return out


QUESTIONS = _questions()
FIRST_RATE, TOP3_RATE = 0.85, 0.95

#: single words and spaced queries (Sphinx's own behaviour) -> the page that must come
#: first
WORDS = {
    "螺旋": "book/spiral",
    "张量": "book/tensors",
    "梯度消失": "book/qa/vanishing",
    "激活函数": "book/qa/activation",
    "优化器": "book/qa/optimizers",
    "Softmax": "book/qa/softmax",
    "softmax 温度": "book/qa/softmax",
    "梯度 消失 原因": "book/qa/vanishing",
    "AlexNet LeNet": "book/qa/alexnet",
}

# Sphinx writes the summary line when the search has finished (its "Searching..." pulse
# may tick on after a fast search, so Search._pulse_status is no sign of being done).
SEARCH_DONE_JS = """
() => typeof Search !== 'undefined'
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

FIRST_SUMMARY_JS = """
() => {
  const p = document.querySelector('#search-results ul.search li p.context');
  return p ? {text: p.innerText,
              marked: Array.from(p.querySelectorAll('.highlighted')).map(s => s.innerText)} : null;
}
"""


def _docs(paths: list[str]) -> list[str]:
    return [p.lstrip("/").removesuffix(".html") for p in paths]


def _results(page) -> dict:
    page.wait_for_function(SEARCH_DONE_JS, timeout=20_000)
    res = page.evaluate(RESULTS_JS)
    res["docs"] = _docs(res["links"])
    return res


def _search(page, site_url, query: str) -> dict:
    page.goto(f"{site_url}search.html?q={quote(query)}")
    return _results(page)


@pytest.fixture
def page(desktop):
    p = desktop.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    p.close()
    assert not errors, f"JavaScript errors on the search page: {errors}"


def test_reader_questions_find_their_page(page, site_url):
    """The test set (search_questions.yml): expected page first >= 85 %, top 3 >= 95
    %."""
    assert len(QUESTIONS) >= 30
    misses, first, top3 = [], 0, 0
    for item in QUESTIONS:
        docs = _search(page, site_url, item["q"])["docs"]
        rank = docs.index(item["page"]) + 1 if item["page"] in docs else None
        first += rank == 1
        top3 += rank is not None and rank <= 3
        if rank != 1:
            misses.append(
                f"  {item['q']}: want {item['page']} (rank {rank}), got {docs[:3]}"
            )
    n = len(QUESTIONS)
    report = (
        f"{n} reader questions: expected page first {first}/{n} = {first / n:.0%}, "
        f"in the top 3 {top3}/{n} = {top3 / n:.0%}; misses:\n"
        + "\n".join(misses or ["  none"])
    )
    print(report)
    assert first / n >= FIRST_RATE and top3 / n >= TOP3_RATE, report


@pytest.mark.parametrize("query", list(WORDS), ids=list(WORDS.values()))
def test_words_and_spaced_queries(page, site_url, query):
    docs = _search(page, site_url, query)["docs"]
    assert docs and docs[0] == WORDS[query], (
        f"search.html?q={query}: want {WORDS[query]} first, got {docs}"
    )


def test_synonym_finds_book_term_and_summary_highlights_it(page, site_url):
    """批量归一化 is the reader's word; the book says 批归一化 or 批量规范化 (glossary):
    the
    summary shows the book's sentence with its term highlighted."""
    res = _search(page, site_url, "批量归一化的作用")
    assert res["docs"][:1] == ["book/qa/vanishing"], res["docs"]
    page.wait_for_function(
        "() => !!document.querySelector('#search-results ul.search li p.context')"
    )
    summary = page.evaluate(FIRST_SUMMARY_JS)
    assert summary and {"批归一化", "批量规范化"} & set(summary["marked"]), summary
    assert re.search(r"[\u4e00-\u9fff]{8}", summary["text"]), summary
    assert len(summary["text"]) <= 170, (
        f"summary is not one sentence: {summary['text']!r}"
    )


def test_mixed_query_keeps_code_names_whole(page, site_url):
    """item() and CrossEntropyLoss are looked up whole, next to the Chinese words."""
    page.goto(f"{site_url}search.html")
    page.wait_for_function("() => typeof splitQuery === 'function'")
    split = page.evaluate(
        "() => splitQuery('item()返回的是什么') .concat(['|'], splitQuery('CrossEntropyLoss要不要先做softmax'))"
    )
    assert split == ["item", "返回", "|", "CrossEntropyLoss", "softmax"], split


def _type_into_search_box(page, query: str) -> None:
    page.locator(".search-button-field:visible, .search-button:visible").first.click()
    box = page.locator("#pst-search-dialog input[name=q]")
    box.wait_for(state="visible")
    box.press_sequentially(query)
    with page.expect_navigation():
        box.press("Enter")


@pytest.mark.parametrize("doc", ["book/intro", "book/qa/softmax", "book/references"])
def test_search_box_of_every_kind_of_page(page, site_url, doc):
    query, want = "梯度消失是什么原因", "book/qa/vanishing"
    page.goto(f"{site_url}{doc}.html")
    _type_into_search_box(page, query)
    assert urlsplit(page.url).path == "/search.html", (
        f"typing {query} + Enter on {doc} went to {page.url}"
    )
    docs = _results(page)["docs"]
    assert docs[:1] == [want], (
        f"search box of {doc}, {query}: want {want} first, got {docs}"
    )


def test_phone_search_and_screenshot(browser, site_url):
    """On a 390-px phone: the search box works, results fit the screen; screenshots
    saved."""
    context = harness.new_context(
        browser,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    rec = harness.Recorder(site_url)
    try:
        page = context.new_page()
        rec.attach(page)
        page.goto(f"{site_url}book/spiral.html")
        _type_into_search_box(page, "adam和sgd哪个好")
        docs = _results(page)["docs"]
        page.wait_for_function(
            "() => document.querySelectorAll('#search-results p.context').length > 0"
        )
        harness.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(harness.SCREENSHOTS / "search-phone.png"), full_page=False
        )
        width = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
    finally:
        context.close()
    assert docs[:1] == ["book/qa/optimizers"], docs
    assert width[0] <= width[1] + 1, (
        f"search results scroll sideways on a phone: {width}"
    )
    assert not rec.foreign(), f"the search page asked other hosts: {rec.foreign()}"
    assert not rec.console_errors, rec.console_errors


def test_desktop_screenshot(page, site_url):
    _search(page, site_url, "交叉熵损失怎么算")
    page.wait_for_function(
        "() => document.querySelectorAll('#search-results p.context').length > 0"
    )
    harness.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(harness.SCREENSHOTS / "search-desktop.png"), full_page=False
    )


def test_search_adds_under_100_kb_to_a_page(built_site):
    """What the Chinese search ships: its code in language_data.js and the term counts
    it
    adds to searchindex.js (bytes as served)."""
    language_data = (built_site / "_static" / "language_data.js").read_bytes()
    index_text = (built_site / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(index_text[index_text.index("(") + 1 : index_text.rindex(")")])
    assert "zh" in index and "ZhSearch" in language_data.decode(), (
        "the zh search extension is not in the site"
    )
    added = len(language_data) + len(json.dumps(index["zh"], sort_keys=True))
    print(
        f"Chinese search adds {added / 1000:.1f} kB (language_data.js {len(language_data) / 1000:.1f} kB "
        f"with Sphinx's stemmer, term counts {(added - len(language_data)) / 1000:.1f} kB)"
    )
    assert added < 100_000, f"the Chinese search adds {added} bytes to a page"
