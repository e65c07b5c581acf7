"""The chapter AlexNet 与 LeNet (book/qa/alexnet): parameter totals, the ablation, the
ReLU correction.
"""

from __future__ import annotations

import re

import pytest

from chapterpages import (
    check_clean_page,
    check_correction_box,
    check_figures,
    glued,
    markdown_outputs,
    page_html,
)

pytestmark = pytest.mark.build


def test_figures_have_alt_text_and_captions(built_site):
    check_figures(built_site, "qa/alexnet", 3, min_bytes=0)
    figures = re.findall(
        r"<figure[^>]*>(.*?)</figure>", page_html(built_site, "qa/alexnet"), flags=re.S
    )
    assert len(figures) == 3 and all("<figcaption" in fig for fig in figures)


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


def test_ablation_table(built_site):
    rows = _ablation_rows()
    assert len(rows) == 5
    accs = {}
    for row in rows:
        assert row[4] == "未达到" or 1 <= int(row[4]) <= 40
        accs[row[0]] = float(row[2])
    sigmoid, relu, maxpool = list(accs.values())[:3]
    assert "sigmoid" in rows[0][0] and "ReLU" in rows[1][0] and "最大池化" in rows[2][0]
    assert relu > sigmoid + 0.1
    assert maxpool > sigmoid + 0.1
    g = glued("qa/alexnet")
    assert g["alex_acc_sigmoid"] == pytest.approx(sigmoid, abs=5e-4)
    assert (
        g["alex_acc_relu"] > g["alex_acc_sigmoid"]
        and g["alex_acc_maxpool"] > g["alex_acc_sigmoid"]
    )
    assert g["alex_acc_maxpool"] >= 0.9


def test_relu_correction_evidence(built_site):
    g = glued("qa/alexnet")
    assert g["alex_relu_default_ratio"] < 1e-3  # ReLU with a bad init: gradients vanish
    assert g["alex_relu_kaiming_ratio"] > 1e-2
    assert "也不会出现梯度消失这些问题" in page_html(built_site, "qa/alexnet")
