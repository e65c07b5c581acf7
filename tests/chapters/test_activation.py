"""The chapter 激活函数 (book/qa/activation): collapse of linear stacks, the valve
correction.
"""

from __future__ import annotations


import pytest

from chapterpages import (
    check_clean_page,
    check_correction_box,
    check_captioned_figures,
    glued,
)

pytestmark = pytest.mark.build


def test_figures_have_alt_text_and_captions(built_site):
    check_captioned_figures(built_site, "qa/activation", 3)


def test_page_is_clean(built_site):
    check_clean_page(built_site, "qa/activation")


def test_correction_box(built_site):
    check_correction_box(built_site, "qa/activation")


def test_collapse_and_nonlinearity(built_site):
    g = glued("qa/activation")
    assert g["act_n_linear"] == 10
    assert g["act_collapse_diff"] < 1e-4
    assert g["act_defect_linear"] < 1e-4
    assert g["act_defect_relu"] > 0.05


def test_valve_correction_evidence(built_site):
    g = glued("qa/activation")
    assert g["act_sigmoid_big_last"] <= 1.0
    assert g["act_relu_big_last"] > 100
    assert g["act_relu_default_spread_last"] < 1e-3 * g["act_relu_default_spread_first"]
    assert g["act_sigmoid_dmax"] == pytest.approx(0.25, abs=1e-3)
    assert g["act_gelu_min"] == pytest.approx(-0.17, abs=0.01)
