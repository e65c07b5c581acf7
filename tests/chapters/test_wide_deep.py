"""The chapter 更宽还是更深 (book/qa/wide-deep): linear regions against theory, residual
nets."""

from __future__ import annotations

import pytest

from chapterpages import check_correction_box, check_figures, glued, page_text

pytestmark = pytest.mark.build


def test_correction_box_and_no_unrendered_roles(built_site):
    check_correction_box(built_site, "qa/wide-deep")


def test_figures_exist_with_alt_text(built_site):
    check_figures(built_site, "qa/wide-deep", 4)


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
    assert g["trained_max_fraction"] < 1
    # the prose: 1 layer × 48 comes closest to its Montúfar bound, and stays below half
    assert g["trained_fraction_1x48"] == pytest.approx(g["trained_max_fraction"])
    assert g["trained_fraction_1x48"] < 0.5
    assert g["init_ratio_6x8"] < 1e-3
    # a finer grid finds about the same number of regions
    assert (
        g["count_4x12_res400"] <= g["count_4x12_res800"] < 1.2 * g["count_4x12_res400"]
    )


def test_residual_beats_plain_deep_net(built_site):
    g = glued("qa/wide-deep")
    assert g["deep_res_acc"] > g["deep_plain_acc"] + 0.2
    assert g["deep_res_acc"] > 0.9
    assert g["spread_plain"] < 1e-5 < g["spread_res"]
    assert g["grad_first_plain"] < 1e-6 < 1e-3 < g["grad_first_res"]
    assert g["eq_test_best_mid"] > g["eq_test_1"]


def test_citations_resolved(built_site):
    text = page_text(built_site, "qa/wide-deep")
    for k in ("Montúfar", "Hanin", "He", "Seide"):
        assert k in text, f"{k} not cited"
