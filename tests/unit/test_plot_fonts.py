import matplotlib

matplotlib.use("Agg")

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import dlbook
from dlbook.fonts import FontNotFoundError, cjk_font_path


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _draw_and_collect_glyph_problems(caplog, *labels):
    """Draw labels; return the missing-glyph reports (matplotlib warns for text, logs for mathtext)."""
    fig, ax = plt.subplots()
    for i, label in enumerate(labels):
        ax.text(0.1, 0.1 + 0.2 * i, label)
    with warnings.catch_warnings(record=True) as caught, caplog.at_level("WARNING", logger="matplotlib"):
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught if "glyph" in str(w.message).lower()] + [
        r.getMessage() for r in caplog.records if "glyph" in r.getMessage().lower()
    ]


def test_cjk_font_is_noto_and_renders_without_missing_glyphs(caplog):
    name = dlbook.setup_fonts()
    assert name == "Noto Sans SC"
    assert dlbook.missing_glyphs("螺旋数据分类，准确率 0.95 (epoch) −1") == []
    assert _draw_and_collect_glyph_problems(caplog, "螺旋数据：训练准确率", "$x_1 + \\alpha$", "x₁ α ≤ ∞") == []


def test_glyph_problems_are_detected(caplog):
    """The check above can fail: uncovered text and Chinese inside mathtext are both reported."""
    dlbook.setup_fonts()
    problems = _draw_and_collect_glyph_problems(caplog, "क", "准确率 $x_1$")
    assert any("2325" in p or "क" in p for p in problems), problems
    assert any("51c6" in p.lower() for p in problems), problems  # 准 = U+51C6


def test_missing_glyphs_detects_uncovered_characters():
    assert dlbook.missing_glyphs("ok क 𠀀") == ["क", "𠀀"]


def test_font_override_and_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_CJK_FONT", str(tmp_path / "nope.otf"))
    with pytest.raises(FontNotFoundError, match="DLBOOK_CJK_FONT"):
        cjk_font_path()


def test_missing_font_package_says_how_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *a, **k):
        if name == "pylopdf_fonts_zh_cn":
            raise ImportError(name)
        return real_import(name, *a, **k)

    monkeypatch.delenv("DLBOOK_CJK_FONT", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(FontNotFoundError, match="pip install pylopdf-fonts-zh-cn==0.1.1"):
        cjk_font_path()


def test_decision_boundary_leaves_model_untouched():
    X, y = dlbook.make_spiral(30, 3)
    model = dlbook.make_mlp(2, 10, 3, seed=0)
    model.train()
    before = [p.clone() for p in model.parameters()]
    ax = dlbook.plot_decision_boundary(model, X, y, resolution=20, title="决策边界")
    assert model.training and dlbook.model_device(model).type == "cpu"
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    img = ax.images[0].get_array()
    assert img.shape == (20, 20) and set(np.unique(img)) <= {0, 1, 2}
    assert len(ax.collections[0].get_offsets()) == 90


def test_plot_accepts_grad_tensors():
    X, y = dlbook.make_spiral(10, 2)
    X = X.clone().requires_grad_(True)
    ax = dlbook.plot_spiral(X, y)
    assert ax.get_aspect() == 1.0
    assert dlbook.to_numpy(X).shape == (20, 2)


def test_plot_history_and_grid():
    h = dlbook.History(loss=[1.0, 0.5], acc=[0.3, 0.6])
    ax_l, ax_a = dlbook.plot_history({"a": h})
    assert list(ax_l.lines[0].get_ydata()) == [1.0, 0.5]
    with pytest.raises(ValueError, match="histories"):
        dlbook.plot_history({})
    ax = dlbook.plot_grid_transform(lambda p: 2 * p, lim=1.0, n_lines=3, n_points=5)
    assert len(ax.lines) == 6 and ax.lines[0].get_xydata()[:, 0].max() == pytest.approx(2.0)
    with pytest.raises(ValueError, match="fn must map"):
        dlbook.plot_grid_transform(lambda p: p[:, :1], n_lines=2, n_points=2)


def test_setup_seeds_and_threads(monkeypatch):
    monkeypatch.setenv("DLBOOK_DEVICE", "cpu")
    monkeypatch.setenv("DLBOOK_THREADS", "1")
    dev = dlbook.setup(seed=3, glue_name=None)
    a = torch.rand(3)
    dlbook.setup(seed=3, glue_name=None)
    assert dev.type == "cpu" and torch.equal(a, torch.rand(3)) and torch.get_num_threads() == 1
    assert matplotlib.rcParams["figure.facecolor"] == "white"
    monkeypatch.setenv("DLBOOK_THREADS", "many")
    with pytest.raises(ValueError, match="DLBOOK_THREADS"):
        dlbook.setup(glue_name=None)


def test_markdown_table():
    md = dlbook.markdown_table(["H", "准确率"], [(5, 0.51234), (100, 0.9)])
    assert md.splitlines() == ["| H | 准确率 |", "|---|---|", "| 5 | 0.512 |", "| 100 | 0.900 |"]
    with pytest.raises(ValueError, match="row 0"):
        dlbook.markdown_table(["a"], [(1, 2)])


def test_figure_png_is_compact_opaque_and_reproducible():
    import io

    from PIL import Image

    from dlbook.book import figure_png

    dlbook.setup_fonts()
    X, y = dlbook.make_spiral(300, 3)
    fig, ax = plt.subplots(figsize=(4, 4))
    dlbook.plot_spiral(X, y, ax=ax, title="螺旋")
    png = figure_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png == figure_png(fig)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P" and len(image.getcolors(256)) <= 256
    raw = io.BytesIO()
    fig.savefig(raw, format="png", bbox_inches="tight")
    assert len(png) < 0.6 * len(raw.getvalue())
    assert image.convert("RGB").getpixel((1, 1)) == (255, 255, 255)  # opaque white corner
    with pytest.raises(ValueError, match="colors"):
        figure_png(fig, colors=1000)
