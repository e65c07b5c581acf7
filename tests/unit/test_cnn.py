"""dlbook.cnn: LeNet-5 / AlexNet definitions and summaries, the digits data, augmentation, training loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from dlbook import cnn


# --------------------------------------------------------------------------- architectures


def test_lenet5_classic_shapes_and_parameters():
    model = cnn.make_lenet5()
    rows = cnn.layer_summary(model, cnn.LENET5_INPUT)
    by_name = {r.layer.split(" ")[0]: r for r in rows}
    assert by_name["conv1"].output_shape == (6, 28, 28)
    assert by_name["pool1"].output_shape == (6, 14, 14)
    assert by_name["conv2"].output_shape == (16, 10, 10)
    assert by_name["pool2"].output_shape == (16, 5, 5)
    assert by_name["flatten"].output_shape == (400,)
    assert by_name["fc3"].output_shape == (10,)
    # 156 + 2416 + 48120 + 10164 + 850
    assert [by_name[k].params for k in ("conv1", "conv2", "fc1", "fc2", "fc3")] == [156, 2416, 48120, 10164, 850]
    assert sum(r.params for r in rows) == cnn.count_params(model) == 61_706
    assert len(rows) == 12  # every leaf layer, in call order
    assert rows[0].layer.startswith("conv1") and rows[-1].layer.startswith("fc3")


def test_lenet5_options():
    relu_max = cnn.make_lenet5(activation="relu", pool="max", n_classes=5)
    kinds = {type(m) for m in relu_max.modules()}
    assert nn.ReLU in kinds and nn.MaxPool2d in kinds and nn.Sigmoid not in kinds
    assert relu_max(torch.zeros(3, 1, 32, 32)).shape == (3, 5)


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(pool="median"), ValueError, "pool"),
        (dict(activation="softplus"), ValueError, "activation"),
        (dict(activation=3), TypeError, "activation"),
        (dict(n_classes=1), ValueError, "n_classes"),
    ],
)
def test_lenet5_argument_errors(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        cnn.make_lenet5(**kwargs)


def test_alexnet_paper_layout():
    with torch.device("meta"):
        model = cnn.make_alexnet("paper")
    rows = cnn.layer_summary(model, cnn.ALEXNET_INPUTS["paper"])
    by_name = {r.layer.split(" ")[0]: r for r in rows}
    assert by_name["conv1"].output_shape == (96, 55, 55)
    assert by_name["pool1"].output_shape == (96, 27, 27)
    assert by_name["conv2"].output_shape == (256, 27, 27)
    assert by_name["pool2"].output_shape == (256, 13, 13)
    assert by_name["conv5"].output_shape == (256, 13, 13)
    assert by_name["pool5"].output_shape == (256, 6, 6)
    assert by_name["fc6"].params == 9216 * 4096 + 4096
    assert by_name["fc8"].output_shape == (1000,)
    assert sum(r.params for r in rows) == cnn.count_params(model) == 60_965_224
    groups = {n: m.groups for n, m in model.named_children() if isinstance(m, nn.Conv2d)}
    assert groups == {"conv1": 1, "conv2": 2, "conv3": 1, "conv4": 2, "conv5": 2}
    assert sum(isinstance(m, nn.LocalResponseNorm) for m in model.modules()) == 2
    assert [m.p for m in model.modules() if isinstance(m, nn.Dropout)] == [0.5, 0.5]


def test_alexnet_single_gpu_layout():
    with torch.device("meta"):
        model = cnn.make_alexnet("single", n_classes=10)
    rows = cnn.layer_summary(model, cnn.ALEXNET_INPUTS["single"])
    assert rows[0].output_shape == (64, 55, 55)
    assert rows[-1].output_shape == (10,)
    with torch.device("meta"):
        full = cnn.make_alexnet("single")
    assert cnn.count_params(full) == 61_100_840


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(variant="vgg"), ValueError, "variant"),
        (dict(dropout=1.0), ValueError, "dropout"),
        (dict(dropout=-0.1), ValueError, "dropout"),
        (dict(n_classes=0), ValueError, "n_classes"),
    ],
)
def test_alexnet_argument_errors(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        cnn.make_alexnet(**kwargs)


def test_layer_summary_errors_and_training_flag():
    model = cnn.make_lenet5()
    model.train()
    with pytest.raises(ValueError, match="input_shape"):
        cnn.layer_summary(model, (1, 8, 8))  # too small for two 5x5 convolutions
    with pytest.raises(ValueError, match="input_shape"):
        cnn.layer_summary(model, (1, 0, 32))
    with pytest.raises(TypeError, match="input_shape"):
        cnn.layer_summary(model, "1x32x32")
    with pytest.raises(TypeError, match="model"):
        cnn.layer_summary("lenet", (1, 32, 32))
    assert model.training  # restored after the errors
    cnn.layer_summary(model, (1, 32, 32))
    assert model.training


def test_count_macs():
    # conv1 6·28·28·25 + conv2 16·10·10·150 + fc 400·120 + 120·84 + 84·10
    assert cnn.count_macs(cnn.make_lenet5(), cnn.LENET5_INPUT) == 117_600 + 240_000 + 48_000 + 10_080 + 840
    with torch.device("meta"):
        alex = cnn.make_alexnet("paper")
    macs = cnn.count_macs(alex, cnn.ALEXNET_INPUTS["paper"])
    assert 6.5e8 < macs < 8e8
    # the grouped conv2 costs half of an ungrouped one
    conv2 = dict(alex.named_children())["conv2"]
    assert conv2.groups == 2
    with pytest.raises(ValueError, match="input_shape"):
        cnn.count_macs(cnn.make_lenet5(), (3, 32, 32))


def test_describe_layer():
    assert cnn.describe_layer(nn.Conv2d(3, 96, 11, stride=4)) == "Conv2d 11×11, 3→96, 步幅 4"
    assert cnn.describe_layer(nn.Linear(400, 120)) == "Linear 400→120"
    assert cnn.describe_layer(nn.MaxPool2d(3, 2)) == "MaxPool 3×3, 步幅 2"
    assert cnn.describe_layer(nn.ReLU()) == "ReLU"


# --------------------------------------------------------------------------- digits data


@pytest.fixture(scope="module")
def digits():
    return cnn.load_digits_split()


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
    assert np.all(test_counts == np.round(counts * 0.25))
    # train + test hold exactly the 1797 images of the data set (as a multiset)
    both = torch.cat([digits.X_train, digits.X_test]).reshape(1797, 64).numpy() * 16
    orig = full.images.reshape(1797, 64)
    key = lambda a: a[np.lexsort(a.T[::-1])]
    np.testing.assert_array_equal(key(both), key(orig))


def test_digits_split_deterministic():
    a = cnn.load_digits_split(seed=3)
    b = cnn.load_digits_split(seed=3)
    c = cnn.load_digits_split(seed=4)
    for ta, tb in zip(a, b):
        assert torch.equal(ta, tb)
    assert not torch.equal(a.y_test, c.y_test) or not torch.equal(a.X_test, c.X_test)


def test_digits_train_per_class():
    small = cnn.load_digits_split(train_per_class=5)
    assert small.X_train.shape == (50, 1, 8, 8)
    assert torch.bincount(small.y_train).tolist() == [5] * 10
    assert small.X_test.shape == (450, 1, 8, 8)
    with pytest.raises(ValueError, match="train_per_class"):
        cnn.load_digits_split(train_per_class=1000)
    with pytest.raises(ValueError, match="train_per_class"):
        cnn.load_digits_split(train_per_class=0)


@pytest.mark.parametrize("frac", [0, 1, 1.5])
def test_digits_bad_fraction(frac):
    with pytest.raises(ValueError, match="test_fraction"):
        cnn.load_digits_split(test_fraction=frac)


def _shifted(img, dy, dx):
    """Reference: img moved so that out[i, j] = img[i + dy, j + dx] (0 outside)."""
    h, w = img.shape
    out = torch.zeros_like(img)
    for i in range(h):
        for j in range(w):
            if 0 <= i + dy < h and 0 <= j + dx < w:
                out[i, j] = img[i + dy, j + dx]
    return out


def test_random_shift_moves_each_image_by_at_most_one_pixel(digits):
    X = digits.X_train[:40]
    out = cnn.random_shift(X, 1, torch.Generator().manual_seed(0))
    assert out.shape == X.shape
    seen = set()
    for k in range(len(X)):
        matches = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if torch.equal(out[k, 0], _shifted(X[k, 0], dy, dx))]
        assert matches, f"image {k} is not a shift of the input"
        seen.update(matches)
    assert len(seen) >= 5  # offsets really vary between images
    assert cnn.random_shift(X, 0) is X


def test_random_shift_deterministic_and_errors(digits):
    X = digits.X_train[:16]
    a = cnn.random_shift(X, 1, torch.Generator().manual_seed(5))
    b = cnn.random_shift(X, 1, torch.Generator().manual_seed(5))
    assert torch.equal(a, b)
    with pytest.raises(ValueError, match="max_shift"):
        cnn.random_shift(X, 8)
    with pytest.raises(ValueError, match="max_shift"):
        cnn.random_shift(X, -1)
    with pytest.raises(ValueError, match="X"):
        cnn.random_shift(X[:, 0], 1)


# --------------------------------------------------------------------------- small CNN and training


def test_digits_cnn_shapes_dropout_and_seed():
    model = cnn.make_digits_cnn("relu", "max", dropout=0.3, seed=1)
    assert model(torch.zeros(7, 1, 8, 8)).shape == (7, 10)
    assert sum(isinstance(m, nn.Dropout) for m in model.modules()) == 2
    assert not any(isinstance(m, nn.Dropout) for m in cnn.make_digits_cnn().modules())
    rows = cnn.layer_summary(model, (1, 8, 8))
    assert {r.layer.split(" ")[0]: r.output_shape for r in rows}["pool2"] == (16, 2, 2)
    again = cnn.make_digits_cnn("relu", "max", dropout=0.3, seed=1)
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), again.parameters()))
    with pytest.raises(ValueError, match="dropout"):
        cnn.make_digits_cnn(dropout=1.0)
    with pytest.raises(ValueError, match="pool"):
        cnn.make_digits_cnn(pool="sum")


def test_train_cnn_records_and_is_deterministic(digits):
    runs = []
    for _ in range(2):
        model = cnn.make_digits_cnn("relu", "max", dropout=0.3, seed=0)
        runs.append(cnn.train_cnn(model, digits, epochs=3, batch_size=256, max_shift=1, target_acc=0.0, seed=7))
    a, b = runs
    assert len(a.train_loss) == len(a.train_acc) == len(a.test_acc) == 3
    assert a.train_loss == b.train_loss and a.test_acc == b.test_acc
    assert all(0.0 <= v <= 1.0 for v in a.train_acc + a.test_acc + [a.final_train_acc])
    assert a.epochs_to_target == 1 and a.final_test_acc == a.test_acc[-1]


def test_train_cnn_learns(digits):
    model = cnn.make_digits_cnn("relu", "max", seed=0)
    hist = cnn.train_cnn(model, digits, epochs=12, batch_size=256, lr=5e-3, target_acc=0.9, seed=0)
    assert hist.final_test_acc > 0.85
    assert hist.train_loss[-1] < hist.train_loss[0] / 3
    assert hist.epochs_to_target is not None and 1 <= hist.epochs_to_target <= 12
    assert model.training


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(epochs=0), ValueError, "epochs"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(max_shift=-1), ValueError, "max_shift"),
        (dict(target_acc=1.5), ValueError, "target_acc"),
        (dict(lr=0.0), ValueError, "lr"),
    ],
)
def test_train_cnn_argument_errors(digits, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        cnn.train_cnn(cnn.make_digits_cnn(), digits, **kwargs)


def test_train_cnn_wants_a_digits_split(digits):
    with pytest.raises(TypeError, match="data"):
        cnn.train_cnn(cnn.make_digits_cnn(), tuple(digits))
