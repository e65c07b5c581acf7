import math

import numpy as np
import pytest
import torch

import dlbook
from dlbook import check_xy, make_spiral, split


def test_shapes_dtypes_and_balance():
    X, y = make_spiral(n_per_class=50, n_classes=4)
    assert X.shape == (200, 2) and X.dtype == torch.float32
    assert y.shape == (200,) and y.dtype == torch.int64
    assert torch.bincount(y).tolist() == [50] * 4


def test_deterministic_and_seed_dependent():
    a, _ = make_spiral(100, n_classes=3, random_state=1)
    b, _ = make_spiral(100, n_classes=3, random_state=1)
    c, _ = make_spiral(100, n_classes=3, random_state=2)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_geometry_without_noise():
    X, y = make_spiral(n_per_class=101, n_classes=3, noise=0.0)
    r = X.norm(dim=1)
    t = torch.linspace(0, 1, 101).repeat(3)
    assert torch.allclose(r, t, atol=1e-6)  # radius t runs from 0 to 1
    # last point of class c sits at angle 2*pi*(c+2)/C, measured as atan2(x, y) (x = t
    # sin, y = t cos)
    for c in range(3):
        x_end = X[y == c][-1]
        angle = math.atan2(x_end[0].item(), x_end[1].item()) % (2 * math.pi)
        assert angle == pytest.approx(
            (2 * math.pi * (c + 2) / 3) % (2 * math.pi), abs=1e-5
        )


def test_noise_scales_angles():
    X0, _ = make_spiral(500, n_classes=3, noise=0.0)
    X1, _ = make_spiral(500, n_classes=3, noise=0.2)
    assert torch.allclose(
        X0.norm(dim=1), X1.norm(dim=1), atol=1e-6
    )  # noise moves the angle only
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
        ({"random_state": -1}, ValueError, "random_state"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        make_spiral(**kwargs)


def test_split_is_disjoint_and_complete():
    X, y = make_spiral(100, n_classes=3)
    Xtr, ytr, Xte, yte = split(X, y, test_size=0.2, random_state=0)
    assert len(Xte) == 60 and len(Xtr) == 240
    rows = {tuple(r) for r in torch.cat([Xtr, Xte]).tolist()}
    assert len(rows) == len({tuple(r) for r in X.tolist()})
    again = split(X, y, test_size=0.2, random_state=0)
    assert torch.equal(again[2], Xte)


def test_split_rejects_bad_fraction():
    X, y = make_spiral(10, n_classes=2)
    for bad in (0, 1, 1.5):
        with pytest.raises(ValueError, match="test_size"):
            split(X, y, test_size=bad)


def test_check_xy_messages():
    X, y = make_spiral(10, n_classes=2)
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


@pytest.fixture(scope="module")
def digits():
    return dlbook.load_digits()


def test_digits_split_shapes_and_range(digits):
    assert digits.X_train.shape == (1347, 1, 8, 8)
    assert digits.X_test.shape == (450, 1, 8, 8)
    assert digits.X_train.dtype == torch.float32 and digits.y_train.dtype == torch.long
    assert float(digits.X_train.min()) == 0.0 and float(digits.X_train.max()) == 1.0
    assert set(digits.y_test.tolist()) == set(range(10))


def test_digits_split_is_stratified_and_a_partition(digits):
    from sklearn.datasets import load_digits

    full = load_digits()
    counts = np.bincount(full.target)
    test_counts = np.bincount(digits.y_test.numpy(), minlength=10)
    assert np.all(np.abs(test_counts - counts * 0.25) <= 1)  # stratified
    # train + test hold exactly the 1797 images of the data set (as a multiset)
    both = torch.cat([digits.X_train, digits.X_test]).reshape(1797, 64).numpy() * 16
    orig = full.images.reshape(1797, 64)
    key = lambda a: a[np.lexsort(a.T[::-1])]
    np.testing.assert_array_equal(key(both), key(orig))


def test_digits_split_deterministic():
    a = dlbook.load_digits(random_state=3)
    b = dlbook.load_digits(random_state=3)
    c = dlbook.load_digits(random_state=4)
    for ta, tb in zip(a, b):
        assert torch.equal(ta, tb)
    assert not torch.equal(a.y_test, c.y_test) or not torch.equal(a.X_test, c.X_test)


def test_digits_train_per_class():
    small = dlbook.load_digits(train_per_class=5)
    assert small.X_train.shape == (50, 1, 8, 8)
    assert torch.bincount(small.y_train).tolist() == [5] * 10
    assert small.X_test.shape == (450, 1, 8, 8)
    with pytest.raises(ValueError, match="train_per_class"):
        dlbook.load_digits(train_per_class=1000)
    with pytest.raises(ValueError, match="train_per_class"):
        dlbook.load_digits(train_per_class=0)


@pytest.mark.parametrize("frac", [0, 1, 1.5])
def test_digits_bad_fraction(frac):
    with pytest.raises(ValueError, match="test_size"):
        dlbook.load_digits(test_size=frac)


def test_stratified_split_keeps_class_proportions():
    X, y = make_spiral(50, n_classes=3)
    y = torch.cat([y[:100], y[100:110]])  # classes of 50, 50 and 10 points
    X = X[: len(y)]
    _, _, _, y_te = split(X, y, test_size=0.2, stratify=True, random_state=0)
    assert torch.bincount(y_te).tolist() == [10, 10, 2]
    _, _, _, y_plain = split(X, y, test_size=0.2, random_state=0)
    assert len(y_plain) == 22


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(dlbook.data)
    assert result.attempted >= 2 and result.failed == 0
