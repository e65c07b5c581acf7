"""The chapter 螺旋数据 (book/spiral): its figures and its glued accuracies, as
built."""

from __future__ import annotations

import re

import pytest

from chapterpages import corrections, node_text, soup

pytestmark = pytest.mark.build


def test_spiral_figures_are_image_files(built_site):
    html = (built_site / "book" / "spiral.html").read_text(encoding="utf-8")
    images = re.findall(r'<img[^>]+src="\.\./(_images/[^"]+\.png)"', html)
    assert len(images) >= 6, images
    for rel in images:
        f = built_site / rel
        assert f.is_file() and f.stat().st_size > 5_000, rel
        assert f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    alts = re.findall(r'<img[^>]+alt="([^"]*)"', html)
    assert alts and all(re.search(r"[\u4e00-\u9fff]", a) for a in alts), alts


def test_spiral_accuracies_in_bands(glue_of):
    g = glue_of("book/spiral")
    assert g["acc_linear"] < 0.6
    assert g["acc_relu"] > 0.9  # "ReLU 模型分对九成以上"
    # The linear model's accuracy peaks early and falls while its cross-entropy keeps
    # dropping: the final accuracy is not the best a straight-line model reaches.
    assert g["linear_peak_acc"] > g["acc_linear"] + 0.05
    assert 0 < g["linear_peak_epoch"] < 1000
    assert g["linear_peak_loss"] > g["loss_linear"]
    # The fair comparison: same optimizer, the ReLU alone makes the difference.
    assert g["fair_mom_linear"] < 0.6 and g["fair_mom_relu"] > 0.95
    for key in ("fair_adam_linear", "fair_mom_linear"):  # "都只分对一半左右"
        assert 0.45 < g[key] < 0.56, (key, g[key])
    # plain SGD at lr 1e-3 has not learned in 1000 epochs
    assert g["fair_sgd_relu"] < 0.7
    assert g["sweep_h200"] > g["sweep_h5"]
    assert g["sweep_sigmoid"] < min(g["sweep_tanh"], g["sweep_relu"])  # "sigmoid 只有"
    assert g["acc_bottleneck"] > 0.9


def test_spiral_longer_training_is_better(glue_of):
    g = glue_of("book/spiral")
    # "训练越久边界越贴合": 300 < 1000 < 3000 epochs, each one run from the same start
    assert g["epochs_300"] < g["epochs_1000"] < g["epochs_3000"]
    assert g["epochs_3000"] > 0.98


def test_spiral_changing_n_and_c(glue_of):
    g = glue_of("book/spiral")
    # fewer points: the test accuracy falls below the training accuracy and below N=1000
    assert g["data_n100_c3_test"] < g["data_n100_c3_train"]
    assert g["data_n100_c3_test"] < g["sweep_relu"]
    # more classes: the same network fits the training data less well ("降到")
    assert g["data_n1000_c5_train"] < g["sweep_relu_train"]


def test_spiral_correction_and_course_results(built_site, glue_of):
    g = glue_of("book/spiral")
    page = soup(built_site, "spiral")
    boxes = corrections(page)
    assert len(boxes) == 1 and "区别仅仅在于" in boxes[0]
    # ReLU + SGD at lr 1e-3: the ReLU alone is not enough
    assert f"{g['fair_sgd_relu']:.3f}" in boxes[0]
    rows = [
        [td.get_text(strip=True) for td in tr.select("td")]
        for tr in page.select("table tr")
    ]
    ours = [r for r in rows if r and r[0].startswith("本书")]
    assert ours == [
        [
            "本书（本页构建时执行）",
            f"{g['loss_linear']:.3f}",
            f"{g['acc_linear']:.3f}",
            f"{g['loss_relu']:.3f}",
            f"{g['acc_relu']:.3f}",
        ]
    ]
    assert any(r and r[0].startswith("课程页面") for r in rows)


def test_spiral_links_instead_of_repeating_the_collapse_demo(built_site):
    page = soup(built_site, "spiral")
    inputs = page.select("div.cell_input")
    assert not any("collapse_linear" in node_text(c) for c in inputs)
    assert page.select_one('a[href$="qa/activation.html"]') is not None


def test_glued_numbers_reach_the_page(built_site, glue_of):
    g = glue_of("book/spiral")
    text = (built_site / "book" / "spiral.html").read_text(encoding="utf-8")
    assert f"{g['acc_linear']:.3f}" in text
    assert f"{g['acc_relu']:.3f}" in text
