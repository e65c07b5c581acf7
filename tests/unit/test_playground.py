"""dlbook.playground: the records of the spiral playground and the page's payload."""

import json

import numpy as np
import pytest

from dlbook import make_spiral, split
from dlbook import playground as pg


@pytest.fixture(scope="module")
def sweep():
    X, y = make_spiral(n_per_class=40, n_classes=3, random_state=3)
    X_tr, y_tr, X_te, y_te = split(X, y, test_size=0.25, random_state=0)
    records, extent = pg.reference_sweep(
        X_tr, y_tr, X_te, y_te, hidden=(2, 6), seeds=(0, 1), budgets=(10, 30)
    )
    return records, extent, X_tr, y_tr


def test_records_follow_the_contract(sweep):
    records, extent, _, _ = sweep
    assert len(records) == 4 * 2 * 2 * 2  # activations x H x seeds x budgets
    pg.check_records(records)
    assert {r["activation"] for r in records} == set(pg.ACTIVATIONS)
    for r in records:
        assert r["classes"].shape == (64, 64) and r["classes"].dtype == np.uint8
        assert r["classes"].max() <= 2
        assert len(r["loss"]) == r["steps"] // 10
        assert 0 <= r["train_acc"] <= 1 and 0 <= r["test_acc"] <= 1
        assert isinstance(r["H"], int) and r["lr"] == 1e-2
    assert extent[0] == -extent[1] and extent[2] == -extent[3] and extent[1] > 0


def test_a_short_budget_is_the_start_of_the_long_one(sweep):
    records = sweep[0]
    for a in ("none", "relu"):
        short = pg.select(records, activation=a, H=6, seed=1, steps=10)
        long = pg.select(records, activation=a, H=6, seed=1, steps=30)
        np.testing.assert_allclose(short["loss"], long["loss"][:1], rtol=1e-5)


def test_class_map_orientation():
    """Row 0 is the bottom of the plane (y = ymin), column 0 its left edge."""
    import torch

    class Above(torch.nn.Module):  # class 1 where y > 0, class 2 where x > 0.5
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def forward(self, p):
            out = torch.zeros(p.shape[0], 3)
            out[:, 0] = 0.1
            out[:, 1] = (p[:, 1] > 0).float()
            out[:, 2] = 2 * (p[:, 0] > 0.5).float()
            return out

    m = pg.class_map(Above(), (-1, 1, -1, 1))
    assert m[0, 0] == 0 and m[-1, 0] == 1 and m[0, -1] == 2


@pytest.mark.parametrize("shape", [(64, 64), (8, 4)])
def test_pack_round_trip(shape):
    rng = np.random.default_rng(0)
    c = rng.integers(0, 4, size=shape, dtype=np.uint8)
    text = pg.pack_classes(c)
    assert len(text) == 4 * -(-c.size // 4 // 3)  # base64 of size/4 bytes
    back = pg.unpack_classes(text, n=shape[0]) if shape[0] == shape[1] else None
    if back is not None:
        np.testing.assert_array_equal(back, c)


def test_payload_matches_the_records(sweep):
    records, extent, X, y = sweep
    data = json.loads(pg.payload(records, extent, X, y))
    assert data["grid"] == 64 and data["loss_every"] == 10
    assert data["settings"]["activation"] == list(pg.ACTIVATIONS)
    assert data["settings"]["H"] == [2, 6] and data["settings"]["steps"] == [10, 30]
    assert len(data["runs"]) == len(records)
    assert len(data["points"]) == len(X)
    assert data["extent"] == pytest.approx(list(extent), abs=1e-4)
    for r in records:
        run = pg.find_run(data, **{k: r[k] for k in pg.KEYS})
        assert run["train_acc"] == pytest.approx(r["train_acc"], abs=1e-4)
        assert run["test_acc"] == pytest.approx(r["test_acc"], abs=1e-4)
        assert run["loss"] == pytest.approx(r["loss"], abs=1e-4)
        np.testing.assert_array_equal(pg.unpack_classes(run["classes"]), r["classes"])


def test_bad_records_are_refused(sweep):
    records = sweep[0]
    with pytest.raises(ValueError, match="two records"):
        pg.check_records(records + records[:1])
    broken = dict(records[0], classes=np.zeros((32, 32), np.uint8))
    with pytest.raises(ValueError, match="shape"):
        pg.check_records([broken])
    with pytest.raises(ValueError, match="loss values"):
        pg.check_records([dict(records[0], loss=[1.0, 2.0])])
    with pytest.raises(ValueError, match="activation"):
        pg.reference_sweep(None, None, None, None, activations=("gelu",))


def test_plot_grid_draws_one_map_per_setting(sweep):
    import matplotlib

    import dlbook

    matplotlib.use("Agg")
    dlbook.setup_fonts()
    records, extent, X, y = sweep
    fig = pg.plot_grid(records, extent, X, y)
    assert len(fig.axes) == 4 * 2
    assert fig.axes[0].get_title().startswith("无激活，H=2")
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_payload_thins_the_loss_curves(sweep):
    """thin=k keeps every k-th loss value and says so (loss_every); a k that does not
    divide a curve is refused rather than drawing a curve that ends early."""
    records, extent, X, y = sweep
    long = [r for r in records if r["steps"] == 30]  # 3 loss values each
    data = json.loads(pg.payload(long, extent, X, y, thin=3))
    assert data["loss_every"] == 30
    assert [len(r["loss"]) for r in data["runs"]] == [1] * len(long)
    assert data["runs"][0]["loss"][0] == pytest.approx(long[0]["loss"][0], abs=1e-4)
    with pytest.raises(ValueError, match="thin=2"):
        pg.payload(long, extent, X, y, thin=2)
