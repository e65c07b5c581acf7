"""Page tests for the Q&A chapters 更宽还是更深, Softmax and SGD/Adam (built site + executed notebooks).

They read `_build/html` and the glued values of the executed notebooks; build the book first
(`PYTHONPATH=$PWD/code DLBOOK_THREADS=1 .venv/bin/python tools/build_book.py`).
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from bookdata import executed_notebook, glue_values

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
CHAPTERS = ("wide-deep", "softmax", "optimizers")


@pytest.fixture(scope="module")
def site(built_site) -> Path:
    return built_site


def glued(name: str) -> dict:
    """Glued values of chapter ``book/qa/<name>``."""
    return glue_values(executed_notebook(f"book/qa/{name}"))


def page_text(site: Path, name: str) -> str:
    html = (site / "book" / "qa" / f"{name}.html").read_text(encoding="utf-8")
    return unescape(re.sub(r"<[^>]+>", " ", html))


def page_html(site: Path, name: str) -> str:
    return (site / "book" / "qa" / f"{name}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CHAPTERS)
def test_page_has_correction_box_and_no_unrendered_roles(site, name):
    html = page_html(site, name)
    boxes = re.findall(r'<div class="([^"]*)">\s*<p class="admonition-title">勘误</p>', html)
    assert boxes and all("warning" in b.split() and "admonition" in b.split() for b in boxes), boxes
    text = page_text(site, name)
    for raw in ("{glue:text}", "{cite}", "{admonition}", "```"):
        assert raw not in text, f"unrendered {raw} on {name}"
    assert "本章正在编写中" not in text


@pytest.mark.parametrize("name, n_figures", [("wide-deep", 4), ("softmax", 2), ("optimizers", 4)])
def test_figures_exist_with_alt_text(site, name, n_figures):
    html = page_html(site, name)
    imgs = re.findall(r"<img[^>]*>", html)
    figs = [i for i in imgs if "_images/" in i]
    assert len(figs) >= n_figures, f"{name}: expected {n_figures} figures, found {len(figs)}"
    for tag in figs:
        alt = re.search(r'alt="([^"]*)"', tag)
        assert alt and re.search(r"[\u4e00-\u9fff]", alt.group(1)), f"figure without Chinese alt text: {tag}"
        src = re.search(r'src="([^"]+)"', tag).group(1)
        f = (site / "book" / "qa" / src).resolve()
        assert f.is_file() and f.stat().st_size > 5000, f"missing or empty figure {src}"


def test_softmax_overflow_visible_and_stable_result(site):
    text = page_text(site, "softmax")
    # the naive float32 cell prints inf and nan
    assert re.search(r"exp\(z\):\s*\[inf, inf,", text)
    assert re.search(r"朴素 softmax:\s*\[nan, nan, 0\.0\]", text)
    g = glued("softmax")
    assert g["naive_has_nan"] is True
    assert 0.999999 <= g["p_dog"] <= 1.0
    assert 0 < g["p_cat64"] < 1e-150 and 0 < g["p_bird64"] < g["p_cat64"]
    assert g["ln8"] == pytest.approx(2.0794415, abs=1e-6)
    assert 150 < g["T_for_08"] < 260
    # the report's numbers are quoted in the correction
    assert "狗: 0.8" in text and "523.42354" in text


def test_softmax_double_softmax_bug(site):
    g = glued("softmax")
    assert g["ce_floor"] == pytest.approx(0.5514447, abs=1e-6)
    assert g["loss_sgd_wrong"] > g["ce_floor"] > 10 * g["loss_sgd_right"]
    assert g["loss_adam_wrong"] > g["ce_floor"]
    assert g["grad_ratio"] < 0.6
    assert g["bad_grad_wrong"] < 0.01 * g["bad_grad_right"]
    assert g["acc_sgd_wrong"] < g["acc_sgd_right"]


def test_optimizer_state_memory(site):
    g = glued("optimizers")
    assert 1.9 <= g["adam_state_ratio"] <= 2.1
    assert g["sgd_state_numel"] == 0
    assert g["momentum_state_ratio"] == pytest.approx(1.0)
    text = page_text(site, "optimizers")
    assert "exp_avg_sq" in text and "Adam 对内存的需求更少" in text


def test_optimizer_paths_and_sweep(site):
    g = glued("optimizers")
    # on Rosenbrock, momentum and Adam get far closer to the minimum than plain SGD
    assert g["rosen_momentum_final"] < 0.1 * g["rosen_sgd_final"]
    assert g["rosen_adam_final"] < 0.1 * g["rosen_sgd_final"]
    # the valley is curved: momentum ends lower than Adam there (the prose says so)
    assert g["rosen_momentum_final"] < g["rosen_adam_final"]
    assert g["n_good_adam"] >= g["n_good_momentum"] >= g["n_good_sgd"]
    assert g["best_lr_adam"] < g["best_lr_sgd"]
    # AdamW decays both weights alike, Adam + L2 does not
    assert abs(g["wd_adamw_w0"] - g["wd_adamw_w1"]) < 0.05
    assert g["wd_adam_w0"] < 0.1 < 0.9 < g["wd_adam_w1"]


def test_sgd_is_sensitive_to_a_small_init(site):
    g = glued("optimizers")
    assert g["init_momentum_normal_max"] < 0.1 and g["init_adam_normal_max"] < 0.1
    assert g["init_adam_small_max"] < 0.1  # Adam does not care that the weights are 10x smaller
    assert g["init_momentum_small_min"] > 0.5  # SGD + momentum stalls near ln 3 on every seed


def test_adam_effective_learning_rate_grows_late(site):
    """Measured: Adam's effective step size η/(√v̂+ε) grows, it does not shrink, late in training."""
    g = glued("optimizers")
    assert g["eff_lr_median_1000"] > 2 * g["eff_lr_median_10"]
    assert g["eff_lr_low_1000"] > g["eff_lr_low_10"]
    text = page_text(site, "optimizers")
    assert "zhuanlan.zhihu.com/p/32698042" in (site / "book" / "references.html").read_text(encoding="utf-8")
    assert "有效学习率" in text


def test_glossary_terms_and_synonyms(site):
    """Every term the synonyms table maps to is a glossary entry, and the Q&A pages link the glossary."""
    html = (site / "book" / "glossary.html").read_text(encoding="utf-8")
    terms = {unescape(re.sub(r"<[^>]+>", "", t)).strip().rstrip("¶#").strip()
             for t in re.findall(r'<dt[^>]*id="term-[^"]*"[^>]*>(.*?)</dt>', html, flags=re.S)}
    assert {"批量规范化", "暂退法", "图像增广", "汇聚层", "Kaiming 初始化", "轮", "准确率"} <= terms
    table = html[html.index('id="synonyms"'):]
    targets = re.findall(r"<tr[^>]*>\s*<td[^>]*>.*?</td>\s*<td[^>]*>(.*?)</td>", table, flags=re.S)
    assert len(targets) >= 10
    for cell in targets:
        main = re.split(r"[、（]", unescape(re.sub(r"<[^>]+>", "", cell)).strip())[0].strip()
        assert main in terms, f"synonyms table points to {main!r}, which is not a glossary term"
    for name in ("alexnet", "activation", "vanishing", "wide-deep", "softmax", "optimizers"):
        links = re.findall(r'href="\.\./glossary\.html#term-', page_html(site, name))
        assert links, f"{name} links no glossary term"


def test_region_counts_measured_and_below_theory(site):
    g = glued("wide-deep")
    assert g["bound_1x48"] == 1177 and g["bound_6x8"] == 4**10 * 37
    for key in ("init_default_1x48", "init_default_6x8", "init_he_1x48", "init_he_4x12",
                "trained_count_1x48", "trained_count_6x8", "trained_min_count"):
        assert g[key] > 1, key
    assert g["init_default_1x48"] <= g["bound_1x48"]
    assert g["init_default_6x8"] < g["bound_6x8"]
    assert g["trained_count_1x48"] <= g["bound_1x48"]
    assert g["trained_count_6x8"] < g["bound_6x8"]
    assert g["trained_max_fraction"] < 1
    # the prose: 1 layer × 48 comes closest to its Montúfar bound, and even it stays below half
    assert g["trained_fraction_1x48"] == pytest.approx(g["trained_max_fraction"])
    assert g["trained_fraction_1x48"] < 0.5
    assert g["init_ratio_6x8"] < 1e-3
    # a finer grid finds about the same number of regions
    assert g["count_4x12_res400"] <= g["count_4x12_res800"] < 1.2 * g["count_4x12_res400"]


def test_residual_beats_plain_deep_net(site):
    g = glued("wide-deep")
    assert g["deep_res_acc"] > g["deep_plain_acc"] + 0.2
    assert g["deep_res_acc"] > 0.9
    assert g["spread_plain"] < 1e-5 < g["spread_res"]
    assert g["grad_first_plain"] < 1e-6 < 1e-3 < g["grad_first_res"]
    assert g["eq_test_best_mid"] > g["eq_test_1"]


def test_citations_resolved(site):
    for name, keys in {
        "wide-deep": ("Montúfar", "Hanin", "He", "Seide"),
        "optimizers": ("Kingma", "Loshchilov", "Goh", "Reddi", "Luo", "Keskar"),
        "vanishing": ("Hinton", "Bengio"),
    }.items():
        text = page_text(site, name)
        for k in keys:
            assert k in text, f"{k} not cited on {name}"
