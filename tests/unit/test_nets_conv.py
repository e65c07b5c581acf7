"""dlbook.nets.conv: LeNet-5, AlexNet and the digits CNN."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook import inspect, nets


def test_lenet5_classic_shapes_and_parameters():
    model = nets.lenet5()
    rows = inspect.layer_summary(model, nets.LENET5_INPUT)
    by_name = {r.layer.split(" ")[0]: r for r in rows}
    assert by_name["conv1"].output_shape == (6, 28, 28)
    assert by_name["pool1"].output_shape == (6, 14, 14)
    assert by_name["conv2"].output_shape == (16, 10, 10)
    assert by_name["pool2"].output_shape == (16, 5, 5)
    assert by_name["flatten"].output_shape == (400,)
    assert by_name["fc3"].output_shape == (10,)
    # 156 + 2416 + 48120 + 10164 + 850
    assert [by_name[k].params for k in ("conv1", "conv2", "fc1", "fc2", "fc3")] == [
        156,
        2416,
        48120,
        10164,
        850,
    ]
    assert sum(r.params for r in rows) == inspect.count_params(model) == 61_706
    assert len(rows) == 12  # every leaf layer, in call order
    assert rows[0].layer.startswith("conv1") and rows[-1].layer.startswith("fc3")


def test_lenet5_options():
    relu_max = nets.lenet5(activation="relu", pool="max", n_classes=5)
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
        nets.lenet5(**kwargs)


def test_alexnet_paper_layout():
    with torch.device("meta"):
        model = nets.alexnet("paper")
    rows = inspect.layer_summary(model, nets.ALEXNET_INPUTS["paper"])
    by_name = {r.layer.split(" ")[0]: r for r in rows}
    assert by_name["conv1"].output_shape == (96, 55, 55)
    assert by_name["pool1"].output_shape == (96, 27, 27)
    assert by_name["conv2"].output_shape == (256, 27, 27)
    assert by_name["pool2"].output_shape == (256, 13, 13)
    assert by_name["conv5"].output_shape == (256, 13, 13)
    assert by_name["pool5"].output_shape == (256, 6, 6)
    assert by_name["fc6"].params == 9216 * 4096 + 4096
    assert by_name["fc8"].output_shape == (1000,)
    assert sum(r.params for r in rows) == inspect.count_params(model) == 60_965_224
    groups = {
        n: m.groups for n, m in model.named_children() if isinstance(m, nn.Conv2d)
    }
    assert groups == {"conv1": 1, "conv2": 2, "conv3": 1, "conv4": 2, "conv5": 2}
    assert sum(isinstance(m, nn.LocalResponseNorm) for m in model.modules()) == 2
    assert [m.p for m in model.modules() if isinstance(m, nn.Dropout)] == [0.5, 0.5]


def test_alexnet_single_gpu_layout():
    with torch.device("meta"):
        model = nets.alexnet("single", n_classes=10)
    rows = inspect.layer_summary(model, nets.ALEXNET_INPUTS["single"])
    assert rows[0].output_shape == (64, 55, 55)
    assert rows[-1].output_shape == (10,)
    with torch.device("meta"):
        full = nets.alexnet("single")
    assert inspect.count_params(full) == 61_100_840


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
        nets.alexnet(**kwargs)


def test_digits_cnn_shapes_dropout_and_seed():
    model = nets.digits_cnn("relu", "max", dropout=0.3, seed=1)
    assert model(torch.zeros(7, 1, 8, 8)).shape == (7, 10)
    assert sum(isinstance(m, nn.Dropout) for m in model.modules()) == 2
    assert not any(isinstance(m, nn.Dropout) for m in nets.digits_cnn().modules())
    rows = inspect.layer_summary(model, (1, 8, 8))
    assert {r.layer.split(" ")[0]: r.output_shape for r in rows}["pool2"] == (16, 2, 2)
    again = nets.digits_cnn("relu", "max", dropout=0.3, seed=1)
    assert all(
        torch.equal(p, q) for p, q in zip(model.parameters(), again.parameters())
    )
    with pytest.raises(ValueError, match="dropout"):
        nets.digits_cnn(dropout=1.0)
    with pytest.raises(ValueError, match="pool"):
        nets.digits_cnn(pool="sum")


def test_every_builder_takes_seed_and_device():
    for build in (nets.lenet5, nets.digits_cnn):
        a, b = build(seed=3, device="cpu"), build(seed=3)
        c = build(seed=4)
        assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
        assert not torch.equal(a[0].weight, c[0].weight)
    with torch.device("meta"):
        big = nets.alexnet(seed=0)
    assert next(big.parameters()).device.type == "meta"
