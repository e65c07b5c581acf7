"""The chapter 螺旋数据 (book/spiral): its figures and its glued accuracies, as
built."""

from __future__ import annotations

import re

import pytest

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
    assert g["acc_relu"] > 0.9
    assert g["collapse_diff"] < 1e-4
    # The fair comparison: same optimizer, the ReLU alone makes the difference.
    assert g["fair_mom_linear"] < 0.6 and g["fair_mom_relu"] > 0.95
    assert (
        g["fair_sgd_relu"] < 0.7
    )  # plain SGD at lr 1e-3 has not learned in 1000 epochs
    assert g["sweep_h200"] > g["sweep_h5"]
    assert g["acc_bottleneck"] > 0.9


def test_glued_numbers_reach_the_page(built_site, glue_of):
    g = glue_of("book/spiral")
    text = (built_site / "book" / "spiral.html").read_text(encoding="utf-8")
    assert f"{g['acc_linear']:.3f}" in text
    assert f"{g['acc_relu']:.3f}" in text
