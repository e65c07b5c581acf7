"""The chapter 更宽还是更深 (book/qa/wide-deep): linear regions against theory, residual
nets."""

from __future__ import annotations

import pytest

from chapterpages import check_correction_box, check_figures, glued, page_text

pytestmark = pytest.mark.build


def test_correction_box_and_no_unrendered_roles(built_site):
    check_correction_box(built_site, "qa/wide-deep")


def test_figures_exist_with_alt_text(built_site):
    check_figures(built_site, "qa/wide-deep", 5)


def test_region_counts_measured_and_below_theory(built_site):
    g = glued("qa/wide-deep")
    assert g["bound_1x48"] == 1177 and g["bound_6x8"] == 4**10 * 37
    for key in (
        "init_default_1x48",
        "init_default_6x8",
        "init_he_1x48",
        "init_he_4x12",
        "trained_count_1x48",
        "trained_count_6x8",
        "trained_min_count",
    ):
        assert g[key] > 1, key
    assert g["init_default_1x48"] <= g["bound_1x48"]
    assert g["init_default_6x8"] < g["bound_6x8"]
    assert g["trained_count_1x48"] <= g["bound_1x48"]
    assert g["trained_count_6x8"] < g["bound_6x8"]
    assert g["init_ratio_6x8"] < 1e-3
    # a finer grid finds about the same number of regions
    assert (
        g["count_4x12_res400"] <= g["count_4x12_res800"] < 1.2 * g["count_4x12_res400"]
    )


def test_deep_plain_net_fails_by_init_not_by_depth(built_site):
    """20 hidden layers, 3 seeds each: default init mostly stalls at chance; Kaiming
    init and residual connections both train, and their seed ranges overlap (the prose
    says no difference is visible)."""
    g = glued("qa/wide-deep")
    # default init: most seeds stay at chance for the whole budget, any other one
    # starts late; all Kaiming seeds end above every stuck one
    assert 1 <= g["deep_default_stuck"] <= 3
    assert g["deep_default_start"] > 50
    assert g["deep_default_max"] <= g["deep_he_max"]
    assert g["deep_he_min"] > 0.9 and g["deep_res_max"] > 0.9
    assert (
        g["deep_he_min"] <= g["deep_res_max"] and g["deep_res_min"] <= g["deep_he_max"]
    )
    assert g["spread_plain"] < 1e-5 < 0.1 < g["spread_he"] and 0.1 < g["spread_res"]
    assert g["grad_first_plain"] < 1e-6 < 1e-2 < g["grad_first_he"]
    assert 1e-2 < g["grad_first_res"]


def test_equal_parameters_tie_once_trained(built_site):
    """~150 parameters, 3 seeds: at 300 epochs the ranges are wide, at 1000 the 1-3
    layer nets all sit in a narrow band (a tie)."""
    g = glued("qa/wide-deep")
    assert g["eq_epochs"] >= 3 * g["eq_short"]
    assert g["eq_final_min"] > 0.95
    assert g["eq_final_max"] - g["eq_final_min"] < 0.05
    assert g["eq_short_min"] < g["eq_final_min"]


def test_citations_resolved(built_site):
    text = page_text(built_site, "qa/wide-deep")
    for k in ("Montúfar", "Hanin", "He", "Seide"):
        assert k in text, f"{k} not cited"
