"""The chapter PyTorch 张量基础 (book/tensors); its pitfalls are in
test_tensor_pitfalls.py.

Every assertion reads the HTML that the build wrote (executed cell outputs, correction
boxes,
exercises, navigation, search index), so a chapter that stops showing the real output
fails here.
"""

from __future__ import annotations


import pytest
from bookdata import docs_for

from chapterpages import (
    check_exercises,
    check_figures,
    check_in_sidebar,
    check_only_tagged_cells_raise,
    cell_with_source,
    node_text,
    soup,
)

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def page(built_site):
    return soup(built_site, "tensors")


def test_figures_are_images_with_chinese_alt(built_site):
    check_figures(built_site, "tensors", 1)


def test_only_tagged_cells_raise(page):
    check_only_tagged_cells_raise(page)


def test_exercises_with_executed_solutions(page):
    check_exercises(page, 3)


def test_in_sidebar_nav(built_site):
    check_in_sidebar(
        built_site,
        {
            "tensors.html": "PyTorch 张量基础",
            "tensor-pitfalls.html": "PyTorch 张量的陷阱",
        },
    )


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
