"""The spiral playground in the built site (issue 23): the data file is the glued JSON
of the executed chapter, the widget offers exactly its settings with labelled native
controls, and the static grid (for readers without JavaScript and the PDF) is there."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import playground as ext  # noqa: E402  (book/_ext/playground.py)


@pytest.fixture(scope="module")
def glued(glue_of):
    return glue_of("book/spiral")


@pytest.fixture(scope="module")
def data_file(built_site):
    path = built_site / "_static" / "playground" / "spiral.js"
    assert path.is_file(), f"no playground data file {path}"
    return path


@pytest.fixture(scope="module")
def page(built_site):
    from bs4 import BeautifulSoup

    html = (built_site / "book" / "spiral.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


def test_data_file_is_the_glued_payload(glued, data_file):
    name, data = ext.parse_data_script(data_file.read_text(encoding="utf-8"))
    assert name == "spiral"
    assert data == json.loads(glued["playground_spiral"])
    assert len(data["runs"]) == glued["playground_n_runs"]
    assert len(data["points"]) == glued["playground_n_points"]
    assert data_file.stat().st_size < 400_000, "the data file grew past 400 KB"


def test_every_budget_has_one_run_per_setting(data_file):
    """Each trained budget (learning rate, steps) holds one run for every activation,
    width and seed; budgets that were never trained (e.g. lr 1e-3 at the longest step
    count) are absent as a whole, and the widget says so."""
    from itertools import product

    from dlbook import playground

    _, data = ext.parse_data_script(data_file.read_text(encoding="utf-8"))
    s = data["settings"]
    assert s["activation"] == ["none", "relu", "tanh", "sigmoid"]
    assert len(s["H"]) >= 3 and len(s["seed"]) >= 3 and len(s["steps"]) >= 2
    budgets = {(r["lr"], r["steps"]) for r in data["runs"]}
    assert len(s["lr"]) >= 2 and len(budgets) >= 4
    for (lr, steps), act, h, seed in product(
        sorted(budgets), s["activation"], s["H"], s["seed"]
    ):
        run = playground.find_run(
            data, activation=act, H=h, lr=lr, steps=steps, seed=seed
        )
        assert len(run["loss"]) == run["steps"] // data["loss_every"]
        classes = playground.unpack_classes(run["classes"], data["grid"])
        assert classes.shape == (data["grid"], data["grid"])


def test_widget_controls_are_labelled_and_match_the_data(page, data_file):
    _, data = ext.parse_data_script(data_file.read_text(encoding="utf-8"))
    widget = page.select_one("div.dlbook-playground")
    assert widget is not None, "no playground widget on the spiral page"
    assert "pst-js-only" in widget["class"], "the widget must hide without JavaScript"
    assert widget["data-src"] == "_static/playground/spiral.js"
    controls = widget.select("select, input[type=range]")
    assert len(controls) >= 4
    for control in controls:
        label = widget.select_one(f"label[for={control['id']}]")
        assert label is not None and label.get_text(strip=True), control["id"]
    acts = [o["value"] for o in widget.select("select[name=activation] option")]
    assert acts == data["settings"]["activation"]
    seeds = [int(o["value"]) for o in widget.select("select[name=seed] option")]
    assert seeds == data["settings"]["seed"]
    steps = [int(o["value"]) for o in widget.select("select[name=steps] option")]
    assert steps == data["settings"]["steps"]
    rng = widget.select_one("input[type=range]")
    assert json.loads(rng["data-values"]) == data["settings"]["H"]
    canvas = widget.select_one("canvas")
    assert canvas["width"] == canvas["height"], "the canvas keeps its square shape"
    # the data is not loaded by the page itself, only by the widget's script
    assert not page.select('script[src*="playground"]')


def test_the_first_view_is_a_trained_setting(page, data_file):
    """What the controls show before the reader touches them is a run in the data
    (lr 1e-3 was never trained for the longest budget: the default lr must be one that
    was)."""
    from dlbook import playground

    _, data = ext.parse_data_script(data_file.read_text(encoding="utf-8"))
    widget = page.select_one("div.dlbook-playground")

    def chosen(name):
        sel = widget.select_one(f"select[name={name}], input[type=hidden][name={name}]")
        if sel.name == "input":
            return sel["value"]
        opt = sel.select_one("option[selected]") or sel.select_one("option")
        return opt["value"]

    rng = widget.select_one("input[type=range]")
    setting = {
        "activation": chosen("activation"),
        "H": json.loads(rng["data-values"])[int(rng["value"])],
        "lr": float(chosen("lr")),
        "steps": int(chosen("steps")),
        "seed": int(chosen("seed")),
    }
    playground.find_run(data, **setting)  # raises if no run has these settings


def test_static_grid_figure_for_readers_without_javascript(page, built_site):
    figure = page.select_one("figure#fig-spiral-playground-grid, "
                             "#fig-spiral-playground-grid")  # fmt: skip
    assert figure is not None, "no static grid figure"
    img = figure.select_one("img")
    assert img is not None and img.get("alt")
    src = (built_site / "book" / img["src"]).resolve()
    assert src.is_file() and src.stat().st_size > 10_000
    assert "pst-js-only" not in " ".join(figure.get("class", []))
