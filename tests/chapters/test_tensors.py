"""The chapter PyTorch 张量基础 (book/tensors); its pitfalls are in
test_tensor_pitfalls.py.

Every assertion reads the HTML that the build wrote (executed cell outputs, correction
boxes,
exercises, navigation, search index), so a chapter that stops showing the real output
fails here.
"""

from __future__ import annotations

import re

import pytest
from bookdata import docs_for

from chapterpages import cell_with_source, node_text, soup

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def page(built_site):
    return soup(built_site, "tensors")


def test_figures_are_images_with_chinese_alt(built_site, page):
    imgs = page.select("figure img")
    assert len(imgs) >= 1
    for img in imgs:
        assert re.search(r"[\u4e00-\u9fff]", img.get("alt", "")), img
        f = (built_site / "book" / img["src"]).resolve()
        assert (
            f.is_file()
            and f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            and f.stat().st_size > 5_000
        ), f


def test_only_tagged_cells_raise(page):
    for cell in page.select("div.cell"):
        has_tb = cell.select_one("div.output.traceback") is not None
        tagged = "tag_raises-exception" in cell.get("class", [])
        assert has_tb == tagged, node_text(cell.select_one("div.cell_input"))[:120]


def test_exercises_with_executed_solutions(page):
    exercises = page.select("div.exercise")
    solutions = page.select("div.solution")
    ids = {e["id"] for e in exercises}
    assert len(exercises) >= 3 and len(solutions) == len(exercises)
    for sol in solutions:
        assert "dropdown" in sol["class"], "solutions are hidden behind a toggle"
        link = sol.select_one("p.admonition-title a")
        assert link is not None and link["href"].lstrip("#") in ids
        assert sol.select_one("div.cell_output") is not None, (
            "solution code must be executed"
        )


def test_in_sidebar_nav(built_site):
    for other in ("book/intro", "book/spiral"):
        nav = soup(built_site, other[5:]).select("nav.bd-docs-nav a.reference.internal")
        hrefs = {
            a["href"].split("#")[0].rsplit("/", 1)[-1]: a.get_text(strip=True)
            for a in nav
        }
        assert hrefs.get("tensors.html") == "PyTorch 张量基础", hrefs
        assert hrefs.get("tensor-pitfalls.html") == "PyTorch 张量的陷阱", hrefs


@pytest.mark.parametrize("word", ["张量", "广播"])
def test_chinese_search(search_index, word):
    assert "book/tensors" in docs_for(search_index, word), (
        f"searching {word} does not find book/tensors"
    )


def test_tensor_class_follows_default_dtype(page):
    out = node_text(
        cell_with_source(page, "torch.get_default_dtype()").select_one(
            "div.cell_output"
        )
    )
    assert "tensor([1., 2., 3.]) torch.float32 · 默认浮点类型： torch.float32" in out


def test_numpy_bridge_shares_memory(page):
    out = node_text(
        cell_with_source(page, "t = torch.from_numpy(a)").select_one("div.cell_output")
    )
    assert "tensor([100.,   1.,   2.,   3.], dtype=torch.float64)" in out
    assert "[200.   2.   4.   6.]" in out
