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
    page_html,
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
    assert 55 <= g["alex_single_params_m"] <= 65
    html = page_html(built_site, "qa/alexnet")
    assert (
        "61,706" in html and "60,965,224" in html
    )  # the summary tables are in the page


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
    assert g["alex_n_seeds"] == 3
    for row in rows:  # mean within [min, max] over the seeds
        mean, lo, hi = float(row[1]), float(row[2]), float(row[3])
        assert lo - 5e-4 <= mean <= hi + 5e-4
    assert g["alex_acc_sigmoid"] == pytest.approx(float(rows[0][1]), abs=5e-4)
    assert g["alex_acc_tanh"] == pytest.approx(float(rows[1][1]), abs=5e-4)


def test_ablation_claims(built_site):
    """What the prose says the ablation shows."""
    g = glued("qa/alexnet")
    # the jump is sigmoid's weakness: tanh (LeNet's choice) is far above sigmoid,
    # and sigmoid is erratic
    assert g["alex_acc_tanh"] > g["alex_acc_sigmoid"] + 0.1
    assert g["alex_max_sigmoid"] - g["alex_min_sigmoid"] > 0.1
    # against tanh, ReLU alone brings no advantage in this small net
    assert g["alex_max_relu"] < g["alex_min_tanh"]  # ReLU's best below tanh's worst
    # max pooling helps both activations
    assert g["alex_acc_tanh_max"] > g["alex_acc_tanh"]
    assert g["alex_acc_relu_max"] > g["alex_acc_relu"]
    assert g["alex_acc_tanh_max"] >= g["alex_acc_relu_max"]  # "tanh 也仍然不输 ReLU"
    # dropout: slightly higher mean than ⑤, within two points, seed ranges overlap
    assert 0 < g["alex_acc_dropout"] - g["alex_acc_relu_max"] < 0.02
    assert g["alex_min_dropout"] <= g["alex_max_relu_max"]
    # augmentation lowers the mean; the net hardly overfits without the two
    assert g["alex_acc_augment"] < min(g["alex_acc_dropout"], g["alex_acc_relu_max"])
    assert g["alex_train_acc_augment"] < g["alex_train_acc_relu_max"]
    assert g["alex_train_acc_relu_max"] - g["alex_acc_relu_max"] < 0.05


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
