"""The chapter PyTorch 张量的陷阱 (book/tensor-pitfalls): the report's four pitfalls and
transpose(), and the library paths in every chapter's tracebacks.

Every assertion reads the HTML that the build wrote (executed cell outputs, correction
boxes, exercises, navigation, search index), so a chapter that stops showing the real
output fails here.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from bookdata import ROOT, docs_for

from chapterpages import (
    check_exercises,
    check_figures,
    check_only_tagged_cells_raise,
    cell_with_source,
    corrections,
    node_text,
    soup,
    tracebacks,
)
from chapter_frame import check_goals_and_prerequisites

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def page(built_site):
    return soup(built_site, "tensor-pitfalls")


def test_figures_are_images_with_chinese_alt(built_site):
    check_figures(built_site, "tensor-pitfalls", 2)


def test_only_tagged_cells_raise(page):
    check_only_tagged_cells_raise(page)


def test_exercises_with_executed_solutions(page):
    check_exercises(page, 3)


@pytest.mark.parametrize("word", ["勘误", "陷阱", "转置"])
def test_chinese_search(search_index, word):
    assert "book/tensor-pitfalls" in docs_for(search_index, word), (
        f"searching {word} does not find book/tensor-pitfalls"
    )


def test_tracebacks_name_no_machine_path(built_site):
    """Library frames are named from the library folder on (site-packages/...), never
    the builder's."""
    machine = {str(ROOT), str(Path(sys.prefix).resolve()), str(Path.home())}
    for doc in ("setup", "tensors", "tensor-pitfalls", "spiral"):
        page = soup(built_site, doc)
        frames = 0
        for tb in tracebacks(page):
            for line in tb.splitlines():
                if line.startswith("File "):
                    frames += 1
                    assert re.match(
                        r"File (site-packages|python3\.\d+|dlbook)/", line
                    ), f"{doc}: {line}"
            assert ".venv" not in tb and "/work/" not in tb, tb
        html = (built_site / "book" / f"{doc}.html").read_text(encoding="utf-8")
        for path in machine:
            assert path not in html, f"{doc} shows the machine path {path}"
        if doc in ("setup", "tensor-pitfalls"):
            assert frames > 0, f"{doc}: expected library frames in its tracebacks"


# --- pitfall 1: one element is a 0-d tensor, .item() a Python number
# -----------------------


def test_pitfall1_zero_dim_tensor_and_item(page):
    out = node_text(
        cell_with_source(page, "number = m[0][2].item()").select_one("div.cell_output")
    )
    assert "tensor(3.) Tensor 维数: 0 形状: torch.Size([])" in out
    assert "3.0 float" in out


def test_pitfall1_losses_detached_then_converted_once(page):
    out = node_text(
        cell_with_source(page, "losses.append(loss.detach())").select_one(
            "div.cell_output"
        )
    )
    # the last loss still carries its graph; the stored ones do not; one conversion
    # at the end
    assert "grad_fn=<SumBackward0>" in out
    assert "[tensor(0.), tensor(3.), tensor(6.)]" in out
    assert "[0.0, 3.0, 6.0]" in out


# --- pitfall 2: list index keeps the dimension; correction of the report's shapes
# ------------


def test_pitfall2_real_shapes_in_outputs(page):
    keep = node_text(
        cell_with_source(page, "z = m[[0], :]").select_one("div.cell_output")
    )
    drop = node_text(
        cell_with_source(page, "z = m[0, :]").select_one("div.cell_output")
    )
    assert "torch.Size([1, 4])" in keep and "tensor([[2., 5., 3., 7.]])" in keep
    assert "torch.Size([4])" in drop and "tensor([2., 5., 3., 7.])" in drop


def test_pitfall2_correction_box_quotes_report_and_real_shapes(page):
    boxes = [b for b in corrections(page) if "m[[0], :]" in b]
    assert len(boxes) == 1, corrections(page)
    box = boxes[0]
    # what the report claimed ...
    assert "torch.Size([1])" in box and "torch.Size([])" in box
    # ... and the executed shapes, glued from the cells above
    assert "torch.Size([1, 4])" in box and "torch.Size([4])" in box


# --- pitfall 3: float @ int raises; n.float() alone does not fix it
# -------------------------


def test_pitfall3_dtype_error_shown(page):
    errors = [t for t in tracebacks(page) if "same dtype" in t]
    assert len(errors) >= 2, (
        "both m @ n and the report's unassigned n.float() must show the dtype error"
    )
    for t in errors:
        assert re.search(
            r"RuntimeError: expected m1 and m2 to have the same dtype", t
        ), t
    assert any("n.float()" in t for t in errors), (
        "the report's two-line fix must be shown failing"
    )


def test_pitfall3_fix_and_course_guide_result(page):
    fixed = node_text(
        cell_with_source(page, "print(m @ n.float())").select_one("div.cell_output")
    )
    assert fixed.count("tensor([[64., 81.],") == 2
    guide = node_text(
        cell_with_source(page, "v = torch.arange(1, 5)").select_one("div.cell_output")
    )
    assert "torch.int64" in guide and "tensor([49., 47.])" in guide
    assert any("n = n.float()" in b for b in corrections(page))


# --- pitfall 4: matplotlib takes CPU tensors without grad only
# -------------------------------


def test_pitfall4_grad_tensor_plot_error(page):
    errors = [t for t in tracebacks(page) if "requires grad" in t]
    assert len(errors) == 1
    assert re.search(
        r"(RuntimeError|TypeError): Can't call numpy\(\) on Tensor that requires grad",
        errors[0],
    )
    # the chain the prose explains: Axes.plot -> _unpack_to_numpy (_is_torch_array)
    # -> np.asarray -> Tensor.__array__ -> numpy()
    for step in ("_unpack_to_numpy", "_is_torch_array", "np.asarray", "__array__"):
        assert step in errors[0], step


def test_pitfall4_matplotlib_detects_torch(page):
    out = node_text(
        cell_with_source(page, "cbook._is_torch_array(xs)").select_one(
            "div.cell_output"
        )
    )
    m = re.search(r"matplotlib (\d+)\.(\d+)", out)
    assert m and (int(m[1]), int(m[2])) >= (3, 9), out
    assert "认出了 torch 张量： True" in out and "转换以后的类型： ndarray" in out


def test_pitfall4_correction_box(page):
    boxes = [b for b in corrections(page) if "不需要手动将 torch 对象换成 numpy" in b]
    assert len(boxes) == 1
    assert (
        ".detach().cpu().numpy()" in boxes[0]
        and "dlbook.to_numpy" in boxes[0]
        and "TypeError" in boxes[0]
        and "RuntimeError" in boxes[0]
    )
    # no claim that CPU tensors without grad always work
    assert "这只对" not in boxes[0]


def test_pitfall4_cites_the_known_breakages(page):
    hrefs = {a.get("href", "") for a in page.select("main a")}
    for issue in (
        "matplotlib/matplotlib/issues/26806",
        "pytorch/pytorch/issues/109819",
        "matplotlib/matplotlib/issues/30216",
        "pytorch/pytorch/issues/133576",
    ):
        assert f"https://github.com/{issue}" in hrefs, issue


def test_pitfall4_plots_through_numpy(page):
    src = node_text(
        cell_with_source(page, "w_np = w.detach().cpu().numpy()").select_one(
            "div.cell_input"
        )
    )
    assert "dlbook.to_numpy(" in src and "device=device" in src


def test_goals_and_prerequisites(page):
    check_goals_and_prerequisites(page, ["tensors"])


def test_exercise_losses_without_detach_keep_graphs(page):
    out = node_text(
        cell_with_source(page, "losses.append(loss)  ").select_one("div.cell_output")
    )
    assert out.count("grad_fn=<SumBackward0>") == 3
    assert "tensor([1., 1., 1.])" in out


# --- transpose: same as t() for 2-D; view fails on the non-contiguous result
# ---------------


def test_transpose_equals_t_and_view_error(page):
    eq = node_text(
        cell_with_source(page, "torch.equal(m.transpose(0, 1), m.t())").select_one(
            "div.cell_output"
        )
    )
    assert "和 t() 相同： True" in eq
    contig = node_text(
        cell_with_source(page, "mt.is_contiguous()").select_one("div.cell_output")
    )
    assert "连续: True" in contig and "连续: False" in contig
    views = [t for t in tracebacks(page) if "mt.view(8)" in t]
    assert len(views) == 1 and "RuntimeError: view size is not compatible" in views[0]
    fixed = node_text(
        cell_with_source(page, "print(mt.reshape(8))").select_one("div.cell_output")
    )
    assert fixed.count("tensor([2., 4., 5., 2., 3., 1., 7., 9.])") == 2
