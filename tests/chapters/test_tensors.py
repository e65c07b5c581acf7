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

from chapterpages import (
    check_exercises,
    check_figures,
    check_in_sidebar,
    check_only_tagged_cells_raise,
    cell_with_source,
    node_text,
    soup,
    tracebacks,
)
from chapter_frame import check_goals_and_prerequisites

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def page(built_site):
    return soup(built_site, "tensors")


def test_figures_are_images_with_chinese_alt(built_site):
    check_figures(built_site, "tensors", 1)


def test_only_tagged_cells_raise(page):
    check_only_tagged_cells_raise(page)


def test_exercises_with_executed_solutions(page):
    check_exercises(page, 6)


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


# --- the chapter opens with goals and prerequisites
# ----------------------------------------------------------


def test_goals_and_prerequisites(page):
    check_goals_and_prerequisites(page, ["setup"])


# --- autograd, taught in executed cells before any chapter uses it
# ------------------------------------------


def out(page, needle: str) -> str:
    return node_text(cell_with_source(page, needle).select_one("div.cell_output"))


def test_autograd_gradient_of_x_squared_at_3_is_6(page):
    text = out(page, "x = torch.tensor(3.0, requires_grad=True)   #")
    assert "grad_fn=<PowBackward0>" in text  # the recorded graph
    assert text.strip().splitlines()[-1] == "tensor(6.)"  # 2x at x = 3
    # the hand check by the difference quotient agrees
    quotient = float(out(page, "((3 + h) ** 2").strip())
    assert abs(quotient - 6.001) < 1e-6
    # two variables: (2 w1, 3) at (1, 2)
    assert out(page, "f = w[0] ** 2 + 3 * w[1]").strip() == "tensor([2., 3.])"


def test_autograd_gradients_accumulate_and_zero_grad_resets(page):
    grads = [
        float(g)
        for g in re.findall(r"x\.grad = ([\d.]+)", out(page, "for i in range(2):"))
    ]
    assert grads == [6.0, 12.0]  # the second backward adds: doubled
    assert out(page, "x.grad = None     #").strip() == "tensor(6.)"


def test_autograd_sgd_steps_multiply_by_0_8(page):
    xs = [
        float(v)
        for v in re.findall(r"x = (-?[\d.]+)", out(page, "x -= lr * x.grad       # 4."))
    ]
    assert len(xs) == 5 and abs(xs[0] - 2.4) < 1e-5
    prev = 3.0
    for x in xs:  # x <- (1 - 2 * 0.1) x
        assert abs(x - 0.8 * prev) < 1e-4, xs
        prev = x


def test_autograd_no_grad_and_detach(page):
    text = out(page, "z = x ** 2                 #")
    assert text.strip().splitlines()[0] == "True False False"
    assert "tensor(2.4000, requires_grad=True)" in out(
        page, "x -= 0.1 * x.grad          #"
    )
    leaf = [t for t in tracebacks(page) if "in-place operation" in t]
    assert len(leaf) == 1 and "a leaf Variable that requires grad" in leaf[0]


def test_autograd_exercises(page):
    grad = out(page, "(x**3 - 2 * x).backward()")
    assert "f'(2) = tensor(10.)" in grad and "tensor([1., 5.])" in grad
    rates = out(page, "for lr in [0.1, 0.5, 1.0, 1.1]:")
    assert "lr = 1.0: [-3.0, 3.0, -3.0, 3.0, -3.0]" in rates  # oscillates
    last = re.search(r"lr = 1\.1: \[(.*)\]", rates)[1].split(", ")
    assert abs(float(last[-1])) > 3  # diverges
    no_zero = out(page, "没有清零：梯度一直累加")
    g = [float(v) for v in re.findall(r"x\.grad = (-?[\d.]+)", no_zero)]
    assert g[:2] == [6.0, 10.8]  # 6 + 4.8: the old gradient is still there


def test_autograd_section_is_linked_from_pitfalls(built_site):
    html = (built_site / "book" / "tensor-pitfalls.html").read_text(encoding="utf-8")
    assert "tensors.html#tensors-autograd" in html
