"""Every chapter (each notebook page of _toc.yml) has the frame a first-week student
needs: a 学习目标 box, one 先修 line, at least two exercises whose solutions are hidden,
and material beyond week 1 only in collapsed 选读 blocks."""

from __future__ import annotations

import pytest
from bookdata import chapter_docs
from chapter_frame import check_goals_and_prerequisites

pytestmark = pytest.mark.build

CHAPTERS = [d.removeprefix("book/") for d in chapter_docs()]


def _page(site, doc):
    from bs4 import BeautifulSoup

    html = (site / "book" / f"{doc}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


def test_the_chapters_come_from_the_toc():
    assert "spiral" in CHAPTERS and "qa/optimizers" in CHAPTERS
    assert "glossary" not in CHAPTERS


@pytest.mark.parametrize("doc", CHAPTERS)
def test_goals_prerequisites_exercises_and_optional_blocks(built_site, doc):
    page = _page(built_site, doc)
    check_goals_and_prerequisites(page, [])
    exercises = page.select("div.exercise")
    solutions = page.select("div.solution")
    assert len(exercises) >= 2, f"{doc}: {len(exercises)} exercise(s), want >= 2"
    assert len(solutions) == len(exercises), f"{doc}: an exercise lacks its solution"
    assert all("dropdown" in s["class"] for s in solutions), "solutions are hidden"
    optional = [
        div
        for div in page.select("div.admonition")
        if (t := div.select_one("p.admonition-title")) is not None
        and t.get_text(strip=True).startswith("选读")
    ]
    for div in optional:
        assert "dropdown" in div["class"], f"{doc}: a 选读 block is not collapsed"
