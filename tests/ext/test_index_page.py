"""book/_ext/index_page.py: the site's index.html is a whole redirect page."""

from __future__ import annotations

import pytest

import index_page


def test_index_page_is_a_whole_redirect_page():
    html = index_page.index_page("book/intro.html", "深度学习第一周")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    assert '<meta http-equiv="refresh" content="0; url=book/intro.html">' in html
    assert '<a href="book/intro.html">深度学习第一周</a>' in html
    assert '<link rel="icon" href="data:,">' in html
    assert "&lt;b&gt;" in index_page.index_page("a.html", "<b>")
    for bad in ("", "/book/intro.html", "https://example.org/x.html"):
        with pytest.raises(ValueError, match="target"):
            index_page.index_page(bad, "t")


@pytest.mark.build
def test_index_404_and_theme_defaults(built_site):
    index = (built_site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in index and "url=book/intro.html" in index
    page404 = (built_site / "404.html").read_text(encoding="utf-8")
    assert "页面不存在" in page404 and 'lang="zh-CN"' in page404
    assert "http://" not in page404 and "https://" not in page404
    intro = (built_site / "book" / "intro.html").read_text(encoding="utf-8")
    assert (
        'data-theme="light"' in intro
    )  # default mode: no "Got invalid theme mode" on a fresh profile
    assert "fontawesome.js" not in intro
