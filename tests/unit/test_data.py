import math

import pytest
import torch

from dlbook import check_xy, make_spiral, split


def test_shapes_dtypes_and_balance():
    X, y = make_spiral(n_per_class=50, n_classes=4)
    assert X.shape == (200, 2) and X.dtype == torch.float32
    assert y.shape == (200,) and y.dtype == torch.int64
    assert torch.bincount(y).tolist() == [50] * 4


def test_deterministic_and_seed_dependent():
    a, _ = make_spiral(100, 3, seed=1)
    b, _ = make_spiral(100, 3, seed=1)
    c, _ = make_spiral(100, 3, seed=2)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_geometry_without_noise():
    X, y = make_spiral(n_per_class=101, n_classes=3, noise=0.0)
    r = X.norm(dim=1)
    t = torch.linspace(0, 1, 101).repeat(3)
    assert torch.allclose(r, t, atol=1e-6)          # radius t runs from 0 to 1
    # last point of class c sits at angle 2*pi*(c+2)/C, measured as atan2(x, y) (x = t sin, y = t cos)
    for c in range(3):
        x_end = X[y == c][-1]
        angle = math.atan2(x_end[0].item(), x_end[1].item()) % (2 * math.pi)
        assert angle == pytest.approx((2 * math.pi * (c + 2) / 3) % (2 * math.pi), abs=1e-5)


def test_noise_scales_angles():
    X0, _ = make_spiral(500, 3, noise=0.0)
    X1, _ = make_spiral(500, 3, noise=0.2)
    assert torch.allclose(X0.norm(dim=1), X1.norm(dim=1), atol=1e-6)  # noise moves the angle only
    assert (X0 - X1).abs().max() > 0.1


@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        ({"n_per_class": 0}, ValueError, "n_per_class"),
        ({"n_per_class": -5}, ValueError, "n_per_class"),
        ({"n_per_class": 2.5}, TypeError, "n_per_class"),
        ({"n_classes": 1}, ValueError, "n_classes"),
        ({"noise": -0.1}, ValueError, "noise"),
        ({"noise": float("nan")}, ValueError, "noise"),
        ({"noise": "big"}, TypeError, "noise"),
        ({"seed": -1}, ValueError, "seed"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        make_spiral(**kwargs)


def test_split_is_disjoint_and_complete():
    X, y = make_spiral(100, 3)
    Xtr, ytr, Xte, yte = split(X, y, 0.2, seed=0)
    assert len(Xte) == 60 and len(Xtr) == 240
    rows = {tuple(r) for r in torch.cat([Xtr, Xte]).tolist()}
    assert len(rows) == len({tuple(r) for r in X.tolist()})
    again = split(X, y, 0.2, seed=0)
    assert torch.equal(again[2], Xte)


def test_split_rejects_bad_fraction():
    X, y = make_spiral(10, 2)
    for bad in (0, 1, 1.5):
        with pytest.raises(ValueError, match="test_fraction"):
            split(X, y, bad)


def test_check_xy_messages():
    X, y = make_spiral(10, 2)
    with pytest.raises(ValueError, match="disagree"):
        check_xy(X, y[:-1])
    with pytest.raises(TypeError, match="floating"):
        check_xy(X.long(), y)
    with pytest.raises(TypeError, match="integer class labels"):
        check_xy(X, y.float())
    with pytest.raises(ValueError, match=r"shape \(N, D\)"):
        check_xy(X[:, 0], y)
    with pytest.raises(TypeError, match="torch.Tensor"):
        check_xy(X.numpy(), y)
