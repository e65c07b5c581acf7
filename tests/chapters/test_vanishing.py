"""The chapter 梯度消失 (book/qa/vanishing): gradient ratios, stalled training, the
chain
rule.
"""

from __future__ import annotations


import pytest

from chapterpages import (
    check_clean_page,
    check_captioned_figures,
    glued,
    page_html,
    page_text,
)

pytestmark = pytest.mark.build


def test_figures_have_alt_text_and_captions(built_site):
    check_captioned_figures(built_site, "qa/vanishing", 4)


def test_page_is_clean(built_site):
    check_clean_page(built_site, "qa/vanishing")


def test_sigmoid_gradient_ratio(built_site):
    g = glued("qa/vanishing")
    assert (
        0 < g["van_ratio_sigmoid"] <= 1e-2
    )  # first layer at least 100x smaller than the last
    assert (
        g["van_ratio_sigmoid_xavier"] <= 1e-2 and g["van_ratio_sigmoid_kaiming"] <= 1e-2
    )
    assert g["van_ratio_relu_kaiming"] > 1e-2
    assert g["van_max_dsigmoid"] == pytest.approx(0.25, abs=1e-4)
    # the prose: large (Kaiming) weights offset part of sigmoid's 1/4 per layer
    assert g["van_ratio_sigmoid_kaiming"] > g["van_quarter_20"] > g["van_ratio_sigmoid"]


def test_training_stalls_for_the_vanishing_nets(built_site):
    g = glued("qa/vanishing")
    assert g["van_train_sigmoid"] < 0.5
    assert g["van_train_relu_default"] < 0.5
    assert g["van_train_relu_kaiming"] > 0.9
    assert g["van_first_bn"] > 1e6 * g["van_first_plain"]
    assert g["van_first_res"] > 1e6 * g["van_first_plain"]


def test_explosion_grows_toward_the_input(built_site):
    """The gradients, not the forward values, are large: they grow from the last layer
    to the first."""
    g = glued("qa/vanishing")
    assert g["van_explode_first"] > 100 * g["van_explode_last"]
    assert g["van_explode_ratio"] == pytest.approx(
        g["van_explode_first"] / g["van_explode_last"]
    )
    assert g["van_explode_max"] >= g["van_explode_first"]
    assert g["van_explode_act_max"] < 1.0  # tanh keeps every activation below 1


def test_chain_rule_formula_in_page(built_site):
    html = page_html(built_site, "qa/vanishing")
    assert r"\operatorname{diag}" in html and "W^{(2)\\top}" in html
    assert "{cite}" not in html and "{doc}" not in html
    assert "Glorot" in html and "He" in html  # citations rendered
    text = page_text(built_site, "qa/vanishing")
    assert "Hinton" in text and "Bengio" in text
