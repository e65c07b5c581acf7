"""Built pages of the first three Q&A chapters: AlexNet vs LeNet, activation functions, vanishing gradients.

Reads the built site in `_build/html` and the executed notebooks in MyST-NB's execution cache
(`_build/.jupyter_cache`: the copies in `_build/jupyter_execute` have their glue outputs removed).
Skips when the book has not been built.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bookdata import executed_notebook, glue_values

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CHAPTERS = ("alexnet", "activation", "vanishing")


@pytest.fixture(autouse=True, scope="module")
def _site(built_site):
    """Every test here reads the built book: build it first (once per session)."""
    return built_site


def _require_site() -> None:
    if not (SITE / "book" / "qa" / "alexnet.html").is_file():
        pytest.fail(f"no built site in {SITE}", pytrace=False)


def _executed_notebook(name: str):
    return executed_notebook(f"book/qa/{name}")


def glued(name: str) -> dict:
    """{glue name: value} of one chapter."""
    return glue_values(_executed_notebook(name))


def markdown_outputs(name: str) -> list[str]:
    return [
        out["data"]["text/markdown"]
        for cell in _executed_notebook(name).cells
        for out in cell.get("outputs", [])
        if "text/markdown" in out.get("data", {})
    ]


def page(name: str) -> str:
    _require_site()
    return (SITE / "book" / "qa" / f"{name}.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- every page


@pytest.mark.parametrize("name", CHAPTERS)
def test_page_has_no_unresolved_glue_or_errors(name):
    html = page(name)
    assert "glue:text" not in html and "{glue" not in html
    assert "Traceback" not in html
    assert "ipykernel" not in html  # no stray warning text in the page
    for cell in _executed_notebook(name).cells:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error"
            assert not (out.get("output_type") == "stream" and out.get("name") == "stderr"), out.get("text")


@pytest.mark.parametrize("name, n_figures", [("alexnet", 3), ("activation", 3), ("vanishing", 4)])
def test_figures_have_alt_text_and_captions(name, n_figures):
    html = page(name)
    figures = re.findall(r"<figure[^>]*>(.*?)</figure>", html, flags=re.S)
    assert len(figures) == n_figures
    for fig in figures:
        alt = re.search(r'<img[^>]*alt="([^"]*)"', fig)
        assert alt and len(alt.group(1)) > 10 and re.search(r"[\u4e00-\u9fff]", alt.group(1))
        assert "<figcaption" in fig
        src = re.search(r'<img[^>]*src="([^"]*)"', fig).group(1)
        assert (SITE / "book" / "qa" / src).resolve().is_file()


@pytest.mark.parametrize("name", ["alexnet", "activation"])
def test_correction_box_present(name):
    html = page(name)
    assert re.search(r'class="[^"]*\bwarning\b[^"]*\badmonition\b|class="[^"]*\badmonition\b[^"]*\bwarning\b', html)
    assert "勘误" in html


# --------------------------------------------------------------------------- AlexNet vs LeNet


def test_parameter_totals():
    g = glued("alexnet")
    assert 55_000 <= g["alex_lenet_params"] <= 65_000
    assert 55e6 <= g["alex_alexnet_params"] <= 65e6
    assert 55 <= g["alex_single_params_m"] <= 65
    html = page("alexnet")
    assert "61,706" in html and "60,965,224" in html  # the summary tables are in the page


def _ablation_rows() -> list[list[str]]:
    tables = [t for t in markdown_outputs("alexnet") if "测试准确率" in t and "训练准确率" in t]
    assert len(tables) == 1, "the ablation table is missing from the executed chapter"
    lines = [line for line in tables[0].splitlines() if line.startswith("|")][2:]
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines]


def test_ablation_table_has_tanh_and_seeds():
    rows = _ablation_rows()
    assert len(rows) == 7
    names = [r[0] for r in rows]
    assert "sigmoid" in names[0] and "tanh" in names[1] and "ReLU" in names[2]
    assert "tanh" in names[3] and "最大汇聚" in names[3] and "ReLU" in names[4]
    g = glued("alexnet")
    assert g["alex_n_seeds"] == 3
    for row in rows:  # mean within [min, max] over the seeds
        mean, lo, hi = float(row[1]), float(row[2]), float(row[3])
        assert lo - 5e-4 <= mean <= hi + 5e-4
    assert g["alex_acc_sigmoid"] == pytest.approx(float(rows[0][1]), abs=5e-4)
    assert g["alex_acc_tanh"] == pytest.approx(float(rows[1][1]), abs=5e-4)


def test_ablation_claims():
    """What the prose says the ablation shows."""
    g = glued("alexnet")
    # the jump is sigmoid's weakness: tanh (LeNet's choice) is far above sigmoid, and sigmoid is erratic
    assert g["alex_acc_tanh"] > g["alex_acc_sigmoid"] + 0.1
    assert g["alex_max_sigmoid"] - g["alex_min_sigmoid"] > 0.1
    # against tanh, ReLU alone brings no advantage in this small net
    assert g["alex_max_relu"] < g["alex_min_tanh"]  # ReLU's best seed is below tanh's worst
    # max pooling helps both activations
    assert g["alex_acc_tanh_max"] > g["alex_acc_tanh"] and g["alex_acc_relu_max"] > g["alex_acc_relu"]
    assert g["alex_acc_tanh_max"] >= g["alex_acc_relu_max"]  # "tanh 也仍然不输 ReLU"
    # dropout and augmentation: no clear gain, and the net hardly overfits without them
    assert g["alex_min_relu_max"] <= g["alex_acc_dropout"] <= g["alex_max_relu_max"]
    assert g["alex_acc_augment"] < g["alex_acc_relu_max"]
    assert g["alex_train_acc_augment"] < g["alex_train_acc_relu_max"]
    assert g["alex_train_acc_relu_max"] - g["alex_acc_relu_max"] < 0.05


def test_paper_alexnet_drops_fc6_fc7_outputs():
    """The paper's layout: dropout on the outputs of fc6 and fc7 (torchvision drops their inputs)."""
    table = next(t for t in markdown_outputs("alexnet") if "省略了 ReLU" in t)
    layers = [line.strip("|").split()[0] for line in table.splitlines() if line.startswith("| ")]
    assert layers.index("fc6") < layers.index("drop6") < layers.index("fc7") < layers.index("drop7")


def test_relu_correction_links_the_measurement():
    html = page("alexnet")
    box = re.search(r'<p class="admonition-title">勘误</p>(.*?)</div>', html, flags=re.S).group(1)
    assert "vanishing.html" in box and "glossary.html" in box
    assert "也不会出现梯度消失这些问题" in html


# --------------------------------------------------------------------------- activation functions


def test_collapse_and_nonlinearity():
    g = glued("activation")
    assert g["act_n_linear"] == 10
    assert 0 <= g["act_collapse_diff"] < 1e-4
    assert g["act_defect_linear"] < 1e-4
    assert g["act_defect_relu"] > 0.05


def test_valve_correction_evidence():
    g = glued("activation")
    assert g["act_sigmoid_big_last"] <= 1.0
    assert g["act_relu_big_last"] > 100
    assert g["act_relu_default_spread_last"] < 1e-3 * g["act_relu_default_spread_first"]
    assert g["act_sigmoid_dmax"] == pytest.approx(0.25, abs=1e-3)
    assert g["act_gelu_min"] == pytest.approx(-0.17, abs=0.01)


# --------------------------------------------------------------------------- vanishing gradients


def test_sigmoid_gradient_ratio():
    g = glued("vanishing")
    ratio = g["van_ratio_sigmoid"]
    assert 0 < ratio <= 1e-2  # first layer at least 100x smaller than the last
    assert g["van_ratio_sigmoid_xavier"] <= 1e-2 and g["van_ratio_sigmoid_kaiming"] <= 1e-2
    assert g["van_ratio_relu_kaiming"] > 1e-2
    assert g["van_max_dsigmoid"] == pytest.approx(0.25, abs=1e-4)


def test_training_stalls_for_the_vanishing_nets():
    g = glued("vanishing")
    assert g["van_train_sigmoid"] < 0.5
    assert g["van_train_relu_default"] < 0.5
    assert g["van_train_relu_kaiming"] > 0.9
    assert g["van_first_bn"] > 1e6 * g["van_first_plain"]
    assert g["van_first_res"] > 1e6 * g["van_first_plain"]


def test_explosion_grows_toward_the_input():
    """The gradients, not the forward values, are large: they grow from the last layer to the first."""
    g = glued("vanishing")
    assert g["van_explode_first"] > 100 * g["van_explode_last"]
    assert g["van_explode_ratio"] == pytest.approx(g["van_explode_first"] / g["van_explode_last"])
    assert g["van_explode_max"] >= g["van_explode_first"]
    assert g["van_explode_act_max"] < 1.0  # tanh keeps every activation below 1


def test_chain_rule_formula_in_page():
    html = page("vanishing")
    assert r"\operatorname{diag}" in html and "W^{(2)\\top}" in html
    assert "{cite}" not in html and "{doc}" not in html
    assert "Glorot" in html and "He" in html  # citations rendered
