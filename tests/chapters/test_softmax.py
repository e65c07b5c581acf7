"""The chapter Softmax (book/qa/softmax): overflow, the stable form, the double-softmax
bug.
"""

from __future__ import annotations

import re

import pytest

from chapterpages import check_correction_box, check_figures, glued, page_text

pytestmark = pytest.mark.build


def test_correction_box_and_no_unrendered_roles(built_site):
    check_correction_box(built_site, "qa/softmax")


def test_figures_exist_with_alt_text(built_site):
    check_figures(built_site, "qa/softmax", 2)


def test_overflow_visible_and_stable_result(built_site):
    text = page_text(built_site, "qa/softmax")
    # the naive float32 cell prints inf and nan
    assert re.search(r"exp\(z\):\s*\[inf, inf,", text)
    assert re.search(r"朴素 softmax:\s*\[nan, nan, 0\.0\]", text)
    g = glued("qa/softmax")
    assert g["naive_has_nan"] is True
    assert 0.999999 <= g["p_dog"] <= 1.0
    assert 0 < g["p_cat64"] < 1e-150 and 0 < g["p_bird64"] < g["p_cat64"]
    assert g["ln8"] == pytest.approx(2.0794415, abs=1e-6)
    assert 150 < g["T_for_08"] < 260
    # the report's numbers are quoted in the correction
    assert "狗: 0.8" in text and "523.42354" in text


def test_double_softmax_bug(built_site):
    g = glued("qa/softmax")
    assert g["ce_floor"] == pytest.approx(0.5514447, abs=1e-6)
    assert g["loss_sgd_wrong"] > g["ce_floor"] > 10 * g["loss_sgd_right"]
    assert g["loss_adam_wrong"] > g["ce_floor"]
    assert g["grad_ratio"] < 0.6
    assert g["bad_grad_wrong"] < 0.01 * g["bad_grad_right"]
    assert g["acc_sgd_wrong"] < g["acc_sgd_right"]
