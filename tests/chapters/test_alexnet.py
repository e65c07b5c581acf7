"""The chapter AlexNet 与 LeNet (book/qa/alexnet): parameter totals, the ablation, the
ReLU correction.
"""

from __future__ import annotations

import re

import pytest

from chapterpages import (
    check_clean_page,
    check_correction_box,
    check_captioned_figures,
    glued,
    markdown_outputs,
    notebook,
    page_html,
    page_text,
)

pytestmark = pytest.mark.build


def test_figures_have_alt_text_and_captions(built_site):
    check_captioned_figures(built_site, "qa/alexnet", 3)


def test_page_is_clean(built_site):
    check_clean_page(built_site, "qa/alexnet")


def test_correction_box(built_site):
    check_correction_box(built_site, "qa/alexnet")


def test_parameter_totals(built_site):
    g = glued("qa/alexnet")
    assert 55_000 <= g["alex_lenet_params"] <= 65_000
    assert 55e6 <= g["alex_alexnet_params"] <= 65e6
    assert 5500 <= g["alex_alexnet_params_wan"] <= 6500  # 约 6097 万
    assert 5500 <= g["alex_single_params_wan"] <= 6500
    assert 30 <= g["alex_lenet_macs_wan"] <= 60  # 约 42 万次
    assert 6 <= g["alex_alexnet_macs_yi"] <= 8  # 约 7.24 亿次
    html = page_html(built_site, "qa/alexnet")
    assert (
        "61,706" in html and "60,965,224" in html
    )  # the summary tables are in the page
    assert "百万" not in page_text(built_site, "qa/alexnet")  # Chinese number style


def test_224_versus_227(built_site):
    """224 without padding gives 54, not the paper's 55; 227, or 224 padded by 2,
    gives 55."""
    g = glued("qa/alexnet")
    assert g["alex_side_224"] == 54
    assert g["alex_side_227"] == g["alex_side_224_pad"] == 55


def _ablation_rows() -> list[list[str]]:
    tables = [
        t
        for t in markdown_outputs("qa/alexnet")
        if "测试准确率" in t and "训练准确率" in t
    ]
    assert len(tables) == 1, "the ablation table is missing from the executed chapter"
    lines = [line for line in tables[0].splitlines() if line.startswith("|")][2:]
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines]


def test_ablation_table_has_tanh_and_seeds(built_site):
    rows = _ablation_rows()
    assert len(rows) == 7
    names = [r[0] for r in rows]
    assert "sigmoid" in names[0] and "tanh" in names[1] and "ReLU" in names[2]
    assert "tanh" in names[3] and "最大汇聚" in names[3] and "ReLU" in names[4]
    g = glued("qa/alexnet")
    assert g["alex_n_seeds"] >= 3
    for row in rows:  # mean within [min, max] over the seeds
        mean, lo, hi = float(row[1]), float(row[2]), float(row[3])
        assert lo - 5e-4 <= mean <= hi + 5e-4
    assert g["alex_acc_sigmoid"] == pytest.approx(float(rows[0][1]), abs=5e-4)
    assert g["alex_acc_tanh"] == pytest.approx(float(rows[1][1]), abs=5e-4)


def test_no_column_peeks_at_the_test_set(built_site):
    """The test set is used once, after the last epoch: no 'reached X in any epoch'
    column, no per-epoch test curve."""
    header = next(
        t for t in markdown_outputs("qa/alexnet") if "训练准确率" in t
    ).splitlines()[0]
    assert "达到" not in header
    assert "X_test=" not in "".join(
        c.source for c in notebook("qa/alexnet").cells if c.cell_type == "code"
    )


def test_ablation_claims(built_site):
    """What the prose says the ablation shows, within 40 epochs, across the seeds."""
    g = glued("qa/alexnet")
    k = "alex_"
    # sigmoid is the slowest: its best seed is below tanh's worst, its loss far from 0
    assert g[k + "max_sigmoid"] < g[k + "min_tanh"]
    assert g[k + "loss_sigmoid"] > 0.5
    assert g[k + "max_sigmoid"] - g[k + "min_sigmoid"] > 0.1  # erratic across seeds
    # tanh trains faster than ReLU (avg pooling): training-loss ranges do not overlap
    assert g[k + "loss_min_relu"] > g[k + "loss_max_tanh"]
    assert g[k + "acc_tanh"] > g[k + "acc_relu"]
    # max pooling helps both activations: ranges do not overlap
    assert g[k + "min_tanh_max"] > g[k + "max_tanh"]
    assert g[k + "min_relu_max"] > g[k + "max_relu"]
    assert g[k + "acc_tanh_max"] >= g[k + "acc_relu_max"]  # "tanh 也仍然不输 ReLU"
    assert max(g[k + "loss_tanh_max"], g[k + "loss_relu_max"]) < 0.1  # "接近 0"
    # dropout: ranges overlap with ⑤ ("看不出差别")
    assert g[k + "min_dropout"] <= g[k + "max_relu_max"]
    assert g[k + "min_relu_max"] <= g[k + "max_dropout"]
    # augmentation: not finished in 40 epochs (loss high and still falling)
    assert g[k + "loss_augment"] > 2 * g[k + "loss_relu_max"]
    assert g[k + "loss_half_augment"] > 1.2 * g[k + "loss_augment"]
    assert g[k + "acc_augment"] < g[k + "acc_dropout"]
    # the plain net hardly overfits in 40 epochs
    assert g[k + "train_acc_relu_max"] - g[k + "acc_relu_max"] < 0.05
    # still falling between epoch 20 and 40 for the slow rows
    assert g[k + "loss_half_sigmoid"] > g[k + "loss_sigmoid"]
    for key in ("relu", "augment"):
        assert g[k + "loss_half_" + key] > 1.2 * g[k + "loss_" + key]


def test_has_an_optional_block(built_site):
    """Goals, 先修 and exercises: tests/chapters/test_chapter_frame.py (every chapter);
    this chapter also keeps material beyond week 1 in a 选读 block."""
    assert "选读" in page_text(built_site, "qa/alexnet")


def test_paper_alexnet_drops_fc6_fc7_outputs(built_site):
    """The paper's layout: dropout on the outputs of fc6 and fc7 (torchvision drops
    their inputs)."""
    table = next(t for t in markdown_outputs("qa/alexnet") if "省略了 ReLU" in t)
    layers = [
        line.strip("|").split()[0]
        for line in table.splitlines()
        if line.startswith("| ")
    ]
    assert (
        layers.index("fc6")
        < layers.index("drop6")
        < layers.index("fc7")
        < layers.index("drop7")
    )


def test_relu_correction_links_the_measurement(built_site):
    html = page_html(built_site, "qa/alexnet")
    box = re.search(
        r'<p class="admonition-title">勘误</p>(.*?)</div>', html, flags=re.S
    ).group(1)
    assert "vanishing.html" in box and "glossary.html" in box
    assert "也不会出现梯度消失这些问题" in html
