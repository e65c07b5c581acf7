"""The chapter Softmax (book/qa/softmax): overflow, the stable form, the double-softmax
bug.
"""

from __future__ import annotations

import re

import pytest

from chapterpages import (
    check_correction_box,
    check_figures,
    glued,
    page_text,
)

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
    """The loss floor (math), the gradient shrink, and the 300-epoch comparison across
    the seeds: slower with momentum (ranges apart), no difference with Adam (overlap).
    """
    g = glued("qa/softmax")
    assert g["softmax_n_seeds"] >= 3
    assert g["ce_floor"] == pytest.approx(0.5514447, abs=1e-6)
    assert g["loss_min_sgd_wrong"] > g["ce_floor"] > 10 * g["loss_max_sgd_right"]
    assert g["loss_min_adam_wrong"] > g["ce_floor"]
    assert g["grad_ratio"] < 0.6
    assert g["bad_grad_wrong"] < 0.01 * g["bad_grad_right"]
    # momentum: the wrong form learns more slowly (epoch 50) and ends lower (test)
    assert g["acc50_max_sgd_wrong"] < g["acc50_min_sgd_right"]
    assert g["acc_max_sgd_wrong"] < g["acc_min_sgd_right"]
    # the right form's loss is still falling at epoch 300 ("300 轮之内")
    assert g["loss_half_sgd_right"] > 1.3 * g["loss_sgd_right"]
    # Adam: the ranges overlap ("看不出差别")
    assert g["acc_min_adam_wrong"] <= g["acc_max_adam_right"]
    assert g["acc_min_adam_right"] <= g["acc_max_adam_wrong"]
    assert g["acc_min_adam_right"] <= g["acc_adam_wrong"] <= g["acc_max_adam_right"]


def test_calibration_caveat(built_site):
    """The small nets are under-confident on the test set (every model), and the page
    cites Guo et al. for modern nets being over-confident."""
    g = glued("qa/softmax")
    assert g["calib_n_models"] >= 6
    assert 0 < g["calib_gap_min"] <= g["calib_gap_max"] < 0.2
    text = page_text(built_site, "qa/softmax")
    assert "过度自信" in text and "Guo" in text


def test_has_an_optional_block(built_site):
    """Goals, 先修 and exercises: tests/chapters/test_chapter_frame.py (every chapter);
    this chapter also keeps material beyond week 1 in a 选读 block."""
    assert "选读" in page_text(built_site, "qa/softmax")
