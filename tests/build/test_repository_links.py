"""The repository setting (issue 23): unset, no page links to a repository and the
header has no repository or issues buttons; DLBOOK_REPOSITORY_URL set at build time, the
buttons appear on every page and point there (a rebuild with only the variable changed
rewrites the pages)."""

from __future__ import annotations

import re

import pytest

from fixturebook import chapter

pytestmark = pytest.mark.build

REPO = "https://github.com/example-org/week01-book"
PAGE = chapter("一章", "只有文字。")


def _pages(site):
    return {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}


def _repository_links(html: str) -> list[str]:
    return re.findall(r'href="(https?://github\.com/[^"]*)"', html)


def test_repository_buttons_follow_the_setting(fixture_book):
    book = fixture_book({"a": PAGE})
    result = book.build(env={"DLBOOK_REPOSITORY_URL": None})
    assert result.rc == 0, result.tail
    pages = _pages(book.site)
    assert len(pages) >= 3
    for path, html in pages.items():
        assert "source-repository-button" not in html, path
        assert "source-issues-button" not in html, path
        assert "dropdown-source-buttons" not in html, path
        assert not _repository_links(html), (path, _repository_links(html))

    result = book.build(env={"DLBOOK_REPOSITORY_URL": REPO})
    assert result.rc == 0, result.tail
    chapter_html = (book.site / "book" / "a.html").read_text(encoding="utf-8")
    links = _repository_links(chapter_html)
    assert REPO in links, links
    assert f"{REPO}/issues/new?" in " ".join(links), links
    assert all(link.startswith(REPO) for link in links), links
    assert "source-repository-button" in chapter_html
    assert "source-issues-button" in chapter_html


def test_a_malformed_address_stops_the_build(fixture_book):
    book = fixture_book({"a": PAGE})
    result = book.build(env={"DLBOOK_REPOSITORY_URL": "github.com/no-scheme"})
    assert result.rc != 0
    assert "DLBOOK_REPOSITORY_URL='github.com/no-scheme'" in result.out, result.tail
