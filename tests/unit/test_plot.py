"""dlbook.plot: figures from tensors on any device; the models are left untouched."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import dlbook
from dlbook import nets, regions


def test_decision_boundary_leaves_model_untouched():
    X, y = dlbook.make_spiral(30, n_classes=3)
    model = nets.mlp(2, 10, 3, seed=0)
    model.train()
    before = [p.clone() for p in model.parameters()]
    ax = dlbook.plot_decision_boundary(model, X, y, resolution=20, title="决策边界")
    assert model.training and dlbook.inspect.model_device(model).type == "cpu"
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    img = ax.images[0].get_array()
    assert img.shape == (20, 20) and set(np.unique(img)) <= {0, 1, 2}
    assert len(ax.collections[0].get_offsets()) == 90


def test_plot_accepts_grad_tensors():
    X, y = dlbook.make_spiral(10, n_classes=2)
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
    assert len(ax.lines) == 6 and ax.lines[0].get_xydata()[:, 0].max() == pytest.approx(
        2.0
    )
    with pytest.raises(ValueError, match="fn must map"):
        dlbook.plot_grid_transform(lambda p: p[:, :1], n_lines=2, n_points=2)


def test_figure_png_is_compact_opaque_and_reproducible():
    import io

    from PIL import Image

    from dlbook.book import figure_png

    dlbook.setup_fonts()
    X, y = dlbook.make_spiral(300, n_classes=3)
    fig, ax = plt.subplots(figsize=(4, 4))
    dlbook.plot_spiral(X, y, ax=ax, title="螺旋")
    png = figure_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png == figure_png(fig)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P" and len(image.getcolors(256)) <= 256
    raw = io.BytesIO()
    fig.savefig(raw, format="png", bbox_inches="tight")
    assert len(png) < 0.6 * len(raw.getvalue())
    assert image.convert("RGB").getpixel((1, 1)) == (
        255,
        255,
        255,
    )  # opaque white corner
    with pytest.raises(ValueError, match="colors"):
        figure_png(fig, colors=1000)


def test_plot_regions_draws_image():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, ids = regions.region_map(nets.mlp(2, 4, 2, seed=0), resolution=20)
    ax = dlbook.plot.plot_regions(ids, title="t")
    img = ax.get_images()[0].get_array()
    assert img.shape == (20, 20, 3)
    assert not np.allclose(img[:, 0], img[:, -1])  # the two halves differ in colour
    plt.close("all")
